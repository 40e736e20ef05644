"""Small PDFs for the signature-kind tests: other page sizes, rotated pages, an attachment (phụ lục)."""

from __future__ import annotations

from io import BytesIO


def text_pdf(
    lines: list[str] | None = None, *, size: tuple[float, float] = (595, 842), rotate: int = 0, pages: int = 1
) -> bytes:
    """Pages of ``size`` points with a few Helvetica lines from the top left, ``/Rotate`` set to ``rotate``."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    name = generic.NameObject
    writer = PdfFileWriter()
    font = writer.add_object(
        generic.DictionaryObject(
            {name("/Type"): name("/Font"), name("/Subtype"): name("/Type1"), name("/BaseFont"): name("/Helvetica")}
        )
    )
    width, height = size
    for number in range(1, pages + 1):
        text = lines or [f"PHU LUC - page {number}", "Danh sach cac don vi"]
        body = " ".join(f"({line}) Tj T*" for line in text)
        stream = generic.StreamObject(stream_data=f"BT /F1 12 Tf 14 TL 72 {height - 120} Td {body} ET".encode())
        page = generic.DictionaryObject(
            {
                name("/Type"): name("/Page"),
                name("/MediaBox"): generic.ArrayObject(map(generic.FloatObject, (0, 0, width, height))),
                name("/Contents"): writer.add_object(stream),
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


def attachment_pdf() -> bytes:
    return text_pdf(["PHU LUC", "(Kem theo Cong van so 123/UBND-VX)"], pages=2)


def signer_block_pdf(*, rotate: int = 0, size: tuple[float, float] = (595, 842)) -> bytes:
    """One page whose content reads upright as displayed (drawn through the inverse of ``/Rotate``): a title
    "CHU TICH" and, 80 pt below, the name "Nguyen Van An", centred at 3/4 of the displayed width."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    from kyso.pdf.appearance.geometry import PageGeometry

    name = generic.NameObject
    width, height = size
    geom = PageGeometry(index=0, media_box=(0, 0, width, height), rotation=rotate)
    vw, vh = geom.visual_size
    x = vw * 0.75 - 40
    body = (
        b"q " + geom.appearance_matrix(width, height) + b" BT /F1 13 Tf "
        b"%.2f %.2f Td (CHU TICH) Tj 0 -80 Td (Nguyen Van An) Tj ET Q" % (x, vh * 0.4)
    )
    writer = PdfFileWriter()
    font = writer.add_object(
        generic.DictionaryObject(
            {name("/Type"): name("/Font"), name("/Subtype"): name("/Type1"), name("/BaseFont"): name("/Helvetica")}
        )
    )
    page = generic.DictionaryObject(
        {
            name("/Type"): name("/Page"),
            name("/MediaBox"): generic.ArrayObject(map(generic.FloatObject, (0, 0, width, height))),
            name("/Rotate"): generic.NumberObject(rotate),
            name("/Contents"): writer.add_object(generic.StreamObject(stream_data=body)),
            name("/Resources"): generic.DictionaryObject(
                {name("/Font"): generic.DictionaryObject({name("/F1"): font})}
            ),
        }
    )
    writer.insert_page(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
