"""The visible marks of signature kinds on PDF pages: each placement rule of :class:`kyso.core.kinds.Placement`.

What a kind takes and where its mark goes is declared once, in the kind registry (:mod:`kyso.pdf.kinds` for the
kinds of Nghị định 30/2020/NĐ-CP, Phụ lục I); this module draws the placement rules:

- **anchor** (approval, ký duyệt): the image (the handwritten signature, PNG, transparent), centred between the
  signer's title and full name, found with ``anchor`` text or given as ``page`` + ``box``. The signature field is
  the image's rectangle.
- **over-approval** (issuance, ký phát hành): the image (the seal) at its real size (from the PNG's resolution),
  overlapping about 1/3 of the approval signature image on its left; placed from the approval signature already
  on the document (the last one Kyso recorded as approval, else the last visible signature without a kind, e.g.
  from another product). Its ``doc_number`` and ``issued_date`` are written after "Số:" and into "ngày ... tháng
  ... năm ..." of the heading, in blank space, as further widgets of the issuance field
  (:mod:`kyso.pdf.appearance.fill`, hooked in through :meth:`Plan.style_for`).
- **top-right** (attachment, copy): a text mark (Times New Roman-compatible font, size 10, black) at the top right
  of the first page: the kind's lines (the main document's number and the signing time / the copy form, the
  copying organisation and the signing time). The time is ISO 8601 with the +07:00 offset. The mark goes on blank
  space only (the page's text and earlier marks are read first), so a second copy mark lands beside the first;
  with no blank space there, signing is refused with the reason (``--page`` / ``--box`` place it by hand).
- **free-corner** (income, văn bản đến): a framed text mark (the "ĐẾN" mark with the receiving metadata; not in
  Phụ lục I, it follows the paper "ĐẾN" stamp), in the first corner of the first page free of text: top left,
  bottom left, bottom right, top right.

Positions are computed on the page as displayed (``/Rotate`` applied) and drawn upright. The kind itself is
recorded in a signed CMS attribute (:mod:`kyso.pdf.kind_attribute`), so it is covered by the signature and
``kyso verify`` reports it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kyso.core.errors import InputError, UsageError
from kyso.core.kinds import KindSpec, Placement
from kyso.core.models import VIETNAM_TIME, SignatureKind, SignRequest
from kyso.pdf.appearance.geometry import PageGeometry, Rect, geometry, page_count
from kyso.pdf.kind_attribute import read_kind

__all__ = ["Plan", "plan_appearance"]

MARK_SIZE = 10.0
"""Font size of text marks (Phụ lục I: Times New Roman, regular, upright, size 10, black)."""
LEADING = 12.0
PADDING = 3.0
EDGE = 28.35
"""Distance of corner marks from the page edges (10 mm)."""
MAX_MARK_WIDTH = 260.0
DEFAULT_SEAL_MM = 36.0
"""Seal width when its PNG carries no resolution (a typical round seal is 35-42 mm)."""
SIGNATURE_WIDTH = 170.0
"""Widest approval image placed from an anchor."""
MIN_GAP = 24.0


@dataclass(frozen=True)
class Plan:
    """Where and how a kind's mark is drawn."""

    page: int
    """0-based page index."""
    box: Rect
    """Field rectangle in user space."""
    style: Any
    """pyHanko stamp style drawing the mark."""
    reason: str | None
    fill: Any = None
    """What an issuance writes into the document (:class:`kyso.pdf.appearance.fill.FillPlan`), if anything."""

    @property
    def widgets(self) -> int:
        """How many widgets the signature field gets: the mark's, and one per value filled in."""
        return 1 + (len(self.fill.fillings) if self.fill is not None else 0)

    def style_for(self, field_name: str) -> Any:
        """The stamp style of the signature in field ``field_name``: the mark, and the values filled in as further
        widgets of that field, written in the same revision (the hook of issuance fill-in)."""
        if self.widgets == 1:
            return self.style
        import dataclasses

        from kyso.pdf.appearance.fill import add_fillings

        return dataclasses.replace(self.style, also=lambda writer: add_fillings(writer, field_name, self.fill))


