"""Open PDF bytes with pyHanko, turning its exceptions into Kyso's typed errors."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from kyso.core.errors import EncryptedDocumentError, InputError

PDF_MAGIC = b"%PDF-"


def looks_like_pdf(data: bytes) -> bool:
    """PDF header within the first 1024 bytes, as readers tolerate leading garbage."""
    return PDF_MAGIC in data[:1024]


def open_reader(data: bytes) -> Any:
    """A tolerant (non-strict) ``PdfFileReader``; raises :class:`InputError` when the file cannot be read."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
    except PdfError as exc:
        raise InputError(f"damaged PDF: {_short(exc)}") from None
    except Exception as exc:  # whatever a damaged file trips (zlib.error, an unsupported filter ...) is bad input
        raise InputError(f"damaged PDF: {exc.__class__.__name__}") from None
    _drop_null_encryption(reader)
    try:
        encrypted = reader.encrypted
    except Exception as exc:
        raise InputError(f"damaged PDF: unreadable encryption settings ({exc.__class__.__name__})") from None
    if encrypted:
        raise EncryptedDocumentError("the PDF is encrypted; decrypt it before signing or verifying")
    return reader


def _drop_null_encryption(reader: Any) -> None:
    """``/Encrypt null`` in a trailer means "not encrypted" (PDF 32000-1, 7.3.9); pyHanko reads it as broken
    encryption settings, so forget such entries (in memory only) before asking whether the file is encrypted."""
    from pyhanko.pdf_utils import generic

    for trailer in getattr(reader.trailer, "_trailer_revisions", ()):
        try:
            value = trailer.raw_get("/Encrypt")
        except KeyError:
            continue
        try:
            resolved = value.get_object() if isinstance(value, generic.IndirectObject) else value
        except Exception:
            continue
        if isinstance(resolved, generic.NullObject):
            del trailer["/Encrypt"]


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return text[:160]
