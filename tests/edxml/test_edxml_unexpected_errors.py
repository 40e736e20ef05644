"""An unexpected exception while checking the edXML signature makes it INDETERMINATE with the reason, never a
traceback (issue 9, class 6): the failure is injected into an inner check."""

from __future__ import annotations

import pytest
from edxml_support import signed_edxml_fixture, unsigned_edxml_fixture  # noqa: F401 - fixtures

import kyso
from kyso.testing.pki import TestPKI


def test_a_failing_check_makes_the_signature_indeterminate(
    signed_edxml: bytes, pki: TestPKI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kyso.xmldsig import keys  # the shared engine edXML maps onto

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("injected failure")

    monkeypatch.setattr(keys, "check_signature_value", boom)
    report = kyso.verify(signed_edxml, trust=[pki.root_cert], revocation="off")
    (sig,) = report.signatures
    assert (sig.indication, sig.sub_indication) == ("INDETERMINATE", "GENERIC")
    assert "the signature could not be verified: RuntimeError" in sig.messages
