"""What a person sees: marks rendered with pdftoppm (72 dpi, one pixel per point) and their ink located."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from kinds_helpers import (  # noqa: F401 (fixtures)
    ink_bbox,
    letter_fixture,
    marks_fixture,
    needs_poppler,
    pdftotext,
    render,
    to_pixels,
)
from tests_support_pdf import signer_block_pdf, text_pdf

import kyso
from kyso.fonts import VIETNAMESE_LETTERS

pytestmark = needs_poppler

SEAL_PT = 36 / 25.4 * 72  # the sample seal: 36 mm at 300 dpi


def field_rects(pdf: bytes) -> dict[str, tuple[float, ...]]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    rects = {}
    for name, _value, ref in enumerate_sig_fields(PdfFileReader(BytesIO(pdf))):
        field = ref.get_object()
        widget = field if "/Rect" in field else field["/Kids"][0].get_object()
        rects[name] = tuple(float(v) for v in widget["/Rect"])
    return rects


@pytest.fixture(scope="module")
def issued(letter, marks, signer_for: Callable) -> bytes:
    approved = kyso.sign(
        letter.pdf, signer=signer_for("person"), kind="approval", image=marks["signature"], anchor="CHỦ TỊCH"
    )
    return kyso.sign(approved, signer=signer_for("organisation"), kind="issuance", seal=marks["seal"])


def test_approval_image_between_title_and_name(letter, marks, signer_for: Callable, tmp_path: Path) -> None:
    for anchor in ("CHỦ TỊCH", "Nguyễn Văn An"):
        signed = kyso.sign(
            letter.pdf, signer=signer_for("person"), kind="approval", image=marks["signature"], anchor=anchor
        )
        page = render(signed, tmp_path)
        blue = ink_bbox(page, "blue")
        assert blue is not None, "no signature ink"
        gap = to_pixels(letter.signature_box, page.height)  # the empty space between the title and the name
        assert gap[0] - 1 <= blue[0] and blue[2] <= gap[2] + 1, (blue, gap)
        assert gap[1] - 1 <= blue[1] and blue[3] <= gap[3] + 1, (blue, gap)
        assert blue[3] - blue[1] > 0.8 * (gap[3] - gap[1]), "the image should fill the height of the gap"
        rect = to_pixels(field_rects(signed)["Signature1"], page.height)
        # the ink spans the image (the scribble runs edge to edge): nothing clipped
        assert blue[0] - rect[0] < 4 and rect[2] - blue[2] < 4, (blue, rect)


def test_seal_real_size_overlapping_a_third_of_the_signature_on_its_left(issued: bytes, tmp_path: Path) -> None:
    page = render(issued, tmp_path)
    blue, red = ink_bbox(page, "blue"), ink_bbox(page, "red")
    assert blue is not None and red is not None
    assert red[2] - red[0] == pytest.approx(SEAL_PT, abs=3), "the seal is drawn at its real size"
    assert red[0] < blue[0] < red[2] < blue[2], "the seal is on the left and overlaps the signature"
    overlap = (red[2] - blue[0]) / (blue[2] - blue[0])
    assert overlap == pytest.approx(1 / 3, abs=0.06), overlap
    assert (red[1] + red[3]) / 2 == pytest.approx((blue[1] + blue[3]) / 2, abs=3), "centred on the signature"


def test_copy_mark_top_right_of_first_page(signed_pdf: bytes, signer_for: Callable, tmp_path: Path) -> None:
    copy = kyso.sign(
        signed_pdf, signer=signer_for("organisation"), kind="copy", copy_form="SAO LỤC", organization="Sở Nội vụ"
    )
    page = render(copy, tmp_path)
    rect = to_pixels(field_rects(copy)["Signature2"], page.height)
    assert rect[2] > page.width * 0.85 and rect[1] < 40, f"not in the top right corner: {rect}"
    ink = ink_bbox(page.crop(tuple(round(v) for v in rect)), "dark")
    assert ink is not None
    width, height = rect[2] - rect[0], rect[3] - rect[1]
    assert ink[0] >= 1 and ink[1] >= 1 and ink[2] <= width - 1 and ink[3] <= height - 1, "text clipped"
    text = pdftotext(copy, tmp_path)
    assert "SAO LỤC" in text and "Sở Nội vụ" in text and "+07:00" in text


@pytest.mark.parametrize(
    ("size", "rotate"),
    [((595, 842), 90), ((595, 842), 180), ((595, 842), 270), ((612, 792), 0), ((420, 595), 90), ((842, 595), 0)],
    ids=["A4-rot90", "A4-rot180", "A4-rot270", "Letter", "A5-rot90", "A4-landscape"],
)
def test_attachment_mark_top_right_upright_on_any_page(size, rotate, signer_for: Callable, tmp_path: Path) -> None:
    pdf = text_pdf(size=size, rotate=rotate)
    signed = kyso.sign(pdf, signer=signer_for("organisation"), kind="attachment", doc_number="123/UBND-VX")
    before, after = render(pdf, tmp_path), render(signed, tmp_path)
    from PIL import ImageChops

    changed = ImageChops.difference(before, after).convert("L").point(lambda v: 255 if v > 60 else 0).getbbox()
    assert changed is not None
    left, top, right, bottom = changed
    assert right > after.width * 0.8 and right < after.width - 20, (changed, after.size)  # right, inside the edge
    assert top < 40, (changed, after.size)  # top
    assert right - left > 2 * (bottom - top), "the text reads upright (wide, not tall)"
    assert kyso.verify(signed, revocation="off").signatures[0].kind == "attachment"


def test_issuance_with_explicit_box_on_a_letter_page(marks, signer_for: Callable, tmp_path: Path) -> None:
    pdf = text_pdf(size=(612, 792))
    box = (300.0, 100.0, 500.0, 300.0)
    signed = kyso.sign(pdf, signer=signer_for("organisation"), kind="issuance", seal=marks["seal"], page=1, box=box)
    page = render(signed, tmp_path)
    red = ink_bbox(page, "red")
    assert red is not None
    inside = to_pixels(box, page.height)
    assert inside[0] <= red[0] and red[2] <= inside[2] and inside[1] <= red[1] and red[3] <= inside[3]
    assert red[2] - red[0] == pytest.approx(SEAL_PT, abs=3)


def test_all_vietnamese_letters_in_the_embedded_subset(signer_for: Callable, tmp_path: Path) -> None:
    from fontTools.ttLib import TTFont

    words = [VIETNAMESE_LETTERS[i : i + 12] for i in range(0, len(VIETNAMESE_LETTERS), 12)]
    meta = [f"Dòng {n}={' '.join(words[n * 2 : n * 2 + 2])}" for n in range((len(words) + 1) // 2)]
    signed = kyso.sign(text_pdf(), signer=signer_for("organisation"), kind="income", meta=meta)
    programs = embedded_font_programs(signed)
    assert len(programs) == 1
    with TTFont(BytesIO(programs[0])) as font:
        cmap = font.getBestCmap()
        glyf = font["glyf"]
        for letter in VIETNAMESE_LETTERS:
            assert ord(letter) in cmap, f"{letter} missing from the subset"
            assert glyf[cmap[ord(letter)]].numberOfContours != 0, f"{letter} has no outline"
    assert len(programs[0]) < 60_000, "the subset holds what the mark uses, not the whole font"
    text = "".join(pdftotext(signed, tmp_path).split())
    for word in words:
        assert word in text
    page = render(signed, tmp_path)
    rect = to_pixels(field_rects(signed)["Signature1"], page.height)
    ink = ink_bbox(page.crop(tuple(round(v) for v in rect)), "dark")
    assert ink is not None and ink[2] <= rect[2] - rect[0] + 1 and ink[3] <= rect[3] - rect[1] + 1


def embedded_font_programs(pdf: bytes) -> list[bytes]:
    """Decoded /FontFile2 programs reachable from the signature widgets' appearances."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(pdf))
    found: dict[int, bytes] = {}
    seen: set[int] = set()

    def walk(obj, depth=0):
        if depth > 12:
            return
        if isinstance(obj, generic.IndirectObject):
            if obj.idnum in seen:
                return
            seen.add(obj.idnum)
            resolved = obj.get_object()
            if isinstance(resolved, generic.StreamObject) and depth and "/Length1" in resolved:
                found[obj.idnum] = resolved.data
            obj = resolved
        if isinstance(obj, generic.DictionaryObject):
            for key, value in obj.items() if not hasattr(obj, "raw_get") else ((k, obj.raw_get(k)) for k in obj):
                if key not in ("/Parent", "/P"):
                    walk(value, depth + 1)
        elif isinstance(obj, generic.ArrayObject):
            for value in obj:
                walk(value, depth + 1)

    for annot in reader.root["/Pages"]["/Kids"][0].get_object().get("/Annots", []):
        walk(annot.get_object().raw_get("/AP"))
    return list(found.values())


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_approval_and_seal_on_rotated_pages(rotate, marks, signer_for: Callable, tmp_path: Path) -> None:
    """Placement is computed on the page as displayed: the seal is on the displayed left of the signature."""
    pdf = signer_block_pdf(rotate=rotate)
    approved = kyso.sign(pdf, signer=signer_for("person"), kind="approval", image=marks["signature"], anchor="chu tich")
    issued = kyso.sign(approved, signer=signer_for("organisation"), kind="issuance", seal=marks["seal"])
    page = render(issued, tmp_path)
    blue, red = ink_bbox(page, "blue"), ink_bbox(page, "red")
    assert blue is not None and red is not None
    assert blue[2] - blue[0] > 1.5 * (blue[3] - blue[1]), "the signature reads upright (wider than tall)"
    overlap = (red[2] - blue[0]) / (blue[2] - blue[0])
    assert overlap == pytest.approx(1 / 3, abs=0.06), (rotate, blue, red)
    assert red[2] - red[0] == pytest.approx(SEAL_PT, abs=3)
    dark = ink_bbox(page, "dark")
    assert dark is not None
    report = kyso.verify(issued, revocation="off")
    assert [s.kind for s in report.signatures] == ["approval", "issuance"]


