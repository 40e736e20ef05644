"""The document workflow around the signing steps, on an iOffice-style platform.

Outgoing: draft -> approval signature (leader) -> the platform assigns the number -> issuance signature (văn thư)
-> :func:`dispatch`: the issued PDF packed as an edXML message (QCVN 102:2016), signed by the organisation and sent.
Incoming: :func:`receive`: each package of the inbox is verified; a package whose signature is TOTAL_PASSED and
covers it whole is accepted (status 03) and its main document registered for the income mark (an ``income`` task
signed through :func:`kyso.adapters.sync`); any other package is rejected (status 02) with the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kyso.core.adapter import PlatformError
from kyso.core.errors import InputError, KysoError
from kyso.core.signer import Signer
from kyso_ioffice.adapter import IOfficeAdapter

logger = logging.getLogger(__name__)

REJECTION_REASONS = {
    "unusable": "Gói tin không hợp lệ: không đọc được gói tin edXML",
    "unsigned": "Gói tin không hợp lệ: gói tin không có chữ ký số",
    "signature-invalid": "Gói tin không hợp lệ: chữ ký số không hợp lệ",
    "signature-unverified": "Gói tin không hợp lệ: không xác minh được chữ ký số",
    "document-id": "Gói tin không hợp lệ: DocumentId không đúng định dạng OrganId,yyyy/MM/dd,Number/Notation",
    "no-pdf": "Gói tin không hợp lệ: gói tin không có văn bản PDF",
}
"""Kyso rule (issue 9, messages from parsers never travel): the ``Description`` of a rejection sent to another
agency is one of these fixed categories, never the text of an exception. A parser's message names files and
positions: an external entity naming /etc/passwd and one naming a missing path got different lxml messages, so the
status packet told the sender which files exist on the receiving server. The detail stays local
(:attr:`Received.reason`, and the ``kyso_ioffice.workflow`` log)."""


@dataclass
class Received:
    """What :func:`receive` did with one incoming package."""

    package: str
    status: str
    """``03`` accepted or ``02`` rejected."""
    reason: str = ""
    """Why it was rejected, in detail: for the local operator only, never sent."""
    task: str | None = None
    """The income task opened for the clerk (accepted packages)."""
    description: str = ""
    """The ``Description`` sent back in the rejection (one of :data:`REJECTION_REASONS`)."""


def dispatch(
    adapter: IOfficeAdapter,
    document_id: str,
    signer: Signer,
    *,
    sender: Any,
    to: Iterable[Any],
    signer_info: Any | None = None,
) -> tuple[str, bytes]:
    """Pack the issued document as a signed edXML message and send it: ``(package id, package bytes)``.

    :param sender: an ``kyso_edxml.Organization`` (``organ_id`` is the agency identifier, e.g. ``000.00.00.H41``).
    :param to: the receiving organisations.
    """
    import kyso
    from kyso_edxml import codec
    from kyso_edxml.model import (
        Attachment,
        Code,
        DocumentType,
        EdXMLMessage,
        ManifestReference,
        MessageHeader,
        PromulgationInfo,
    )

    record = adapter.document(document_id)
    if record.get("state") not in ("issued", "dispatched"):
        raise InputError(f"document {document_id} is {record.get('state')}: only an issued document is dispatched")
    try:
        issued = date.fromisoformat(str(record["issuedDate"]))
        number, notation = str(record["number"]), str(record["notation"])
    except (KeyError, ValueError):
        raise PlatformError(
            f"ioffice: document {document_id}: the record lacks a usable issuedDate, number or notation"
        ) from None
    pdf = adapter.issued_file(record)
    attachment = Attachment(
        content_id="cid:1",
        attachment_name=str(record.get("fileName") or f"{number}-{notation}.pdf"),
        description="Văn bản chính",
        content_type="application/pdf",
        data=pdf,
    )
    message = EdXMLMessage(
        header=MessageHeader(
            from_=sender,
            to=list(to),
            document_id=f"{sender.organ_id},{issued:%Y/%m/%d},{number}/{notation}",
            code=Code(code_number=number, code_notation=notation),
            promulgation_info=PromulgationInfo(place=sender.organ_name, promulgation_date=issued),
            document_type=DocumentType(type=1, type_detail=0, type_name="Công văn"),
            subject=str(record.get("subject") or ""),
            signer_info=signer_info,
        ),
        attachments=[attachment],
    )
    message.manifest = [
        ManifestReference(a.content_id, a.content_type, a.description, a.attachment_name) for a in message.attachments
    ]
    package = kyso.sign(codec.build(message), signer=signer)
    return adapter.dispatch(document_id, package), package


def receive(
    adapter: IOfficeAdapter,
    *,
    sender: Any,
    trust: Iterable[Any],
    revocation: str = "soft",
    signer: Signer | None = None,
) -> list[Received]:
    """Verify every package of the inbox and answer each with a status packet (signed by ``signer`` if given)."""
    from kyso_edxml import codec, open_verified, status_for
    from kyso_edxml.model import EdXMLMessage

    results = []
    trust = list(trust)
    for entry in adapter.inbox():
        package_id = str(entry.get("packageId"))
        data = adapter.package(package_id)
        reason = ""
        category = ""
        message = None
        try:
            report, message = open_verified(data, trust=trust, revocation=revocation, name=package_id)
            if message is None:
                first = report.signatures[0] if report.signatures else None
                why = [str(report.indication)]
                if first is not None and first.sub_indication is not None:
                    why.append(str(first.sub_indication.value))
                if first is not None and first.messages:
                    why.append(first.messages[0])
                reason = "signature not valid: " + ", ".join(why)
                category = _signature_category(str(report.indication))
        except KysoError as exc:
            reason, category = f"unusable package: {exc.diagnostics()}", "unusable"
        document = None
        answered = message.header.document_id if isinstance(message, EdXMLMessage) else None
        if answered is not None and _document_id_of(answered) is None:
            reason = f"the DocumentId {answered!r} is not OrganId,yyyy/MM/dd,Number/Notation"
            category = "document-id"
            answered = None
        if isinstance(message, EdXMLMessage) and not reason:
            pdfs = [a for a in message.attachments if a.data.startswith(b"%PDF")]
            if pdfs:
                document = (pdfs[0].attachment_name or f"{package_id}.pdf", pdfs[0].data)
            else:
                reason, category = "the package carries no PDF document", "no-pdf"
        code = "03" if not reason else "02"
        description = REJECTION_REASONS[category] if reason else ""
        if reason:
            logger.info("package %s rejected (%s): %s", package_id, category, reason)
        status = status_for(
            answered or _document_id_of(data) or f"{sender.organ_id},{datetime.now():%Y/%m/%d},0/KYSO",
            code,
            sender=sender,
            description=description or None,
        )
        packet = codec.build(status)
        if signer is not None:
            import kyso

            packet = kyso.sign(packet, signer=signer)
        task = adapter.answer_package(package_id, packet, document if code == "03" else None)
        results.append(Received(package_id, code, reason, task, description))
    return results


def _signature_category(indication: str) -> str:
    """The rejection category of a verification verdict (its indication only: the sub-indication and messages can
    depend on what the receiving side could fetch, and stay local)."""
    if indication == "NO_SIGNATURE":
        return "unsigned"
    if indication == "INDETERMINATE":
        return "signature-unverified"
    return "signature-invalid"


def _document_id_of(data: bytes | str) -> str | None:
    """The DocumentId of a package that failed verification, read tolerantly, to address the rejection (or
    ``data`` itself, a DocumentId), ``None`` when there is none that a status packet can answer."""
    try:
        from kyso_edxml import codec
        from kyso_edxml.ids import DocumentId

        document_id = data if isinstance(data, str) else getattr(codec.parse(data).header, "document_id", None)
        if document_id:
            DocumentId.parse(document_id)
        return document_id
    except Exception:
        return None


__all__ = ["REJECTION_REASONS", "Received", "dispatch", "receive"]
