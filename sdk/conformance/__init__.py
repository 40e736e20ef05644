"""The adapter conformance suite: does an adapter keep the promises of :mod:`kyso.core.adapter`?

From the command line: ``kyso conformance NAME [--report FILE.json] [--html FILE.html] [--base-url URL]`` (against
the adapter's simulator when no base URL is given). From Python: :func:`run_conformance`. Under pytest:
:mod:`kyso.conformance.pytest_plugin` (``pytest -p kyso.conformance.pytest_plugin --kyso-adapter NAME``, or
``conformance_tests("NAME")`` in a test module).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kyso.conformance.runner import ConformanceReport, run_conformance

__all__ = ["ConformanceReport", "run_conformance"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from kyso.conformance import runner

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
