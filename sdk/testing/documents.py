"""Small valid PDFs for tests and benchmarks: pages that draw a given content stream with Helvetica as ``/F1``.

Imports pyHanko when called, not when imported (``kyso.testing`` loads with the pytest plugin).
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import Any


def pdf_with_pages(
    contents: Sequence[bytes | Any], *, size: tuple[float, float] = (595, 842), rotate: int = 0
) -> bytes:
    """A PDF with one page per item of ``contents``: content-stream bytes, or a pyHanko ``StreamObject`` (the
    same object given for several pages is written once). Pages are ``size`` points (A4 by default) with
    ``/Rotate`` set when ``rotate`` is not 0; the standard font Helvetica is resource ``/F1``."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    name = generic.NameObject
    writer = PdfFileWriter()
    font = writer.add_object(
        generic.DictionaryObject(
            {name("/Type"): name("/Font"), name("/Subtype"): name("/Type1"), name("/BaseFont"): name("/Helvetica")}
        )
    )
    media_box = generic.ArrayObject(
        generic.NumberObject(v) if isinstance(v, int) else generic.FloatObject(v) for v in (0, 0, *size)
    )
    written: dict[int, Any] = {}
    for content in contents:
        stream = generic.StreamObject(stream_data=content) if isinstance(content, bytes) else content
        if id(stream) not in written:
            written[id(stream)] = writer.add_object(stream)
        page = generic.DictionaryObject(
            {
                name("/Type"): name("/Page"),
                name("/MediaBox"): media_box,
                name("/Contents"): written[id(stream)],
                name("/Resources"): generic.DictionaryObject(
                    {name("/Font"): generic.DictionaryObject({name("/F1"): font})}
                ),
            }
        )
        if rotate:
            page[name("/Rotate")] = generic.NumberObject(rotate)
        writer.insert_page(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
