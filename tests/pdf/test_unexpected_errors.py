"""An unexpected exception while checking one signature makes that signature INDETERMINATE with the reason, and
the other signatures are still judged (issue 9, class 6). Each test injects the failure into an inner check."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import kyso
from kyso.testing.pki import TestPKI


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("injected failure")


def _verify(data: bytes, pki: TestPKI) -> kyso.VerificationReport:
    return kyso.verify(data, trust=[pki.root_cert], revocation="off")


def test_a_failing_check_makes_its_signature_indeterminate(
    signed_pdf: bytes, signer_for: Callable, pki: TestPKI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kyso.pdf import verification

    twice = kyso.sign(signed_pdf, signer=signer_for("organisation"))
    original = verification._check_integrity
    calls: list[int] = []

    def first_fails(emb: object, *args: object) -> None:
        calls.append(1)
        if len(calls) == 1:
            _boom()
        original(emb, *args)

    monkeypatch.setattr(verification, "_check_integrity", first_fails)
    report = _verify(twice, pki)
    first, second = report.signatures
    assert (first.indication, first.sub_indication) == ("INDETERMINATE", "GENERIC")
    assert "the signature could not be verified: RuntimeError" in first.messages
    assert second.indication == "TOTAL_PASSED", second.messages  # the other signature is still judged
    assert report.indication == "INDETERMINATE"


def test_a_failing_document_timestamp_check_is_indeterminate(
    signed_pdf: bytes, pki: TestPKI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kyso.certs.loading import load_certificates
    from kyso.pdf import timestamps
    from kyso.pdf.ltv import extend_pdf

    stamped = extend_pdf(signed_pdf, level="B-LTA", tsa=pki.tsa_url, trust=load_certificates([pki.root_cert]))
    original = timestamps.check_coverage_and_changes

    def fails_for_timestamps(emb: object, facts: object, report: kyso.SignatureReport, verdict: object) -> None:
        if report.messages[:1] == ["document time-stamp"]:
            _boom()
        original(emb, facts, report, verdict)

    monkeypatch.setattr(timestamps, "check_coverage_and_changes", fails_for_timestamps)
    report = _verify(stamped, pki)
    (stamp,) = report.timestamps
    assert (stamp.indication, stamp.sub_indication) == ("INDETERMINATE", "GENERIC")
    assert "the signature could not be verified: RuntimeError" in stamp.messages
    assert report.signatures[0].indication == "TOTAL_PASSED", report.signatures[0].messages


def test_a_failing_raw_check_is_indeterminate(signed_pdf: bytes, pki: TestPKI, monkeypatch: pytest.MonkeyPatch) -> None:
    """The raw fallback (a file pyHanko cannot open: a stray %%EOF appended) has its own guard."""
    from kyso.pdf import raw

    monkeypatch.setattr(raw, "_intact", _boom)
    report = _verify(signed_pdf + b"%%EOF\n", pki)
    (sig,) = report.signatures
    assert sig.id.endswith("(raw)")
    assert (sig.indication, sig.sub_indication) == ("INDETERMINATE", "GENERIC")
    assert "the signature could not be verified: RuntimeError" in sig.messages
