"""Verify every signature and document time-stamp of a PDF.

pyHanko supplies integrity (digest and signature value), coverage and difference analysis; certificates go through
the ``kyso_validate_certificate`` hook. Kyso is stricter than pyHanko where pyHanko's defaults let an attack
through: a form field other than a signature field filled after signing (the shadow "replace" attack) is reported
as a modification, and a file pyHanko cannot parse still gets a verdict from its raw byte ranges.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sdk.certs.identity import identity_of
from sdk.core.aio import run_sync
from sdk.core.errors import InputError
from sdk.core.models import (
    CertificateReport,
    CertificateValidator,
    Coverage,
    Document,
    Indication,
    Level,
    Modifications,
    SignatureReport,
    SubIndication,
    TimestampInfo,
    VerificationReport,
    VerifyOptions,
)
from sdk.pdf.reading import open_reader

WEAK_DIGESTS = {"md5", "sha1"}


@dataclasses.dataclass
class _Verdict:
    """The worst (indication, sub-indication) seen so far for one signature."""

    indication: Indication = Indication.TOTAL_PASSED
    sub_indication: SubIndication | None = None

    def lower(self, indication: Indication, sub: SubIndication | None) -> None:
        if indication.severity > self.indication.severity:
            self.indication, self.sub_indication = indication, sub


def verify_pdf(document: Document, options: VerifyOptions, validate: CertificateValidator) -> VerificationReport:
    """The verification report of a PDF; :class:`InputError` only when no signature can be read at all."""
    from sdk.pdf import raw

    report = VerificationReport(document=document.name, format="pdf")
    try:
        reader = open_reader(document.data)
        embedded = _embedded_signatures(reader)
    except InputError as exc:
        # pyHanko cannot parse the file: judge what the raw byte ranges still tell, or give up cleanly
        found = raw.verify_raw(document.data, options, validate, reason=exc.diagnostics())
        if found is None:
            raise
        report.signatures = found
        return report
    if isinstance(embedded, raw.Unreadable):
        report.signatures = raw.verify_raw(document.data, options, validate, reason=embedded.reason) or []
        return report
    signature_fields = _signature_field_names(reader)
    for index, emb in enumerate(embedded):
        if isinstance(emb, SignatureReport):
            report.signatures.append(emb)
            continue
        later_timestamp = any(getattr(e, "sig_object_type", None) == "/DocTimeStamp" for e in embedded[index + 1 :])
        if emb.sig_object_type == "/DocTimeStamp":
            report.timestamps.append(_verify_document_timestamp(emb, options, validate))
        else:
            report.signatures.append(
                _verify_signature(emb, options, validate, signature_fields, reader, later_timestamp)
            )
    return report


def _embedded_signatures(reader: Any) -> Any:
    """pyHanko's view of each filled signature field, in signing order; a field pyHanko cannot load becomes a
    FORMAT_FAILURE report instead of hiding the others. ``raw.Unreadable`` when the fields cannot be listed."""
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    from sdk.pdf import raw

    try:
        fields = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception as exc:
        return raw.Unreadable(f"signature fields cannot be read: {exc.__class__.__name__}")
    loaded: list[Any] = []
    for name, _, field in fields:
        try:
            loaded.append(EmbeddedPdfSignature(reader, field, name))
        except Exception as exc:
            broken = SignatureReport(
                id=str(name), indication=Indication.TOTAL_FAILED, sub_indication=SubIndication.FORMAT_FAILURE
            )
            broken.messages.append(f"the signature field holds no readable signature ({exc.__class__.__name__})")
            loaded.append(broken)
    revision = {id(e): getattr(e, "signed_revision", 1 << 30) for e in loaded}
    return sorted(loaded, key=lambda e: revision[id(e)])


def _signature_field_names(reader: Any) -> set[str]:
    from pyhanko.sign.fields import enumerate_sig_fields

    try:
        return {name for name, _, _ in enumerate_sig_fields(reader)}
    except Exception:
        return set()


def _verify_signature(
    emb: Any,
    options: VerifyOptions,
    validate: CertificateValidator,
    signature_fields: set[str],
    reader: Any,
    later_timestamp: bool,
) -> SignatureReport:
    report = SignatureReport(id=str(emb.field_name), indication=Indication.TOTAL_PASSED)
    verdict = _Verdict()
    messages = report.messages
    try:
        cert = emb.signer_cert
    except Exception:
        report.indication, report.sub_indication = Indication.INDETERMINATE, SubIndication.NO_SIGNING_CERTIFICATE_FOUND
        messages.append("the signing certificate is not in the signature")
        return report
    report.signer = identity_of(cert)
    report.signing_time = _claimed_time(emb)
    _check_integrity(emb, cert, verdict, messages)
    _check_coverage_and_changes(emb, signature_fields, report, verdict)
    digest = emb.md_algorithm
    if digest in WEAK_DIGESTS:
        verdict.lower(Indication.INDETERMINATE, SubIndication.CRYPTO_CONSTRAINTS_FAILURE)
        messages.append(f"the signature uses the weak digest algorithm {digest.upper()}")
    report.timestamp = _signature_timestamp(emb, options, validate, messages)
    report.level = _level(reader, report.timestamp is not None, later_timestamp)
    if verdict.indication is not Indication.TOTAL_FAILED:
        moment = options.validation.at
        report.certificate = validate(
            cert.dump(),
            dataclasses.replace(
                options.validation,
                intermediates=options.validation.intermediates + tuple(c.dump() for c in emb.other_embedded_certs),
                at=moment,
            ),
        )
        _apply_certificate(report, report.certificate, verdict)
    report.indication, report.sub_indication = verdict.indication, verdict.sub_indication
    return report


def _check_integrity(emb: Any, cert: Any, verdict: _Verdict, messages: list[str]) -> None:
    from asn1crypto import core
    from pyhanko.sign.general import CMSStructuralError
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    eci = emb.signed_data["encap_content_info"]
    if eci["content"] is not core.VOID and not isinstance(eci["content"], core.Void):
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        messages.append("CMS structural error: a detached PDF signature must not encapsulate content")
        return
    try:
        intact, valid = validate_sig_integrity(
            emb.signer_info,
            cert,
            expected_content_type=eci["content_type"].native,
            actual_digest=emb.compute_digest(),
        )
    except CMSStructuralError as exc:
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        messages.append(f"CMS structural error: {exc.failure_message}")
        return
    except Exception as exc:
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        messages.append(f"the signature cannot be checked: {exc.__class__.__name__}")
        return
    if not intact:
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)
        messages.append("the signed bytes were changed: the document digest does not match")
    elif not valid:
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.SIG_CRYPTO_FAILURE)
        messages.append("the signature value does not verify with the signer's public key")


def _check_coverage_and_changes(
    emb: Any, signature_fields: set[str], report: SignatureReport, verdict: _Verdict
) -> None:
    from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        emb.compute_integrity_info()
    except SignatureValidationError as exc:
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        report.messages.append(f"invalid byte range: {exc.failure_message}")
        report.coverage = Coverage.PARTIAL
        return
    except Exception as exc:
        verdict.lower(Indication.INDETERMINATE, SubIndication.FORMAT_FAILURE)
        report.messages.append(f"changes after signing could not be analysed: {exc.__class__.__name__}")
        report.coverage = Coverage.PARTIAL
        return
    coverage = emb.coverage
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        report.coverage = Coverage.ENTIRE_FILE
    elif coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        report.coverage = Coverage.ENTIRE_REVISION
    else:
        report.coverage = Coverage.PARTIAL
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        report.messages.append("the signature does not cover the whole file (non-standard byte range)")
    diff = emb.diff_result
    if diff is None:
        report.modifications = Modifications.NONE if report.coverage is Coverage.ENTIRE_FILE else None
        return
    if isinstance(diff, SuspiciousModification):
        report.modifications = Modifications.OTHER
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE)
        report.messages.append(f"the document was modified after signing: {str(diff)[:200]}")
        return
    level = diff.modification_level
    report.modifications = {
        ModificationLevel.NONE: Modifications.NONE,
        ModificationLevel.LTA_UPDATES: Modifications.NONE,
        ModificationLevel.FORM_FILLING: Modifications.FORM_FILLING,
        ModificationLevel.ANNOTATIONS: Modifications.ANNOTATIONS,
    }.get(level, Modifications.OTHER)
    if report.modifications is Modifications.OTHER:
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE)
        report.messages.append("the document was modified after signing (changes not allowed for a signed PDF)")
        return
    filled = set(getattr(diff, "changed_form_fields", ()) or ()) - signature_fields
    if filled:
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE)
        names = ", ".join(sorted(filled))
        report.messages.append(f"form fields were changed after signing: {names}")
    docmdp = emb.docmdp_level
    if docmdp is not None and level.value > docmdp.value:
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE)
        report.messages.append("changes after signing exceed what the certifying signature permits")


def _claimed_time(emb: Any) -> datetime | None:
    from pyhanko.sign.validation.generic_cms import extract_self_reported_ts

    try:
        return extract_self_reported_ts(emb.signer_info) or emb.self_reported_timestamp
    except Exception:
        return None


def _signature_timestamp(
    emb: Any, options: VerifyOptions, validate: CertificateValidator, messages: list[str]
) -> TimestampInfo | None:
    """The signature time-stamp (B-T) if present: integrity by pyHanko, the TSA's certificate by the hook."""
    from pyhanko.sign.validation.generic_cms import collect_timing_info
    from pyhanko_certvalidator import ValidationContext

    if "signature_time_stamp_token" not in _unsigned_attr_names(emb.signer_info):
        return None
    try:
        timing = run_sync(collect_timing_info(emb.signer_info, ValidationContext(), raw_digest=emb.compute_digest))
    except Exception as exc:
        messages.append(f"the signature time-stamp cannot be read: {exc.__class__.__name__}")
        return None
    status = timing.get("timestamp_validity")
    if status is None:
        return None
    if not (status.intact and status.valid):
        messages.append("the signature time-stamp is damaged and was ignored")
        return None
    tsa = status.signing_cert
    info = TimestampInfo(time=status.timestamp, authority=identity_of(tsa).common_name or tsa.subject.human_friendly)
    tsa_report = validate(
        tsa.dump(), dataclasses.replace(options.validation, purpose="timestamping", at=options.validation.at)
    )
    if tsa_report.indication is not Indication.TOTAL_PASSED:
        messages.append(f"the time-stamping authority is not trusted: {'; '.join(tsa_report.messages)}")
    return info


