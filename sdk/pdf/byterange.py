"""Where a PDF signature's byte range lies, checked by Kyso itself from the bytes, never from lengths alone.

Kyso rule (issue 9, the literal-/Contents forgery; see ``docs/security.md``): pyHanko rates coverage from the
*lengths* of the two byte ranges and of the /Contents string (``len1 + len2 + 2 * len(contents) + 2 == file size``)
and never checks *where* they are. A /Contents rewritten as a literal string ``(...)`` decodes to up to twice as
many bytes as the hex string it replaces in the same room, so the arithmetic can be made to match a file that has
grown by an incremental update (new page content, new xref) that no signature covers; or the literal string
leaves room for a second /ByteRange (pyHanko keeps the first of duplicate keys), new objects and a new xref, with
the signed second range moved to the end of the file. pyHanko then says ENTIRE_FILE and skips the difference
analysis altogether. The geometry rule, one place for the pyHanko path (``kyso.pdf.changes``) and the raw
fallback (``kyso.pdf.raw``):

- the byte range is four non-negative integers and the first range starts at 0;
- the ranges neither overlap nor reach past the end of the file (DSS-3439, ``dss_pdf-eof.pdf``);
- the gap between them is exactly one hex string ``<...>`` (hex digits only, an even count): no literal string, no
  whitespace or other bytes around or inside it, so that the gap is ``2 * len(contents) + 2`` bytes for real;
- the signature dictionary read at its own offset has exactly one /Contents, whose value is that very token, and
  exactly one /ByteRange, equal to the checked one; the whole dictionary except the /Contents value is signed;
- ENTIRE_FILE means that the second range ends at the end of the file (the caller asks pyHanko about earlier
  revisions only once the geometry holds, as its arithmetic is then true).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

_WHITESPACE = b"\x00\t\n\x0c\r "
_SPACE = re.compile(rb"(?:[\x00\t\n\x0c\r ]|%[^\r\n]*)*")


def _after_space(data: bytes, at: int) -> int:
    """The offset after the white space and comments at ``at`` (``_SPACE`` matches everywhere, maybe empty)."""
    return _SPACE.match(data, at).end()  # type: ignore[union-attr]


_REGULAR = re.compile(rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]+")
_OBJECT_HEADER = re.compile(rb"(\d+)[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]*obj(?![^\x00\t\n\x0c\r ()<>\[\]{}/%])")
_HEADER_BEFORE = re.compile(rb"\d+[\x00\t\n\x0c\r ]+\d+[\x00\t\n\x0c\r ]*obj\Z")
_REFERENCE_TAIL = re.compile(rb"[\x00\t\n\x0c\r ]+\d+[\x00\t\n\x0c\r ]+R(?![^\x00\t\n\x0c\r ()<>\[\]{}/%])")
_HEX_DIGITS = re.compile(rb"[0-9A-Fa-f]*")
_LITERAL_RUN = re.compile(rb"(?:[^()\\]|\\.)*", re.DOTALL)
_SIMPLE_RUN = re.compile(rb"(?:[\x00\t\n\x0c\r ]+|/?[^\x00\t\n\x0c\r ()<>\[\]{}/%]+|/)+")
"""Names, numbers, keywords and whitespace: skipped in one step inside an array or a dictionary."""
_MAX_NESTING = 64
_SEARCH_WINDOW = 1 << 20
"""How far before the signature value the raw fallback looks for the object holding it (a signature dictionary
is a few kilobytes before its /Contents, a megabyte is generous)."""
_MAX_CANDIDATES = 4096


class GeometryError(ValueError):
    """The byte range is not where a signature's byte range must be; the message says why (English, for reports)."""


@dataclasses.dataclass(frozen=True)
class Geometry:
    """A byte range that passed the geometry rule."""

    byte_range: tuple[int, int, int, int]
    contents: bytes
    """The signature container as written between the ranges (hex-decoded, padding included)."""
    whole_file: bool
    """The second range ends at the end of the file."""


def check(data: bytes, byte_range: Sequence[object], dictionary_at: int) -> Geometry:
    """The geometry of ``byte_range`` in ``data`` for the signature dictionary stored at offset ``dictionary_at``
    (the offset of its ``N G obj`` header); raises :class:`GeometryError` with the reason."""
    values = _four_integers(byte_range)
    start1, len1, start2, len2 = values
    if start1 != 0:
        raise GeometryError("the first byte range does not start at the beginning of the file")
    if len1 == 0:
        raise GeometryError("the first byte range is empty")
    if start2 < len1:
        raise GeometryError("the byte ranges overlap")
    if start2 + len2 > len(data):
        # DSS-3439 (dss_pdf-eof.pdf): pyHanko digests whatever bytes exist, so a byte range reaching past the end
        # of the file can still look intact; the signed bytes are not the file's bytes
        raise GeometryError("the byte range reaches past the end of the file")
    gap = data[len1:start2]
    is_token = gap[:1] == b"<" and gap[-1:] == b">" and len(gap) % 2 == 0  # an even number of digits
    if not (is_token and _HEX_DIGITS.fullmatch(gap, 1, len(gap) - 1)):
        if gap.lstrip(_WHITESPACE).startswith(b"("):
            raise GeometryError(
                "the signature value between the byte ranges is a literal string, not a hex string: its length "
                "no longer tells how much of the file is signed"
            )
        raise GeometryError("the bytes between the byte ranges are not exactly one hex string (the signature value)")
    contents_at, range_at, end = _signature_entries(data, dictionary_at)
    if contents_at != (len1, start2):
        raise GeometryError("the signature dictionary's /Contents is not the value between the byte ranges")
    if _four_integers(_array_integers(data[range_at[0] : range_at[1]])) != values:
        raise GeometryError("the signature dictionary's /ByteRange is not the byte range that was checked")
    if end > start2 + len2:
        raise GeometryError("the signature dictionary is not entirely covered by the signature")
    contents = bytes.fromhex(gap[1:-1].decode("ascii"))
    return Geometry(byte_range=values, contents=contents, whole_file=start2 + len2 == len(data))


