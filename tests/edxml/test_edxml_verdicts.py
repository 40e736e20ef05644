"""Issue 10, item 5: an unexpected failure while checking an edXML signature goes through the one guard
(``kyso.verdicts.guarded``): INDETERMINATE with the reason, as in PDF (``tests/verdicts/test_verdict_rules.py``)."""

from __future__ import annotations

from edxml_support import signed_edxml_fixture, unsigned_edxml_fixture  # noqa: F401 - register the fixtures

import kyso
import kyso.xmldsig.verification


def _explode(*args, **kwargs):
    raise RuntimeError("boom")


def test_edxml_signature_check_failure_is_indeterminate(signed_edxml, monkeypatch) -> None:
    monkeypatch.setattr(kyso.xmldsig.verification, "verify_signature", _explode)
    (signature,) = kyso.verify(signed_edxml, revocation="off").signatures
    assert (signature.indication, signature.sub_indication) == ("INDETERMINATE", "GENERIC")
    assert signature.messages == ["the signature could not be verified: RuntimeError"]
