"""The VGCA Sign Service protocol as pages speak it: endpoints, request fields, replies, and Kyso's status codes.

A page opens ``wss://127.0.0.1:8987/<Endpoint>``, sends one JSON text (the ``vgca_*`` functions send the page's
``JSON.stringify(prms)``), takes the first reply and closes. Field names are VGCA's, kept as pages write them.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum
from typing import Any


class Status(IntEnum):
    """``Status`` of a reply: 0 is success (as VGCA); the non-zero codes are Kyso's (docs/agent.md has the table)."""

    OK = 0
    BAD_REQUEST = 1
    """The message is not a JSON object with the endpoint's fields."""
    UNSUPPORTED_ENDPOINT = 2
    """An endpoint of the VGCA service that Kyso does not offer (``SignOffice``, ``SignFile`` ...)."""
    REFUSED_ORIGIN = 3
    """The calling page's origin is not on the allowlist."""
    REFUSED_URL = 4
    """``FileName`` or ``FileUploadHandler`` is not an http(s) URL of the page's origin (or of a file origin)."""
    CONSENT_DENIED = 5
    """The user refused (or did not answer) the consent dialog."""
    WRONG_PIN = 6
    """The PIN (or PKCS#12 password) typed in the dialog is wrong."""
    SIGNER_ERROR = 7
    """The signer failed: token absent or pulled out, key missing, locked PIN ..."""
    DOWNLOAD_FAILED = 8
    """``FileName`` could not be downloaded (HTTP error, redirect, time-out)."""
    TOO_LARGE = 9
    """The document is larger than the service's limit."""
    INPUT_ERROR = 10
    """The document is not one the endpoint signs (not a PDF, damaged, encrypted ...)."""
    UPLOAD_FAILED = 11
    """Signed, but ``FileUploadHandler`` did not take it (500, an HTML page, no answer): the signed file is kept."""
    BUSY = 12
    """Too many calls at once or per minute from this origin; try again."""
    INTERNAL_ERROR = 13
    """A bug in the service (reported, never hidden)."""


STATUS_MESSAGES: dict[Status, str] = {
    Status.OK: "Thành công",
    Status.BAD_REQUEST: "Yêu cầu không hợp lệ",
    Status.UNSUPPORTED_ENDPOINT: "Dịch vụ ký số Kyso không hỗ trợ chức năng này",
    Status.REFUSED_ORIGIN: "Trang web này không được phép dùng dịch vụ ký số",
    Status.REFUSED_URL: "Địa chỉ tệp không được phép",
    Status.CONSENT_DENIED: "Người dùng từ chối ký",
    Status.WRONG_PIN: "Sai mã PIN",
    Status.SIGNER_ERROR: "Lỗi thiết bị ký số hoặc chứng thư số",
    Status.DOWNLOAD_FAILED: "Không tải được tệp cần ký",
    Status.TOO_LARGE: "Tệp quá lớn",
    Status.INPUT_ERROR: "Tệp không ký được",
    Status.UPLOAD_FAILED: "Đã ký nhưng không gửi được tệp đã ký về hệ thống",
    Status.BUSY: "Dịch vụ ký số đang bận, vui lòng thử lại",
    Status.INTERNAL_ERROR: "Lỗi của dịch vụ ký số",
}
"""The Vietnamese lead of each status, the start of every reply's ``Message``."""

SIGN_ENDPOINTS: dict[str, str | None] = {
    "SignApproved": "approval",
    "SignIssued": "issuance",
    "SignIncome": "income",
    "SignCopy": "copy",
    "SignAppendix": "attachment",
    "SignPDF": None,
}
"""PDF signing endpoints and the Decree-30 kind each one signs with (``SignPDF``: a plain signature)."""

OTHER_ENDPOINTS = ("VerifyPDF", "SignXML", "VerifyXML", "GetCertInfo", "Config")
ENDPOINTS = (*SIGN_ENDPOINTS, *OTHER_ENDPOINTS)
KNOWN_VGCA_ENDPOINTS = ("SignOffice", "SignFile", "SignFiles", "SignLyLich", "Comment", "VerifyOffice", "SignJson")
"""Endpoints of the VGCA service that Kyso does not offer: answered with :attr:`Status.UNSUPPORTED_ENDPOINT`."""

MAX_FIELD = 8192
"""Longest URL, token or text field accepted (``Base64Content`` is bounded by the message size)."""


class CallRefused(Exception):
    """A call answered with a non-zero :class:`Status`; ``detail`` follows the status's lead in ``Message``."""

    def __init__(self, status: Status, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or STATUS_MESSAGES[status])
        self.status = status
        self.detail = detail
        self.extra = extra


def message(status: Status, detail: str = "") -> str:
    lead = STATUS_MESSAGES[status]
    return f"{lead}: {detail}" if detail else lead


@dataclass(frozen=True)
class SignCall:
    """The fields of a PDF signing call (``SignApproved`` ... ``SignPDF``, ``VerifyPDF``)."""

    file_name: str
    upload_handler: str = ""
    session_id: str = ""
    jwt_token: str = ""
    doc_number: str = ""
    issued_date: date | None = None
    metadata: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class XmlCall:
    """The fields of ``SignXML`` / ``VerifyXML``."""

    content: bytes
    signature_only: bool = False
    hash_alg: str = ""
    dsig_form: str = ""


