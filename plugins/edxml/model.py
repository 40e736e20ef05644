"""Typed model of edXML messages and status packets (QCVN 102:2016, amended by Thông tư 01/2022/TT-BTTTT).

Plain dataclasses, no XML library: :mod:`kyso_edxml.codec` reads and writes them. Each field carries the name
of its edXML element (``metadata["xml"]``) and fields are declared in the order the standard writes them, so the
writer needs no further mapping. ``None`` means "the element is absent"; an empty string means "present and empty"
(real packets carry many ``<OrganAdd/>``), so that parse -> build -> parse keeps every field.

Dates are :class:`datetime.date`, trace and status times naive :class:`datetime.datetime` in Vietnam time (the
standard writes them ``yyyy/MM/dd HH:mm:ss`` without an offset).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
"""The edXML namespace (prefix ``edXML``)."""


def _x(name: str, *, item: str | None = None, default: Any = None, factory: Any = None, key: str | None = None) -> Any:
    """A field written as element ``name``; a list field with ``item`` is a wrapper ``name`` of ``item`` elements,
    without ``item`` the element ``name`` repeats. ``key`` is the JSON key when it differs from the field name."""
    metadata = {"xml": name, "item": item, "key": key}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


class StatusCode(enum.StrEnum):
    """Codes of a status packet (QCVN 102:2016, amended 01/2022)."""

    ARRIVED = "01"
    """Đã đến: the document reached the receiving agency."""
    REJECTED = "02"
    """Từ chối tiếp nhận."""
    ACCEPTED = "03"
    """Đã tiếp nhận."""
    ASSIGNED = "04"
    """Phân công xử lý."""
    PROCESSING = "05"
    """Đang xử lý."""
    FINISHED = "06"
    """Hoàn thành."""
    RECALLED = "13"
    """Lấy lại (thu hồi)."""
    AGREE_UPDATE_RECALL = "15"
    """Đồng ý cập nhật / thu hồi."""
    REFUSE_UPDATE_RECALL = "16"
    """Từ chối cập nhật / thu hồi."""

    @property
    def description(self) -> str:
        """The Vietnamese wording usually sent in ``Description``."""
        return _STATUS_TEXT[self]


_STATUS_TEXT = {
    StatusCode.ARRIVED: "Đã đến",
    StatusCode.REJECTED: "Từ chối tiếp nhận",
    StatusCode.ACCEPTED: "Đã tiếp nhận",
    StatusCode.ASSIGNED: "Phân công xử lý",
    StatusCode.PROCESSING: "Đang xử lý",
    StatusCode.FINISHED: "Hoàn thành",
    StatusCode.RECALLED: "Lấy lại",
    StatusCode.AGREE_UPDATE_RECALL: "Đồng ý cập nhật, thu hồi",
    StatusCode.REFUSE_UPDATE_RECALL: "Từ chối cập nhật, thu hồi",
}


class BusinessDocType(enum.IntEnum):
    """``BussinessDocType``: what the package does to the document."""

    NEW = 0
    REVOKE = 1
    UPDATE = 2
    REPLACE = 3


@dataclass
class Organization:
    """``From`` / ``To``: an agency."""

    organ_id: str | None = _x("OrganId")
    organization_in_charge: str | None = _x("OrganizationInCharge")
    organ_name: str | None = _x("OrganName")
    organ_add: str | None = _x("OrganAdd")
    email: str | None = _x("Email")
    telephone: str | None = _x("Telephone")
    fax: str | None = _x("Fax")
    website: str | None = _x("Website")


@dataclass
class Code:
    """``Code``: number and notation (số, ký hiệu) of the document."""

    code_number: str | None = _x("CodeNumber")
    code_notation: str | None = _x("CodeNotation")


@dataclass
class PromulgationInfo:
    place: str | None = _x("Place")
    promulgation_date: date | None = _x("PromulgationDate")


@dataclass
class DocumentType:
    type: int | None = _x("Type")
    type_detail: int | None = _x("TypeDetail")
    type_name: str | None = _x("TypeName")


@dataclass
class SignerInfo:
    competence: str | None = _x("Competence")
    position: str | None = _x("Position")
    full_name: str | None = _x("FullName")


@dataclass
class OtherInfo:
    priority: int | None = _x("Priority")
    sphere_of_promulgation: str | None = _x("SphereOfPromulgation")
    typer_notation: str | None = _x("TyperNotation")
    promulgation_amount: int | None = _x("PromulgationAmount")
    page_amount: int | None = _x("PageAmount")
    direction: bool | None = _x("Direction")
    appendixes: list[str] | None = _x("Appendixes", item="Appendix")


@dataclass
class ResponseFor:
    """``ResponseFor``: the document this one answers."""

    organ_id: str | None = _x("OrganId")
    code: str | None = _x("Code")
    promulgation_date: date | None = _x("PromulgationDate")
    document_id: str | None = _x("DocumentId")


@dataclass
class MessageHeader:
    """``MessageHeader`` of a document package, children in the standard's order."""

    from_: Organization | None = _x("From", key="from")
    to: list[Organization] = _x("To", factory=list)
    document_id: str | None = _x("DocumentId")
    """``{OrganId},{yyyy/MM/dd},{Number}/{Notation}``; see :class:`kyso_edxml.ids.DocumentId`."""
    code: Code | None = _x("Code")
    promulgation_info: PromulgationInfo | None = _x("PromulgationInfo")
    document_type: DocumentType | None = _x("DocumentType")
    subject: str | None = _x("Subject")
    content: str | None = _x("Content")
    signer_info: SignerInfo | None = _x("SignerInfo")
    due_date: date | None = _x("DueDate")
    to_places: list[str] | None = _x("ToPlaces", item="Place")
    other_info: OtherInfo | None = _x("OtherInfo")
    steering_type: int | None = _x("SteeringType")
    response_for: list[ResponseFor] = _x("ResponseFor", factory=list)