def test_text_width_right_whatever_units_per_em(signed_pdf: bytes, signer_for: Callable, tmp_path: Path) -> None:
    """The mark's text is as wide as the font's metrics say, for Liberation Serif (2048 units per em) and for the
    same font rescaled to 1000 units per em passed with ``font``: no letter spreading (the pyHanko pitfall)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    from kyso.fonts import serif_regular
    from kyso.pdf.appearance.fonts import font_for

    organisation = "Văn phòng Ủy ban nhân dân tỉnh Nghệ An"
    rescaled = tmp_path / "serif-1000.ttf"
    with TTFont(serif_regular()) as font:
        subsetter = subset.Subsetter(subset.Options(drop_tables=["FFTM"], layout_features=[]))
        subsetter.populate(text=organisation + "SAO Y0123456789:+-T/., ")
        subsetter.subset(font)  # a small font rescales fast
        scale_upem(font, 1000)
        font.save(rescaled)
    widths = []
    for font_path in (None, rescaled):
        signed = kyso.sign(
            signed_pdf, signer=signer_for("organisation"), kind="copy", copy_form="SAO Y",
            organization=organisation, font=font_path,
        )  # fmt: skip
        page = render(signed, tmp_path, dpi=144)
        rect = [v * 2 for v in to_pixels(field_rects(signed)["Signature2"], page.height / 2)]
        row = page.crop((round(rect[0]), round(rect[1]) + 24, round(rect[2]), round(rect[1]) + 48))  # line 2
        ink = ink_bbox(row, "dark")
        assert ink is not None
        widths.append((ink[2] - ink[0]) / 2)
        expected = font_for(font_path, organisation).width(organisation, 10)
        assert widths[-1] == pytest.approx(expected, rel=0.04), (font_path, widths[-1], expected)
    assert widths[0] == pytest.approx(widths[1], rel=0.02)
