"""Issuance fills in the document number and the date of issue where a văn thư looks for them.

Nghị định 30/2020/NĐ-CP: the văn thư gives an issued document its number ("Số: 123/UBND-VX") and date ("Hà Nội,
ngày 05 tháng 02 năm 2026": a day under 10 and the months 1 and 2 take a leading zero) when issuing it. A draft
approved electronically leaves those places blank ("Số:      /UBND-VX", "ngày      tháng      năm 2026"); the
issuance signature (ký phát hành) writes ``doc_number`` and ``issued_date`` there, found by text on the first page
like the anchor search.

The rules of this file:

- the text goes in blank space only: the gap after "Số:" (before a printed notation such as "/UBND-VX", which is
  then not repeated) and the gaps after "ngày", "tháng" and "năm"; a place that holds anything (dots, another
  number) is left alone, and the document still signs: the plan says which value had no place;
- in the document's own font when it has every glyph needed (its codes are read back from its ToUnicode map), at
  the size of the line, else in the bundled Vietnamese-capable serif;
- each filled place is a widget of the issuance signature's own field (``/Kids`` of that field, added while
  pyHanko writes the signature's appearance): part of the issuance revision and covered by the issuance signature,
  so an earlier approval signature sees a signature added (form filling) and stays TOTAL_PASSED, and Kyso's
  overlay rule (:mod:`kyso.pdf.overlays`) sees widgets its later signature signs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from kyso.pdf.appearance.geometry import PageGeometry, Rect, geometry

NUMBER_LABEL = re.compile(r"Số\s*:", re.IGNORECASE)
DATE_WORDS = ("ngày", "tháng", "năm")
GAP = 1.0
"""Blank kept between a filled value and the text around it (points)."""
COLUMN_GAP = 6.0
"""A blank wider than this many font sizes separates two columns of a heading."""


@dataclass(frozen=True)
class Filling:
    """One value written into the page: where (visual baseline start), how big, in which font."""

    text: str
    page: int
    x: float
    baseline: float
    size: float
    font: Any
    """The document's font (a text-search font with its resource reference), or ``None`` for the bundled one."""
    width: float


@dataclass(frozen=True)
class FillPlan:
    """What issuance writes into the document, and which value found no place (one reason each, English)."""

    fillings: tuple[Filling, ...]
    missing: tuple[str, ...]
    doc_number: str | None
    issued_date: str | None
    """ISO day, when the date was written."""


def day_month_year(day: date) -> tuple[str, str, str]:
    """The day, month and year as Nghị định 30 writes them: a leading zero for a day under 10 and months 1 and 2."""
    return (f"{day.day:02d}" if day.day < 10 else str(day.day), f"{day.month:02d}" if day.month < 3 else str(day.month),
            str(day.year))  # fmt: skip


def plan_fill(reader: Any, doc_number: str | None, issued_date: date | None) -> FillPlan | None:
    """Where ``doc_number`` and ``issued_date`` go on the first page; ``None`` when neither is given."""
    from kyso.pdf.appearance.text import page_lines

    if not doc_number and issued_date is None:
        return None
    geom = geometry(reader, 0)
    try:
        lines = page_lines(reader, geom)
    except Exception as exc:
        return FillPlan((), (f"the first page's text cannot be read ({exc.__class__.__name__})",), None, None)
    page = _Page(geom, lines)
    fillings: list[Filling] = []
    missing: list[str] = []
    written_number = written_date = None
    if doc_number:
        found = page.number(doc_number)
        if isinstance(found, str):
            missing.append(found)
        else:  # written, or printed already
            fillings.extend([found] if found is not None else [])
            written_number = doc_number
    if issued_date is not None:
        found_date = page.date(issued_date)
        if isinstance(found_date, str):
            missing.append(found_date)
        else:
            fillings.extend(found_date)
            written_date = issued_date.isoformat()
    return FillPlan(tuple(fillings), tuple(missing), written_number, written_date)


