"""Issue 16, item 5: the attachment and copy marks go on blank space at the top right, never over the page's text
or an earlier mark; a second mark of the same kind lands beside the first; a page with no blank space there is
refused with a message saying so (``--page`` / ``--box`` place the mark by hand)."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from kinds_helpers import ink_bbox, letter_fixture, marks_fixture, needs_poppler, render  # noqa: F401 - fixtures
from tests_support_pdf import attachment_pdf

import kyso
from kyso.testing.documents import pdf_with_pages

Rect = tuple[float, float, float, float]


def overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]


def text_boxes(pdf: bytes) -> list[Rect]:
    """Where the page's text is (visual = user space on an unrotated page), read as Kyso's anchor search reads it."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    from kyso.pdf.appearance.geometry import geometry
    from kyso.pdf.appearance.text import page_lines

    reader = PdfFileReader(BytesIO(pdf))
    return [line.bbox for line in page_lines(reader, geometry(reader, 0))]


def mark_rects(pdf: bytes) -> list[Rect]:
    """Rectangles of the visible signature widgets of page 1, in signing order."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    page = PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Kids"][0]
    rects = [tuple(float(v) for v in a.get_object()["/Rect"]) for a in page.get("/Annots", [])]
    return [r for r in rects if r[2] - r[0] > 1]  # type: ignore[misc]


@pytest.fixture(scope="module")
def two_copies(letter, signer_for: Callable) -> bytes:
    """The sample letter (its heading fills the top right) copied twice: SAO Y, then SAO LỤC."""
    once = kyso.sign(letter.pdf, signer=signer_for("organisation"), kind="copy", copy_form="SAO Y",
                     organization="Văn phòng UBND tỉnh")
    return kyso.sign(once, signer=signer_for("organisation"), kind="copy", copy_form="SAO LỤC",
                     organization="Sở Nội vụ")


def test_copy_marks_cover_no_text_and_no_mark(two_copies: bytes, letter) -> None:
    first, second = mark_rects(two_copies)
    assert not overlaps(first, second), (first, second)
    for mark in (first, second):
        covered = [box for box in text_boxes(letter.pdf) if overlaps(mark, box)]
        assert not covered, (mark, covered)
        assert mark[1] > 842 * 2 / 3  # still in the top third
        assert mark[0] > 595 * 0.4  # and on the right


def test_the_second_mark_lands_beside_the_first(two_copies: bytes) -> None:
    first, second = mark_rects(two_copies)
    assert second[2] <= first[0]  # to its left
    assert abs(second[3] - first[3]) < 1  # on the same row


def test_two_attachment_marks_side_by_side(signer_for: Callable, pki) -> None:
    signer = signer_for("organisation")
    once = kyso.sign(attachment_pdf(), signer=signer, kind="attachment", doc_number="123/UBND-VX")
    twice = kyso.sign(once, signer=signer, kind="attachment", doc_number="45/SNV-TCBC")
    first, second = mark_rects(twice)
    assert second[2] <= first[0] and abs(second[3] - first[3]) < 1
    assert kyso.verify(twice, trust=[pki.root_cert], revocation="off").indication == "TOTAL_PASSED"


def test_a_full_top_right_is_refused_with_a_reason(signer_for: Callable, unsigned_pdf: bytes) -> None:
    """Text over the whole top third of the page: no blank space for the mark, and the signer is told so."""
    rows = " ".join("(" + "Noi dung van ban " * 8 + ") Tj T*" for _ in range(30))
    full = pdf_with_pages([f"BT /F1 11 Tf 11 TL 20 830 Td {rows} ET".encode()])
    with pytest.raises(kyso.InputError, match="no blank space for the attachment mark") as caught:
        kyso.sign(full, signer=signer_for("organisation"), kind="attachment", doc_number="1/UBND")
    assert "--box" in caught.value.diagnostics("vi") and "không còn chỗ trống" in caught.value.diagnostics("vi")
    placed = kyso.sign(full, signer=signer_for("organisation"), kind="attachment", doc_number="1/UBND", page=1,
                       box=(400, 20, 580, 80))  # by hand, where the signer chose
    assert mark_rects(placed) == [(400.0, 20.0, 580.0, 80.0)]


@needs_poppler
def test_rendered_copies_are_readable(two_copies: bytes, tmp_path: Path) -> None:
    """Look at it: ``tmp_path/page.png``. Two marks at the top, ink apart from the heading's ink."""
    image = render(two_copies, tmp_path, dpi=72)
    first, second = mark_rects(two_copies)
    height = image.height
    for x1, y1, x2, y2 in (first, second):
        crop = image.crop((int(x1), int(height - y2), int(x2), int(height - y1)))
        assert ink_bbox(crop, "dark") is not None  # the mark's text is drawn
