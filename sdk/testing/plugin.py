"""pytest plugin of kyso (entry point ``pytest11: kyso``): the session-wide test PKI.

Fixtures:

``kyso_pki``
    A :class:`kyso.testing.pki.TestPKI` generated once per test session (once per worker with
    pytest-xdist) into a temporary directory and served on 127.0.0.1 for the whole session.

``kyso_browser``
    One headless Chromium per test session (per xdist worker), driven by Playwright
    (:mod:`kyso.testing.browser`); tests open their own context or page in it. Skips when no Chromium or no
    Playwright is installed. Tests using it run after the others (see :func:`pytest_collection_modifyitems`);
    while it is alive, ``asyncio.run`` fails in the main thread: make signatures in a fixture run in a thread.

The heavy imports (certomancer, cryptography, werkzeug) happen only when the fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from kyso.testing.pki import TestPKI


@pytest.fixture(scope="session")
def kyso_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPKI]:
    """The test PKI (keys, certificates, PKCS#12 files), its OCSP/CRL/TSA served on 127.0.0.1."""
    from kyso.testing.pki import TestPKI

    pki = TestPKI.generate(tmp_path_factory.mktemp("kyso-pki"))
    with pki.serve():
        yield pki


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use :func:`kyso_browser` run last (in each pytest-xdist worker too: workers are fed in collection
    order). While Playwright's sync API is alive it marks its event loop as the main thread's running loop
    (``playwright._impl._greenlets.wait_for_future``), so every later ``asyncio.run`` in that process (pyHanko's
    sync wrappers: signing, validation) fails with "cannot be called from a running event loop"."""
    items.sort(key=lambda item: "kyso_browser" in getattr(item, "fixturenames", ()))  # stable: the rest keep order


@pytest.fixture(scope="session")
def kyso_browser() -> Iterator[Browser]:
    """A headless Chromium shared by the session's page tests: open a context or page per test, close it after."""
    pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    from kyso.testing.browser import chromium, chromium_executable

    if chromium_executable() is None:
        pytest.skip("no Chromium to drive (./run test installs Debian's chromium)")
    with chromium() as browser:
        yield browser
