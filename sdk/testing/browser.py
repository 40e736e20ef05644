"""A real headless Chromium for page tests, driven by Playwright for Python.

The browser cannot be downloaded here (``playwright install`` fetches its own build), so Playwright drives the
system's Chromium (Debian's ``chromium`` package, installed by ``./run test``). The flags keep it off the network:
without them Chromium keeps trying Google's hosts, which a closed network refuses many times at every start.

One Chromium process serves a whole test session (:class:`ChromiumProcess`); each test module attaches to it over
the DevTools protocol (:func:`attached`). Attaching per module rather than holding Playwright for the session
matters: Playwright's sync API keeps an asyncio loop marked as running in its thread while it is open, and every
``asyncio.run`` in that thread (pyHanko's synchronous API, certvalidator in tests) would then fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM_ENV = "KYSO_CHROMIUM"
"""Path of a Chromium executable to use instead of the one found on ``PATH``."""

CHROMIUM_ARGS = (
    "--headless",
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


class ChromiumProcess:
    """A headless Chromium listening for DevTools clients on a free port of 127.0.0.1."""

    def __init__(self, executable: str, *, startup_timeout: float = 30.0) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="kyso-chromium-", ignore_cleanup_errors=True)
        self._process = subprocess.Popen(
            [
                executable,
                *CHROMIUM_ARGS,
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={self._profile.name}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.endpoint = self._wait_for_endpoint(Path(self._profile.name) / "DevToolsActivePort", startup_timeout)

    def _wait_for_endpoint(self, port_file: Path, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"Chromium exited at start (status {self._process.returncode})")
            lines = port_file.read_text().splitlines() if port_file.exists() else []
            if lines and lines[0].strip().isdigit():
                return f"http://127.0.0.1:{lines[0].strip()}"
            time.sleep(0.05)
        self.close()
        raise RuntimeError(f"Chromium did not open its DevTools port within {timeout:.0f} s")

    def close(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._profile.cleanup()


@contextmanager
def attached(endpoint: str) -> Iterator[Browser]:
    """Playwright attached to the Chromium at ``endpoint`` for the duration of the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.connect_over_cdp(endpoint)
        try:
            yield browser
        finally:
            browser.close()  # for an attached browser: closes the contexts it made and disconnects


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium of its own for the duration of the block (scripts and one-off checks)."""
    executable = chromium_executable()
    if executable is None:
        raise RuntimeError(f"no Chromium found: install Debian's chromium or set {CHROMIUM_ENV}")
    process = ChromiumProcess(executable)
    try:
        with attached(process.endpoint) as browser:
            yield browser
    finally:
        process.close()
