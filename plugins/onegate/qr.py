"""The verification mark of a one-stop-shop result: a QR code linking to the platform's public verification page,
drawn on the first page before the agency signs (so the signature covers it), with the address as text beside it.

The QR code is drawn with pyHanko's QR stamp, which needs the ``qrcode`` package; without it the mark is the
address as text only (:data:`QR_AVAILABLE` says which).
"""

from __future__ import annotations

import importlib.util
from io import BytesIO

QR_AVAILABLE = importlib.util.find_spec("qrcode") is not None
MARK_WIDTH = 240
MARK_HEIGHT = 70
MARGIN = 28


def add_verification_mark(pdf: bytes, url: str) -> bytes:
    """``pdf`` with the verification mark at the bottom left of its first page (an incremental update)."""
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import QRStamp, QRStampStyle, TextStamp, TextStampStyle

    from kyso.core.errors import InputError
    from kyso.fonts import glyph_accumulator_factory, serif_regular

    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except Exception as exc:
        raise InputError(f"not a PDF the verification mark can be added to ({exc.__class__.__name__})") from None
    text = "Tra cứu kết quả / verify:\n%(url)s"
    font = TextBoxStyle(font=glyph_accumulator_factory(serif_regular()), font_size=8)  # Vietnamese letters
    box = layout.BoxConstraints(width=MARK_WIDTH, height=MARK_HEIGHT)
    style: TextStampStyle  # QRStampStyle is one
    stamp: TextStamp
    if QR_AVAILABLE:
        style = QRStampStyle(stamp_text=text, border_width=0, text_box_style=font)
        stamp = QRStamp(writer, url, style, text_params={"url": url}, box=box)
    else:
        style = TextStampStyle(stamp_text=text, border_width=0, text_box_style=font)
        stamp = TextStamp(writer, style, text_params={"url": url}, box=box)
    out = BytesIO()
    try:
        stamp.apply(0, MARGIN, MARGIN)
        writer.write(out)
    except Exception as exc:  # a PDF without pages, a broken page tree ...: that item fails, not the whole run
        raise InputError(f"the verification mark cannot be added to this PDF ({exc.__class__.__name__})") from None
    return out.getvalue()
