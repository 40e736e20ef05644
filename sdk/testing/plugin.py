"""pytest plugin of kyso (entry point ``pytest11: kyso``): the session-wide test PKI.

Fixtures:

``kyso_pki``
    A :class:`kyso.testing.pki.TestPKI` generated once per test session (once per worker with
    pytest-xdist) into a temporary directory and served on 127.0.0.1 for the whole session.

``kyso_token``
    A real software token (SoftHSM2, :class:`kyso.testing.token.TestToken`) provisioned once per test session
    (per xdist worker) in its own directory (``SOFTHSM2_CONF``), with RSA and EC keys of the test PKI, one
    ``CKA_ALWAYS_AUTHENTICATE`` key and a second token to pull out. Skips when SoftHSM2 or python-pkcs11 is
    missing (``./run test`` installs Debian's softhsm2).

``kyso_remote_signing``
    A :class:`kyso.testing.simulators.remote.RemoteSigningSimulator` (VNPT SmartCA-, Viettel MySign- and CSC
    v2-shaped services with a phone control endpoint) over the test PKI's keys, served on 127.0.0.1 for the
    session; tests reset it (``.reset()``) before they configure it.

``kyso_csc_dummy``
    certomancer-csc-dummy (CSC API v1) over the test PKI on 127.0.0.1 (:mod:`kyso.testing.csc`); skips when the
    distribution is not installed.

``kyso_browser``
    One headless Chromium per test session (per xdist worker), attached with Playwright for each test module
    (:mod:`kyso.testing.browser` says why per module); tests open their own context or page in it. Skips when no
    Chromium or no Playwright is installed.

The heavy imports (certomancer, cryptography, werkzeug) happen only when the fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from kyso.testing.pki import TestPKI
    from kyso.testing.token import TestToken


@pytest.fixture(scope="session")
def kyso_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPKI]:
    """The test PKI (keys, certificates, PKCS#12 files), its OCSP/CRL/TSA served on 127.0.0.1."""
    from kyso.testing.pki import TestPKI

    pki = TestPKI.generate(tmp_path_factory.mktemp("kyso-pki"))
    with pki.serve():
        yield pki


@pytest.fixture(scope="session")
def kyso_token(kyso_pki: TestPKI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestToken]:
    """SoftHSM2 tokens of this session, loaded with keys and certificates of :func:`kyso_pki`."""
    pytest.importorskip("pkcs11", reason="python-pkcs11 is not installed")
    from kyso.testing.token import TestToken, softhsm_module

    if softhsm_module() is None:
        pytest.skip("SoftHSM2 is not installed (./run test installs Debian's softhsm2)")
    token = TestToken.provision(tmp_path_factory.mktemp("kyso-token"), kyso_pki)
    yield token
    token.close()


@pytest.fixture(scope="session")
def kyso_chromium() -> Iterator[str]:
    """The DevTools endpoint of the one headless Chromium of the session (see :mod:`kyso.testing.browser`)."""
    pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    from kyso.testing.browser import ChromiumProcess, chromium_executable

    executable = chromium_executable()
    if executable is None:
        pytest.skip("no Chromium to drive (./run test installs Debian's chromium)")
    process = ChromiumProcess(executable)
    yield process.endpoint
    process.close()


@pytest.fixture(scope="module")
def kyso_browser(kyso_chromium: str) -> Iterator[Browser]:
    """The session's Chromium, attached for one test module: open a context or page per test, close it after."""
    from kyso.testing.browser import attached

    with attached(kyso_chromium) as browser:
        yield browser


@pytest.fixture(scope="session")
def kyso_remote_signing(kyso_pki: TestPKI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The remote-signing simulator over the session PKI, served on 127.0.0.1 for the whole session."""
    from kyso.testing.simulators.remote import RemoteSigningSimulator

    simulator = RemoteSigningSimulator.from_pki(kyso_pki, tmp_path_factory.mktemp("kyso-remote-signing"))
    with simulator.serve():
        yield simulator


@pytest.fixture(scope="session")
def kyso_csc_dummy(kyso_pki: TestPKI) -> Iterator[Any]:
    """certomancer-csc-dummy over the session PKI (credential ids ``kyso/<name>``)."""
    pytest.importorskip("csc_dummy", reason="certomancer-csc-dummy is not installed (the test extra)")
    from kyso.testing.csc import CscDummy

    with CscDummy(kyso_pki).serve() as server:
        yield server
