"""Small PDFs for the signature-kind tests: other page sizes, rotated pages, an attachment (phụ lục)."""

from __future__ import annotations

from kyso.testing.documents import pdf_with_pages


def text_pdf(
    lines: list[str] | None = None, *, size: tuple[float, float] = (595, 842), rotate: int = 0, pages: int = 1
) -> bytes:
    """Pages of ``size`` points with a few Helvetica lines from the top left, ``/Rotate`` set to ``rotate``."""
    contents = []
    for number in range(1, pages + 1):
        text = lines or [f"PHU LUC - page {number}", "Danh sach cac don vi"]
        body = " ".join(f"({line}) Tj T*" for line in text)
        contents.append(f"BT /F1 12 Tf 14 TL 72 {size[1] - 120} Td {body} ET".encode())
    return pdf_with_pages(contents, size=size, rotate=rotate)


def attachment_pdf() -> bytes:
    return text_pdf(["PHU LUC", "(Kem theo Cong van so 123/UBND-VX)"], pages=2)


def signer_block_pdf(*, rotate: int = 0, size: tuple[float, float] = (595, 842)) -> bytes:
    """One page whose content reads upright as displayed (drawn through the inverse of ``/Rotate``): a title
    "CHU TICH" and, 80 pt below, the name "Nguyen Van An", centred at 3/4 of the displayed width."""
    from kyso.pdf.appearance.geometry import PageGeometry

    width, height = size
    geom = PageGeometry(index=0, media_box=(0, 0, width, height), rotation=rotate)
    vw, vh = geom.visual_size
    x = vw * 0.75 - 40
    body = (
        b"q " + geom.appearance_matrix(width, height) + b" BT /F1 13 Tf "
        b"%.2f %.2f Td (CHU TICH) Tj 0 -80 Td (Nguyen Van An) Tj ET Q" % (x, vh * 0.4)
    )
    return pdf_with_pages([body], size=size, rotate=rotate)