def parse_object(text: str | bytes) -> dict[str, Any]:
    """The JSON object of a message; a page may also send the object JSON-encoded twice (a string)."""
    try:
        value = json.loads(text)
        if isinstance(value, str):
            value = json.loads(value)
    except (ValueError, RecursionError):
        raise CallRefused(Status.BAD_REQUEST, "the message is not JSON") from None
    if not isinstance(value, dict):
        raise CallRefused(Status.BAD_REQUEST, "the message is not a JSON object")
    return value


def _text(fields: dict[str, Any], name: str, *, required: bool = False) -> str:
    value = fields.get(name)
    if value is None or value == "":
        if required:
            raise CallRefused(Status.BAD_REQUEST, f"{name} is missing")
        return ""
    if not isinstance(value, str | int):
        raise CallRefused(Status.BAD_REQUEST, f"{name} is not text")
    text = str(value)
    if len(text) > MAX_FIELD or any(ord(c) < 32 and c not in "\t" for c in text):
        raise CallRefused(Status.BAD_REQUEST, f"{name} is too long or holds control characters")
    return text


def _date(value: str) -> date | None:
    """``IssuedDate`` as pages send it: ``dd/mm/yyyy``, ISO ``yyyy-mm-dd`` or ``JSON.stringify(new Date())``."""
    if not value:
        return None
    text = value.strip()
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year, month, day)
        if "T" in text:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is not None:  # a JS Date is UTC: the day is the day in Vietnam
                from datetime import timedelta, timezone

                moment = moment.astimezone(timezone(timedelta(hours=7)))
            return moment.date()
        return date.fromisoformat(text)
    except ValueError:
        raise CallRefused(Status.BAD_REQUEST, f"IssuedDate {value[:40]!r} is not a date (dd/mm/yyyy)") from None


def sign_call(fields: dict[str, Any], *, upload: bool = True) -> SignCall:
    """A :class:`SignCall` of a message's fields (``upload=False``: ``VerifyPDF``, no ``FileUploadHandler``)."""
    raw_meta = fields.get("MetaData") or []
    if not isinstance(raw_meta, list) or len(raw_meta) > 32:
        raise CallRefused(Status.BAD_REQUEST, "MetaData is not a list of at most 32 {Key, Value}")
    metadata = []
    for entry in raw_meta:
        if not isinstance(entry, dict):
            raise CallRefused(Status.BAD_REQUEST, "MetaData holds something else than {Key, Value}")
        metadata.append((_text(entry, "Key", required=True), _text(entry, "Value")))
    return SignCall(
        file_name=_text(fields, "FileName", required=True),
        upload_handler=_text(fields, "FileUploadHandler", required=upload),
        session_id=_text(fields, "SessionId"),
        jwt_token=_text(fields, "JWTToken"),
        doc_number=_text(fields, "DocNumber"),
        issued_date=_date(_text(fields, "IssuedDate")),
        metadata=tuple(metadata),
    )


def xml_call(fields: dict[str, Any]) -> XmlCall:
    encoded = fields.get("Base64Content")
    if not isinstance(encoded, str) or not encoded:
        raise CallRefused(Status.BAD_REQUEST, "Base64Content is missing")
    try:
        content = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise CallRefused(Status.BAD_REQUEST, "Base64Content is not base64") from None
    only = fields.get("ReturnSignatureOnly", False)
    return XmlCall(
        content=content,
        signature_only=only is True or str(only).lower() in ("true", "1"),
        hash_alg=_text(fields, "HashAlg"),
        dsig_form=_text(fields, "XmlDsigForm"),
    )


@dataclass
class SignReply:
    """The reply of a PDF signing call, in VGCA's field names (:meth:`to_json`)."""

    status: Status
    message: str
    file_name: str = ""
    file_server: str = ""
    document_number: str = ""
    document_date: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "Status": int(self.status),
            "Message": self.message,
            "FileName": self.file_name,
            "FileServer": self.file_server,
            "DocumentNumber": self.document_number,
            "DocumentDate": self.document_date,
            **self.extra,
        }


def refused_reply(endpoint: str, refusal: CallRefused) -> dict[str, Any]:
    """The reply of a refused call, in the endpoint's shape (SignXML: ``{Status, Signature, Error}``)."""
    text = message(refusal.status, refusal.detail)
    if endpoint == "SignXML":
        return {"Status": int(refusal.status), "Signature": "", "Error": text, **refusal.extra}
    return SignReply(refusal.status, text, extra=dict(refusal.extra)).to_json()


__all__ = [
    "ENDPOINTS",
    "KNOWN_VGCA_ENDPOINTS",
    "SIGN_ENDPOINTS",
    "STATUS_MESSAGES",
    "CallRefused",
    "SignCall",
    "SignReply",
    "Status",
    "XmlCall",
    "message",
    "parse_object",
    "refused_reply",
    "sign_call",
    "xml_call",
]
