"""Issue 10, item 5: one certificate-to-verdict mapping, one weak-algorithm verdict and one INDETERMINATE guard
(``kyso.verdicts``), used by PDF (pyHanko path, its time-stamps and the raw fallback) and by the XML-DSig engine (so
edXML) alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import kyso
import kyso.pdf.raw
import kyso.pdf.timestamps
import kyso.pdf.verification
import kyso.verdicts
import kyso.xmldsig.policy
import kyso.xmldsig.verification
from kyso.core.errors import InputError
from kyso.core.models import (
    CertificateReport,
    Indication,
    RevocationReport,
    SignatureReport,
    SubIndication,
    TimestampInfo,
    Verdict,
)
from kyso.verdicts import apply_certificate, guarded, lower_if_weak

NOON = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_every_format_uses_the_one_mapping_and_the_one_guard() -> None:
    for module in (kyso.pdf.verification, kyso.pdf.raw, kyso.xmldsig.verification):
        assert module.apply_certificate is kyso.verdicts.apply_certificate, module.__name__
        assert module.guarded is kyso.verdicts.guarded, module.__name__
        assert not hasattr(module, "_apply_certificate") and not hasattr(module, "_guarded"), module.__name__


def test_every_format_uses_the_one_weak_algorithm_verdict() -> None:
    for module in (kyso.pdf.verification, kyso.pdf.timestamps, kyso.xmldsig.verification):
        assert module.lower_if_weak is kyso.verdicts.lower_if_weak, module.__name__
    assert not hasattr(kyso.pdf.verification, "_check_algorithms")
    assert not hasattr(kyso.xmldsig.policy, "lower_if_weak")


def test_a_weak_algorithm_is_indeterminate_with_the_reason() -> None:
    verdict, messages = Verdict(), []
    lower_if_weak(None, "the signature", verdict, messages)
    assert (verdict.indication, messages) == (Indication.TOTAL_PASSED, [])
    lower_if_weak("SHA-1 is a weak digest algorithm", "the signature", verdict, messages)
    assert (verdict.indication, verdict.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
    )
    assert messages == ["the signature is not accepted: SHA-1 is a weak digest algorithm"]


def _revoked(at: datetime) -> CertificateReport:
    revocation = RevocationReport(revoked_at=at)
    return CertificateReport(Indication.INDETERMINATE, SubIndication.REVOKED_NO_POE, revocation=revocation)


def _judge(report: SignatureReport, certificate: CertificateReport) -> tuple[Indication, SubIndication | None]:
    verdict = Verdict()
    apply_certificate(report, certificate, verdict)
    return verdict.indication, verdict.sub_indication


def test_revoked_before_the_claimed_signing_time_fails() -> None:
    report = SignatureReport("s", Indication.TOTAL_PASSED, signing_time=NOON)
    assert _judge(report, _revoked(NOON - timedelta(hours=1))) == (Indication.TOTAL_FAILED, SubIndication.REVOKED)
    later = _revoked(NOON + timedelta(hours=1))
    assert _judge(report, later) == (Indication.INDETERMINATE, SubIndication.REVOKED_NO_POE)


def test_only_a_trusted_time_stamp_replaces_the_claimed_time() -> None:
    # issue 9 rule, kept: an untrusted stamp after the revocation must not rescue a claim made before it
    revoked = _revoked(NOON)
    claimed_before = NOON - timedelta(hours=1)
    stamped_after = TimestampInfo(time=NOON + timedelta(hours=1), trusted=False)
    report = SignatureReport("s", Indication.TOTAL_PASSED, signing_time=claimed_before, timestamp=stamped_after)
    assert _judge(report, revoked) == (Indication.INDETERMINATE, SubIndication.REVOKED_NO_POE)
    report.timestamp = TimestampInfo(time=NOON + timedelta(hours=1), trusted=True)
    assert _judge(report, revoked) == (Indication.TOTAL_FAILED, SubIndication.REVOKED)


def test_without_a_signing_time_the_certificate_verdict_stands() -> None:
    # XML-DSig: nothing says when the signature was made
    report = SignatureReport("s", Indication.TOTAL_PASSED)
    assert _judge(report, _revoked(NOON)) == (Indication.INDETERMINATE, SubIndication.REVOKED_NO_POE)
    passing = CertificateReport(Indication.TOTAL_PASSED, messages=["a note"])
    assert _judge(report, passing) == (Indication.TOTAL_PASSED, None) and report.messages == ["a note"]


def test_guard_turns_a_failure_into_indeterminate_with_the_reason() -> None:
    def broken() -> SignatureReport:
        raise ZeroDivisionError("document text that must not travel")

    report = guarded("Sig1", broken, notes=["why only this was possible"])
    assert (report.id, report.indication, report.sub_indication) == ("Sig1", "INDETERMINATE", "GENERIC")
    assert report.messages == ["why only this was possible", "the signature could not be verified: ZeroDivisionError"]
    report = guarded("Sig1", lambda: (_ for _ in ()).throw(InputError("certificate unreadable")))
    assert report.messages == ["the signature could not be verified: certificate unreadable"]
    fine = SignatureReport("Sig1", Indication.TOTAL_PASSED)
    assert guarded("Sig1", lambda: fine) is fine


NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
EDXML = f"""<edXML:edXML xmlns:edXML="{NS}"><edXML:edXMLEnvelope><edXML:edXMLHeader><edXML:MessageHeader>
<edXML:Subject>s</edXML:Subject></edXML:MessageHeader></edXML:edXMLHeader><edXML:edXMLBody/></edXML:edXMLEnvelope>
</edXML:edXML>""".encode()


@pytest.mark.parametrize(
    ("document", "module", "check"),
    [("pdf", kyso.pdf.verification, "_verify_signature"), ("edxml", kyso.xmldsig.verification, "verify_signature")],
)
def test_a_failing_signature_check_is_indeterminate_in_every_format(
    document, module, check, signed_pdf, signer_for, monkeypatch
) -> None:
    signed = signed_pdf if document == "pdf" else kyso.sign(EDXML, signer=signer_for("organisation"))

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(module, check, explode)
    (signature,) = kyso.verify(signed, revocation="off").signatures
    assert (signature.indication, signature.sub_indication) == ("INDETERMINATE", "GENERIC")
    assert signature.messages == ["the signature could not be verified: RuntimeError"]
