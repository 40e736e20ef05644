"""Last-resort verdicts from the raw byte ranges of a PDF that pyHanko cannot parse.

Damaged or hostile files (shadow attacks with broken streams, corrupted revisions) must still get an honest verdict,
never a traceback and never TOTAL_PASSED: each ``/ByteRange`` found in the bytes is hashed and its CMS checked, but
since the document structure cannot be analysed, a signature is at best INDETERMINATE.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter
from typing import Any

from kyso.certs.identity import identity_of
from kyso.core.models import (
    CertificateValidator,
    Coverage,
    Indication,
    Modifications,
    SignatureReport,
    SubIndication,
    Verdict,
    VerifyOptions,
)
from kyso.pdf import byterange
from kyso.verdicts import apply_certificate, guarded

_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


MAX_RAW_SIGNATURES = 32
"""Byte ranges judged in a file pyHanko cannot open (real documents carry a handful of signatures)."""


@dataclasses.dataclass(frozen=True)
class Unreadable:
    """pyHanko opened the file but could not list its signatures."""

    reason: str


def verify_raw(
    data: bytes, options: VerifyOptions, validate: CertificateValidator, *, reason: str
) -> list[SignatureReport] | None:
    """A report per ``/ByteRange`` in ``data``; ``None`` when there is none (nothing signed can be found)."""
    found = [tuple(int(g) for g in m.groups()) for m in _BYTE_RANGE.finditer(data)]
    if not found:
        return None
    # Signature-dictionary spoofing (dss_pdf-spoofing-attack.pdf) copies a signed dictionary, /ByteRange and all,
    # into an unsigned revision: the same signed bytes are then claimed twice. Judge each byte range once.
    counts = Counter(found)
    ranges = list(counts)
    # Each range may hash the whole file: a damaged file naming thousands of them is judged on the first few only
    # (issue 9, parser costs); none of these verdicts is ever TOTAL_PASSED anyway
    skipped = len(ranges) - MAX_RAW_SIGNATURES
    ranges = ranges[:MAX_RAW_SIGNATURES]
    # the damaged structure is said first, then whatever the raw check tripped over (a verdict, never a traceback)
    note = f"the PDF structure is damaged ({reason}) and the signature cannot be checked"
    reports = [
        guarded(f"Signature{n} (raw)", functools.partial(_judge, data, r, n, options, validate, reason), notes=[note])
        for n, r in enumerate(ranges, start=1)
    ]
    if skipped > 0:
        reports[-1].messages.append(f"{skipped} more byte ranges in the damaged file were not checked")
    for report, byte_range in zip(reports, ranges, strict=True):
        copies = counts[byte_range]
        if copies > 1:
            report.messages.insert(
                1,
                f"{copies} signature dictionaries claim the same signed bytes: all but one are copies "
                "(signature dictionary spoofing)",
            )
    return reports


def _judge(
    data: bytes,
    byte_range: tuple[int, ...],
    number: int,
    options: VerifyOptions,
    validate: CertificateValidator,
    reason: str,
) -> SignatureReport:
    report = SignatureReport(id=f"Signature{number} (raw)", indication=Indication.INDETERMINATE)
    report.messages.append(f"the PDF structure is damaged ({reason}); only the raw signed bytes were checked")
    try:
        # the same geometry rule as the pyHanko path: the signature value must be the hex token between the
        # ranges of the dictionary that holds it (the raw fallback has no cross-reference table to ask where)
        geometry = byterange.check(data, byte_range, byterange.enclosing_object(data, byte_range[1]))
    except byterange.GeometryError as exc:
        report.coverage = Coverage.PARTIAL
        return _fail(report, SubIndication.FORMAT_FAILURE, str(exc))
    try:
        signed_data, signer_info, cert = _parse_cms(geometry.contents.rstrip(b"\0"))
    except Exception:
        return _fail(report, SubIndication.FORMAT_FAILURE, "the signature holds no readable CMS structure")
    report.signer = identity_of(cert)
    if geometry.whole_file:
        report.coverage, report.modifications = Coverage.ENTIRE_FILE, Modifications.NONE
    else:
        # whatever follows the signed bytes cannot be analysed here: count it as an unexplained change
        report.coverage, report.modifications = Coverage.PARTIAL, Modifications.OTHER
    if not _intact(data, byte_range, signed_data, signer_info, cert, report):
        return report
    report.certificate = validate(
        cert.dump(),
        dataclasses.replace(
            options.validation,
            intermediates=options.validation.intermediates
            + tuple(c.chosen.dump() for c in signed_data["certificates"]),
        ),
    )
    if report.coverage is Coverage.PARTIAL:
        report.messages.append("content was added after the signed bytes and could not be analysed")
    verdict = Verdict()
    apply_certificate(report, report.certificate, verdict)
    # the structure could not be analysed: INDETERMINATE at best, whatever the certificate says
    passed = verdict.indication is Indication.TOTAL_PASSED
    report.sub_indication = SubIndication.FORMAT_FAILURE if passed else verdict.sub_indication
    return report


def _parse_cms(blob: bytes) -> tuple[Any, Any, Any]:
    from asn1crypto import cms

    info = cms.ContentInfo.load(blob)
    signed_data = info["content"]
    signer_info = signed_data["signer_infos"][0]
    sid = signer_info["sid"]
    for choice in signed_data["certificates"]:
        cert = choice.chosen
        if (
            sid.name == "issuer_and_serial_number"
            and cert.serial_number == sid.chosen["serial_number"].native
            and cert.issuer == sid.chosen["issuer"]
        ):  # serial numbers are unique per issuer only: a CA's own serial may equal its subscriber's
            return signed_data, signer_info, cert
        if sid.name == "subject_key_identifier" and cert.key_identifier == sid.chosen.native:
            return signed_data, signer_info, cert
    raise ValueError("signer certificate not embedded")


def _intact(
    data: bytes, byte_range: tuple[int, ...], signed_data: Any, signer_info: Any, cert: Any, report: SignatureReport
) -> bool:
    import hashlib

    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    start1, len1, start2, len2 = byte_range
    algorithm = signer_info["digest_algorithm"]["algorithm"].native
    digest = hashlib.new(algorithm, data[start1 : start1 + len1] + data[start2 : start2 + len2]).digest()
    try:
        intact, valid = validate_sig_integrity(
            signer_info,
            cert,
            expected_content_type=signed_data["encap_content_info"]["content_type"].native,
            actual_digest=digest,
        )
    except Exception:
        _fail(report, SubIndication.FORMAT_FAILURE, "the signature cannot be checked")
        return False
    if not intact:
        _fail(report, SubIndication.HASH_FAILURE, "the signed bytes were changed: the digest does not match")
        return False
    if not valid:
        _fail(report, SubIndication.SIG_CRYPTO_FAILURE, "the signature value does not verify")
        return False
    return True


def _fail(report: SignatureReport, sub: SubIndication, message: str) -> SignatureReport:
    report.indication, report.sub_indication = Indication.TOTAL_FAILED, sub
    report.messages.append(message)
    return report