class _Page:
    """The first page's characters, positioned, and the blank-space test."""

    def __init__(self, geom: PageGeometry, lines: list[Any]) -> None:
        self.geom = geom
        self.lines = lines
        self.boxes = [line.bbox for line in lines]

    @staticmethod
    def characters(line: Any) -> list[tuple[str, float, float]]:
        return [piece for glyph in line.glyphs for piece in glyph.characters()]

    def same_baseline(self, line: Any) -> list[tuple[str, float, float]]:
        """The positioned characters of ``line`` and of the lines continuing it on its baseline (a wide blank
        splits a printed line into several search lines), up to a gap of :data:`COLUMN_GAP` font sizes: the other
        column of a heading ("Số:" on the left, the date on the right) is not part of it."""
        tolerance = 0.3 * line.size
        row = sorted((o for o in self.lines if abs(o.baseline - line.baseline) < tolerance), key=lambda o: o.bbox[0])
        start = row.index(line)
        kept = [line]
        for other in row[start + 1 :]:
            if other.bbox[0] - kept[-1].bbox[2] > COLUMN_GAP * line.size:
                break
            kept.append(other)
        return [c for other in kept for c in self.characters(other)]

    def blank(self, rect: Rect) -> bool:
        x1, y1, x2, y2 = rect
        vw, vh = self.geom.visual_size
        if x1 < 0 or y1 < 0 or x2 > vw or y2 > vh:
            return False
        return not any(b[0] < x2 and b[2] > x1 and b[1] < y2 and b[3] > y1 for b in self._ink(rect))

    def _ink(self, rect: Rect) -> list[Rect]:
        """Boxes of the characters near ``rect`` (a line's box spans its gaps, its characters do not)."""
        boxes: list[Rect] = []
        for line in self.lines:
            b = line.bbox
            if b[1] < rect[3] and b[3] > rect[1]:
                boxes.extend((x1, b[1], x2, b[3]) for text, x1, x2 in self.characters(line) if text.strip())
        return boxes

    def _filling(self, text: str, line: Any, left: float, right: float | None, align_right: bool) -> Filling | None:
        """``text`` on ``line``'s baseline between ``left`` and ``right`` (page edge when ``None``), in blank space."""
        font, width = _font_for(line, text)
        size = line.size
        right_edge = right if right is not None else self.geom.visual_size[0]
        if align_right and right is not None:
            x = right - GAP - width
        else:
            x = left + max(GAP, 0.25 * size)
        if x < left + GAP or x + width > right_edge - GAP:
            return None
        rect = (x, line.baseline - 0.25 * size, x + width, line.baseline + 0.95 * size)
        if not self.blank(rect):
            return None
        return Filling(text, self.geom.index, x, line.baseline, size, font, width)

    def number(self, doc_number: str) -> Filling | str | None:
        """The filling of the number place; ``None`` when the document already shows this number; the reason when
        there is no place for it."""
        for line in self.lines:
            words = _words(self.same_baseline(line), line.size)
            at = next((k for k, w in enumerate(words) if NUMBER_LABEL.fullmatch(w[0]) or w[0].lower() == "số"), None)
            if at is None:
                continue
            label_end = words[at][2]
            rest = words[at + 1 :]
            if rest and rest[0][0] == ":":  # "Số :" written apart
                label_end, rest = rest[0][2], rest[1:]
            elif not words[at][0].endswith(":"):
                continue
            if not rest or rest[0][1] - label_end > COLUMN_GAP * line.size:
                filled = self._filling(doc_number, line, label_end, rest[0][1] if rest else None, False)
                return filled or "the place after \"Số:\" is not blank"
            notation = rest[0][0]
            if notation == doc_number:
                return None
            if notation.startswith("/") and doc_number.endswith(notation) and len(doc_number) > len(notation):
                number = doc_number[: -len(notation)]
                filled = self._filling(number, line, label_end, rest[0][1], True)
                return filled or f"the gap between \"Số:\" and \"{notation}\" is too narrow for {number!r}"
            return f"the document already shows a number after \"Số:\" ({notation[:40]!r})"
        return "the document has no \"Số:\" on its first page"

    def date(self, day: date) -> list[Filling] | str:
        values = day_month_year(day)
        for line in self.lines:
            words = _words(self.same_baseline(line), line.size)
            lowered = [w[0].lower() for w in words]
            try:
                first = lowered.index(DATE_WORDS[0])
                second = lowered.index(DATE_WORDS[1], first + 1)
                third = lowered.index(DATE_WORDS[2], second + 1)
            except ValueError:
                continue
            places = ((first, second), (second, third), (third, third + 2))
            fillings = []
            for (word, value, (at, until)) in zip(DATE_WORDS, values, places, strict=True):
                between = words[at + 1 : min(until, len(words))]
                if between:  # a printed value is kept when it is the one wanted (a year printed in the draft)
                    printed = between[0][0].rstrip(".,")
                    if printed.isdigit() and int(printed) == int(value):
                        continue
                    return f"the date line already shows something else after \"{word}\" ({printed[:20]!r})"
                right = words[until][1] if until < len(words) else None
                filled = self._filling(value, line, words[at][2], right, False)
                if filled is None:
                    return f"the gap after \"{word}\" on the date line is too narrow for {value!r}"
                fillings.append(filled)
            return fillings
        return "the document has no \"ngày ... tháng ... năm\" line on its first page"


def _words(row: list[tuple[str, float, float]], size: float) -> list[tuple[str, float, float]]:
    """(text, x1, x2) of the words of a row of positioned characters: split at spaces and at blanks wider than a
    third of the font size (text placed apart by positioning has no space character)."""
    words: list[tuple[str, float, float]] = []
    current: list[tuple[str, float, float]] = []
    for piece in row:
        text, x1, x2 = piece
        if not text.strip() or (current and x1 - current[-1][2] > size / 3):
            if current:
                words.append(("".join(p[0] for p in current), current[0][1], current[-1][2]))
            current = [piece] if text.strip() else []
            continue
        current.append(piece)
    if current:
        words.append(("".join(p[0] for p in current), current[0][1], current[-1][2]))
    return words