def _unsigned_attr_names(signer_info: Any) -> set[str]:
    attrs = signer_info["unsigned_attrs"]
    try:
        return {a["type"].native for a in attrs} if attrs.native is not None else set()
    except Exception:
        return set()


def _level(reader: Any, timestamped: bool, later_timestamp: bool) -> Level:
    if not timestamped:
        return Level.B_B
    has_dss = "/DSS" in reader.root
    if has_dss and later_timestamp:
        return Level.B_LTA
    return Level.B_LT if has_dss else Level.B_T


def _apply_certificate(report: SignatureReport, cert: CertificateReport, verdict: _Verdict) -> None:
    if cert.indication is Indication.TOTAL_PASSED:
        return
    sub = cert.sub_indication
    revoked_at = cert.revocation.revoked_at
    proven = report.timestamp.time if report.timestamp else report.signing_time
    if sub is SubIndication.REVOKED_NO_POE and revoked_at and proven and revoked_at <= proven:
        # revoked before the moment the signature claims (or is proven) to exist: it was made with a revoked key
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.REVOKED)
    else:
        verdict.lower(cert.indication, sub)
    report.messages.extend(cert.messages)


def _verify_document_timestamp(emb: Any, options: VerifyOptions, validate: CertificateValidator) -> SignatureReport:
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko_certvalidator import ValidationContext

    report = SignatureReport(id=str(emb.field_name), indication=Indication.TOTAL_PASSED)
    verdict = _Verdict()
    try:
        emb.compute_integrity_info()
        status = run_sync(validate_tst_signed_data(emb.signed_data, ValidationContext(), emb.compute_digest))
    except Exception as exc:
        report.indication, report.sub_indication = Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE
        report.messages.append(f"the document time-stamp cannot be checked: {exc.__class__.__name__}")
        return report
    tsa = status["signing_cert"]
    report.signer = identity_of(tsa)
    report.timestamp = TimestampInfo(time=status["timestamp"], authority=report.signer.common_name)
    report.signing_time = status["timestamp"]
    report.coverage = Coverage.ENTIRE_FILE if emb.coverage.name == "ENTIRE_FILE" else Coverage.ENTIRE_REVISION
    if not status["intact"]:
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)
        report.messages.append("the time-stamped bytes were changed")
    elif not status["valid"]:
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.SIG_CRYPTO_FAILURE)
        report.messages.append("the time-stamp signature does not verify")
    else:
        report.certificate = validate(
            tsa.dump(),
            dataclasses.replace(
                options.validation,
                purpose="timestamping",
                intermediates=options.validation.intermediates + tuple(c.dump() for c in emb.other_embedded_certs),
            ),
        )
        _apply_certificate(report, report.certificate, verdict)
    report.messages.insert(0, "document time-stamp")
    report.indication, report.sub_indication = verdict.indication, verdict.sub_indication
    return report
