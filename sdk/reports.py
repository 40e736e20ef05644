"""Verification and certificate reports as text a văn thư can read: Vietnamese by default, English on request."""

from __future__ import annotations

from collections.abc import Callable

from kyso.core.models import (
    CertificateReport,
    Indication,
    SignatureReport,
    SubIndication,
    VerificationReport,
    vietnam_iso,
)
from kyso.text import printable

_VERDICT = {
    "vi": {
        Indication.TOTAL_PASSED: "HỢP LỆ",
        Indication.TOTAL_FAILED: "KHÔNG HỢP LỆ",
        Indication.INDETERMINATE: "CHƯA XÁC ĐỊNH ĐƯỢC",
        Indication.NO_SIGNATURE: "KHÔNG CÓ CHỮ KÝ SỐ",
    },
    "en": {
        Indication.TOTAL_PASSED: "VALID",
        Indication.TOTAL_FAILED: "INVALID",
        Indication.INDETERMINATE: "INDETERMINATE",
        Indication.NO_SIGNATURE: "NOT SIGNED",
    },
}

_WHY = {
    "vi": {
        SubIndication.HASH_FAILURE: "nội dung tài liệu đã bị thay đổi sau khi ký",
        SubIndication.SIG_CRYPTO_FAILURE: "giá trị chữ ký không khớp với khóa công khai của người ký",
        SubIndication.FORMAT_FAILURE: "chữ ký hoặc tài liệu sai định dạng, hoặc chữ ký không bao trùm toàn bộ tài liệu",
        SubIndication.REVOKED: "chứng thư số đã bị thu hồi trước thời điểm ký",
        SubIndication.REVOKED_NO_POE: "chứng thư số đã bị thu hồi, không có bằng chứng chữ ký được tạo trước đó",
        SubIndication.REVOKED_CA_NO_POE: "chứng thư số của tổ chức cung cấp dịch vụ đã bị thu hồi",
        SubIndication.EXPIRED: "chứng thư số đã hết hạn",
        SubIndication.OUT_OF_BOUNDS_NO_POE: "chứng thư số đã hết hạn hoặc chưa có hiệu lực tại thời điểm kiểm tra",
        SubIndication.OUT_OF_BOUNDS_NOT_REVOKED: "chứng thư số đã hết hạn (không bị thu hồi)",
        SubIndication.NOT_YET_VALID: "chứng thư số chưa có hiệu lực",
        SubIndication.NO_CERTIFICATE_CHAIN_FOUND: "không xác định được chuỗi chứng thư đến một CA gốc tin cậy",
        SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE: "chuỗi chứng thư số không hợp lệ",
        SubIndication.CHAIN_CONSTRAINTS_FAILURE: "chứng thư số không được phép dùng để ký tài liệu",
        SubIndication.CRYPTO_CONSTRAINTS_FAILURE: "thuật toán mật mã yếu, không còn được chấp nhận",
        SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE: "thuật toán mật mã yếu, không còn được chấp nhận",
        SubIndication.SIG_CONSTRAINTS_FAILURE: "tài liệu đã bị sửa đổi sau khi ký",
        SubIndication.TRY_LATER: "chưa kiểm tra được tình trạng thu hồi chứng thư số; hãy thử lại sau",
        SubIndication.NO_SIGNING_CERTIFICATE_FOUND: "không tìm thấy chứng thư số của người ký",
    },
    "en": {
        SubIndication.HASH_FAILURE: "the document was changed after it was signed",
        SubIndication.SIG_CRYPTO_FAILURE: "the signature value does not match the signer's public key",
        SubIndication.FORMAT_FAILURE: "malformed signature or document, or the signature does not cover the document",
        SubIndication.REVOKED: "the certificate was revoked before the signing time",
        SubIndication.REVOKED_NO_POE: "the certificate is revoked and nothing proves the signature predates it",
        SubIndication.REVOKED_CA_NO_POE: "an issuing CA certificate is revoked",
        SubIndication.EXPIRED: "the certificate has expired",
        SubIndication.OUT_OF_BOUNDS_NO_POE: "the certificate was expired or not yet valid at validation time",
        SubIndication.OUT_OF_BOUNDS_NOT_REVOKED: "the certificate has expired (not revoked)",
        SubIndication.NOT_YET_VALID: "the certificate is not yet valid",
        SubIndication.NO_CERTIFICATE_CHAIN_FOUND: "no chain to a trusted root certificate",
        SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE: "the certificate chain is not valid",
        SubIndication.CHAIN_CONSTRAINTS_FAILURE: "the certificate may not be used to sign documents",
        SubIndication.CRYPTO_CONSTRAINTS_FAILURE: "a weak cryptographic algorithm is no longer accepted",
        SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE: "a weak cryptographic algorithm is no longer accepted",
        SubIndication.SIG_CONSTRAINTS_FAILURE: "the document was modified after it was signed",
        SubIndication.TRY_LATER: "the revocation status could not be established; try again later",
        SubIndication.NO_SIGNING_CERTIFICATE_FOUND: "the signer's certificate was not found",
    },
}

