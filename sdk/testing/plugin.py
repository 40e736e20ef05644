"""pytest plugin of kyso (entry point ``pytest11: kyso``): the session-wide test PKI.

Fixtures:

``kyso_pki``
    A :class:`kyso.testing.pki.TestPKI` generated once per test session (once per worker with
    pytest-xdist) into a temporary directory and served on 127.0.0.1 for the whole session.

The heavy imports (certomancer, cryptography, werkzeug) happen only when the fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from kyso.testing.pki import TestPKI


@pytest.fixture(scope="session")
def kyso_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPKI]:
    """The test PKI (keys, certificates, PKCS#12 files), its OCSP/CRL/TSA served on 127.0.0.1."""
    from kyso.testing.pki import TestPKI

    pki = TestPKI.generate(tmp_path_factory.mktemp("kyso-pki"))
    with pki.serve():
        yield pki
