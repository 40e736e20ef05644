"""Verify every signature and document time-stamp of a PDF: the entry point and the order of the checks.

pyHanko supplies integrity (digest and signature value), coverage and difference analysis; certificates go through
the ``kyso_validate_certificate`` hook. Kyso adds rules where pyHanko's defaults let an attack through or disagree
with the EU DSS reference validator, each in the file of its job, each saying which attack or which file of the
interop corpus (``shared/interop/MANIFEST.md``) made it necessary:

- :mod:`kyso.pdf.facts`: what every signature of the file needs, read once (fields, distinct signatures, pages,
  DSS, bytes no revision explains);
- :mod:`kyso.pdf.changes`: coverage and changes after signing (byte-range geometry, signature dictionary,
  difference analysis, pages, overlays, DocMDP, VRI updates);
- :mod:`kyso.pdf.timestamps`: signature and document time-stamps, validation in the past, the PAdES level;
- :mod:`kyso.verdicts`: the verdict rules every format shares (certificate report -> verdict, weak algorithms,
  the guard).

The rules of this file:

- the byte range is judged before the digest, as ETSI format checks precede cryptographic checks (DSS-2451:
  overlapping byte ranges are a FORMAT_FAILURE even when they also break the digest);
- a signature container that is not well-formed ASN.1 (X.690) is never reported valid (``dss_BadEncodedCMS.pdf``:
  strict validators, e.g. DSS, do not even see it as a signature);
- weak algorithms (Kyso's one policy, :mod:`kyso.certs.algorithms`: no MD5/SHA-1, RSA >= 2048 bits, unless the
  caller allows them by name) make a signature INDETERMINATE (:func:`kyso.verdicts.lower_if_weak`), as pyHanko's
  own validation does (the low-level integrity check used here does not apply any policy by itself);
- a file pyHanko cannot open at all still gets a verdict from its raw byte ranges (:mod:`kyso.pdf.raw`), and
  anything a check trips over makes that one signature INDETERMINATE, never a traceback (:func:`kyso.verdicts.guarded`).
"""

from __future__ import annotations

import dataclasses
import functools
from datetime import datetime
from typing import Any

from kyso.certs.algorithms import cms_problem
from kyso.certs.identity import identity_of
from kyso.core.errors import EncryptedDocumentError, InputError, KysoError
from kyso.core.models import (
    CertificateValidator,
    Document,
    Indication,
    SignatureReport,
    SubIndication,
    Verdict,
    VerificationReport,
    VerifyOptions,
)
from kyso.pdf.changes import check_coverage_and_changes, check_dictionary
from kyso.pdf.facts import (
    FileFacts,
    distinct_signatures,
    embedded_signatures,
    intermediates,
    read_facts,
    signature_fields,
)
from kyso.pdf.reading import open_reader
from kyso.pdf.timestamps import baseline_level, signature_timestamp, validate_in_the_past, verify_document_timestamp
from kyso.verdicts import apply_certificate, guarded, lower_if_weak


def verify_pdf(document: Document, options: VerifyOptions, validate: CertificateValidator) -> VerificationReport:
    """The verification report of a PDF; :class:`InputError` only when no signature can be read at all."""
    from kyso.pdf import raw

    report = VerificationReport(document=document.name, format="pdf")
    try:
        reader = open_reader(document.data)
        fields = signature_fields(reader)
    except EncryptedDocumentError:
        raise
    except Exception as exc:
        # pyHanko cannot parse the file (e.g. the "/Encrypt null" trailer of DSS's signature-dictionary spoofing
        # sample): judge what the raw byte ranges still tell, or give up cleanly
        reason = exc.diagnostics() if isinstance(exc, KysoError) else f"damaged PDF: {exc.__class__.__name__}"
        found = raw.verify_raw(document.data, options, validate, reason=reason)
        if found is None:
            raise exc if isinstance(exc, InputError) else InputError(reason) from None
        report.signatures = found
        return report
    if isinstance(fields, raw.Unreadable):
        report.signatures = raw.verify_raw(document.data, options, validate, reason=fields.reason) or []
        return report
    names, filled = fields
    filled, copies = distinct_signatures(filled)
    embedded = embedded_signatures(reader, filled)
    if not embedded:
        return report
    facts = read_facts(document.data, reader, options, validate, names, embedded)
    for emb in embedded:
        if isinstance(emb, SignatureReport):
            target, checked = report.signatures, emb
        elif emb.sig_object_type == "/DocTimeStamp":
            check = functools.partial(verify_document_timestamp, emb, facts)
            target, checked = report.timestamps, guarded(str(emb.field_name), check)
        else:
            check = functools.partial(_verify_signature, emb, facts)
            target, checked = report.signatures, guarded(str(emb.field_name), check)
        others = copies.get(checked.id, [])
        if others:
            shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
            checked.messages.append(
                f"{len(others)} more signature fields hold this same signature ({shown}); it was verified once"
            )
        target.append(checked)
    _note_issuance_without_approval(report.signatures)
    return report