def _font_for(line: Any, text: str) -> tuple[Any, float]:
    """(the document's font of ``line`` if it encodes every character of ``text``, else ``None``; the width of
    ``text`` at the line's size in that font or the bundled one)."""
    size = line.size
    for glyph in line.glyphs:
        font = glyph.font
        if font is None or font.ref is None:
            continue
        codes = encode(font, text)
        if codes is not None:
            return font, sum(font.widths.get(c, font.default_width) for c in codes) * size / 1000
    from kyso.pdf.appearance.fonts import font_for

    return None, font_for(None, text).width(text, size)


def encode(font: Any, text: str) -> list[int] | None:
    """The character codes showing ``text`` in a document font (from its ToUnicode map), or ``None``."""
    reverse = {value: code for code, value in font.unicode.items() if len(value) == 1}
    codes = []
    for ch in text:
        code = reverse.get(ch)
        if code is None and not font.two_bytes and ch.isascii() and not font.unicode:
            code = ord(ch)  # a simple font without ToUnicode: its standard encoding shows ASCII as itself
        if code is None or (code > 255 and not font.two_bytes):
            return None
        codes.append(code)
    return codes


def add_fillings(writer: Any, field_name: str, plan: FillPlan) -> None:
    """Write ``plan``'s values as widgets of the signature field ``field_name`` (already created in ``writer``,
    whose signature is being written): each widget's appearance is the value, in its font, on its baseline."""
    from pyhanko.pdf_utils import generic

    from kyso.pdf.appearance.geometry import page_object

    n = generic.NameObject
    field_ref = _field(writer, field_name)
    field = field_ref.get_object()
    kids = field["/Kids"]
    for kid in kids:  # pyHanko's own widget of a field with /Kids carries no /Parent: a reader needs it
        widget = kid.get_object()
        if "/Parent" not in widget:
            widget[n("/Parent")] = field_ref
            writer.update_container(widget)
    for filling in plan.fillings:
        page_ref, _ = writer.find_page_for_modification(filling.page)
        geom = geometry(writer, filling.page)
        size = filling.size
        rect_visual = (filling.x - GAP, filling.baseline - 0.3 * size, filling.x + filling.width + GAP,
                       filling.baseline + 1.0 * size)  # fmt: skip
        box = geom.rect_to_user(rect_visual)
        width, height = box[2] - box[0], box[3] - box[1]
        if filling.font is not None:
            codes = encode(filling.font, filling.text) or []
            shown = (b"<" + b"".join(b"%04X" % c for c in codes) + b">") if filling.font.two_bytes else (
                b"<" + bytes(codes).hex().upper().encode() + b">")  # fmt: skip
            font_ref = filling.font.ref
        else:
            from kyso.pdf.appearance.fonts import font_for

            program = font_for(None, filling.text)
            shown = program.encode(filling.text)
            font_ref = program.add_to(writer)
        ops = b"q %s BT 0 g /F1 %.2f Tf 1 0 0 1 %.2f %.2f Tm %s Tj ET Q" % (
            geom.appearance_matrix(width, height), size, GAP, 0.3 * size, shown)  # fmt: skip
        resources = generic.DictionaryObject({n("/Font"): generic.DictionaryObject({n("/F1"): font_ref})})
        stream = generic.StreamObject(
            {
                n("/Type"): n("/XObject"),
                n("/Subtype"): n("/Form"),
                n("/BBox"): generic.ArrayObject(generic.FloatObject(v) for v in (0, 0, width, height)),
                n("/Resources"): resources,
            },
            stream_data=ops,
        )
        widget = generic.DictionaryObject(
            {
                n("/Type"): n("/Annot"),
                n("/Subtype"): n("/Widget"),
                n("/Rect"): generic.ArrayObject(generic.FloatObject(round(v, 3)) for v in box),
                n("/F"): generic.NumberObject(4),  # print
                n("/P"): page_ref,
                n("/Parent"): field_ref,
                n("/AP"): generic.DictionaryObject({n("/N"): writer.add_object(stream)}),
            }
        )
        widget_ref = writer.add_object(widget)
        kids.append(widget_ref)
        page = page_object(writer, filling.page)
        if "/Annots" in page:
            annots = page["/Annots"]
            annots.append(widget_ref)
            container = page.raw_get("/Annots")
            writer.update_container(container if isinstance(container, generic.IndirectObject) else page)
        else:
            page[n("/Annots")] = generic.ArrayObject([widget_ref])
        writer.update_container(page)
    writer.update_container(field)


def _field(writer: Any, name: str) -> Any:
    from pyhanko.sign.fields import enumerate_sig_fields

    for found, _value, ref in enumerate_sig_fields(writer, with_name=name):
        if found == name:
            return ref
    raise KeyError(name)


__all__ = ["FillPlan", "Filling", "add_fillings", "day_month_year", "plan_fill"]
