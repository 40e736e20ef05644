"""Test support for kyso: a generated look-alike of the Vietnamese Government PKI.

``kyso.testing.pki.TestPKI`` generates keys, certificates and PKCS#12 files at runtime and
serves OCSP, CRLs and RFC 3161 time-stamping on 127.0.0.1 (certomancer). The pytest plugin
``kyso.testing.plugin`` (entry point ``kyso``) exposes it as the session fixture ``kyso_pki``.
Test material only: nothing here chains to the real RootCA chuyên dùng Chính phủ.
:mod:`kyso.testing.simulators` holds the platform simulators (``kyso simulate NAME``, the conformance suite);
:mod:`kyso.testing.documents` small PDFs (``pdf_with_pages``) and :mod:`kyso.testing.certificates` hand-made
certificates (``certificate``, ``key_usage``) for tests that need what the test PKI does not issue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .pki import TestPKI

__all__ = ["TestPKI"]


def __getattr__(name: str) -> Any:
    # lazy: importing kyso.testing (e.g. when pytest loads the plugin) must not import certomancer
    if name == "TestPKI":
        from .pki import TestPKI

        return TestPKI
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
