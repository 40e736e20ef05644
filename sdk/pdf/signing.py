"""Write a PAdES signature into a PDF as an incremental update.

pyHanko writes the PDF; the key stays with the :class:`~kyso.core.signer.Signer`. Reserving the signature's space
up front (``bytes_reserved``) spares pyHanko its dry-run signature, and a signer that keeps its key loaded spares
the key parsing that dominates stock pyHanko's signing time.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from io import BytesIO
from typing import Any

from kyso.certs.parsing import parse_certificate
from kyso.core.errors import InputError, KysoError, SigningError, TimestampError, UsageError
from kyso.core.models import Level, NetworkBudget, SignRequest
from kyso.core.signer import Signer
from kyso.pdf.reading import open_reader

_SIGNATURE_OVERHEAD = 3072
"""Bytes reserved beyond the certificates: signed attributes, signature value, CMS structure."""
_TIMESTAMP_RESERVE = 12288
"""Bytes reserved for an RFC 3161 token (the TSA's certificate chain included)."""


def sign_pdf(request: SignRequest) -> bytes:
    """Sign ``request.document`` and return the new PDF bytes (input bytes untouched)."""
    if request.budget is None:  # one network budget for the whole signing (B-T stamp, B-LT data, B-LTA stamp)
        request = dataclasses.replace(request, budget=NetworkBudget(request.timeout))
    if request.level in (Level.B_LT, Level.B_LTA):
        from kyso.pdf.ltv import sign_ltv  # B-T first, then validation data and archive time-stamp (issue 3)

        return sign_ltv(request, sign_pdf)
    if request.level not in (Level.B_B, Level.B_T):
        raise UsageError(f"level {request.level} is not supported for PDF (B-B, B-T, B-LT, B-LTA)")
    if request.level is Level.B_T and not request.tsa:
        raise UsageError(
            "level B-T needs a time-stamping authority's URL",
            parameter="tsa",
            vi="mức B-T cần địa chỉ (URL) của dịch vụ cấp dấu thời gian",
        )
    try:
        return _sign_once(request, bytes_reserved=_reserve(request))
    except _ReserveTooSmall:
        # an unusually large CMS (big certificate chain, large TSA token): let pyHanko measure it with a dry run
        return _sign_once(request, bytes_reserved=None)


class _ReserveTooSmall(Exception):
    """The space reserved for the signature was too small for the CMS object."""


def _sign_once(request: SignRequest, *, bytes_reserved: int | None) -> bytes:
    writer, pdf_signer, text_params = pdf_signer_for(request, timestamper=request.level is Level.B_T)
    output = BytesIO()
    try:
        pdf_signer.sign_pdf(writer, output=output, bytes_reserved=bytes_reserved, appearance_text_params=text_params)
    except KysoError:
        raise
    except Exception as exc:
        if bytes_reserved is not None and "larger than expected" in str(exc):
            raise _ReserveTooSmall from None
        raise_signing_error(exc, request)
    return output.getvalue()


def pdf_signer_for(request: SignRequest, *, timestamper: bool) -> tuple[Any, Any, dict[str, str] | None]:
    """``(writer, PdfSigner, appearance text parameters)`` for ``request``: the document opened for an incremental
    update, its signature field added (the kind's mark, a visible box or none), pyHanko's signer set up. The one
    setup shared by one-step signing and ``kyso.prepare``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    reader = open_reader(request.document.data)
    try:
        writer = IncrementalPdfFileWriter.from_reader(reader)
    except Exception as exc:
        raise InputError(f"damaged PDF: {exc.__class__.__name__}") from None
    field_name = request.field or _fresh_field_name(reader)
    plan = _appearance_plan(request, reader)
    if plan is not None:
        _add_kind_field(writer, field_name, plan)
        _say_what_was_not_filled(plan)
    elif request.box is not None or request.page is not None:
        _add_visible_field(writer, reader, field_name, request)
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=plan.reason if plan is not None else request.reason,
        location=request.location,
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=pyhanko_signer(request.signer, kind=request.kind, details=_filled_in(plan)),
        timestamper=_timestamper(request) if timestamper else None,
        stamp_style=plan.style_for(field_name) if plan is not None else (
            _stamp_style() if request.box is not None else None),
    )
    return writer, pdf_signer, _stamp_text(request) if request.box is not None and plan is None else None


def pyhanko_signer(signer: Signer, *, kind: str | None = None, details: tuple[str, ...] = ()) -> Any:
    """Adapt any Kyso :class:`Signer` to pyHanko's ``Signer``; ``kind`` (with ``details``: what an issuance wrote
    into the document, :func:`kyso.pdf.kind_attribute.kind_attribute`) is recorded as a signed attribute."""
    from pyhanko.sign.signers.pdf_cms import Signer as PyHankoSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    class _Adapter(PyHankoSigner):
        async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
            return signer.sign_raw(data, digest_algorithm)

        def _signed_attr_providers(self, *args: Any, **kwargs: Any) -> Any:
            providers = list(super()._signed_attr_providers(*args, **kwargs))
            if kind is not None:
                providers.append(_KindAttribute(kind, details))
            return providers

    chain = [parse_certificate(der) for der in signer.chain]
    return _Adapter(
        signing_cert=parse_certificate(signer.certificate),
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )


class _KindAttribute:
    """Signed attribute provider recording the signature kind (see :data:`kyso.pdf.kind_attribute.KIND_OID`)."""

    def __init__(self, kind: str, details: tuple[str, ...] = ()) -> None:
        self.kind = kind
        self.details = details

    async def get_attribute(self, dry_run: bool = False) -> Any:
        from kyso.pdf.kind_attribute import kind_attribute

        return kind_attribute(self.kind, *self.details)


def _appearance_plan(request: SignRequest, reader: Any) -> Any:
    """The mark of a signature kind (image or text, placed per Nghị định 30), or ``None`` without a kind."""
    if request.kind is None and not request.appearance:
        return None
    from kyso.pdf.appearance import plan_appearance

    return plan_appearance(request, reader)


def _filled_in(plan: Any) -> tuple[str, ...]:
    """What the issuance writes into the document, as recorded in the signed kind attribute."""
    fill = plan.fill if plan is not None else None
    if fill is None:
        return ()
    from kyso.pdf.kind_attribute import issuance_details

    return issuance_details(fill.doc_number, fill.issued_date)


def _say_what_was_not_filled(plan: Any) -> None:
    """A document without a place for the number or the date still signs, and says so (a :class:`KysoWarning`:
    the CLI prints it, a program may turn it into an error)."""
    if plan.fill is None or not plan.fill.missing:
        return
    import warnings

    from kyso.core.errors import KysoWarning

    for reason in plan.fill.missing:
        warnings.warn(KysoWarning(f"not written into the document: {reason}"), stacklevel=2)


def _add_kind_field(writer: Any, field_name: str, plan: Any) -> None:
    from pyhanko.sign import fields

    spec = fields.SigFieldSpec(field_name, on_page=plan.page, box=plan.box, combine_annotation=plan.widgets == 1)
    try:
        fields.append_signature_field(writer, spec)
    except Exception as exc:
        raise UsageError(f"cannot add signature field {field_name!r}: {exc}") from None


def _fresh_field_name(reader: Any) -> str:
    from pyhanko.sign.fields import enumerate_sig_fields

    try:
        taken = {name for name, _, _ in enumerate_sig_fields(reader)}
    except Exception as exc:
        raise InputError(f"damaged PDF: the form fields cannot be read ({exc.__class__.__name__})") from None
    number = 1
    while f"Signature{number}" in taken:
        number += 1
    return f"Signature{number}"


def _add_visible_field(writer: Any, reader: Any, field_name: str, request: SignRequest) -> None:
    from pyhanko.sign import fields

    from kyso.pdf.appearance.geometry import geometry, page_count

    if request.box is None or request.page is None:
        raise UsageError("a visible signature needs both --page and --box")
    pages = page_count(reader)
    if not 1 <= request.page <= pages:
        raise UsageError(f"page {request.page} does not exist (the document has {pages} pages)")
    x1, y1, x2, y2 = request.box
    if x2 <= x1 or y2 <= y1:
        raise UsageError("--box must be x1,y1,x2,y2 with x1 < x2 and y1 < y2 (PDF points, origin bottom-left)")
    page = geometry(reader, request.page - 1)  # media box and crop box may be inherited from the page tree
    if not page.contains((x1, y1, x2, y2)):
        raise UsageError(f"--box {request.box} lies outside page {request.page} ({list(page.media_box)})")
    try:
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(field_name, on_page=request.page - 1, box=(x1, y1, x2, y2)),  # type: ignore[arg-type]
        )
    except Exception as exc:
        raise UsageError(f"cannot add signature field {field_name!r}: {exc}") from None


def _stamp_style() -> Any:
    """A plain visible box: who signed and when, in the bundled Vietnamese-capable serif font."""
    from pyhanko import stamp
    from pyhanko.pdf_utils.text import TextBoxStyle

    from kyso.fonts import glyph_accumulator_factory, serif_regular

    return stamp.TextStampStyle(
        stamp_text="Ký bởi: %(signer_name)s\nThời gian: %(signing_time)s",
        text_box_style=TextBoxStyle(font=glyph_accumulator_factory(serif_regular()), font_size=9),
        border_width=1,
    )


def _stamp_text(request: SignRequest) -> dict[str, str]:

    from kyso.certs.identity import identity_of
    from kyso.core.models import VIETNAM_TIME

    who = identity_of(parse_certificate(request.signer.certificate))
    now = datetime.now(VIETNAM_TIME).replace(microsecond=0)
    return {"signer_name": who.common_name or who.subject or "", "signing_time": now.isoformat()}


def _timestamper(request: SignRequest) -> Any:
    return bounded_timestamper(request.tsa or "", _budget(request))


def _budget(request: SignRequest) -> NetworkBudget:
    return request.budget if request.budget is not None else NetworkBudget(request.timeout)


def bounded_timestamper(url: str, budget: NetworkBudget) -> Any:
    """pyHanko's RFC 3161 client with its HTTP request made by :func:`kyso.certs.fetching.bounded_fetch`: within
    the signing's network budget (a TSA trickling its answer cannot hold the signing), 1 MB at most, http(s) only
    and bounded redirects (Kyso rule, bounded fetching)."""
    import asyncio

    from asn1crypto import tsp
    from pyhanko.sign.timestamps import TimeStamper, TimestampRequestError
    from pyhanko.sign.timestamps.common_utils import set_tsp_headers

    from kyso.certs.fetching import bounded_fetch

    class BoundedTimeStamper(TimeStamper):
        async def async_request_tsa_response(self, req: Any) -> Any:
            def post() -> Any:
                try:
                    answer = bounded_fetch(
                        url,
                        budget=budget,
                        what="time-stamp",
                        max_bytes=budget.max_answer_bytes,
                        method="POST",
                        data=req.dump(),
                        headers=set_tsp_headers({}),
                    )
                except Exception as exc:  # cut off, refused, unreachable: say why, never the server's body
                    raise TimestampRequestError(str(exc) or exc.__class__.__name__) from None
                content_type = answer.headers.get("Content-Type", "")
                if content_type.split(";")[0].strip().lower() != "application/timestamp-reply":
                    raise TimestampRequestError(
                        f"the answer is not a time-stamp reply (Content-Type {content_type[:60]!r})"
                    )
                return tsp.TimeStampResp.load(answer.content)

            return await asyncio.to_thread(post)

    return BoundedTimeStamper()


def _reserve(request: SignRequest) -> int:
    """Bytes (hex digits) to reserve for the CMS of ``request``: certificates, signature, time-stamp token."""
    certificates = len(request.signer.certificate) + sum(len(c) for c in request.signer.chain)
    total = certificates + _SIGNATURE_OVERHEAD + (_TIMESTAMP_RESERVE if request.level is Level.B_T else 0)
    return 2 * total  # pyHanko counts the reserved space in hex digits, two per byte of CMS


def raise_signing_error(exc: Exception, request: SignRequest) -> None:
    """The typed error of an exception pyHanko raised while signing (time-stamp failures named as such)."""
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    if isinstance(exc, TimestampRequestError) or "timestamp" in exc.__class__.__name__.lower():
        raise TimestampError(f"time-stamping authority {request.tsa} failed: {_reason(exc)}", url=request.tsa) from None
    raise SigningError(f"signing failed: {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return text[:200]
