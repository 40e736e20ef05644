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

    _check_tail(data)
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


_TAIL = 16 * 1024
"""Bytes at the end of a file within which the ``startxref`` pointer and the ``%%EOF`` marker must be found."""


class _Tail(BytesIO):
    """The end of a file, remembering the lowest position read."""

    lowest = 1 << 62

    def read(self, size: int | None = -1) -> bytes:
        self.lowest = min(self.lowest, self.tell())
        return super().read(size)

    @property
    def reached_start(self) -> bool:
        return self.lowest == 0 or self.tell() == 0


def _check_tail(data: bytes) -> None:
    """Refuse a file whose end pyHanko would read for minutes: :class:`InputError`.

    pyHanko finds ``%%EOF`` and ``startxref`` by reading lines backwards one byte at a time (about 1 µs per byte),
    each line up to the previous line break: 200 MB of zeros after ``%PDF-`` took minutes before "EOF marker not
    found". The same search is run here on the last 16 KiB only; whatever it decides there it would decide on the
    whole file, except that a line reaching past those 16 KiB (no PDF has one at its end) is refused at once."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import process_data_at_eof

    if len(data) <= _TAIL:
        return
    tail = _Tail(b"\x00" + data[-_TAIL:])  # a sentinel before the tail: reading it means reading past the tail
    tail.seek(-1, 2)
    try:
        startxref = process_data_at_eof(tail)
    except PdfReadError as exc:
        if tail.reached_start:
            raise InputError("not a PDF file: no startxref and %%EOF at the end of the file") from None
        raise InputError(f"damaged PDF: {_short(exc)}") from None
    except Exception as exc:
        raise InputError(f"damaged PDF: {exc.__class__.__name__}") from None
    if tail.reached_start:
        raise InputError("not a PDF file: no startxref and %%EOF at the end of the file")
    # pyHanko then skips whitespace from the startxref offset on, again a byte at a time (and NUL is whitespace):
    # the cross-reference section must follow within the same 16 KiB
    window = data[startxref : startxref + _TAIL]
    if len(window) >= _TAIL and not window.strip(_PDF_WHITESPACE):
        raise InputError("not a PDF file: there is no cross-reference section where startxref points")


_PDF_WHITESPACE = b"\x00\t\n\x0c\r "


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


def stream_data(stream: Any, limit: int) -> bytes:
    """The decoded data of a PDF stream, never more than ``limit`` bytes: :class:`InputError` beyond.

    pyHanko bounds each stream only at 256 MiB (and 1100 times its encoded size), which a 191 KB page reaches;
    callers that only need a page's text or an appearance's emptiness set their own, much lower bound. Each filter
    stops as soon as its output passes the limit (Deflate decompresses incrementally), and the result is not cached
    on the stream, so that nothing large outlives the caller."""
    from pyhanko.pdf_utils.misc import PdfDecodeLimitError

    cached = getattr(stream, "_data", None)
    if cached is not None:
        data = cached
    else:
        data = stream.encoded_data
        try:
            for decoder, params in stream._stream_decoders():
                data = decoder.decode_bounded(data, params, limit)
        except PdfDecodeLimitError:
            raise InputError(f"a PDF stream decodes to more than {limit} bytes") from None
    if len(data) > limit:
        raise InputError(f"a PDF stream decodes to more than {limit} bytes")
    return data