ISSUANCE_WITHOUT_APPROVAL = "an issuance signature without an earlier approval signature on the same document"


def _note_issuance_without_approval(signatures: list[SignatureReport]) -> None:
    """Nghị định 30/2020, Phụ lục I: the văn thư's issuance signature (ký phát hành) follows the competent person's
    approval signature (ký duyệt). An issuance with none before it is not invalid, but a văn thư should know."""
    from kyso.core.models import SignatureKind

    approved = False
    for signature in signatures:  # in signing order (kyso.pdf.facts sorts them by revision)
        if signature.kind == SignatureKind.APPROVAL:
            approved = True
        elif signature.kind == SignatureKind.ISSUANCE and not approved:
            signature.messages.append(ISSUANCE_WITHOUT_APPROVAL)


def _verify_signature(emb: Any, facts: FileFacts) -> SignatureReport:
    report = SignatureReport(id=str(emb.field_name), indication=Indication.TOTAL_PASSED)
    verdict = Verdict()
    messages = report.messages
    try:
        cert = emb.signer_cert
    except Exception:
        report.indication, report.sub_indication = Indication.INDETERMINATE, SubIndication.NO_SIGNING_CERTIFICATE_FOUND
        messages.append("the signing certificate is not in the signature")
        return report
    report.signer = identity_of(cert)
    report.signing_time = _claimed_time(emb)
    report.kind = _kind(emb)
    report.doc_number, report.issued_date = _issued_as(emb)
    # ETSI EN 319 102-1 runs format checks before cryptographic ones: a malformed byte range is a FORMAT_FAILURE
    # even when it also breaks the digest (DSS-2451: overlapping byte ranges)
    check_coverage_and_changes(emb, facts, report, verdict)
    if not check_dictionary(emb, verdict, messages):
        report.indication, report.sub_indication = verdict.indication, verdict.sub_indication
        return report
    _check_encoding(emb, verdict, messages)
    _check_integrity(emb, cert, verdict, messages)
    lower_if_weak(
        cms_problem(emb.signer_info, cert.public_key, facts.options.validation.allow_weak),
        "the signature",
        verdict,
        messages,
    )
    report.timestamp = signature_timestamp(emb, facts, messages)
    report.level = baseline_level(emb, facts, report.timestamp is not None)
    if verdict.indication is not Indication.TOTAL_FAILED:
        ocsps, crls = _adobe_revocation_data(emb)
        validation = dataclasses.replace(
            facts.options.validation,
            intermediates=intermediates(facts, emb.other_embedded_certs),
            embedded_ocsps=facts.options.validation.embedded_ocsps + ocsps,
            embedded_crls=facts.options.validation.embedded_crls + crls,
        )
        report.certificate = facts.validate(cert.dump(), validation)
        report.certificate = validate_in_the_past(report, cert, validation, facts) or report.certificate
        apply_certificate(report, report.certificate, verdict)
    report.indication, report.sub_indication = verdict.indication, verdict.sub_indication
    return report