def enclosing_object(data: bytes, position: int) -> int:
    """Offset of the last ``N G obj`` header before ``position``: the object the raw fallback holds responsible
    for the signature value found there (it has no cross-reference table to ask). Searched within
    ``_SEARCH_WINDOW`` bytes and ``_MAX_CANDIDATES`` candidates, so that a hostile file cannot make it slow."""
    lowest = max(0, position - _SEARCH_WINDOW)
    found = data.rfind(b"obj", lowest, position)
    for _ in range(_MAX_CANDIDATES):
        if found < 0:
            break
        header = _HEADER_BEFORE.search(data, max(lowest, found - 64), found + 3)
        if header is not None and data[found - 3 : found] != b"end":
            return header.start()
        found = data.rfind(b"obj", lowest, found)
    raise GeometryError("no object holds the signature value")


def _four_integers(byte_range: Sequence[object]) -> tuple[int, int, int, int]:
    try:
        values = tuple(byte_range)
    except TypeError:
        values = ()
    if len(values) != 4 or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
        raise GeometryError("the byte range is not four non-negative integers")
    return values  # type: ignore[return-value]


def _array_integers(text: bytes) -> list[object]:
    if not (text.startswith(b"[") and text.endswith(b"]")):
        return []
    items: list[object] = []
    for token in text[1:-1].split():
        items.append(int(token) if token.isdigit() else token)
    return items


def _signature_entries(data: bytes, at: int) -> tuple[tuple[int, int], tuple[int, int], int]:
    """Spans of the /Contents and /ByteRange values of the dictionary object at ``at``, and the dictionary's end.

    A tokenizer of its own on purpose: the point is to see where the tokens are, which a parser that returns
    objects does not tell; duplicate keys are refused (pyHanko keeps the first one, other readers the last)."""
    if not 0 <= at < len(data):
        raise GeometryError("the signature dictionary is not at the offset the cross-reference table gives")
    position = _after_space(data, at)
    header = _OBJECT_HEADER.match(data, position)
    if header is None:
        raise GeometryError("the signature dictionary is not at the offset the cross-reference table gives")
    position = _after_space(data, header.end())
    if not data.startswith(b"<<", position):
        raise GeometryError("the signature object is not a dictionary")
    position += 2
    spans: dict[bytes, tuple[int, int]] = {}
    while True:
        position = _after_space(data, position)
        if data.startswith(b">>", position):
            break
        if data[position : position + 1] != b"/":
            raise GeometryError("the signature dictionary cannot be read")
        name = _REGULAR.match(data, position + 1)
        key_end = name.end() if name else position + 1
        key = data[position:key_end]
        start = _after_space(data, key_end)
        end = _object_end(data, start)
        if key in (b"/Contents", b"/ByteRange"):
            if key in spans:
                raise GeometryError(f"the signature dictionary has more than one {key.decode()}")
            spans[key] = (start, end)
        position = end
    if b"/Contents" not in spans or b"/ByteRange" not in spans:
        raise GeometryError("the signature dictionary lacks /Contents or /ByteRange")
    return spans[b"/Contents"], spans[b"/ByteRange"], position + 2


def _object_end(data: bytes, position: int) -> int:
    """End offset of the PDF object starting at ``position`` (a dictionary value); iterative, nesting bounded."""
    closers: list[bytes] = []
    while True:
        position = _after_space(data, position)
        if position >= len(data):
            raise GeometryError("the signature dictionary is not terminated")
        char = data[position : position + 1]
        if closers:
            run = _SIMPLE_RUN.match(data, position)
            if run:
                position = run.end()
                continue
        if data.startswith(b"<<", position):
            closers.append(b">>")
            position += 2
        elif char == b"[":
            closers.append(b"]")
            position += 1
        elif data.startswith(b">>", position) or char == b"]":
            closer = b">>" if char == b">" else b"]"
            if not closers or closers.pop() != closer:
                raise GeometryError("the signature dictionary cannot be read")
            position += len(closer)
        elif char == b"(":
            position = _literal_end(data, position)
        elif char == b"<":
            close = data.find(b">", position)
            if close < 0:
                raise GeometryError("the signature dictionary is not terminated")
            position = close + 1
        elif char == b"/":
            name = _REGULAR.match(data, position + 1)
            position = name.end() if name else position + 1
        else:
            token = _REGULAR.match(data, position)
            if token is None:
                raise GeometryError("the signature dictionary cannot be read")
            position = token.end()
            reference = _REFERENCE_TAIL.match(data, position) if token.group().isdigit() and not closers else None
            position = reference.end() if reference else position
        if len(closers) > _MAX_NESTING:
            raise GeometryError("the signature dictionary is nested too deeply")
        if not closers:
            return position


def _literal_end(data: bytes, position: int) -> int:
    """End of the literal string at ``position``: balanced parentheses, backslash escapes (one regex step per
    parenthesis, not per byte)."""
    depth = 0
    while True:
        position = _LITERAL_RUN.match(data, position).end()  # type: ignore[union-attr]  # matches everywhere
        char = data[position : position + 1]
        if not char:
            raise GeometryError("the signature dictionary is not terminated")
        position += 1
        depth += 1 if char == b"(" else -1
        if depth == 0:
            return position
