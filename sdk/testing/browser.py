"""A real headless Chromium for page tests, driven by Playwright for Python.

The browser cannot be downloaded here (``playwright install`` fetches its own build), so Playwright drives the
system's Chromium (Debian's ``chromium`` package, installed by ``./run test``). The flags keep it off the network:
without them Chromium keeps trying Google's hosts, which a closed network refuses many times at every start.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM_ENV = "KYSO_CHROMIUM"
"""Path of a Chromium executable to use instead of the one found on ``PATH``."""

CHROMIUM_ARGS = (
    "--no-sandbox",  # tests run as root in a container, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_executable() -> str | None:
    """The Chromium to drive: ``$KYSO_CHROMIUM``, else ``chromium`` / ``chromium-browser`` on ``PATH``."""
    explicit = os.environ.get(CHROMIUM_ENV)
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@contextmanager
def chromium(**launch_options: Any) -> Iterator[Browser]:
    """A headless Chromium for the duration of the block; ``RuntimeError`` when there is none to drive."""
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    if executable is None:
        raise RuntimeError(f"no Chromium found: install Debian's chromium or set {CHROMIUM_ENV}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_ARGS), **launch_options
        )
        try:
            yield browser
        finally:
            browser.close()


class OnItsThread:
    """A Playwright object used from any thread, every call made on the one thread that runs Playwright.

    Playwright's sync API runs an asyncio loop in the thread that started it, and that loop counts as *running*
    there for as long as the browser lives: ``asyncio.run`` (pyHanko's synchronous API, among others) then fails
    in that thread with "cannot be called from a running event loop". Started on a thread of its own, the browser
    leaves the test's thread free; this wrapper forwards attribute reads and calls there, wrapping the Playwright
    objects they return (pages, locators ...) the same way.
    """

    def __init__(self, target: Any, executor: Any) -> None:
        self._target = target
        self._executor = executor

    def __getattr__(self, name: str) -> Any:
        value = self._executor.submit(getattr, self._target, name).result()
        if callable(value) and not isinstance(value, type):

            def call(*args: Any, **kwargs: Any) -> Any:
                args = tuple(_unwrapped(a) for a in args)
                kwargs = {k: _unwrapped(v) for k, v in kwargs.items()}
                return _wrapped(self._executor.submit(value, *args, **kwargs).result(), self._executor)

            return call
        return _wrapped(value, self._executor)

    def __repr__(self) -> str:
        return f"<on its thread: {self._target!r}>"


def _wrapped(value: Any, executor: Any) -> Any:
    if type(value).__module__.startswith("playwright."):
        return OnItsThread(value, executor)
    if isinstance(value, list):
        return [_wrapped(v, executor) for v in value]
    return value


def _unwrapped(value: Any) -> Any:
    return value._target if isinstance(value, OnItsThread) else value


@contextmanager
def chromium_on_its_thread(**launch_options: Any) -> Iterator[Any]:
    """:func:`chromium` run on a thread of its own (see :class:`OnItsThread`): the caller's thread keeps no
    running event loop. Yields the browser wrapped in :class:`OnItsThread`."""
    owner = _Owner(launch_options)
    owner.thread.start()
    owner.ready.wait(timeout=120)
    if owner.error is not None:
        raise owner.error
    try:
        yield OnItsThread(owner.browser, owner)
    finally:
        owner.queue.put(None)
        owner.thread.join(timeout=30)


class _Owner:
    """The thread that starts Chromium, then runs the calls submitted to it until told to stop."""

    def __init__(self, launch_options: dict[str, Any]) -> None:
        import queue
        import threading

        self.launch_options = launch_options
        self.queue: queue.Queue[Any] = queue.Queue()
        self.ready = threading.Event()
        self.browser: Any = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="kyso-chromium", daemon=True)

    def submit(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        import concurrent.futures

        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self.queue.put((future, function, args, kwargs))
        return future

    def _run(self) -> None:
        try:
            with chromium(**self.launch_options) as browser:
                self.browser = browser
                self.ready.set()
                while (job := self.queue.get()) is not None:
                    future, function, args, kwargs = job
                    if future.set_running_or_notify_cancel():
                        try:
                            future.set_result(function(*args, **kwargs))
                        except BaseException as exc:  # raised again in the caller's thread
                            future.set_exception(exc)
        except BaseException as exc:  # no Chromium, a launch failure: raised in the caller's thread
            self.error = exc
            self.ready.set()
