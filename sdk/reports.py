"""Verification and certificate reports as text a văn thư can read: Vietnamese by default, English on request."""

from __future__ import annotations

from datetime import datetime

from kyso.core.models import (
    CertificateReport,
    Indication,
    SignatureReport,
    SubIndication,
    VerificationReport,
    vietnam_iso,
)
from kyso.reasons import SAID_ELSEWHERE, WHY_VI, explain, vietnamese_moment
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
    "vi": WHY_VI,
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
        "title": "Chức danh",
        "organization": "Cơ quan, tổ chức",
        "issuer": "Cấp bởi",
        "signing_time": "Thời điểm ký",
        "timestamp": "Dấu thời gian",
        "kind": "Loại chữ ký",
        "level": "Mức chữ ký",
        "doc_number": "Số văn bản",
        "issued_date": "Ngày ban hành",
        "result": "Kết quả",
        "reason": "Lý do",
        "notes": "Ghi chú",
        "details": "Chi tiết kỹ thuật (nguyên văn)",
        "unexplained": "ghi chú kỹ thuật khác (xem bằng --verbose)",
        "chain": "Chuỗi chứng thư",
        "revocation": "Tình trạng thu hồi",
        "validated_at": "Thời điểm kiểm tra",
        "coverage_partial": "Chữ ký không bao trùm toàn bộ tài liệu",
        "later_changes": "Thay đổi sau khi ký",
        "certificate": "Chứng thư số",
        "serial": "Số hiệu chứng thư (serial)",
        "sha256": "Dấu vân tay SHA-256",
        "validity": "Hiệu lực",
        "from_to": "từ {0} đến {1}",
        "test_material": "CHỨNG THƯ THỬ NGHIỆM, không có giá trị pháp lý",
        "no_signature": "Tài liệu không có chữ ký số.",
        "source": "nguồn",
        "tsa_unproven": "KHÔNG chứng minh được thời điểm ký",
        "tsa_of": "chứng thư của tổ chức cấp dấu thời gian: {0}",
        "untrusted_tsa": "tổ chức cấp dấu thời gian KHÔNG được tin cậy",
        "expired": "ĐÃ HẾT HẠN",
        "not_yet_valid": "CHƯA CÓ HIỆU LỰC",
        "intermediate_hint": "Gợi ý: chuỗi chứng thư dừng ở tổ chức cấp chưa biết ({0}); thêm chứng thư của tổ "
        "chức đó bằng --intermediate TỆP, hoặc chỉ CA gốc tin cậy bằng --trust TỆP",
        "role": "Vai trò",
        "signed_element": "Phần được ký",
        "whole_document": "toàn bộ tài liệu",
    },
    "en": {
        "document": "Document",
        "verdict": "Verdict",
        "signature": "Signature",
        "timestamp_entry": "Document time-stamp",
        "signer": "Signer",
        "title": "Title",
        "organization": "Organisation",
        "issuer": "Issued by",
        "signing_time": "Signing time",
        "timestamp": "Time-stamp",
        "kind": "Kind",
        "level": "Level",
        "doc_number": "Document number",
        "issued_date": "Issued on",
        "result": "Result",
        "reason": "Reason",
        "notes": "Notes",
        "details": "Details",
        "unexplained": "",
        "chain": "Certificate chain",
        "revocation": "Revocation",
        "validated_at": "Validated at",
        "coverage_partial": "The signature does not cover the whole document",
        "later_changes": "Changes after signing",
        "certificate": "Certificate",
        "serial": "Serial number",
        "sha256": "SHA-256 fingerprint",
        "validity": "Valid",
        "from_to": "from {0} to {1}",
        "test_material": "TEST MATERIAL, of no legal value",
        "no_signature": "The document carries no digital signature.",
        "source": "source",
        "tsa_unproven": "proves NO signing time",
        "tsa_of": "the time-stamping authority's certificate: {0}",
        "untrusted_tsa": "NOT a trusted time-stamping authority",
        "expired": "EXPIRED",
        "not_yet_valid": "NOT YET VALID",
        "intermediate_hint": "Hint: the chain stops at an unknown issuer ({0}); add its certificate with "
        "--intermediate FILE, or name the trusted root with --trust FILE",
        "role": "Role",
        "signed_element": "Signed part",
        "whole_document": "the whole document",
    },
}

