"""The bundled Vietnamese-capable serif font, the pyHanko glyph width fix, and the sample letter of ``kyso demo``.

Rendering checks use poppler-utils (``pdftoppm``, ``pdftotext``) and are skipped when those are not installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from io import BytesIO
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

from kyso.demo.letter import SampleLetter, sample_letter
from kyso.fonts import VIETNAMESE_LETTERS, glyph_accumulator_factory, missing_glyphs, serif_bold, serif_regular

needs_pdftoppm = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (Debian package poppler-utils) is not installed"
)
needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (Debian package poppler-utils) is not installed"
)

DPI = 150
PT = DPI / 72  # pixels per point
DARK = 128


@pytest.fixture(scope="module")
def letter() -> SampleLetter:
    return sample_letter()


def render(pdf: bytes, tmp_path: Path, dpi: int = DPI) -> Image.Image:
    """Page 1 of ``pdf`` in grey levels."""
    src = tmp_path / "in.pdf"
    src.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", "-singlefile", str(src), str(tmp_path / "page")],
        check=True,
    )
    return Image.open(tmp_path / "page.png").convert("L")


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    src = tmp_path / "in.pdf"
    src.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(src), "-"], check=True, capture_output=True)
    return out.stdout.decode("utf-8")


def dark_rows(image: Image.Image, x1: int, x2: int) -> list[int]:
    """Pixel rows with ink between columns ``x1`` and ``x2``."""
    mask = image.crop((x1, 0, x2, image.height)).point(lambda v: 255 if v < DARK else 0)
    return [y for y in range(image.height) if mask.crop((0, y, mask.width, y + 1)).getbbox()]


# --- the font ------------------------------------------------------------------------------------------------------


def test_vietnamese_letters_are_the_134_accented_letters():
    assert len(VIETNAMESE_LETTERS) == 134
    assert len(set(VIETNAMESE_LETTERS)) == 134
    lower, upper = VIETNAMESE_LETTERS[:67], VIETNAMESE_LETTERS[67:]
    assert lower.islower() and upper.isupper() and lower.upper() == upper
    assert all(unicodedata.normalize("NFC", ch) == ch for ch in VIETNAMESE_LETTERS)
    for letter in "ăâêôơưđàảãáạằẳẵắặềểễếệỳỷỹýỵừửữứự":
        assert letter in lower
    # all decompose into a base letter of the alphabet plus diacritics (đ is a letter of its own)
    bases = {unicodedata.normalize("NFD", ch)[0] for ch in lower if ch != "đ"}
    assert bases == set("aeiouy")


@pytest.mark.parametrize("font", [serif_regular, serif_bold], ids=["regular", "bold"])
def test_bundled_font_is_liberation_serif_2_covering_vietnamese(font):
    path = font()
    assert path.is_file() and path.suffix == ".ttf"
    assert missing_glyphs(path, VIETNAMESE_LETTERS) == ""
    assert missing_glyphs(path, VIETNAMESE_LETTERS.lower() + " ,.;:-/()0123456789") == ""
    with TTFont(path) as tt:
        assert tt["name"].getDebugName(1) == "Liberation Serif"
        assert 2 <= tt["head"].fontRevision < 3
        assert tt["head"].unitsPerEm == 2048  # not 1000: the case pyHanko gets wrong without the width fix


def test_missing_glyphs_lists_each_missing_character_once():
    assert missing_glyphs(serif_regular(), "Việt 中文 Nam 中") == "中文"


def test_font_license_is_bundled():
    text = (Path(serif_regular()).parent / "LICENSE-LiberationFonts.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in text
    assert "Reserved Font Name Liberation" in text


# --- the width fix -------------------------------------------------------------------------------------------------

LONG_LINE = "Cộng hòa xã hội chủ nghĩa Việt Nam - Độc lập - Tự do - Hạnh phúc - Nghệ An, ngày 22 tháng 11"


def one_line_pdf(font_path: Path, text: str, size: float, x: float = 36, y: float = 100) -> bytes:
    """One line of ``text`` on a page wide enough for it to be twice too wide (as without the width fix)."""
    writer = PdfFileWriter()
    engine = glyph_accumulator_factory(font_path, font_size=size).create_font_engine(writer)
    ops = b"BT /F1 %g Tf %g %g Td %s ET" % (size, x, y, engine.shape(text).graphics_ops)
    resources = generic.DictionaryObject(
        {generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): engine.as_resource()})}
    )
    writer.insert_page(
        PageObject(writer.add_object(generic.StreamObject(stream_data=ops)), (0, 0, 1300, 200), resources)
    )
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def font_metrics_width(font_path: Path, text: str, size: float) -> float:
    """Sum of the advance widths (hmtx) of the text's glyphs, without kerning, in points."""
    with TTFont(font_path) as tt:
        cmap, hmtx, upem = tt.getBestCmap(), tt["hmtx"], tt["head"].unitsPerEm
        return sum(hmtx[cmap[ord(ch)]][0] for ch in text) / upem * size


