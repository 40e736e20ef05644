"""Run async code from synchronous code, and synchronous entry points from inside a running event loop.

Hooks are synchronous for callers and async libraries stay inside. pyHanko's synchronous API calls
``asyncio.run``, which refuses to start where an event loop is already running in the thread (a notebook, a web
handler, Playwright's sync API in a test): Kyso's public functions move themselves to a worker thread there.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

T = TypeVar("T")
P = ParamSpec("P")


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _in_worker_thread(function: Callable[[], T]) -> T:
    context = contextvars.copy_context()  # the caller's context variables follow the call into the thread
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(context.run, function).result()


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion, also when called from inside a running event loop (web frameworks)."""
    if not _loop_running():
        return asyncio.run(coro)
    return _in_worker_thread(functools.partial(asyncio.run, coro))


def outside_event_loop(function: Callable[P, T]) -> Callable[P, T]:
    """Decorate a synchronous entry point so that it also works when called inside a running event loop."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        if not _loop_running():
            return function(*args, **kwargs)
        return _in_worker_thread(functools.partial(function, *args, **kwargs))

    return wrapper