_LABELS = {
    "vi": {
        "document": "Tài liệu",
        "verdict": "Kết luận",
        "signature": "Chữ ký",
        "timestamp_entry": "Dấu thời gian tài liệu",
        "signer": "Người ký",
        "organization": "Cơ quan, tổ chức",
        "issuer": "Cấp bởi",
        "signing_time": "Thời điểm ký",
        "timestamp": "Dấu thời gian",
        "kind": "Loại chữ ký",
        "level": "Mức chữ ký",
        "result": "Kết quả",
        "reason": "Lý do",
        "details": "Chi tiết",
        "chain": "Chuỗi chứng thư",
        "revocation": "Tình trạng thu hồi",
        "validated_at": "Thời điểm kiểm tra",
        "coverage_partial": "Chữ ký không bao trùm toàn bộ tài liệu",
        "later_changes": "Thay đổi sau khi ký",
        "certificate": "Chứng thư số",
        "no_signature": "Tài liệu không có chữ ký số.",
        "source": "nguồn",
        "untrusted_tsa": "tổ chức cấp dấu thời gian KHÔNG được tin cậy, không chứng minh được thời điểm ký",
    },
    "en": {
        "document": "Document",
        "verdict": "Verdict",
        "signature": "Signature",
        "timestamp_entry": "Document time-stamp",
        "signer": "Signer",
        "organization": "Organisation",
        "issuer": "Issued by",
        "signing_time": "Signing time",
        "timestamp": "Time-stamp",
        "kind": "Kind",
        "level": "Level",
        "result": "Result",
        "reason": "Reason",
        "details": "Details",
        "chain": "Certificate chain",
        "revocation": "Revocation",
        "validated_at": "Validated at",
        "coverage_partial": "The signature does not cover the whole document",
        "later_changes": "Changes after signing",
        "certificate": "Certificate",
        "no_signature": "The document carries no digital signature.",
        "source": "source",
        "untrusted_tsa": "NOT a trusted time-stamping authority, proves no signing time",
    },
}

_REVOCATION = {
    "vi": {"good": "chưa bị thu hồi", "revoked": "ĐÃ BỊ THU HỒI", "unknown": "không xác định"},
    "en": {"good": "good", "revoked": "REVOKED", "unknown": "unknown"},
}

_MODIFICATIONS = {
    "vi": {"FORM_FILLING": "điền biểu mẫu / thêm chữ ký", "ANNOTATIONS": "thêm chú thích", "OTHER": "sửa đổi khác"},
    "en": {"FORM_FILLING": "form filling / further signatures", "ANNOTATIONS": "annotations", "OTHER": "other changes"},
}


def render_verification(report: VerificationReport, lang: str = "vi") -> str:
    """The whole report as text."""
    label = _LABELS[lang].__getitem__
    lines = [
        f"{label('document')}: {report.document or '-'} ({report.format})",
        f"{label('verdict')}: {_VERDICT[lang][report.indication]}",
    ]
    if not report.signatures:
        lines.append(label("no_signature"))
    for number, signature in enumerate(report.signatures, start=1):
        lines.append("")
        lines.append(f"{label('signature')} {number} ({signature.id}): {_VERDICT[lang][signature.indication]}")
        lines.extend("  " + line for line in _signature_lines(signature, lang, label))
    for stamp in report.timestamps:
        lines.append("")
        lines.append(f"{label('timestamp_entry')} ({stamp.id}): {_VERDICT[lang][stamp.indication]}")
        lines.extend("  " + line for line in _signature_lines(stamp, lang, label))
    return _join(lines)


