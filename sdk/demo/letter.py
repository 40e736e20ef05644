"""A sample official letter (công văn) for ``kyso demo``, laid out after Nghị định 30/2020/NĐ-CP, Phụ lục I.

One A4 page, set in the bundled Liberation Serif (metric-compatible with Times New Roman) with embedded subsets,
built with pyHanko's PDF writer and HarfBuzz shaping (through :func:`kyso.fonts.glyph_accumulator_factory`, which fixes
pyHanko's glyph widths for this 2048-units-per-em font). The layout follows the decree's Phụ lục I: margins
30/15/20/20 mm; organisation name (bold capitals, short rule under it) and number on the left, national motto
(bold, the slogan ruled at its full length) and the place and date (italic, here a synthetic slant) on the right;
"V/v" subject under the number; "Kính gửi:" size 14; body size 13, justified, first lines indented 1.27 cm;
"Nơi nhận:" bottom left; signer block bottom right with room for the approval signature image between the signer's
title and name (:attr:`SampleLetter.signature_box`). Every page is marked as a demo document.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

from kyso.fonts import glyph_accumulator_factory, serif_bold, serif_regular

__all__ = ["SampleLetter", "sample_letter"]

_MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 210 * _MM, 297 * _MM  # A4
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 30 * _MM, 15 * _MM, 20 * _MM, 20 * _MM
TEXT_LEFT, TEXT_RIGHT = MARGIN_LEFT, PAGE_WIDTH - MARGIN_RIGHT
HEADER_SPLIT = TEXT_LEFT + 190  # left header column (organisation, number) | right column (motto, place and date)
SIGNATURE_HEIGHT = 70.0
SIGNATURE_WIDTH = 170.0
DEMO_MARK = "TÀI LIỆU MẪU - DEMO"
_SLANT = 0.2  # shear of the synthetic italic

SUBJECT = "V/v triển khai chữ ký số chuyên dùng Chính phủ"
RECIPIENTS = ("Các sở, ban, ngành cấp tỉnh;", "Ủy ban nhân dân các xã, phường.")
BODY = (
    "Thực hiện Chỉ thị số 02/CT-TTg ngày 23 tháng 01 năm 2019 của Thủ tướng Chính phủ về tăng cường sử dụng chữ ký "
    "số chuyên dùng Chính phủ trong hoạt động của cơ quan nhà nước các cấp, Ủy ban nhân dân tỉnh đề nghị các sở, "
    "ban, ngành cấp tỉnh và Ủy ban nhân dân các xã, phường thực hiện một số nội dung sau:",
    "1. Sử dụng chữ ký số chuyên dùng Chính phủ để ký số các văn bản điện tử gửi, nhận qua Hệ thống quản lý văn bản "
    "và điều hành; văn bản điện tử đã được ký số theo quy định có giá trị pháp lý như văn bản giấy, không gửi kèm "
    "bản giấy, trừ văn bản mật theo quy định của pháp luật về bảo vệ bí mật nhà nước.",
    "2. Rà soát, lập danh sách cán bộ, công chức, viên chức cần cấp chứng thư chữ ký số, gửi về Sở Khoa học và Công "
    "nghệ trước ngày 15 tháng 12 năm 2026 để tổng hợp, đề nghị Ban Cơ yếu Chính phủ cấp; giao văn thư cơ quan quản "
    "lý, sử dụng chứng thư chữ ký số của cơ quan, tổ chức để ký số văn bản phát hành đúng quy định.",
    "Ủy ban nhân dân tỉnh yêu cầu Thủ trưởng các cơ quan, đơn vị, địa phương triển khai thực hiện nghiêm túc các "
    "nội dung trên./.",
)
DISTRIBUTION = (
    "Như trên;",
    "Chủ tịch, các PCT UBND tỉnh;",
    "Ban Cơ yếu Chính phủ (để b/c);",
    "Sở Khoa học và Công nghệ;",
    "Lưu: VT, VX.",
)


@dataclass(frozen=True)
class SampleLetter:
    """The sample letter and where its approval signature goes."""

    pdf: bytes
    """A one-page A4 PDF, unsigned."""

    signature_box: tuple[float, float, float, float]
    """``(x1, y1, x2, y2)`` in PDF points (origin bottom left) on page 1: the empty space between the signer's title
    and full name, where the approval signature image is placed (pyHanko's ``SigFieldSpec.box`` convention)."""


class _Font:
    """One embedded font subset: measuring, showing and ink extents of strings."""

    def __init__(self, writer: PdfFileWriter, path, resource_name: str):
        self.engine = glyph_accumulator_factory(path).create_font_engine(writer)
        self.resource_name = resource_name

    def width(self, text: str, size: float) -> float:
        return self._shape(text, size).x_advance * size

    def _shape(self, text: str, size: float):
        self.engine.font_size = size  # type: ignore[assignment]  # a float works; the Td that pyHanko emits after a shaped run is in user space
        return self.engine.shape(text)

    def ink(self, text: str, size: float) -> tuple[float, float]:
        """``(lowest, highest)`` y of the glyphs' ink relative to the baseline, in points (diacritics included)."""
        import uharfbuzz as hb

        hb_font = self.engine.hb_font  # type: ignore[attr-defined]  # scaled to 1000 units per em by kyso.fonts
        buf = hb.Buffer()
        buf.add_str(text)
        buf.guess_segment_properties()
        hb.shape(hb_font, buf)
        low, high = 0.0, 0.0
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
            ext = hb_font.get_glyph_extents(info.codepoint)
            if ext is None or ext.height == 0:
                continue
            top = pos.y_offset + ext.y_bearing
            low, high = min(low, top + ext.height), max(high, top)
        return low / 1000 * size, high / 1000 * size


class _Canvas:
    """Content stream under construction; ``y`` arguments are baselines measured from the top of the page."""

    def __init__(self) -> None:
        self.ops: list[bytes] = []

    def text(self, font: _Font, size: float, x: float, y: float, text: str, *, slant: float = 0.0) -> None:
        ops = font._shape(text, size).graphics_ops
        self.ops.append(
            b"BT /%s %g Tf 1 0 %g 1 %.2f %.2f Tm %s ET"
            % (font.resource_name.encode("ascii"), size, slant, x, PAGE_HEIGHT - y, ops)
        )

    def words(self, font: _Font, size: float, x: float, y: float, words: Sequence[str], gap: float) -> None:
        """Words from ``x`` on, ``gap`` points apart (each shaped run leaves the text position at its end)."""
        parts = [b"BT /%s %g Tf %.2f %.2f Td" % (font.resource_name.encode("ascii"), size, x, PAGE_HEIGHT - y)]
        for i, word in enumerate(words):
            if i:
                parts.append(b"%.3f 0 Td" % gap)
            parts.append(font._shape(word, size).graphics_ops)
        parts.append(b"ET")
        self.ops.append(b" ".join(parts))

    def centred(self, font: _Font, size: float, centre: float, y: float, text: str, *, slant: float = 0.0) -> float:
        width = font.width(text, size)
        self.text(font, size, centre - width / 2, y, text, slant=slant)
        return width

    def rule(self, x1: float, x2: float, y: float, width: float = 0.6) -> None:
        self.ops.append(b"%g w %.2f %.2f m %.2f %.2f l S" % (width, x1, PAGE_HEIGHT - y, x2, PAGE_HEIGHT - y))

    def gray(self, level: float) -> None:
        self.ops.append(b"%g g" % level)


def _balanced_lines(font: _Font, size: float, text: str, max_width: float) -> list[str]:
    """``text`` on as few lines as fit ``max_width`` (at most two are balanced: the longer line is minimised)."""
    if font.width(text, size) <= max_width:
        return [text]
    words = text.split()
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    fitting = [s for s in splits if max(font.width(part, size) for part in s) <= max_width]
    if fitting:
        return list(min(fitting, key=lambda s: max(font.width(part, size) for part in s)))
    return _greedy_lines(font, size, words, max_width, max_width)


def _greedy_lines(font: _Font, size: float, words: Sequence[str], first: float, rest: float) -> list[str]:
    space = font.width(" ", size)
    lines: list[list[str]] = [[]]
    used = 0.0
    for word in words:
        w = font.width(word, size)
        limit = first if len(lines) == 1 else rest
        if lines[-1] and used + space + w > limit:
            lines.append([])
            used = 0.0
        used += (space if lines[-1] else 0.0) + w
        lines[-1].append(word)
    return [" ".join(line) for line in lines]


def _paragraph(canvas: _Canvas, font: _Font, size: float, y: float, text: str, *, leading: float) -> float:
    """A justified paragraph with an indented first line, first baseline at ``y``; returns the last baseline."""
    indent = 1.27 / 2.54 * 72
    width = TEXT_RIGHT - TEXT_LEFT
    space = font.width(" ", size)
    lines = _greedy_lines(font, size, text.split(), width - indent, width)
    for i, line in enumerate(lines):
        words = line.split()
        x = TEXT_LEFT + (indent if i == 0 else 0.0)
        gap = space
        if i < len(lines) - 1 and len(words) > 1:
            natural = sum(font.width(w, size) for w in words)
            gap = (TEXT_RIGHT - x - natural) / (len(words) - 1)
        canvas.words(font, size, x, y, words, gap)
        y += leading
    return y - leading


def sample_letter(
    *,
    organization: str = "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN",
    signer_title: str = "CHỦ TỊCH",
    signer_name: str = "Nguyễn Văn An",
    number: str = "123/UBND-VX",
    date_text: str = "Nghệ An, ngày 22 tháng 11 năm 2026",
    authority: str | None = "TM. ỦY BAN NHÂN DÂN",
) -> SampleLetter:
    """A one-page A4 sample công văn of ``organization``, signed for by ``signer_title`` ``signer_name``.

    ``authority`` is the line above the title (``TM.``/``KT.`` ...), ``None`` for none. The document is marked
    "TÀI LIỆU MẪU - DEMO" at the bottom of the page. Returns the PDF and the signature box of the approval signature.
    """
    # one precomposed code point per letter: one glyph each, and text extraction gives back the same strings
    organization, signer_title, signer_name, number, date_text = (
        unicodedata.normalize("NFC", s) for s in (organization, signer_title, signer_name, number, date_text)
    )
    authority = unicodedata.normalize("NFC", authority) if authority else None

    writer = PdfFileWriter()
    regular = _Font(writer, serif_regular(), "F1")
    bold = _Font(writer, serif_bold(), "F2")
    canvas = _Canvas()

    left_centre = (TEXT_LEFT + HEADER_SPLIT) / 2
    right_centre = (HEADER_SPLIT + TEXT_RIGHT) / 2

    # header, left: organisation (bold capitals, a rule of about 1/3 of its width under it), number, subject
    y = MARGIN_TOP + 12
    org_lines = _balanced_lines(bold, 13, organization.upper(), HEADER_SPLIT - TEXT_LEFT - 6)
    for i, line in enumerate(org_lines):
        canvas.centred(bold, 13, left_centre, y + i * 15, line)
    last = org_lines[-1]
    org_rule = bold.width(last, 13) * 0.4 / 2
    left_rule_y = y + (len(org_lines) - 1) * 15 - bold.ink(last, 13)[0] + 2.5
    canvas.rule(left_centre - org_rule, left_centre + org_rule, left_rule_y)

    # header, right: national motto, the slogan ruled at its full width
    canvas.centred(bold, 13, right_centre, y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    slogan_text = "Độc lập - Tự do - Hạnh phúc"
    slogan = canvas.centred(bold, 13, right_centre, y + 15, slogan_text)
    right_rule_y = y + 15 - bold.ink(slogan_text, 13)[0] + 2.5
    canvas.rule(right_centre - slogan / 2, right_centre + slogan / 2, right_rule_y)

    # number (left) and place/date (right, italic) share a baseline
    y = max(left_rule_y, right_rule_y) + 22
    canvas.centred(regular, 13, left_centre, y, f"Số: {number}")
    canvas.centred(regular, 13, right_centre, y, date_text, slant=_SLANT)
    y += 6 + 13
    for line in _balanced_lines(regular, 12, SUBJECT, HEADER_SPLIT - TEXT_LEFT - 4):
        canvas.centred(regular, 12, left_centre, y, line)
        y += 14

    # recipients: "Kính gửi:" and the list, centred as a block, size 14
    y += 22
    label = "Kính gửi:"
    label_width = regular.width(label + " ", 14)
    items = [f"- {r}" for r in RECIPIENTS]
    block = label_width + max(regular.width(item, 14) for item in items)
    x = (TEXT_LEFT + TEXT_RIGHT) / 2 - block / 2
    canvas.text(regular, 14, x, y, label)
    for i, item in enumerate(items):
        canvas.text(regular, 14, x + label_width, y + i * 17, item)
    y += (len(items) - 1) * 17 + 28

    # body: size 13, justified, line spacing about 1.2, 6 pt between paragraphs
    for paragraph in BODY:
        y = _paragraph(canvas, regular, 13, y, paragraph, leading=16) + 16 + 6

    # distribution list (left) and signer block (right) start on the same line
    y += 8
    canvas.text(bold, 12, TEXT_LEFT, y, "Nơi nhận:", slant=_SLANT)
    for i, item in enumerate(DISTRIBUTION):
        canvas.text(regular, 11, TEXT_LEFT, y + 14 + i * 13, f"- {item}")

    signer_centre = right_centre
    if authority:
        canvas.centred(bold, 13, signer_centre, y, authority.upper())
        y += 16
    canvas.centred(bold, 13, signer_centre, y, signer_title.upper())
    box_top = y - bold.ink(signer_title.upper(), 13)[0] + 4  # below the title's ink (dots below included)
    box_bottom = box_top + SIGNATURE_HEIGHT
    name_y = box_bottom + 4 + bold.ink(signer_name, 13)[1]  # the name's ink (stacked accents) starts under the box
    canvas.centred(bold, 13, signer_centre, name_y, signer_name)

    # demo mark
    canvas.gray(0.35)
    canvas.centred(regular, 9, PAGE_WIDTH / 2, PAGE_HEIGHT - MARGIN_BOTTOM / 2, DEMO_MARK)

    content = generic.StreamObject(stream_data=b"\n".join(canvas.ops))
    content.compress()
    fonts = generic.DictionaryObject(
        {generic.pdf_name("/" + f.resource_name): f.engine.as_resource() for f in (regular, bold)}
    )
    resources = generic.DictionaryObject({generic.pdf_name("/Font"): fonts})
    page = PageObject(writer.add_object(content), (0, 0, round(PAGE_WIDTH, 2), round(PAGE_HEIGHT, 2)), resources)
    writer.insert_page(page)
    writer.root[generic.pdf_name("/Lang")] = generic.pdf_string("vi")

    out = io.BytesIO()
    writer.write(out)
    half = SIGNATURE_WIDTH / 2
    box = (
        round(signer_centre - half, 2),
        round(PAGE_HEIGHT - box_bottom, 2),
        round(signer_centre + half, 2),
        round(PAGE_HEIGHT - box_top, 2),
    )
    return SampleLetter(pdf=out.getvalue(), signature_box=box)