_REVOCATION = {
    "vi": {"good": "chưa bị thu hồi", "revoked": "ĐÃ BỊ THU HỒI", "unknown": "không xác định"},
    "en": {"good": "good", "revoked": "REVOKED", "unknown": "unknown"},
}

_ROLES = {
    "vi": {"seller": "người bán", "buyer": "người mua", "tax_authority": "cơ quan thuế", "other": "khác"},
    "en": {"seller": "seller", "buyer": "buyer", "tax_authority": "tax authority", "other": "other"},
}

_SOURCES = {
    "vi": {"ocsp": "ocsp", "crl": "crl", "embedded": "kèm trong tài liệu", "none": "không có"},
    "en": {},
}
"""Where a revocation answer came from; the protocol names (OCSP, CRL) are the same in both languages."""

_MODIFICATIONS = {
    "vi": {"FORM_FILLING": "điền biểu mẫu / thêm chữ ký", "ANNOTATIONS": "thêm chú thích", "OTHER": "sửa đổi khác"},
    "en": {"FORM_FILLING": "form filling / further signatures", "ANNOTATIONS": "annotations", "OTHER": "other changes"},
}


def render_verification(report: VerificationReport, lang: str = "vi", *, verbose: bool = False) -> str:
    """The whole report as text. In Vietnamese, the checks' English notes are shown as Vietnamese reasons
    (:mod:`kyso.reasons`), each once; ``verbose`` adds the raw notes."""
    text = _Text(lang, verbose)
    lines = [
        f"{text.label('document')}: {report.document or '-'} ({report.format})",
        f"{text.label('verdict')}: {_VERDICT[lang][report.indication]}",
    ]
    if not report.signatures:
        lines.append(text.label("no_signature"))
    for number, signature in enumerate(report.signatures, start=1):
        lines.append("")
        lines.append(f"{text.label('signature')} {number} ({signature.id}): {_VERDICT[lang][signature.indication]}")
        lines.extend("  " + line for line in _signature_lines(signature, text, _family(report.format)))
    for stamp in report.timestamps:
        lines.append("")
        lines.append(f"{text.label('timestamp_entry')} ({stamp.id}): {_VERDICT[lang][stamp.indication]}")
        lines.extend("  " + line for line in _signature_lines(stamp, text))
    return _join(lines)


def render_certificate(report: CertificateReport, lang: str = "vi", *, verbose: bool = False) -> str:
    """A certificate validation report as text."""
    text = _Text(lang, verbose)
    who = report.subject
    lines = [
        f"{text.label('certificate')}: {who.common_name or who.subject}",
        f"{text.label('verdict')}: {_VERDICT[lang][report.indication]}",
    ]
    if who.title:
        lines.append(f"{text.label('title')}: {who.title}")
    if who.organization:
        lines.append(f"{text.label('organization')}: {who.organization}")
    lines.extend(_details_lines(report, text))
    lines.extend(_certificate_lines(report, text))
    if report.sub_indication is not None and report.indication is not Indication.TOTAL_PASSED:
        text.reason(report.sub_indication)
    lines.extend(text.reasons_and_notes(report.messages))
    if report.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND and who.issuer and who.issuer != who.subject:
        # the chain stops at the certificate itself: its issuer is unknown here (no AIA, or not fetched)
        lines.append(text.label("intermediate_hint").format(_cn(who.issuer)))
    return _join(lines)


def moment_text(moment: datetime | str, lang: str) -> str:
    """A moment as every report of Kyso shows it, to the second in Vietnam time: ``07:00:00 ngày 01/11/2020
    (+07:00)`` in Vietnamese, ISO 8601 otherwise. An ISO text is read first (a report's JSON form); one that
    cannot be read is shown as it is."""
    if isinstance(moment, str):
        try:
            when = datetime.fromisoformat(moment)
        except ValueError:
            return moment
    else:
        when = moment
    if lang == "vi":
        return vietnamese_moment(when)
    return vietnam_iso(when.replace(microsecond=0))


