"""One-call helpers of the edXML plugin, beside ``kyso.sign`` / ``kyso.verify`` (which already accept edXML)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from kyso.certs.loading import CertificateSource
from kyso.core.models import RevocationPolicy, VerificationReport
from kyso.xmldsig.xmlsafe import DEFAULT_LIMITS, Limits
from kyso_edxml.model import (
    EdXMLMessage,
    Message,
    Organization,
    ResponseFor,
    StaffInfo,
    StatusCode,
    StatusHeader,
    StatusMessage,
)


def open_verified(
    data: bytes,
    *,
    trust: Iterable[CertificateSource] = (),
    revocation: RevocationPolicy | str = RevocationPolicy.SOFT,
    at: datetime | str | None = None,
    offline: bool = False,
    timeout: float = 30.0,
    name: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    allow_weak: Iterable[str] = (),
) -> tuple[VerificationReport, Message | None]:
    """Verify an edXML message and read it from the very tree that was verified.

    :returns: the report (as ``kyso.verify`` gives it) and the message, or ``None`` for the message unless the
        report is TOTAL_PASSED with a signature covering the whole message: a receiving system that only acts on
        the returned message never acts on content nobody signed.
    :raises InputError: unusable or unsafe input.
    """
    from kyso.api import verify_options
    from kyso.core.manager import get_plugin_manager
    from kyso_edxml import codec, dsig

    options = verify_options(
        trust=trust, revocation=revocation, at=at, offline=offline, timeout=timeout, allow_weak=allow_weak
    ).budgeted()
    tree = dsig.parse(data, limits)
    report, whole = dsig.verify_tree_report(tree, name, options, get_plugin_manager().validate_certificate)
    if not whole:
        return report, None
    return report, codec.read_tree(tree)


def status_for(
    document: EdXMLMessage | str,
    code: StatusCode | str,
    *,
    sender: Organization,
    description: str | None = None,
    staff: StaffInfo | None = None,
    timestamp: datetime | None = None,
) -> StatusMessage:
    """A status packet answering ``document`` (a received message or its DocumentId) with ``code``."""
    from kyso.core.errors import InputError
    from kyso_edxml.ids import DocumentId

    try:
        status = StatusCode(code)
    except ValueError:
        allowed = ", ".join(f"{c.value} ({c.name.lower()})" for c in StatusCode)
        raise InputError(f"unknown status code {code!r} (allowed: {allowed})") from None
    if isinstance(document, EdXMLMessage):
        header = document.header
        if not header.document_id:
            raise InputError("the document has no DocumentId to answer")
        parsed = DocumentId.parse(header.document_id)
        response = ResponseFor(
            organ_id=parsed.organ_id,
            code=f"{parsed.number}/{parsed.notation}",
            promulgation_date=parsed.promulgation_date,
            document_id=header.document_id,
        )
    else:
        parsed = DocumentId.parse(document)
        response = ResponseFor(
            organ_id=parsed.organ_id,
            code=f"{parsed.number}/{parsed.notation}",
            promulgation_date=parsed.promulgation_date,
            document_id=str(document).strip(),
        )
    moment = timestamp or _now_vietnam()
    return StatusMessage(
        header=StatusHeader(
            from_=sender,
            response_for=response,
            staff_info=staff,
            status_code=status.value,
            description=description if description is not None else status.description,
            timestamp=moment.replace(microsecond=0),
        )
    )


def _now_vietnam() -> datetime:
    from kyso.core.models import VIETNAM_TIME

    return datetime.now(VIETNAM_TIME).replace(tzinfo=None)


__all__ = ["open_verified", "status_for"]