@dataclass
class StaffInfo:
    department: str | None = _x("Department")
    staff: str | None = _x("Staff")
    mobile: str | None = _x("Mobile")
    email: str | None = _x("Email")


@dataclass
class TraceHeader:
    """One agency the package went through, and when."""

    organ_id: str | None = _x("OrganId")
    timestamp: datetime | None = _x("Timestamp")


@dataclass
class Receiver:
    organ_id: str | None = _x("OrganId")
    receiver_type: int | None = _x("ReceiverType")


@dataclass
class BussinessDocumentInfo:
    """What an update (``BussinessDocType`` 2) changes: document information, receivers."""

    document_info: str | None = _x("DocumentInfo")
    document_receiver: str | None = _x("DocumentReceiver")
    receivers: list[Receiver] | None = _x("ReceiverList", item="Receiver")


@dataclass
class ReplacementInfo:
    """A document replaced (``BussinessDocType`` 3) and the agencies concerned."""

    document_id: str | None = _x("DocumentId")
    organ_ids: list[str] | None = _x("OrganIdList", item="OrganId")


@dataclass
class Bussiness:
    """``Bussiness`` (spelled so by the standard): what the package does and who handles it."""

    document_id: str | None = _x("DocumentId")
    bussiness_doc_type: int | None = _x("BussinessDocType")
    """0 new, 1 revoke, 2 update, 3 replace (:class:`BusinessDocType`)."""
    bussiness_doc_reason: str | None = _x("BussinessDocReason")
    paper: int | None = _x("Paper")
    document_info: BussinessDocumentInfo | None = _x("BussinessDocumentInfo")
    replacements: list[ReplacementInfo] | None = _x("ReplacementInfoList", item="ReplacementInfo")
    staff_info: StaffInfo | None = _x("StaffInfo")


@dataclass
class ManifestReference:
    """``edXMLManifest/Reference``: one attachment announced in the body."""

    content_id: str | None = _x("ContentId")
    content_type: str | None = _x("ContentType")
    description: str | None = _x("Description")
    attachment_name: str | None = _x("AttachmentName")


@dataclass
class Attachment:
    """``AttachmentEncoded/Attachment``: the bytes travel base64-encoded (often zipped first)."""

    content_id: str | None = _x("ContentId")
    attachment_name: str | None = _x("AttachmentName")
    description: str | None = _x("Description")
    content_type: str | None = _x("ContentType")
    data: bytes = field(default=b"", repr=False, metadata={"xml": "ContentTransferEncoded", "item": None})
    """The decoded bytes (``ContentTransferEncoded`` is their base64)."""

    @property
    def is_zip(self) -> bool:
        """Whether the bytes are a ZIP archive (the content was zipped before encoding)."""
        return self.data[:4] == b"PK\x03\x04"


@dataclass
class EdXMLMessage:
    """A document package: header, trace, business information, manifest and attachments.

    ``warnings`` (what a tolerant reading found off) is not part of the message: it is ignored by ``==``.
    """

    header: MessageHeader = field(default_factory=MessageHeader)
    trace_headers: list[TraceHeader] = field(default_factory=list)
    bussiness: Bussiness | None = None
    manifest: list[ManifestReference] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    signed: bool = field(default=False, compare=False)
    """Whether the parsed packet carried a ``Signature`` (says nothing about its validity)."""
    warnings: list[str] = field(default_factory=list, compare=False)


@dataclass
class StatusHeader:
    """``MessageHeader`` of a status packet."""

    from_: Organization | None = _x("From", key="from")
    response_for: ResponseFor | None = _x("ResponseFor")
    staff_info: StaffInfo | None = _x("StaffInfo")
    status_code: str | None = _x("StatusCode")
    """Two digits, see :class:`StatusCode`."""
    description: str | None = _x("Description")
    timestamp: datetime | None = _x("Timestamp")


@dataclass
class StatusMessage:
    """A status packet answering a document: same envelope, a status header, usually no attachment."""

    header: StatusHeader = field(default_factory=StatusHeader)
    trace_headers: list[TraceHeader] = field(default_factory=list)
    bussiness: Bussiness | None = None
    signed: bool = field(default=False, compare=False)
    warnings: list[str] = field(default_factory=list, compare=False)


Message = EdXMLMessage | StatusMessage

__all__ = [
    "NAMESPACE",
    "Attachment",
    "BusinessDocType",
    "Bussiness",
    "BussinessDocumentInfo",
    "Code",
    "DocumentType",
    "EdXMLMessage",
    "ManifestReference",
    "Message",
    "MessageHeader",
    "Organization",
    "OtherInfo",
    "PromulgationInfo",
    "Receiver",
    "ReplacementInfo",
    "ResponseFor",
    "SignerInfo",
    "StaffInfo",
    "StatusCode",
    "StatusHeader",
    "StatusMessage",
    "TraceHeader",
]