class _Text:
    """The language of one report, and the reasons it has already given (each reason once)."""

    def __init__(self, lang: str, verbose: bool) -> None:
        self.lang = lang
        self.verbose = verbose
        self.label = _LABELS[lang].__getitem__
        self._reasons: list[str] = []
        self._stated: set[str] = set()

    def stated(self, line: str) -> str:
        """``line``, remembered as said: a note saying the same is not repeated."""
        self._stated.add(line.casefold())
        return line

    def moment(self, moment: datetime) -> str:
        return moment_text(moment, self.lang)

    def why(self, sub: SubIndication) -> str:
        return _WHY[self.lang].get(sub, sub.value)

    def reason(self, sub: SubIndication) -> None:
        """Remember the reason of ``sub`` for the "reason" line."""
        self._add(self.why(sub) + ("" if self.lang == "vi" else f" ({sub.value})"))

    def _add(self, reason: str) -> None:
        if reason not in self._reasons:
            self._reasons.append(reason)

    def _known(self, said: str, notes: list[str]) -> bool:
        return said in self._reasons or said in notes or said.casefold() in self._stated

    def reasons_and_notes(self, messages: list[str]) -> list[str]:
        """The "reason" line(s), then the notes: in Vietnamese through the one table, each once; the raw text only
        when verbose (and always in English, where it is the text)."""
        lines = []
        raw = list(dict.fromkeys(messages))
        notes: list[str] = []
        unknown = 0
        if self.lang == "vi":
            for message in raw:
                said = explain(message)
                if said is None:
                    unknown += 1
                elif said != SAID_ELSEWHERE and not self._known(said, notes):
                    notes.append(said)
        if self._reasons:
            lines.append(f"{self.label('reason')}: " + "; ".join(self._reasons))
        lines.extend(f"{self.label('notes')}: {note}" for note in notes)
        if unknown and not self.verbose:
            lines.append(f"{self.label('notes')}: {unknown} {self.label('unexplained')}")
        if raw and (self.verbose or self.lang != "vi"):
            lines.append(f"{self.label('details')}: " + "; ".join(raw))
        self._reasons, self._stated = [], set()
        return lines


def _join(lines: list[str]) -> str:
    """The report's lines, each made :func:`~kyso.text.printable` (issue 9, class 10): a CN, a file name or a message
    holding a newline or an ANSI escape cannot add a line, clear the screen or hide the verdict. Done here, on
    every line, so that a field added later is covered too."""
    return "".join(printable(line) + "\n" for line in lines)


def _family(document_format: str) -> str:
    """The AdES family a report's levels belong to."""
    return "PAdES" if document_format == "pdf" else "XAdES"


def _signature_lines(sig: SignatureReport, text: _Text, family: str = "PAdES") -> list[str]:
    label = text.label
    lines = [f"{label('signer')}: {sig.signer.common_name or sig.signer.subject or '-'}"]
    if sig.role is not None:
        lines.append(f"{label('role')}: {_ROLES[text.lang].get(sig.role, sig.role)}")
    if sig.signed_element is not None:
        part = label("whole_document") if sig.signed_element == "/" else sig.signed_element
        lines.append(f"{label('signed_element')}: {part}")
    if sig.signer.title:
        lines.append(f"{label('title')}: {sig.signer.title}")
    if sig.signer.organization:
        lines.append(f"{label('organization')}: {sig.signer.organization}")
    if sig.kind is not None:
        from kyso.core.manager import get_plugin_manager  # the kind's label is declared with the kind

        lines.append(f"{label('kind')}: {get_plugin_manager().kinds.label(sig.kind, text.lang)}")
    if sig.doc_number:
        lines.append(f"{label('doc_number')}: {sig.doc_number}")
    if sig.issued_date:
        lines.append(f"{label('issued_date')}: {_day(sig.issued_date, text.lang)}")
    if sig.signing_time:
        lines.append(f"{label('signing_time')}: {text.moment(sig.signing_time)}")
    if sig.timestamp:
        lines.append(f"{label('timestamp')}: {text.moment(sig.timestamp.time)} ({_timestamp_note(sig, text)})")
    if sig.level:
        lines.append(f"{label('level')}: {family} {sig.level.value}")
    if sig.sub_indication is not None:
        text.reason(sig.sub_indication)
    if sig.coverage is not None and sig.coverage.value == "PARTIAL":
        lines.append(text.stated(label("coverage_partial")))
    if sig.modifications is not None and sig.modifications.value != "NONE":
        lines.append(f"{label('later_changes')}: {_MODIFICATIONS[text.lang][sig.modifications.value]}")
    certificate = sig.certificate
    if certificate is not None and certificate.sub_indication is not None:
        if certificate.indication is not Indication.TOTAL_PASSED:
            text.reason(certificate.sub_indication)
    lines.extend(text.reasons_and_notes(sig.messages))  # why, before the certificate's particulars
    if certificate is not None:
        lines.extend(_details_lines(certificate, text))
        lines.extend(_certificate_lines(certificate, text))
    return lines