def plan_appearance(request: SignRequest, reader: Any) -> Plan | None:
    """The mark of ``request.kind`` on the document read by ``reader``; ``None`` without a kind or a mark.

    ``request.appearance`` holds the kind's options as the plugin manager checked them against its declaration.

    :raises UsageError: a placement the options do not give, a box off the page, a font without needed glyphs.
    :raises InputError: unusable images, anchor text not found, no approval signature for an issuance.
    """
    if request.kind is None:
        return None
    from kyso.core.manager import get_plugin_manager

    spec = get_plugin_manager().kinds.get(request.kind)
    if spec.placement is None:
        return None
    if request.box is not None and request.page is None:
        raise UsageError("--box needs --page (1 = first page)")
    pages = page_count(reader)
    if request.page is not None and not 1 <= request.page <= pages:
        raise UsageError(f"page {request.page} does not exist (the document has {pages} pages)")
    values = request.appearance
    reason = request.reason or (spec.reason(values) if spec.reason else None)
    if spec.placement is Placement.ANCHOR:
        return _at_anchor(request, spec, values, reason, reader, pages)
    if spec.placement is Placement.OVER_APPROVAL:
        return _over_approval(request, spec, values, reason, reader)
    now = datetime.now(VIETNAM_TIME).replace(microsecond=0)
    return _text_mark(request, spec, values, reason, reader, now)


# --- anchor and over-approval: images --------------------------------------------------------------------------------


def _image(spec: KindSpec, values: Mapping[str, Any]) -> Any:
    from kyso.pdf.appearance.images import load_image

    if spec.image is None:
        raise UsageError(f"kind {spec.name} places an image but names no image option")
    image = values.get(spec.image)
    if image is None:
        raise UsageError(f"kind {spec.name} needs --{spec.image.replace('_', '-')}", parameter=spec.image)
    return load_image(image, f"--{spec.image.replace('_', '-')}")


def _at_anchor(
    request: SignRequest, spec: KindSpec, values: Mapping[str, Any], reason: str | None, reader: Any, pages: int
) -> Plan:
    image = _image(spec, values)
    if request.box is not None:
        geom = geometry(reader, request.page - 1)  # type: ignore[operator]
        region = geom.rect_to_visual(_checked_box(geom, request.box))
    elif values.get("anchor"):
        geom, region = _anchor_region(reader, values["anchor"], request.page, pages)
    else:
        raise UsageError(f"--kind {spec.name} needs --anchor TEXT (the signer's title or name) or --page N --box ...")
    target = _fit(region, image.width, image.height)
    return _image_plan(geom, target, image, reason)