@needs_pdftoppm
@pytest.mark.parametrize("font", [serif_regular, serif_bold], ids=["regular", "bold"])
def test_rendered_line_width_matches_font_metrics(font, tmp_path):
    size = 13
    page = render(one_line_pdf(font(), LONG_LINE, size), tmp_path)
    x1, _, x2, _ = page.point(lambda v: 255 if v < DARK else 0).getbbox()
    rendered = (x2 - x1) / PT
    expected = font_metrics_width(font(), LONG_LINE, size)
    assert expected > 450
    # without the fix, glyphs advance by their width in 1/2048 em read as 1/1000 em: about 2x too wide (~1040 pt)
    assert rendered == pytest.approx(expected, rel=0.03)
    assert x1 / PT == pytest.approx(36, abs=2)  # starts where it was put: nothing clipped or shifted


def test_embedded_widths_are_in_pdf_glyph_space(letter):
    """The /W array of the embedded font is in 1/1000 em, as PDF requires (pyHanko alone writes font units)."""
    reader = PdfFileReader(BytesIO(letter.pdf))
    page = reader.root["/Pages"]["/Kids"][0]
    with TTFont(serif_regular()) as tt:
        hmtx, upem, order, ascent = tt["hmtx"], tt["head"].unitsPerEm, tt.getGlyphOrder(), tt["hhea"].ascent
    checked = 0
    fonts = page["/Resources"]["/Font"]
    for font in (fonts[name] for name in fonts):
        cid_font = font["/DescendantFonts"][0]
        if "Bold" in cid_font["/BaseFont"]:
            continue
        w = list(cid_font["/W"])
        for first, widths in zip(w[::2], w[1::2], strict=True):
            for cid, width in enumerate(widths, start=first):  # CID = glyph id (CIDToGIDMap /Identity)
                assert width == round(hmtx[order[cid]][0] * 1000 / upem)
                checked += 1
        descriptor = cid_font["/FontDescriptor"]
        assert descriptor["/Ascent"] == round(ascent * 1000 / upem)
    assert checked > 50


# --- the sample letter ---------------------------------------------------------------------------------------------


def test_letter_is_one_a4_page_with_embedded_liberation_serif(letter):
    assert isinstance(letter.pdf, bytes) and letter.pdf.startswith(b"%PDF-")
    reader = PdfFileReader(BytesIO(letter.pdf))
    assert reader.root["/Pages"]["/Count"] == 1
    page = reader.root["/Pages"]["/Kids"][0]
    assert [round(float(v)) for v in page["/MediaBox"]] == [0, 0, 595, 842]
    font_dict = page["/Resources"]["/Font"]
    fonts = [font_dict[name] for name in font_dict]
    assert len(fonts) == 2
    names = set()
    for font in fonts:
        assert font["/Subtype"] == "/Type0"
        cid_font = font["/DescendantFonts"][0]
        base = str(cid_font["/BaseFont"])
        assert re.fullmatch(r"/[A-Z]{6}\+LiberationSerif(-Bold)?", base), base  # subset prefix
        assert "/FontFile2" in cid_font["/FontDescriptor"]  # embedded TrueType program
        assert "/ToUnicode" in font
        names.add(base.split("+")[1])
    assert names == {"LiberationSerif", "LiberationSerif-Bold"}


