"""Widgets added or changed after a signature that paint over the signed page (issue 9, overlay attack).

Kyso rule: pyHanko's difference policy accepts a new signature field added in an incremental update as form filling
(or its widget as an LTA update), signed or not, whatever its appearance shows. An *unsigned* field whose appearance
paints a white box and "PAY 1.000.000.000 VND" over the page changes what the reader sees, and nobody signed that
change. An annotation added or changed after a signature is benign only when

- it shows nothing: no normal appearance (``/AP /N``), an empty appearance stream, a zero-size ``/Rect``, or the
  Hidden / NoView flags; or
- it is the widget of a signature field that one of the document's signatures really signs, in a revision at or after
  the change (the field and its appearance are then covered by that signature: Kyso's approval-then-issuance
  workflow adds such fields only).

Anything else is a content change: the signature it follows is not TOTAL_PASSED.
"""

from __future__ import annotations

import dataclasses
from typing import Any

_HIDDEN, _NO_VIEW = 2, 32
_MAX_APPEARANCE = 1 << 20
"""Bytes of an appearance stream decoded to tell an empty one from a painting one (more: it paints)."""
_MAX_DEPTH = 64
"""Depth of the page tree and of field parent chains walked (deeper: hostile, not followed)."""


@dataclasses.dataclass(frozen=True)
class Widget:
    """A visible annotation of the last revision."""

    name: str
    changed: int
    """Last revision that wrote the annotation, its appearance dictionary or one of its appearance streams."""
    signed: int | None
    """Revision signed by the signature held in the annotation's signature field, if it holds one of the file's."""


def visible_widgets(reader: Any, signed_revisions: dict[tuple[int, int], int]) -> list[Widget]:
    """Every visible annotation on the pages of the last revision; ``signed_revisions`` maps the reference of each
    signature dictionary of the file to the revision its signature covers."""
    from pyhanko.pdf_utils import generic

    found: list[Widget] = []
    for page_ref, page in _pages(reader):
        container = _last_change(reader, page_ref)
        annots = page.raw_get("/Annots") if "/Annots" in page else None
        if isinstance(annots, generic.IndirectObject):
            container = max(container, _last_change(reader, annots))
        try:
            entries = list(annots.get_object()) if annots is not None else []
        except Exception:
            continue
        for entry in entries:
            try:
                widget = _widget(reader, entry, container, signed_revisions)
            except Exception:
                # an annotation nobody can read shows nothing in a careful reader, but it may in a lenient one
                widget = Widget("an unreadable annotation", container, None)
            if widget is not None:
                found.append(widget)
    return found


def overlays(widgets: list[Widget], revision: int) -> list[str]:
    """Names of the visible annotations changed after ``revision`` that no later signature of their own covers."""
    return [w.name for w in widgets if w.changed > revision and (w.signed is None or w.signed < w.changed)]


def _widget(reader: Any, entry: Any, container: int, signed_revisions: dict[tuple[int, int], int]) -> Widget | None:
    from pyhanko.pdf_utils import generic

    changed = _last_change(reader, entry) if isinstance(entry, generic.IndirectObject) else container
    annot = entry.get_object()
    flags = int(annot.get("/F", 0))
    if flags & (_HIDDEN | _NO_VIEW):
        return None
    x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
    if x1 == x2 or y1 == y2:
        return None
    if "/AP" not in annot:
        return None
    ap_ref = annot.raw_get("/AP")
    if isinstance(ap_ref, generic.IndirectObject):
        changed = max(changed, _last_change(reader, ap_ref))
    normal = ap_ref.get_object().raw_get("/N") if "/N" in ap_ref.get_object() else None
    if normal is None:
        return None
    streams = [normal]
    resolved = normal.get_object()
    if not isinstance(resolved, generic.StreamObject):  # appearance states (/On, /Off ...): each may paint
        streams = [resolved.raw_get(state) for state in resolved]
    painting = False
    for stream in streams:
        if isinstance(stream, generic.IndirectObject):
            changed = max(changed, _last_change(reader, stream))
        painting = painting or _paints(stream.get_object())
    if not painting:
        return None
    name, value = _field_of(annot)
    signed = None
    if isinstance(value, generic.IndirectObject):
        signed = signed_revisions.get((value.idnum, value.generation))
    return Widget(name, changed, signed)


def _paints(stream: Any) -> bool:
    """Whether an appearance stream has any content (an empty one is pyHanko's empty signature field)."""
    from pyhanko.pdf_utils import generic

    from kyso.pdf.reading import stream_data

    if not isinstance(stream, generic.StreamObject):
        return False
    try:
        return bool(stream_data(stream, _MAX_APPEARANCE).strip(b"\x00\t\n\x0c\r "))
    except Exception:
        return True  # undecodable or huge: a lenient reader may still paint something


def _field_of(annot: Any) -> tuple[str, Any]:
    """(fully qualified field name or a description, raw /V of the field) of a widget annotation."""
    names: list[str] = []
    value = None
    node = annot
    for _ in range(_MAX_DEPTH):
        if value is None and "/V" in node:
            value = node.raw_get("/V")
        if "/T" in node:
            names.append(str(node["/T"]))
        if "/Parent" not in node:
            break
        node = node["/Parent"].get_object()
    subtype = str(annot.get("/Subtype", "/Annot"))[1:]
    return (".".join(reversed(names)) if names else f"a {subtype} annotation"), value


def _pages(reader: Any) -> list[tuple[Any, Any]]:
    """(reference, page dictionary) of every page of the last revision, each once."""
    from pyhanko.pdf_utils import generic

    pages: list[tuple[Any, Any]] = []
    seen: set[tuple[int, int]] = set()
    todo: list[tuple[Any, int]] = [(reader.root.raw_get("/Pages"), 0)]
    while todo:
        ref, depth = todo.pop()
        if isinstance(ref, generic.IndirectObject):
            if (ref.idnum, ref.generation) in seen:
                continue
            seen.add((ref.idnum, ref.generation))
        node = ref.get_object()
        if "/Kids" in node and depth < _MAX_DEPTH:
            todo.extend((kid, depth + 1) for kid in reversed(list(node["/Kids"])))
        elif str(node.get("/Type", "/Page")) == "/Page":
            pages.append((ref, node))
    return pages


def _last_change(reader: Any, ref: Any) -> int:
    from pyhanko.pdf_utils import generic

    if not isinstance(ref, generic.IndirectObject):
        return 0
    try:
        return int(reader.xrefs.get_last_change(ref.reference))
    except Exception:
        return reader.xrefs.total_revisions - 1  # not found in any section: treat as the newest
