"""The one table from the English notes of a verification (Kyso's own, and the pyHanko / pyhanko-certvalidator /
fetching text some of them quote) to the Vietnamese reasons a văn thư reads.

The checks keep writing their notes in English (``SignatureReport.messages``, ``CertificateReport.messages``: the
JSON report and the logs are for integrators); the Vietnamese text report shows each note through this table only,
so that no English library text reaches a văn thư, and the raw note only under ``--verbose``. A note the table
does not know is counted, not shown (:func:`explain` returns ``None``). A reason whose text is ``SAID_ELSEWHERE``
is already stated by another line of the report (the time-stamp line, the document time-stamp heading).

Moments in the notes (``vietnam_iso``) are shown to the second, as everywhere in the text report
(:func:`vietnamese_moment`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from kyso.core.models import VIETNAM_TIME, SubIndication

SAID_ELSEWHERE = ""
"""The Vietnamese text of a note another line of the report already states."""

_MOMENT = r"(?P<when>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?[+-]\d\d:\d\d)"

WHY_VI = {
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
    SubIndication.SIGNED_DATA_NOT_FOUND: "không tìm thấy dữ liệu đã ký",
    SubIndication.TIMESTAMP_ORDER_FAILURE: "thứ tự các dấu thời gian không hợp lệ",
    SubIndication.GENERIC: "không kiểm tra được chữ ký",
}
"""The Vietnamese reason of each ETSI sub-indication (the report's "Lý do" line)."""


def why_vi(sub: SubIndication | str | None) -> str:
    """The Vietnamese reason of a sub-indication (by value too: notes quote it as text)."""
    try:
        return WHY_VI[SubIndication(sub)] if sub is not None else WHY_VI[SubIndication.GENERIC]
    except ValueError:
        return WHY_VI[SubIndication.GENERIC]


def vietnamese_moment(moment: datetime) -> str:
    """``moment`` in Vietnam time to the second: ``07:00:00 ngày 01/11/2020 (+07:00)``."""
    local = moment.astimezone(VIETNAM_TIME)
    return f"{local:%H:%M:%S} ngày {local:%d/%m/%Y} (+07:00)"


def _when(match: re.Match[str]) -> str:
    return vietnamese_moment(datetime.fromisoformat(match["when"]))


_SERVICE_VI: dict[str, str] = {
    "OCSP": "OCSP",
    "CRL": "CRL",
    "AIA certificate": "tải chứng thư (AIA)",
    "certificate": "tải chứng thư",
}

Template = str | Callable[[re.Match[str]], str]

_TABLE: tuple[tuple[str, Template], ...] = (
    # --- changes after signing, coverage (kyso.pdf.changes, byterange, facts)
    (r"the document was modified after signing and the changes cannot be analysed",
     "tài liệu đã bị sửa đổi sau khi ký và không phân tích được các thay đổi"),
    (r"the document was modified after signing", WHY_VI[SubIndication.SIG_CONSTRAINTS_FAILURE]),
    (r"form fields were changed after signing", "nội dung các ô biểu mẫu đã bị thay đổi sau khi ký"),
    (r"changes after signing exceed what the certifying signature permits",
     "các thay đổi sau khi ký vượt quá mức chữ ký chứng thực (DocMDP) cho phép"),
    (r"the signature does not cover the whole file", "chữ ký không bao trùm toàn bộ tài liệu"),
    (r"(?P<n>\d+) bytes after the end of the last revision are covered by no signature",
     lambda m: f"{m['n']} byte ở cuối tệp không được chữ ký nào bao trùm"),
    (r"pages were added or removed after signing \((?P<a>\d+) signed, (?P<b>\d+) now\)",
     lambda m: f"trang đã bị thêm hoặc bớt sau khi ký (lúc ký có {m['a']} trang, nay có {m['b']} trang)"),
    (r"unsigned fields or annotations added or changed after signing paint over the page",
     "có ô hoặc chú thích không được ký, thêm hoặc sửa sau khi ký, hiển thị đè lên trang"),
    (r"the byte range|the first byte range|the bytes between the byte ranges|no object holds the signature value"
     r"|the signature (dictionary|object) (is|has|lacks|cannot)",
     "vùng dữ liệu được ký (ByteRange) hoặc từ điển chữ ký sai cấu trúc"),
    (r"the legacy signature format|adbe\.x509\.rsa_sha1", "định dạng chữ ký cũ (SHA-1, PKCS#1) không được hỗ trợ"),
    (r"the signature format .* is not a known one", "định dạng chữ ký không thuộc loại được hỗ trợ"),
    (r"the signature field holds no readable signature", "ô chữ ký không chứa chữ ký đọc được"),
    (r"(?P<n>\d+) more signature fields hold this same signature",
     lambda m: f"{m['n']} ô chữ ký khác chứa đúng chữ ký này; chữ ký được kiểm tra một lần"),
    # --- the signature itself (kyso.pdf.verification, raw)
    (r"the signing certificate is not in the signature", "chữ ký không kèm chứng thư số của người ký"),
    (r"the CMS signature is not well-formed ASN\.1",
     "cấu trúc chữ ký (CMS) không đúng chuẩn mã hóa ASN.1; các phần mềm kiểm tra chặt chẽ từ chối chữ ký này"),
    (r"CMS structural error", "cấu trúc chữ ký (CMS) bị lỗi"),
    (r"the signed bytes were changed", WHY_VI[SubIndication.HASH_FAILURE]),
    (r"the signature value does not verify", WHY_VI[SubIndication.SIG_CRYPTO_FAILURE]),
    (r"the signature cannot be checked|the signature could not be verified", "không kiểm tra được chữ ký"),
    (r"the PDF structure is damaged", "cấu trúc tệp PDF bị hỏng; chỉ kiểm tra được phần dữ liệu đã ký"),
    (r"(?P<n>\d+) more byte ranges in the damaged file were not checked",
     lambda m: f"{m['n']} vùng dữ liệu ký khác trong tệp hỏng chưa được kiểm tra"),
    (r"(?P<n>\d+) signature dictionaries claim the same signed bytes",
     lambda m: f"{m['n']} từ điển chữ ký cùng trỏ tới một phần dữ liệu đã ký: các bản sao là giả mạo"),
    (r"content was added after the signed bytes", "có nội dung được thêm sau phần đã ký và không phân tích được"),
    (r"(the signature|the document time-stamp|a signature) is not accepted:",
     WHY_VI[SubIndication.CRYPTO_CONSTRAINTS_FAILURE]),
    # --- time-stamps (kyso.pdf.timestamps)
    (r"document time-stamp$", SAID_ELSEWHERE),
    (r"the time-stamping authority", SAID_ELSEWHERE),  # the time-stamp line gives the true cause
    (r"the signature time-stamp is no proof of existence", SAID_ELSEWHERE),
    (r"the signature time-stamp cannot be read", "không đọc được dấu thời gian của chữ ký"),
    (r"the signature time-stamp is damaged and was ignored",
     "dấu thời gian của chữ ký bị hỏng (hoặc là dấu thời gian của chữ ký khác) và không được dùng"),
    (r"the document time-stamp cannot be checked", "không kiểm tra được dấu thời gian tài liệu"),
    (r"the time-stamped bytes were changed", "nội dung được đóng dấu thời gian đã bị thay đổi"),
    (r"the time-stamp signature does not verify", "chữ ký của dấu thời gian không hợp lệ"),
    (r"validated as of the signature time-stamp " + _MOMENT,
     lambda m: f"chứng thư số được kiểm tra tại thời điểm của dấu thời gian, {_when(m)}, bằng chứng chữ ký đã "
     "tồn tại lúc đó"),
    # --- certificates (kyso.certs.validation, fetching; pyhanko-certvalidator's text)
    (r"revocation not checked", "không kiểm tra tình trạng thu hồi (đã tắt kiểm tra thu hồi)"),
    (r"the revocation services could not be reached; revocation was established from the validation data",
     "không kết nối được dịch vụ kiểm tra thu hồi; tình trạng thu hồi được xác định từ dữ liệu kèm trong tài liệu"),
    (r"the certificate could not be validated", "không kiểm tra được chứng thư số"),
    (r"the certificate was revoked later, on " + _MOMENT,
     lambda m: f"chứng thư số bị thu hồi sau thời điểm kiểm tra, lúc {_when(m)}"),
    (r"the certificate was revoked on " + _MOMENT, lambda m: f"chứng thư số đã bị thu hồi lúc {_when(m)}"),
    (r"the certificate was revoked", "chứng thư số đã bị thu hồi"),
    (r"an issuing CA was revoked on " + _MOMENT,
     lambda m: f"chứng thư số của tổ chức cấp đã bị thu hồi lúc {_when(m)}"),
    (r"an issuing CA was revoked", WHY_VI[SubIndication.REVOKED_CA_NO_POE]),
    (r"the revocation service answered but its answer is unusable",
     "dịch vụ kiểm tra thu hồi có trả lời nhưng câu trả lời không dùng được (sai chữ ký, sai định dạng hoặc có "
     "dấu hiệu giả mạo)"),
    (r"the certificate expired on " + _MOMENT, lambda m: f"chứng thư số đã hết hạn lúc {_when(m)}"),
    (r"an issuing CA certificate expired on " + _MOMENT,
     lambda m: f"chứng thư số của tổ chức cấp đã hết hạn lúc {_when(m)}"),
    (r"the certificate is not valid before " + _MOMENT,
     lambda m: f"chứng thư số chưa có hiệu lực trước {_when(m)}"),
    (r"an issuing CA certificate is not valid before " + _MOMENT,
     lambda m: f"chứng thư số của tổ chức cấp chưa có hiệu lực trước {_when(m)}"),
    (r"a weak or disallowed algorithm is used in the chain",
     "chuỗi chứng thư dùng thuật toán mật mã yếu hoặc không được phép"),
    (r"revocation status could not be established",
     "chưa xác định được tình trạng thu hồi: dịch vụ OCSP/CRL không trả lời được hoặc không có câu trả lời dùng được"),
    (r"no chain to a trusted root", WHY_VI[SubIndication.NO_CERTIFICATE_CHAIN_FOUND]),
    (r"the certificate is not for time-stamping", "chứng thư số không dùng cho việc cấp dấu thời gian"),
    (r"the certificate's key usage does not allow signing documents",
     "mục đích sử dụng khóa của chứng thư số không cho phép ký tài liệu"),
    (r"the certificate's extended key usage does not allow signing documents",
     "chứng thư số là của một dịch vụ (cấp dấu thời gian, OCSP), không dùng để ký tài liệu"),
    (r".*\b(is not a CA|path length|name constraint|permitted|excluded|basic constraints)\b",
     "chuỗi chứng thư vi phạm ràng buộc của tổ chức cấp (CA, độ dài chuỗi, phạm vi tên)"),
    (r"(The path could not be validated|The X\.509 certificate provided)",
     WHY_VI[SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE]),
    (r".* cut off: the network time budget", "hết thời gian cho phép truy vấn dịch vụ mạng (tùy chọn --timeout)"),
    (r".* not fetched: the network time budget", "hết thời gian cho phép truy vấn dịch vụ mạng (tùy chọn --timeout)"),
    (r"(OCSP|CRL|AIA certificate|certificate) .*(ConnectionError|ConnectTimeout|Timeout|status code)",
     lambda m: f"không kết nối được dịch vụ {_SERVICE_VI.get(m[1], m[1])}"),
    (r"(OCSP|CRL|AIA certificate|certificate) .*(refused|not fetched)",
     lambda m: f"một truy vấn tới dịch vụ {_SERVICE_VI.get(m[1], m[1])} bị từ chối theo quy tắc an toàn"),
    # --- XML-DSig / edXML (kyso.xmldsig)
    (r"the Signature element is not in the XML-DSig namespace",
     "chữ ký theo định dạng cũ, không đúng chuẩn XML-DSig; không bao giờ được coi là hợp lệ"),
    (r"the Signature is not in ", "chữ ký không nằm ở vị trí quy định"),
    (r"the signature covers only", "chữ ký chỉ bao trùm một phần văn bản"),
    (r"no usable signing certificate in KeyInfo", WHY_VI[SubIndication.NO_SIGNING_CERTIFICATE_FOUND]),
    (r"a certificate in KeyInfo is truncated or unreadable",
     "một chứng thư số kèm chữ ký bị cắt cụt hoặc không đọc được"),
    (r"non-standard (canonicalization|transform) URI", "chữ ký dùng tên thuật toán chuẩn hóa không chuẩn"),
    (r"Reference \d+ \(.*\): digest mismatch", WHY_VI[SubIndication.HASH_FAILURE]),
    (r"Reference \d+ covers its own signature", "một tham chiếu bao trùm chính chữ ký mà không loại chữ ký ra"),
    (r"(malformed|unsupported|SignedInfo has|Reference \d+)",
     "cấu trúc chữ ký XML không đúng chuẩn hoặc dùng thuật toán không được hỗ trợ"),
    # --- notes the report adds itself
    (r"an issuance signature without an earlier approval signature",
     "chữ ký phát hành (ký ban hành) không có chữ ký duyệt nào trước đó trên cùng tài liệu"),
    # --- the one-line reasons a batch or an audit writes itself (kyso.batch, kyso.audit)
    (r"no signature$", "không có chữ ký"),
    (r"\?$", "không rõ"),
    (r"damaged PDF", "cấu trúc tệp PDF bị hỏng, không đọc được"),
    (r"out of memory", "không đủ bộ nhớ để xử lý tài liệu"),
    (r"internal error: (?P<name>\w+)", lambda m: f"lỗi nội bộ của Kyso ({m['name']})"),
    (r"no file matches this pattern", "không có tệp nào khớp với mẫu tên"),
    (r"a link to a folder", "liên kết tới một thư mục (không được theo)"),
    (r"not a regular file", "không phải tệp thông thường"),
    (r"cannot read the ", "không đọc được tệp đầu vào"),
    (r"a link to nothing", "liên kết tới tệp không tồn tại"),
    (r"another input has the same output path", "một tệp đầu vào khác có cùng đường dẫn kết quả"),
    (r"not processed", "chưa được xử lý"),
    (r"the output would replace the input", "tệp kết quả sẽ ghi đè lên tệp đầu vào (hãy chọn thư mục -o khác)"),
    (r"output not written", "không ghi được tệp kết quả"),
    # --- what an issuance could not write into the document (kyso.pdf.appearance.fill, a KysoWarning at signing)
    (r"not written into the document: (?P<why>.*)", lambda m: "không ghi được vào văn bản: " + _fill_vi(m["why"])),
    (r"archive time-stamp valid until (?P<day>\d{4}-\d\d-\d\d)",
     lambda m: "dấu thời gian lưu trữ có giá trị đến ngày " + "/".join(reversed(m["day"].split("-")))),
)


_COMPILED = tuple((re.compile(pattern), template) for pattern, template in _TABLE)

_FILL: tuple[tuple[str, Template], ...] = (
    (r"the document has no \"Số:\" on its first page", "trang đầu của văn bản không có \"Số:\""),
    (r"the document has no \"ngày \.\.\. tháng \.\.\. năm\" line on its first page",
     "trang đầu của văn bản không có dòng \"ngày ... tháng ... năm\""),
    (r"the place after \"Số:\" is not blank", "chỗ sau \"Số:\" không còn trống"),
    (r"the gap between \"Số:\" and \"(?P<n>.*)\" is too narrow for (?P<v>.*)",
     lambda m: f"khoảng trống giữa \"Số:\" và \"{m['n']}\" quá hẹp để ghi {m['v']}"),
    (r"the document already shows a number after \"Số:\" \((?P<v>.*)\)",
     lambda m: f"văn bản đã có số sau \"Số:\" ({m['v']})"),
    (r"the date line already shows something else after \"(?P<w>.*?)\" \((?P<v>.*)\)",
     lambda m: f"dòng ngày tháng đã có nội dung khác sau \"{m['w']}\" ({m['v']})"),
    (r"the gap after \"(?P<w>.*?)\" on the date line is too narrow for (?P<v>.*)",
     lambda m: f"khoảng trống sau \"{m['w']}\" trên dòng ngày tháng quá hẹp để ghi {m['v']}"),
    (r"the first page's text cannot be read \((?P<e>.*)\)", lambda m: f"không đọc được chữ trên trang đầu ({m['e']})"),
)
_FILL_COMPILED = tuple((re.compile(pattern), template) for pattern, template in _FILL)


def _fill_vi(why: str) -> str:
    for pattern, template in _FILL_COMPILED:
        match = pattern.fullmatch(why)
        if match:
            return template if isinstance(template, str) else template(match)
    return why


def explain(message: str) -> str | None:
    """The Vietnamese reason of one English note; :data:`SAID_ELSEWHERE` when another line says it; ``None`` when
    the table does not know the note (it is then shown only under ``--verbose``)."""
    for pattern, template in _COMPILED:
        match = pattern.match(message)
        if match:
            return template if isinstance(template, str) else template(match)
    return None


UNEXPLAINED = "lý do khác (nguyên văn tiếng Anh trong tệp kết quả CSV/JSON)"
"""A one-line reason the table does not know, on a Vietnamese page: the raw text stays in the machine exports."""

_SUB_LEAD = re.compile(r"(?P<sub>[A-Z][A-Z_]+)(?::\s*(?P<rest>.*))?$", re.S)


def reason_vi(reason: str) -> str:
    """The Vietnamese of a one-line reason as a batch or an audit keeps it (``HASH_FAILURE: the signed bytes were
    changed``, ``no signature``, ``out of memory``): the note through the table, else the sub-indication's reason,
    else :data:`UNEXPLAINED`. A typed error's ``diagnostics("vi")`` keeps its Vietnamese lead, its English detail
    goes through the table too."""
    text, sub = reason.strip(), None
    lead = _SUB_LEAD.match(text)
    if lead and lead["sub"] in SubIndication.__members__:
        text, sub = lead["rest"] or "", lead["sub"]
    said = explain(text) if text else None
    if said:
        return said
    if sub is not None:
        return why_vi(sub)
    if said == SAID_ELSEWHERE or not text:
        return why_vi(None)
    if text.isascii():
        return UNEXPLAINED
    lead_vi, _, rest = text.partition(": ")  # a typed error's Vietnamese lead, then its detail (English when untold)
    if not rest.isascii():
        return text
    told = explain(rest)
    return f"{lead_vi}: {told}" if told else lead_vi


__all__ = ["SAID_ELSEWHERE", "UNEXPLAINED", "WHY_VI", "explain", "reason_vi", "vietnamese_moment", "why_vi"]