def test_signature_box_is_in_the_signer_block(letter):
    x1, y1, x2, y2 = letter.signature_box
    assert x1 < x2 and y1 < y2
    assert 60 <= y2 - y1 <= 90  # room for the handwritten signature image
    assert 297 < x1 and x2 < 595 - 42  # right half, inside the right margin
    assert 56 < y1 and y2 < 842 / 2  # lower half, above the bottom margin


@needs_pdftotext
def test_letter_text_extracts_exactly(letter, tmp_path):
    text = pdftotext(letter.pdf, tmp_path)
    lines = [line.strip() for line in text.splitlines()]
    for expected in (
        "ỦY BAN NHÂN DÂN",
        "TỈNH NGHỆ AN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 123/UBND-VX",
        "Nghệ An, ngày 22 tháng 11 năm 2026",
        "V/v triển khai chữ ký số",
        "chuyên dùng Chính phủ",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Nguyễn Văn An",
        "Nơi nhận:",
        "TÀI LIỆU MẪU - DEMO",
    ):
        assert expected in lines, expected
    assert "Kính gửi:" in text
    assert "Chỉ thị số 02/CT-TTg" in text
    assert "chữ ký số chuyên dùng Chính phủ" in text


@needs_pdftotext
def test_letter_parameters_and_decomposed_input(tmp_path):
    letter = sample_letter(
        organization="Sở Khoa học và Công nghệ tỉnh Nghệ An",
        signer_title="Giám đốc",
        signer_name=unicodedata.normalize("NFD", "Trần Thị Ngọc Ánh"),
        number="45/SKHCN-CĐS",
        date_text="Vinh, ngày 01 tháng 12 năm 2026",
        authority=None,
    )
    lines = [line.strip() for line in pdftotext(letter.pdf, tmp_path).splitlines()]
    for expected in ("GIÁM ĐỐC", "Trần Thị Ngọc Ánh", "Số: 45/SKHCN-CĐS", "Vinh, ngày 01 tháng 12 năm 2026"):
        assert expected in lines, expected
    assert not any(line.startswith("TM.") for line in lines)
    assert " ".join(lines).count("SỞ KHOA HỌC VÀ CÔNG NGHỆ") == 1


@needs_pdftoppm
def test_signature_box_lies_between_title_and_name_ink(letter, tmp_path):
    page = render(letter.pdf, tmp_path)
    x1, y1, x2, y2 = letter.signature_box
    height = page.height / PT  # page height in points
    top_px, bottom_px = round((height - y2) * PT), round((height - y1) * PT)  # image rows grow downwards
    rows = dark_rows(page, round(x1 * PT), round(x2 * PT))
    assert not [r for r in rows if top_px <= r <= bottom_px], "ink inside the signature box"
    above = [r for r in rows if r < top_px]
    below = [r for r in rows if r > bottom_px]
    # the title's ink ends just above the box, the name's starts just below it
    assert top_px - max(above) <= 10 * PT
    assert min(below) - bottom_px <= 10 * PT
    # the name is one line of about 13 pt: its ink (accents included) is the next run of dark rows
    name_rows = [r for r in below if r - min(below) < 20 * PT]
    assert 8 * PT <= max(name_rows) - min(name_rows) <= 16 * PT


@needs_pdftoppm
def test_letter_diacritics_and_margins_render(letter, tmp_path):
    page = render(letter.pdf, tmp_path)
    x1, y1, x2, y2 = page.point(lambda v: 255 if v < DARK else 0).getbbox()
    # all ink inside the decree's margins (left 30 mm, right 15 mm, top 20 mm, bottom: the demo mark at 10 mm)
    mm = 72 / 25.4 * PT
    assert x1 >= 30 * mm - 2 and x2 <= page.width - 15 * mm + 2
    assert y1 >= 20 * mm - 12 * PT  # the first line's accents may rise above its cap height
    assert y2 <= page.height - 5 * mm
    # justified body: the right edge of the text block is straight (many lines end at the right margin)
    ends = []
    for row in range(round(page.height * 0.3), round(page.height * 0.55)):
        band = page.crop((0, row, page.width, row + 1)).point(lambda v: 255 if v < DARK else 0).getbbox()
        if band:
            ends.append(band[2])
    assert sum(1 for e in ends if abs(e - x2) <= 2 * PT) > 20