def _kind(emb: Any) -> Any:
    """The Nghị định 30 kind a Kyso signature records in its signed attributes (covered by the signature)."""
    from kyso.pdf.kind_attribute import read_kind

    try:
        return read_kind(emb.signer_info)
    except Exception:
        return None


def _issued_as(emb: Any) -> tuple[str | None, str | None]:
    """The number and date an issuance signature wrote into the document, as its signed attribute records them."""
    from kyso.pdf.kind_attribute import read_details

    details = read_details(emb.signer_info)
    return details.get("doc_number"), details.get("issued_date")


def _claimed_time(emb: Any) -> datetime | None:
    from pyhanko.sign.validation.generic_cms import extract_self_reported_ts

    try:
        return extract_self_reported_ts(emb.signer_info) or emb.self_reported_timestamp
    except Exception:
        return None


def _adobe_revocation_data(emb: Any) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    """OCSP responses and CRLs in the signed ``adbe-revocationInfoArchival`` attribute (Adobe-style LT), if any."""
    from pyhanko.sign.general import find_unique_cms_attribute

    try:
        archival = find_unique_cms_attribute(emb.signer_info["signed_attrs"], "adobe_revocation_info_archival")
        return (
            tuple(item.dump() for item in archival["ocsp"] or ()),
            tuple(item.dump() for item in archival["crl"] or ()),
        )
    except Exception:
        return (), ()


def _check_encoding(emb: Any, verdict: Verdict, messages: list[str]) -> None:
    """Kyso rule (dss_BadEncodedCMS.pdf): ISO 32000-1 12.8.3.3 wants a DER-encoded CMS object. asn1crypto, and so
    pyHanko, reads INTEGERs with redundant leading octets, which X.690 8.3.2 forbids even in BER; strict decoders
    (Bouncy Castle, so EU DSS) refuse the whole container and find no signature at all. A signature that verifies
    in one product and does not exist in another must not be reported valid: INDETERMINATE / FORMAT_FAILURE."""
    try:
        problem = _x690_problem(emb.signed_data["signer_infos"].dump())
    except Exception:
        problem = "unreadable signer information"
    if problem:
        verdict.lower(Indication.INDETERMINATE, SubIndication.FORMAT_FAILURE)
        messages.append(f"the CMS signature is not well-formed ASN.1 ({problem}); strict validators reject it")


def _x690_problem(blob: bytes) -> str | None:
    """The first X.690 violation in a BER/DER blob (non-minimal INTEGER, length beyond its container), or None."""
    stack: list[tuple[int, int]] = [(0, len(blob))]
    while stack:
        offset, end = stack.pop()
        while offset < end:
            start = offset
            if blob[offset] == 0 and offset + 1 < end and blob[offset + 1] == 0:
                offset += 2  # end-of-contents of an indefinite length (valid BER)
                continue
            tag = blob[offset]
            offset += 1
            if tag & 0x1F == 0x1F:
                while offset < end and blob[offset] & 0x80:
                    offset += 1
                offset += 1
            if offset >= end:
                return f"truncated element at byte {start}"
            first = blob[offset]
            offset += 1
            if first == 0x80:
                if not tag & 0x20:
                    return f"indefinite length on a primitive element at byte {start}"
                stack.append((offset, end))  # contents run up to the end-of-contents marker
                break
            if first & 0x80:
                count = first & 0x7F
                length = int.from_bytes(blob[offset : offset + count], "big")
                offset += count
            else:
                length = first
            if offset + length > end:
                return f"element at byte {start} is longer than its container"
            if tag & 0x20:
                stack.append((offset + length, end))
                stack.append((offset, offset + length))
                break
            if tag == 0x02 and length > 1:
                lead, second = blob[offset], blob[offset + 1]
                if (lead == 0 and second < 0x80) or (lead == 0xFF and second >= 0x80):
                    return f"INTEGER with redundant leading octets at byte {start} (X.690 8.3.2)"
            offset += length
    return None


def _check_integrity(emb: Any, cert: Any, verdict: Verdict, messages: list[str]) -> None:
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
