"""Marks land on the page as a reader shows it: the media box clipped by the /CropBox."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

import pytest
from tests_support_pdf import text_pdf

import kyso

CROP = (0.0, 0.0, 595.0, 842.0)
"""A4 shown from a Legal-sized media box (612 x 1008), as scanners and some office suites write pages."""


def _cropped_pdf() -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(text_pdf(size=(612, 1008))))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page[generic.NameObject("/CropBox")] = generic.ArrayObject(map(generic.FloatObject, CROP))
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _widget_rect(pdf: bytes) -> tuple[float, ...]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    ((_, _, field),) = list(enumerate_sig_fields(PdfFileReader(BytesIO(pdf))))
    return tuple(float(v) for v in field.get_object()["/Rect"])


@pytest.mark.parametrize(
    "options",
    [
        {"kind": "copy", "copy_form": "SAO Y", "organization": "Văn phòng UBND tỉnh"},
        {"kind": "attachment", "doc_number": "123/UBND-VX"},
        {"kind": "income", "organization": "Sở Nội vụ"},
    ],
)
def test_corner_marks_stay_inside_the_crop_box(signer_for: Callable, options: dict[str, str]) -> None:
    signed = kyso.sign(_cropped_pdf(), signer=signer_for("organisation"), **options)
    x1, y1, x2, y2 = _widget_rect(signed)
    assert CROP[0] <= x1 < x2 <= CROP[2] and CROP[1] <= y1 < y2 <= CROP[3], (x1, y1, x2, y2)


def test_a_box_in_the_cropped_away_area_is_refused(signer_for: Callable) -> None:
    with pytest.raises(kyso.UsageError, match="outside"):
        kyso.sign(_cropped_pdf(), signer=signer_for("person"), page=1, box=(100, 900, 300, 980))