def render_certificate(report: CertificateReport, lang: str = "vi") -> str:
    """A certificate validation report as text."""
    label = _LABELS[lang].__getitem__
    who = report.subject
    lines = [
        f"{label('certificate')}: {who.common_name or who.subject}",
        f"{label('verdict')}: {_VERDICT[lang][report.indication]}",
    ]
    if who.organization:
        lines.append(f"{label('organization')}: {who.organization}")
    lines.extend(_certificate_lines(report, lang, label))
    return _join(lines)


def _join(lines: list[str]) -> str:
    """The report's lines, each made :func:`~kyso.text.printable` (issue 9, class 10): a CN, a file name or a message
    holding a newline or an ANSI escape cannot add a line, clear the screen or hide the verdict. Done here, on
    every line, so that a field added later is covered too."""
    return "".join(printable(line) + "\n" for line in lines)


def _signature_lines(sig: SignatureReport, lang: str, label: Callable[[str], str]) -> list[str]:
    lines = [f"{label('signer')}: {sig.signer.common_name or sig.signer.subject or '-'}"]
    if sig.signer.organization:
        lines.append(f"{label('organization')}: {sig.signer.organization}")
    if sig.kind is not None:
        from kyso.core.manager import get_plugin_manager  # the kind's label is declared with the kind

        lines.append(f"{label('kind')}: {get_plugin_manager().kinds.label(sig.kind, lang)}")
    if sig.signing_time:
        lines.append(f"{label('signing_time')}: {vietnam_iso(sig.signing_time)}")
    if sig.timestamp:
        # an untrusted stamp's time is only what it claims: the line must not read as proof (issue 9, class 4)
        untrusted = f"; {label('untrusted_tsa')}" if sig.timestamp.trusted is False else ""
        authority = sig.timestamp.authority or "-"
        lines.append(f"{label('timestamp')}: {vietnam_iso(sig.timestamp.time)} ({authority}{untrusted})")
    if sig.level:
        lines.append(f"{label('level')}: PAdES {sig.level.value}")
    if sig.sub_indication is not None:
        why = _WHY[lang].get(sig.sub_indication, sig.sub_indication.value)
        lines.append(f"{label('reason')}: {why} ({sig.sub_indication.value})")
    if sig.coverage is not None and sig.coverage.value == "PARTIAL":
        lines.append(label("coverage_partial"))
    if sig.modifications is not None and sig.modifications.value != "NONE":
        lines.append(f"{label('later_changes')}: {_MODIFICATIONS[lang][sig.modifications.value]}")
    if sig.certificate is not None:
        lines.extend(_certificate_lines(sig.certificate, lang, label))
    if sig.messages:
        lines.append(f"{label('details')}: " + "; ".join(dict.fromkeys(sig.messages)))
    return lines


def _certificate_lines(cert: CertificateReport, lang: str, label: Callable[[str], str]) -> list[str]:
    lines = []
    if cert.chain:
        lines.append(f"{label('chain')}: " + " → ".join(_cn(s) for s in cert.chain))
    revocation = cert.revocation
    status = _REVOCATION[lang].get(revocation.status, revocation.status)
    lines.append(f"{label('revocation')}: {status} ({label('source')}: {revocation.source})")
    for answer in cert.revocations:  # every answer used, for the certificate and its CAs (issue 3)
        said = _REVOCATION[lang].get(answer.status, answer.status)
        when = f", {vietnam_iso(answer.time)}" if answer.time else ""
        lines.append(f"  - {_cn(answer.subject or '-')}: {said} ({answer.source}{when})")
    if cert.validation_time:
        lines.append(f"{label('validated_at')}: {vietnam_iso(cert.validation_time)}")
    if cert.sub_indication is not None and cert.indication is not Indication.TOTAL_PASSED:
        lines.append(f"{label('reason')}: {_WHY[lang].get(cert.sub_indication, cert.sub_indication.value)}")
    return lines


def _cn(subject: str) -> str:
    """The Common Name part of a human-friendly subject, or the whole subject."""
    separator = "; " if "; " in subject else ", "  # asn1crypto switches to "; " when a value holds a comma
    for part in subject.split(separator):
        if part.startswith("Common Name: "):
            return part.removeprefix("Common Name: ")
    return subject
