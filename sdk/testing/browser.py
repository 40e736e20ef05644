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
