"""Page geometry: the page as the reader sees it (``/Rotate`` applied) versus PDF user space.

Placement rules of Nghị định 30 ("top right of the first page", "left of the approval signature") speak of the page
as displayed. Kyso computes positions in *visual* coordinates (origin bottom-left of the displayed page, x to the
right, y up) and maps them back to user space, where annotations live. Appearance streams are drawn in visual
coordinates too and counter-rotated (:meth:`PageGeometry.appearance_matrix`) so that marks read upright on rotated
pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kyso.core.errors import InputError

Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class PageGeometry:
    """Displayed area and rotation of one page (both possibly inherited from the page tree)."""

    index: int
    """0-based page index."""
    media_box: Rect
    """The area a reader displays: the ``/MediaBox`` clipped by the ``/CropBox`` (PDF 32000-1, 14.11.2)."""
    rotation: int
    """``/Rotate`` normalised to 0, 90, 180 or 270 (clockwise, as PDF defines it)."""

    @property
    def width(self) -> float:
        return self.media_box[2] - self.media_box[0]

    @property
    def height(self) -> float:
        return self.media_box[3] - self.media_box[1]

    @property
    def visual_size(self) -> tuple[float, float]:
        """(width, height) of the page as displayed."""
        return (self.height, self.width) if self.rotation in (90, 270) else (self.width, self.height)

    def to_user(self, x: float, y: float) -> tuple[float, float]:
        """User-space point of the visual point ``(x, y)``."""
        x0, y0, _, _ = self.media_box
        w, h = self.width, self.height
        if self.rotation == 90:
            return x0 + w - y, y0 + x
        if self.rotation == 180:
            return x0 + w - x, y0 + h - y
        if self.rotation == 270:
            return x0 + y, y0 + h - x
        return x0 + x, y0 + y

    def to_visual(self, x: float, y: float) -> tuple[float, float]:
        """Visual point of the user-space point ``(x, y)``."""
        x0, y0, _, _ = self.media_box
        u, v = x - x0, y - y0
        w, h = self.width, self.height
        if self.rotation == 90:
            return v, w - u
        if self.rotation == 180:
            return w - u, h - v
        if self.rotation == 270:
            return h - v, u
        return u, v

    def rect_to_user(self, rect: Rect) -> Rect:
        return _normalise(*self.to_user(rect[0], rect[1]), *self.to_user(rect[2], rect[3]))

    def rect_to_visual(self, rect: Rect) -> Rect:
        return _normalise(*self.to_visual(rect[0], rect[1]), *self.to_visual(rect[2], rect[3]))

    def appearance_matrix(self, user_width: float, user_height: float) -> bytes:
        """``cm`` operator mapping visual drawing coordinates of a box onto the box's own user-space coordinates
        (``user_width`` x ``user_height``), so that what is drawn reads upright on the displayed page."""
        if self.rotation == 90:
            return b"0 1 -1 0 %.4f 0 cm" % user_width
        if self.rotation == 180:
            return b"-1 0 0 -1 %.4f %.4f cm" % (user_width, user_height)
        if self.rotation == 270:
            return b"0 -1 1 0 0 %.4f cm" % user_height
        return b""

    def contains(self, rect: Rect, tolerance: float = 0.01) -> bool:
        """Whether the user-space ``rect`` lies on the page (media box)."""
        x0, y0, x1, y1 = self.media_box
        return (
            rect[0] >= x0 - tolerance
            and rect[1] >= y0 - tolerance
            and rect[2] <= x1 + tolerance
            and rect[3] <= y1 + tolerance
        )


def _normalise(x1: float, y1: float, x2: float, y2: float) -> Rect:
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def page_count(reader: Any) -> int:
    try:
        return int(reader.root["/Pages"]["/Count"])
    except Exception as exc:
        raise InputError(f"damaged PDF: the page tree cannot be read ({exc.__class__.__name__})") from None


def page_object(reader: Any, index: int) -> Any:
    """The page dictionary of page ``index`` (0-based)."""
    ref, _ = reader.find_page_for_modification(index)
    return ref.get_object()


def inherited(page: Any, key: str) -> Any:
    """A page attribute, looked up through ``/Parent`` as PDF inheritance wants (``/MediaBox``, ``/Rotate``,
    ``/Resources``, ``/CropBox``)."""
    node, hops = page, 0
    while node is not None and hops < 64:
        if key in node:
            return node[key]
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
        hops += 1
    return None


def geometry(reader: Any, index: int) -> PageGeometry:
    """Geometry of page ``index`` (0-based)."""
    try:
        page = page_object(reader, index)
        box = inherited(page, "/MediaBox")
        media = tuple(float(v) for v in box) if box is not None else (0.0, 0.0, 595.0, 842.0)
        crop = _optional_box(inherited(page, "/CropBox"))
        rotate = inherited(page, "/Rotate")
        rotation = int(rotate) % 360 if rotate is not None else 0
    except Exception as exc:
        raise InputError(f"damaged PDF: page {index + 1} cannot be read ({exc.__class__.__name__})") from None
    if len(media) != 4:
        raise InputError(f"damaged PDF: page {index + 1} has a malformed /MediaBox")
    if rotation not in (0, 90, 180, 270):
        rotation = 0
    shown = _normalise(*media)
    if crop is not None:  # marks must land where the reader shows the page, not cropped away
        cx1, cy1, cx2, cy2 = _normalise(*crop)
        clipped = (max(shown[0], cx1), max(shown[1], cy1), min(shown[2], cx2), min(shown[3], cy2))
        if clipped[2] > clipped[0] and clipped[3] > clipped[1]:
            shown = clipped
    return PageGeometry(index=index, media_box=shown, rotation=rotation)


def _optional_box(value: Any) -> Rect | None:
    """A rectangle of four numbers, or ``None`` for a missing or malformed one (readers ignore it too)."""
    try:
        numbers = tuple(float(v) for v in value)
    except Exception:
        return None
    return (numbers[0], numbers[1], numbers[2], numbers[3]) if len(numbers) == 4 else None
