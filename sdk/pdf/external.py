"""Two-step signing of a PDF with pyHanko's interrupted signing (``kyso.prepare`` / ``kyso.finish``).

:func:`prepare_pdf` writes the incremental update with its signature field (the kind's mark, a visible box or
none) and a reserved ``/Contents`` placeholder, hashes the ``/ByteRange``
(``PdfSigner.async_digest_doc_for_signing``) and builds the CMS signed attributes over that digest (PAdES, the
signing certificate, the Kyso kind attribute): their DER is what the external signer signs. :func:`finish_pdf`
checks that the document still hashes to the digest inside those attributes, builds the CMS with the external
signature value (``async_sign_prescribed_attributes``, with the signature time-stamp for B-T and above) and writes
it into the placeholder (``PdfTBSDocument.async_finish_signing``); B-LT / B-LTA validation data are added after,
as ``kyso.sign`` does.
"""

from __future__ import annotations

import asyncio
import hashlib
from io import BytesIO
from typing import Any

from kyso.core.errors import KysoError, PreparedStateError, SigningError
from kyso.core.models import Level, NetworkBudget, SignRequest
from kyso.core.signer import Signer


def prepare_pdf(request: SignRequest) -> tuple[bytes, bytes, dict[str, Any]]:
    """``(prepared document, DER of the signed attributes to sign, PDF facts for finish)``."""
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    from kyso.pdf.signing import _reserve, pdf_signer_for, raise_signing_error

    writer, pdf_signer, text_params = pdf_signer_for(request, timestamper=False)
    level_b_t = request.level is not Level.B_B
    reserve_request = request if not level_b_t else _as_level(request, Level.B_T)

    async def run() -> tuple[Any, Any]:
        prepared, _, output = await pdf_signer.async_digest_doc_for_signing(
            writer, bytes_reserved=_reserve(reserve_request), appearance_text_params=text_params
        )
        attributes = await pdf_signer.signer.signed_attrs(
            prepared.document_digest,
            "sha256",
            attr_settings=PdfCMSSignedAttributes(),
            use_pades=True,
        )
        return prepared, (attributes, output)

    try:
        prepared, (attributes, output) = asyncio.run(run())
    except KysoError:
        raise
    except Exception as exc:
        raise_signing_error(exc, request)
        raise  # pragma: no cover - raise_signing_error always raises
    document = output.getvalue()
    facts = {
        "reserved_region_start": prepared.reserved_region_start,
        "reserved_region_end": prepared.reserved_region_end,
    }
    return document, attributes.dump(), facts


def finish_pdf(
    document: bytes,
    to_be_signed: bytes,
    facts: dict[str, Any],
    signer: Signer,
    *,
    level: Level,
    tsa: str | None,
    timeout: float,
) -> bytes:
    """The signed PDF: ``signer`` (a fixed signature value) completes the CMS over ``to_be_signed``."""
    from asn1crypto import cms
    from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
    from pyhanko.sign.signers.pdf_signer import PdfTBSDocument

    from kyso.pdf.signing import bounded_timestamper, pyhanko_signer

    start, end = int(facts["reserved_region_start"]), int(facts["reserved_region_end"])
    if not 0 < start < end <= len(document):
        raise PreparedStateError("the reserved signature region lies outside the prepared document")
    document_digest = hashlib.sha256(document[:start] + document[end:]).digest()
    try:
        attributes = cms.CMSAttributes.load(to_be_signed)
        declared = next(a["values"][0].native for a in attributes if a["type"].native == "message_digest")
    except Exception:
        raise PreparedStateError("the signed attributes of the state cannot be read") from None
    if declared != document_digest:
        raise PreparedStateError(
            "the prepared document does not hash to the digest the signature covers (the state was altered)",
            vi="tài liệu trong tệp trạng thái không khớp giá trị băm đã ký (tệp trạng thái đã bị sửa)",
        )
    budget = NetworkBudget(timeout)
    timestamper = bounded_timestamper(tsa, budget) if level is not Level.B_B and tsa else None
    adapter = pyhanko_signer(signer)
    output = BytesIO(document)

    async def run() -> None:
        content = await adapter.async_sign_prescribed_attributes("sha256", attributes, timestamper=timestamper)
        prepared = PreparedByteRangeDigest(document_digest, start, end)
        await PdfTBSDocument.async_finish_signing(output, prepared, content)

    try:
        asyncio.run(run())
    except KysoError:
        raise
    except Exception as exc:
        from pyhanko.sign.timestamps.common_utils import TimestampRequestError

        from kyso.core.errors import TimestampError

        if isinstance(exc, TimestampRequestError):
            raise TimestampError(f"time-stamping authority {tsa} failed: {exc}", url=tsa) from None
        raise SigningError(f"the signature cannot be put into the document: {exc.__class__.__name__}") from None
    signed = output.getvalue()
    if level in (Level.B_LT, Level.B_LTA):
        from kyso.core.errors import ServiceError
        from kyso.pdf.ltv import _roots, extend_pdf

        try:
            signed = extend_pdf(
                signed, level=level, tsa=tsa, trust=_roots((signer.certificate, *signer.chain)), budget=budget
            )
        except ServiceError as exc:
            raise SigningError(f"signed, but the {level} validation data could not be added: {exc}") from None
    return signed


def _as_level(request: SignRequest, level: Level) -> SignRequest:
    import dataclasses

    return dataclasses.replace(request, level=level)


__all__ = ["finish_pdf", "prepare_pdf"]