def _day(iso: str, lang: str) -> str:
    """An ISO day as a văn thư writes it (``05/02/2026``) in Vietnamese; as it is otherwise or when unreadable."""
    from datetime import date

    try:
        return date.fromisoformat(iso).strftime("%d/%m/%Y") if lang == "vi" else iso
    except ValueError:
        return iso


def _timestamp_note(sig: SignatureReport, text: _Text) -> str:
    """Who stamped, and, for a stamp that proves nothing, why: an untrusted stamp's time is only what it claims,
    so the line must not read as proof (issue 9, class 4), and its cause is the true one (issue 16: an unknown
    root or an unreachable responder is not "an untrusted TSA")."""
    stamp = sig.timestamp
    assert stamp is not None
    authority = stamp.authority or "-"
    if stamp.trusted is not False:
        return authority
    problem = stamp.problem
    no_chain = SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    signer_chain = sig.certificate.sub_indication if sig.certificate is not None else None
    if problem is None or (problem is no_chain and signer_chain is not no_chain):
        cause = text.label("untrusted_tsa")  # the signer's root is trusted, the TSA's is not: the TSA is the cause
    else:
        cause = text.label("tsa_of").format(text.why(problem))
    return f"{authority}; {text.label('tsa_unproven')}: {cause}"


def _details_lines(cert: CertificateReport, text: _Text) -> list[str]:
    """Serial, fingerprint, validity and the test-material marker: what a văn thư compares with the CA's list."""
    who = cert.subject
    lines = []
    if who.serial:
        lines.append(f"{text.label('serial')}: {who.serial}")
    if who.sha256:
        lines.append(f"{text.label('sha256')}: {who.sha256}")
    if who.not_before and who.not_after:
        span = text.label("from_to").format(text.moment(who.not_before), text.moment(who.not_after))
        moment = cert.validation_time
        if moment is not None and moment > who.not_after:
            span += f" ({text.label('expired')})"
        elif moment is not None and moment < who.not_before:
            span += f" ({text.label('not_yet_valid')})"
        lines.append(f"{text.label('validity')}: {span}")
    if who.test_material:
        lines.append(text.label("test_material"))
    return lines


def _certificate_lines(cert: CertificateReport, text: _Text) -> list[str]:
    label = text.label
    lines = []
    if cert.chain:
        lines.append(f"{label('chain')}: " + " → ".join(_cn(s) for s in cert.chain))
    revocation = cert.revocation
    status = _REVOCATION[text.lang].get(revocation.status, revocation.status)
    source = _SOURCES[text.lang].get(revocation.source, revocation.source)
    lines.append(f"{label('revocation')}: {status} ({label('source')}: {source})")
    for answer in cert.revocations:  # every answer used, for the certificate and its CAs (issue 3)
        said = _REVOCATION[text.lang].get(answer.status, answer.status)
        when = f", {text.moment(answer.time)}" if answer.time else ""
        from_where = _SOURCES[text.lang].get(answer.source, answer.source)
        lines.append(f"  - {_cn(answer.subject or '-')}: {said} ({from_where}{when})")
    if cert.validation_time:
        lines.append(f"{label('validated_at')}: {text.moment(cert.validation_time)}")
    return lines


def _cn(subject: str) -> str:
    """The Common Name part of a human-friendly subject, or the whole subject."""
    separator = "; " if "; " in subject else ", "  # asn1crypto switches to "; " when a value holds a comma
    for part in subject.split(separator):
        if part.startswith("Common Name: "):
            return part.removeprefix("Common Name: ")
    return subject