def _over_approval(
    request: SignRequest, spec: KindSpec, values: Mapping[str, Any], reason: str | None, reader: Any
) -> Plan:
    seal = _image(spec, values)
    mm = 72 / 25.4
    width, height = seal.natural_size() or (DEFAULT_SEAL_MM * mm, DEFAULT_SEAL_MM * mm * seal.height / seal.width)
    if request.box is not None:
        geom = geometry(reader, request.page - 1)  # type: ignore[operator]
        region = geom.rect_to_visual(_checked_box(geom, request.box))
        if width <= region[2] - region[0] and height <= region[3] - region[1]:
            cx, cy = (region[0] + region[2]) / 2, (region[1] + region[3]) / 2
            target = (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
        else:
            target = _fit(region, seal.width, seal.height)
    else:
        found = _last_approval(reader, request.document.data)
        if found is None:
            raise InputError(
                "the document has no approval signature to place the seal against: sign it with --kind approval "
                "first, or give --page and --box for the seal"
            )
        index, rect = found
        geom = geometry(reader, index)
        ax1, ay1, ax2, ay2 = geom.rect_to_visual(rect)
        right = ax1 + (ax2 - ax1) / 3  # the seal covers about a third of the signature image, on its left
        cy = (ay1 + ay2) / 2
        target = _inside(geom, (right - width, cy - height / 2, right, cy + height / 2))
    from kyso.pdf.appearance.fill import plan_fill

    fill = plan_fill(reader, values.get("doc_number"), values.get("issued_date"))
    return dataclasses.replace(_image_plan(geom, target, seal, reason), fill=fill)


def _image_plan(geom: PageGeometry, target: Rect, image: Any, reason: str | None) -> Plan:
    from kyso.pdf.appearance.stamp import MarkStampStyle

    box = geom.rect_to_user(target)
    vw, vh = target[2] - target[0], target[3] - target[1]
    matrix = geom.appearance_matrix(box[2] - box[0], box[3] - box[1])

    def paint(writer: Any) -> tuple[bytes, dict[str, dict[str, Any]]]:
        ops = b"q %s %.4f 0 0 %.4f 0 0 cm /Im1 Do Q" % (matrix, vw, vh)
        return ops, {"/XObject": {"/Im1": image.add_to(writer)}}

    return Plan(page=geom.index, box=box, style=MarkStampStyle(painter=paint), reason=reason)


def _fit(region: Rect, width: float, height: float) -> Rect:
    """The largest rectangle of aspect ``width:height`` centred in ``region``."""
    rw, rh = region[2] - region[0], region[3] - region[1]
    scale = min(rw / width, rh / height)
    w, h = width * scale, height * scale
    cx, cy = (region[0] + region[2]) / 2, (region[1] + region[3]) / 2
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _inside(geom: PageGeometry, rect: Rect) -> Rect:
    """``rect`` (visual) moved onto the page if it sticks out."""
    vw, vh = geom.visual_size
    x1, y1, x2, y2 = rect
    dx = max(0.0, -x1) - max(0.0, x2 - vw)
    dy = max(0.0, -y1) - max(0.0, y2 - vh)
    return (x1 + dx, y1 + dy, x2 + dx, y2 + dy)


def _checked_box(geom: PageGeometry, box: tuple[float, float, float, float]) -> Rect:
    x1, y1, x2, y2 = (float(v) for v in box)
    if x2 <= x1 or y2 <= y1:
        raise UsageError("--box must be x1,y1,x2,y2 with x1 < x2 and y1 < y2 (PDF points, origin bottom-left)")
    if not geom.contains((x1, y1, x2, y2)):
        raise UsageError(
            f"--box {x1:g},{y1:g},{x2:g},{y2:g} lies outside page {geom.index + 1} "
            f"(page area {' '.join(f'{v:g}' for v in geom.media_box)})"
        )
    return (x1, y1, x2, y2)


def _anchor_region(reader: Any, anchor: str, page: int | None, pages: int) -> tuple[PageGeometry, Rect]:
    """Visual region between the signer's title and name, found from ``anchor`` (either of them)."""
    from kyso.pdf.appearance.text import ContentBudget, normalise, page_lines

    searched = [page - 1] if page is not None else list(range(pages))
    budget = ContentBudget()  # one for the whole search: a thousand pages sharing one huge stream stay bounded
    wanted = "".join(normalise(anchor).split())
    best: tuple[tuple[Any, ...], PageGeometry, Any, Rect] | None = None
    for index in searched:
        geom = geometry(reader, index)
        lines = page_lines(reader, geom, budget)
        for line in lines:
            found = line.find(anchor)
            if found is None:
                continue
            own = "".join(normalise(line.text).split())
            exact = "".join(anchor.split()) in "".join(line.text.split())
            rank = (own == wanted, exact, index, -line.baseline)
            if best is None or rank > best[0]:
                best = (rank, geom, (line, lines), found)
    if best is None:
        where = f"page {searched[0] + 1}" if len(searched) == 1 else f"pages 1-{pages}"
        raise InputError(f"anchor text {anchor!r} was not found on {where} (searched {len(searched)} page(s))")
    _, geom, (line, lines), found = best
    x1, _, x2, _ = line.bbox
    top, bottom = found[3], found[1]

    def beside(other: Any) -> bool:
        ox1, _, ox2, _ = other.bbox
        return ox1 < x2 + 20 and ox2 > x1 - 20 and other is not line

    candidates = []
    below = [o for o in lines if beside(o) and o.bbox[3] <= bottom + 0.5]
    if below:
        nearest = max(below, key=lambda o: o.bbox[3])
        candidates.append((bottom - nearest.bbox[3], nearest, (nearest.bbox[3], bottom)))
    above = [o for o in lines if beside(o) and o.bbox[1] >= top - 0.5]
    if above:
        nearest = min(above, key=lambda o: o.bbox[1])
        candidates.append((nearest.bbox[1] - top, nearest, (top, nearest.bbox[1])))
    usable = [c for c in candidates if MIN_GAP <= c[0] <= 300]
    if not usable:
        raise InputError(
            f"anchor text {anchor!r} found on page {geom.index + 1}, but there is no free space of at least "
            f"{MIN_GAP:g} pt between the signer's title and name around it"
        )
    _, other, (low, high) = min(usable, key=lambda c: c[0])
    centre = ((x1 + x2) / 2 + (other.bbox[0] + other.bbox[2]) / 2) / 2
    vw, _ = geom.visual_size
    half = min(SIGNATURE_WIDTH / 2, centre, vw - centre)
    return geom, (centre - half, low + 2, centre + half, high - 2)


def _last_approval(reader: Any, data: bytes) -> tuple[int, Rect] | None:
    """(page index, user-space rectangle) of the last visible approval signature: one Kyso recorded as such, else
    (a document approved with another product) the last visible signature that records no other kind."""
    from asn1crypto import cms
    from pyhanko.sign.fields import enumerate_sig_fields

    found: dict[bool, tuple[int, Rect]] = {}
    for _name, value, field_ref in enumerate_sig_fields(reader):
        if value is None:
            continue
        try:
            contents = _raw_contents(reader, data, value)
            if contents is None:
                contents = bytes(value.get_object()["/Contents"])
            signed = cms.ContentInfo.load(contents)["content"]
            kind = read_kind(signed["signer_infos"][0])
            if kind is not None and kind != SignatureKind.APPROVAL:
                continue
            widget = _widget(field_ref.get_object())
            rect = tuple(float(v) for v in widget["/Rect"])
            if abs(rect[2] - rect[0]) < 1 or abs(rect[3] - rect[1]) < 1:
                continue
            index = _page_of(reader, widget, field_ref)
        except Exception:
            continue
        if index is not None:
            x1, y1, x2, y2 = rect
            found[kind == SignatureKind.APPROVAL] = (index, (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))
    return found.get(True) or found.get(False)


_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def _raw_contents(reader: Any, data: bytes, value: Any) -> bytes | None:
    """The CMS bytes of a signature dictionary, cut from the file by its ``/ByteRange``: pyHanko's parser reads the
    16 kB hex string of ``/Contents`` one token at a time (~10 ms). ``None`` when that shortcut does not apply."""
    try:
        offset = reader.xrefs[value.reference]
        if not isinstance(offset, int):
            return None
        end = data.find(b"endobj", offset)
        found = _BYTE_RANGE.search(data, offset, end if end > 0 else len(data))
        if found is None:
            return None
        start, length, second, _ = (int(v) for v in found.groups())
        hex_digits = data[start + length + 1 : second - 1]
        if not offset < start + length < second <= len(data) or not hex_digits:
            return None
        return bytes.fromhex(hex_digits.decode("ascii"))
    except (AttributeError, KeyError, ValueError, TypeError):
        return None


def _widget(field: Any) -> Any:
    if "/Rect" in field:
        return field
    return field["/Kids"][0].get_object()


def _page_of(reader: Any, widget: Any, field_ref: Any) -> int | None:
    from kyso.pdf.appearance.geometry import page_object

    page_ref = widget.raw_get("/P") if "/P" in widget else None
    for index in range(page_count(reader)):
        page = page_object(reader, index)
        if page_ref is not None and getattr(page_ref, "idnum", None) is not None:
            if page.container_ref is not None and page.container_ref.idnum == page_ref.idnum:
                return index
        for annot in page.get("/Annots", []) if "/Annots" in page else []:
            if getattr(annot, "idnum", None) == getattr(field_ref, "idnum", -1) or annot.get_object() is widget:
                return index
    return None


# --- attachment, copy, income: text ------------------------------------------------------------------------------


def _text_mark(
    request: SignRequest, spec: KindSpec, values: Mapping[str, Any], reason: str | None, reader: Any, now: datetime
) -> Plan:
    from kyso.pdf.appearance.fonts import font_for
    from kyso.pdf.appearance.stamp import MarkStampStyle

    if spec.lines is None:
        raise UsageError(f"kind {spec.name} places a text mark but declares no lines")
    paragraphs = [str(line) for line in spec.lines(values, now.isoformat())]
    framed = spec.framed
    font = font_for(values.get("font"), "".join(paragraphs))
    index = request.page - 1 if request.page is not None else 0
    geom = geometry(reader, index)
    size = MARK_SIZE
    if request.box is not None:
        region = geom.rect_to_visual(_checked_box(geom, request.box))
        while True:
            lines = _wrap(font, paragraphs, size, region[2] - region[0] - 2 * PADDING)
            height = _text_height(lines, size)
            if lines is not None and height <= region[3] - region[1]:
                break
            if size <= 6:
                raise UsageError(f"--box is too small for the {spec.name} mark")
            size -= 0.5
        assert lines is not None
        target = region
    else:
        lines = _wrap(font, paragraphs, size, MAX_MARK_WIDTH) or [p for p in paragraphs]
        width = max(font.width(line, size) for line in lines) + 2 * PADDING
        height = _text_height(lines, size)
        vw, vh = geom.visual_size
        top_right = (vw - EDGE - width, vh - EDGE / 2 - height, vw - EDGE, vh - EDGE / 2)
        if spec.placement is Placement.FREE_CORNER:  # a received-document stamp goes on blank space
            corners = [
                (EDGE, vh - EDGE / 2 - height, EDGE + width, vh - EDGE / 2),
                (EDGE, EDGE / 2, EDGE + width, EDGE / 2 + height),
                (vw - EDGE - width, EDGE / 2, vw - EDGE, EDGE / 2 + height),
                top_right,
            ]
            target = _free_corner(reader, geom, [_inside(geom, c) for c in corners])
        else:  # top right, as Phụ lục I wants for attachments and copies, on blank space
            target = _free_top_right(reader, geom, width, height, spec.name)
    box = geom.rect_to_user(target)
    vh_box = target[3] - target[1]
    vw_box = target[2] - target[0]
    matrix = geom.appearance_matrix(box[2] - box[0], box[3] - box[1])
    leading = LEADING * size / MARK_SIZE

    def paint(writer: Any) -> tuple[bytes, dict[str, dict[str, Any]]]:
        ops = [b"q", matrix]
        if framed:
            ops.append(b"0 G 0.8 w 0.4 0.4 %.2f %.2f re S" % (vw_box - 0.8, vh_box - 0.8))
        ops.append(b"BT 0 g /F1 %g Tf" % size)
        first_baseline = vh_box - PADDING - font.ascent / 1000 * size
        for i, line in enumerate(lines):
            ops.append(b"1 0 0 1 %.2f %.2f Tm %s Tj" % (PADDING, first_baseline - i * leading, font.encode(line)))
        ops.append(b"ET Q")
        return b" ".join(op for op in ops if op), {"/Font": {"/F1": font.add_to(writer)}}

    return Plan(page=index, box=box, style=MarkStampStyle(painter=paint), reason=reason)


def _free_corner(reader: Any, geom: PageGeometry, corners: list[Rect]) -> Rect:
    """The first of ``corners`` (visual) that covers no text and no mark of the page, else the first."""
    boxes = _obstacles(reader, geom)
    if boxes is None:
        return corners[0]
    for corner in corners:
        if _hit(corner, boxes) is None:
            return corner
    return corners[0]


TOP_BAND = 1 / 3
"""A top-right mark stays in the top third of the page (Phụ lục I: "góc trên, bên phải")."""
RIGHT_BAND = 0.6
"""... and in the right 60 % of its width (beside an earlier mark still reads as "top right")."""
GAP = 2.0
"""Blank space kept between a mark and the text or marks around it."""


def _free_top_right(reader: Any, geom: PageGeometry, width: float, height: float, kind: str) -> Rect:
    """The top-right-most blank rectangle of ``width`` x ``height`` (visual) in the top third of the page, right
    part (:data:`TOP_BAND`, :data:`RIGHT_BAND`): row by row from the top edge down, each row from the right edge
    leftwards, stepping past whatever is in the way. A second mark of the same kind therefore lands beside the
    first, and a mark never covers the page's text or another mark (issue 16). A page whose text cannot be read
    gets the top-right corner, as before.

    :raises InputError: no blank space there; ``--page`` and ``--box`` place the mark by hand."""
    vw, vh = geom.visual_size
    right, top = vw - EDGE, vh - EDGE / 2
    boxes = _obstacles(reader, geom)
    if boxes is None:
        return _inside(geom, (right - width, top - height, right, top))
    top = vh - EDGE / 4  # up to 2.5 mm from the top edge: the blank band above a heading
    y = top
    while y - height >= vh * (1 - TOP_BAND):
        x = right
        while x - width >= vw * (1 - RIGHT_BAND):
            rect = (x - width, y - height, x, y)
            hit = _hit(rect, boxes)
            if hit is None:
                return rect
            x = hit[0] - GAP
        y -= GAP
    raise InputError(
        f"no blank space for the {kind} mark at the top right of page {geom.index + 1}: text or other marks fill "
        "it; give --page and --box for the mark",
        vi=f"không còn chỗ trống ở góc trên bên phải trang {geom.index + 1} cho dấu {kind}: chữ hoặc dấu khác đã "
        "chiếm chỗ; hãy chỉ chỗ bằng --page và --box",
    )


def _obstacles(reader: Any, geom: PageGeometry) -> list[Rect] | None:
    """Visual boxes of the page's text lines and annotations (earlier signatures' marks, links ...), grown by
    :data:`GAP`; ``None`` when the page's text cannot be read."""
    from kyso.pdf.appearance.geometry import page_object
    from kyso.pdf.appearance.text import page_lines

    try:
        boxes = [line.bbox for line in page_lines(reader, geom)]
    except Exception:
        return None
    try:
        page = page_object(reader, geom.index)
        annotations = list(page["/Annots"]) if "/Annots" in page else []
    except Exception:
        annotations = []
    for annotation in annotations[:1000]:
        try:
            x1, y1, x2, y2 = (float(v) for v in annotation.get_object()["/Rect"])
        except Exception:
            continue
        if abs(x2 - x1) >= 1 and abs(y2 - y1) >= 1:  # invisible signatures have an empty rectangle
            boxes.append(geom.rect_to_visual((x1, y1, x2, y2)))
    return [(b[0] - GAP, b[1] - GAP, b[2] + GAP, b[3] + GAP) for b in boxes]


def _hit(rect: Rect, boxes: list[Rect]) -> Rect | None:
    """The box of ``boxes`` that ``rect`` overlaps with the leftmost left edge, or ``None``."""
    hits = [b for b in boxes if b[0] < rect[2] and b[2] > rect[0] and b[1] < rect[3] and b[3] > rect[1]]
    return min(hits, key=lambda b: b[0]) if hits else None


def _text_height(lines: list[str] | None, size: float) -> float:
    if not lines:
        return float("inf")
    leading = LEADING * size / MARK_SIZE
    return (len(lines) - 1) * leading + 1.15 * size + 2 * PADDING


def _wrap(font: Any, paragraphs: list[str], size: float, width: float) -> list[str] | None:
    """Lines of at most ``width`` points (words kept whole); ``None`` when a single word is wider."""
    lines: list[str] = []
    for paragraph in paragraphs:
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if font.width(candidate, size) <= width:
                current = candidate
                continue
            if not current:
                return None
            lines.append(current)
            current = word
            if font.width(word, size) > width:
                return None
        lines.append(current)
    return lines
