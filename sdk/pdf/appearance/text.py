"""Find text on a PDF page, with its position: enough of a content-stream interpreter to locate a signer block.

pyHanko has no text extraction. This reads the text-showing operators of a page (and of the form XObjects it
draws, a few levels deep), decodes strings through the font's ``/ToUnicode`` map (or WinAnsi for simple fonts
without one), advances by the font's widths, and groups glyphs into lines in *visual* coordinates (the page as
displayed, ``/Rotate`` applied). It does not render anything, so it is fast; it ignores clipping and colour, which
is fine for finding where a title or a name is printed.

Why not a text-extraction library: pdfminer.six's layout analysis costs tens of milliseconds per page (the issue's
speed goal allows visible signing at most twice the cost of an invisible one, ~15 ms), and pypdf would bring a
second PDF parser beside pyHanko's, reading the same objects differently. The cross-checked fast and careful paths
in the tests keep this reader honest.
"""

from __future__ import annotations

import math
import re
import struct
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from kyso.core.errors import InputError
from kyso.pdf.appearance.geometry import PageGeometry

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """``m`` then ``n`` (PDF row-vector convention)."""
    return (
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    )


@dataclass(slots=True)
class Glyph:
    """A run of text shown by one string operand (a few glyphs, often a word or a line)."""

    text: str
    x: float
    """Visual x of the glyph's origin."""
    end: float
    """Visual x where the next glyph would start."""
    y: float
    """Visual baseline."""
    size: float
    font: Any = None
    """The font that shows the run (its codes, widths and resource), when known."""
    raw: bytes = b""
    """The string operand's bytes (character codes of ``font``)."""

    def characters(self) -> list[tuple[str, float, float]]:
        """(text, visual x1, x2) of each character code of the run, from the font's widths scaled to the run's
        extent (character and word spacing spread evenly); the whole run as one piece when the font is unknown."""
        font = self.font
        if font is None or not self.raw:
            return [(self.text, self.x, self.end)]
        raw = self.raw
        codes: Any = struct.unpack(f">{len(raw) // 2}H", raw[: len(raw) // 2 * 2]) if font.two_bytes else raw
        pieces = [font.unicode.get(c) or ("" if font.two_bytes else bytes((c,)).decode(font.fallback, "replace"))
                  for c in codes]  # fmt: skip
        widths = [font.widths.get(c, font.default_width) for c in codes]
        total = sum(widths) or 1.0
        scale = (self.end - self.x) / total
        found, x = [], self.x
        for piece, width in zip(pieces, widths, strict=True):
            found.append((piece, x, x + width * scale))
            x += width * scale
        return found


@dataclass
class Line:
    """Glyphs sharing a baseline and close to each other, in visual coordinates."""

    glyphs: list[Glyph] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self._parts()[0])

    def _parts(self) -> tuple[list[str], list[int | None]]:
        parts: list[str] = []
        owners: list[int | None] = []
        for i, glyph in enumerate(self.glyphs):
            if i and glyph.x - self.glyphs[i - 1].end > 0.15 * glyph.size and not parts[-1].isspace():
                parts.append(" ")
                owners.append(None)
            parts.append(glyph.text)
            owners.append(i)
        return parts, owners

    @property
    def size(self) -> float:
        return max(g.size for g in self.glyphs)

    @property
    def baseline(self) -> float:
        return self.glyphs[0].y

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """(x1, y1, x2, y2) visual; vertical extent from the font size (accents and descenders included)."""
        return self.span(0, len(self.glyphs))

    def span(self, first: int, last: int) -> tuple[float, float, float, float]:
        glyphs = self.glyphs[first:last]
        size = max(g.size for g in glyphs)
        return (
            min(g.x for g in glyphs),
            self.baseline - 0.25 * size,
            max(g.end for g in glyphs),
            self.baseline + 0.95 * size,
        )

    def find(self, needle: str) -> tuple[float, float, float, float] | None:
        """Visual box of the first occurrence of ``needle`` (case-insensitive, NFC; spaces are ignored, as PDF text
        often has none between words)."""
        parts, owners = self._parts()
        folded: list[str] = []
        owner_of: list[int | None] = []
        for part, owner in zip(parts, owners, strict=True):
            for ch in normalise(part):
                if ch.isspace():
                    continue
                folded.append(ch)
                owner_of.append(owner)
        hay = "".join(folded)
        wanted = "".join(normalise(needle).split())
        at = hay.find(wanted) if wanted else -1
        if at < 0:
            return None
        covered = [o for o in owner_of[at : at + len(wanted)] if o is not None]
        return self.span(min(covered), max(covered) + 1)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).casefold()).strip() if text.strip() else text


MiB = 1024 * 1024
MAX_PAGE_CONTENT = 8 * MiB
"""Decoded content read for one page, form XObjects included (each time they are drawn). A text page takes a few
kilobytes, a dense vector map a few MiB; pyHanko's own bound (256 MiB per stream, 1100 times its encoded size) lets
a 191 KB file inflate a page to 192 MiB. Reading runs at about 3 MiB/s."""
MAX_SEARCH_CONTENT = 32 * MiB
"""Decoded content read by one search over the pages of a document (see :class:`ContentBudget`)."""
MAX_GLYPHS = 100_000
"""Text runs kept for one page; a dense page of text has a few thousand."""


class ContentBudget:
    """How much decoded page content one text search may still read: bounds its time over many pages, as the per-page
    bound bounds its memory. Exhausting it is an :class:`InputError` that says where to go instead."""

    def __init__(self, total: int = MAX_SEARCH_CONTENT) -> None:
        self.left = total

    def take(self, size: int, page: int) -> None:
        self.left -= size
        if self.left < 0:
            raise _too_large(page)


def _too_large(page: int) -> InputError:
    return InputError(
        f"page {page + 1}: the page content is too large for a text search (more than {MAX_PAGE_CONTENT // MiB} MiB "
        f"on a page or {MAX_SEARCH_CONTENT // MiB} MiB in all); place the signature with --page and --box instead "
        "of --anchor"
    )


def page_lines(reader: Any, geometry: PageGeometry, budget: ContentBudget | None = None) -> list[Line]:
    """The text lines of a page, top to bottom; ``budget`` is shared by the pages of one search."""
    from kyso.pdf.appearance.geometry import inherited, page_object

    page = page_object(reader, geometry.index)
    glyphs: list[Glyph] = []
    shared = budget or ContentBudget()
    limits = _PageLimits(geometry.index, shared, min(MAX_PAGE_CONTENT, max(shared.left, 0)))
    contents = page.get("/Contents")
    data = b""
    if contents is not None:
        try:
            contents = contents.get_object()
            streams = contents if isinstance(contents, list) else [contents]
            data = b"\n".join(limits.read(s.get_object()) for s in streams)
        except InputError:
            raise
        except Exception as exc:  # a broken or unsupported stream filter: bad input, not a traceback
            raise InputError(
                f"damaged PDF: the content of page {geometry.index + 1} cannot be read ({exc.__class__.__name__})"
            ) from None
    resources = inherited(page, "/Resources")
    interpreter = _Interpreter(glyphs, geometry, limits)
    interpreter.run(data, resources.get_object() if resources is not None else {}, IDENTITY, 0)
    return _lines(glyphs)


@dataclass
class _PageLimits:
    """What one page may still decode (see :data:`MAX_PAGE_CONTENT`), charged to the search's budget too."""

    page: int
    budget: ContentBudget
    left: int

    def read(self, stream: Any) -> bytes:
        from kyso.pdf.reading import stream_data

        try:
            data = stream_data(stream, max(self.left, 0))
        except InputError:
            raise _too_large(self.page) from None
        self.left -= len(data)
        self.budget.take(len(data), self.page)
        return data


def _lines(glyphs: list[Glyph]) -> list[Line]:
    rows: list[list[Glyph]] = []
    for glyph in sorted(glyphs, key=lambda g: (-round(g.y, 1), g.x)):
        if rows and abs(rows[-1][0].y - glyph.y) < 0.3 * glyph.size:
            rows[-1].append(glyph)
        else:
            rows.append([glyph])
    lines: list[Line] = []
    for row in rows:
        row.sort(key=lambda g: g.x)
        current = Line()
        for glyph in row:
            if current.glyphs and glyph.x - current.glyphs[-1].end > 2.5 * glyph.size:
                lines.append(current)
                current = Line()
            current.glyphs.append(glyph)
        lines.append(current)
    return [line for line in lines if line.text.strip()]


# --- content streams -----------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    rb"(?P<ws>[\x00\t\n\x0c\r ]+)|(?P<comment>%[^\r\n]*)|(?P<dopen><<)|(?P<dclose>>>)|(?P<hex><[0-9A-Fa-f\s]*>)"
    rb"|(?P<aopen>\[)|(?P<aclose>\])|(?P<name>/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*)"
    rb"|(?P<num>[+-]?(?:\d+\.?\d*|\.\d+))|(?P<str>\()|(?P<op>[^\x00\t\n\x0c\r ()<>\[\]{}/%]+)|(?P<other>.)",
    re.S,
)
_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}


_SIMPLE_LITERAL = re.compile(rb"[^()\\]*\)")


def _literal(data: bytes, pos: int) -> tuple[bytes, int]:
    """A literal string starting after its ``(`` at ``pos``; returns (bytes, position after the closing ``)``)."""
    simple = _SIMPLE_LITERAL.match(data, pos)
    if simple is not None:  # no escapes, no nested parentheses: the common case
        return simple.group()[:-1], simple.end()
    out = bytearray()
    depth = 1
    n = len(data)
    while pos < n:
        c = data[pos]
        pos += 1
        if c == 0x5C and pos < n:  # backslash
            e = data[pos]
            pos += 1
            if e in _ESCAPES:
                out.append(_ESCAPES[e])
            elif 0x30 <= e <= 0x37:
                digits = bytes([e])
                while len(digits) < 3 and pos < n and 0x30 <= data[pos] <= 0x37:
                    digits += bytes([data[pos]])
                    pos += 1
                out.append(int(digits, 8) & 0xFF)
            elif e in (0x0A, 0x0D):
                if e == 0x0D and pos < n and data[pos] == 0x0A:
                    pos += 1
            else:
                out.append(e)
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out), pos
        out.append(c)
    return bytes(out), pos


_FAST = re.compile(
    rb"(%[^\r\n]*)|(<<(?:[^<>()]|\((?:[^()\\]|\\.)*\))*>>)|(<<|>>|\[|\])|(<[0-9A-Fa-f\s]*>)"
    rb"|(/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*)"
    rb"|([+-]?(?:\d+\.?\d*|\.\d+))|(\((?:[^()\\]|\\.)*\))|(\()|([^\x00\t\n\x0c\r ()<>\[\]{}/%]+)",
    re.S,
)


def _operations(data: bytes):
    """(operator, operands) pairs of a content stream, one at a time; inline images are skipped.

    The fast path tokenises with one regular expression (a flat dictionary, such as the ``/ActualText`` properties
    of marked content, is one token); from a string with nested parentheses or an inline image on, the careful path
    takes over where the fast one stopped. Tokens are read one by one and operations handed out one by one, so memory
    stays bounded by the stream itself (a list of all tokens of a 192 MiB stream took 2.8 GB); the operands waiting
    for their operator are bounded too (:func:`_push`)."""
    operands: list[Any] = []
    stack: list[list[Any]] = []
    kinds: list[bytes] = []
    in_dict = False
    pending = [0]
    for match in _FAST.finditer(data):
        _comment, flat_dict, delim, hexa, name, num, string, nested, op = match.groups()
        if op:
            if op == b"ID":
                yield from _careful_operations(data, match.start(), operands, stack, pending)
                return
            if not stack:
                yield op.decode("latin-1"), operands
                operands = []
                pending[0] = 0
            continue
        if nested:
            yield from _careful_operations(data, match.start(), operands, stack, pending)
            return
        value: Any
        if flat_dict:  # a whole dictionary without nested ones (marked-content properties): not needed
            value = None
        elif num:
            value = float(num)
        elif string:
            if in_dict:  # marked-content properties (/ActualText ...) are not needed: skip unescaping
                value = None
            else:
                value = string[1:-1] if b"\\" not in string else _literal(string, 1)[0]
        elif hexa:
            value = _hex(hexa)
        elif name:
            value = name.decode("latin-1")
        elif delim in (b"[", b"<<"):
            _open(stack, operands)
            kinds.append(delim)
            in_dict = in_dict or delim == b"<<"
            operands = []
            continue
        elif delim:
            inner = operands
            operands = stack.pop() if stack else []
            if kinds:
                kinds.pop()
            in_dict = b"<<" in kinds
            value = inner if delim == b"]" else None
        else:
            continue
        _push(operands, value, pending)


MAX_OPERANDS = 100_000
"""Operands (array items included) waiting for their operator; real content streams need a few hundred at most."""
MAX_NESTING = 64
"""Arrays and dictionaries open at once in a content stream."""


def _push(operands: list[Any], value: Any, pending: list[int]) -> None:
    pending[0] += 1
    if pending[0] > MAX_OPERANDS:
        raise InputError(f"a page content stream has more than {MAX_OPERANDS} operands without an operator")
    operands.append(value)


def _open(stack: list[list[Any]], operands: list[Any]) -> None:
    if len(stack) >= MAX_NESTING:
        raise InputError(f"a page content stream nests arrays or dictionaries more than {MAX_NESTING} deep")
    stack.append(operands)


def _hex(token: bytes) -> bytes:
    try:
        return bytes.fromhex(token[1:-1].decode("ascii"))  # skips whitespace itself
    except ValueError:  # an odd number of digits: the last one is followed by an implicit 0
        digits = re.sub(rb"\s", b"", token[1:-1])
        return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))


def _careful_operations(
    data: bytes,
    pos: int = 0,
    operands: list[Any] | None = None,
    stack: list[list[Any]] | None = None,
    pending: list[int] | None = None,
):
    """(operator, operands) pairs of a content stream from ``pos`` on (with the operands and open arrays the fast
    path had gathered); inline images are skipped."""
    operands = [] if operands is None else operands
    stack = [] if stack is None else stack
    pending = [0] if pending is None else pending
    n = len(data)
    while pos < n:
        m = _TOKEN.match(data, pos)
        if m is None:  # pragma: no cover - the pattern matches any byte
            break
        pos = m.end()
        kind = m.lastgroup
        value: Any
        if kind in ("ws", "comment", "other"):
            continue
        if kind == "str":
            value, pos = _literal(data, pos)
        elif kind == "hex":
            value = _hex(m.group())
        elif kind == "num":
            value = float(m.group())
        elif kind == "name":
            value = m.group().decode("latin-1")
        elif kind in ("aopen", "dopen"):
            _open(stack, operands)
            operands = []
            continue
        elif kind in ("aclose", "dclose"):
            inner = operands
            operands = stack.pop() if stack else []
            value = inner if kind == "aclose" else None
        else:
            op = m.group().decode("latin-1")
            if stack:  # an operator inside an array: malformed, drop it
                continue
            if op == "ID":  # inline image data runs up to "EI" between whitespace
                end = re.compile(rb"[\x00\t\n\x0c\r ]EI(?=[\x00\t\n\x0c\r ]|$)").search(data, pos)
                pos = end.end() if end else n
                operands = []
                pending[0] = 0
                continue
            yield op, operands
            operands = []
            pending[0] = 0
            continue
        _push(operands, value, pending)


@dataclass
class _Font:
    two_bytes: bool
    unicode: dict[int, str]
    widths: dict[int, float]
    default_width: float
    fallback: str
    ref: Any = None
    """The font dictionary as the page's resources name it (what a mark drawn in the document's font uses)."""

    def decode(self, raw: bytes) -> tuple[str, float, int, int]:
        """(text, sum of glyph widths in text space units, number of codes, number of single-byte spaces)."""
        if self.two_bytes:
            codes: Any = struct.unpack(f">{len(raw) // 2}H", raw[: len(raw) // 2 * 2])
            texts = self.unicode
            text = "".join([texts.get(c, "") for c in codes])
            spaces = 0
        else:
            codes = raw
            texts = self.unicode
            text = "".join([texts.get(c) or bytes((c,)).decode(self.fallback, errors="replace") for c in codes])
            spaces = raw.count(32)
        widths, default = self.widths, self.default_width
        return text, sum([widths.get(c, default) for c in codes]) / 1000, len(codes), spaces


def _load_font(font: Any) -> _Font:
    font = font.get_object()
    subtype = str(font.get("/Subtype", ""))
    unicode: dict[int, str] = {}
    if "/ToUnicode" in font:
        from kyso.pdf.reading import stream_data

        try:
            unicode = _parse_cmap(stream_data(font["/ToUnicode"].get_object(), _MAX_CMAP_BYTES))
        except Exception:  # unreadable or oversized: the fallback encoding still finds ASCII anchors
            unicode = {}
    widths: dict[int, float] = {}
    if subtype == "/Type0":
        default = 1000.0
        try:
            descendant = font["/DescendantFonts"][0].get_object()
            default = float(descendant.get("/DW", 1000))
            w = list(descendant.get("/W", []))
            i = 0
            while i < len(w):
                first = int(w[i])
                if isinstance(w[i + 1], list):
                    for j, width in enumerate(w[i + 1]):
                        if j >= _MAX_CODES:
                            break
                        widths[first + j] = float(width)
                    i += 2
                else:
                    for cid in range(first, min(int(w[i + 1]), first + _MAX_CODES) + 1):
                        widths[cid] = float(w[i + 2])
                    i += 3
                if len(widths) > _MAX_CODES:
                    break
        except Exception:
            pass
        return _Font(True, unicode, widths, default, "latin-1")
    try:
        first = int(font.get("/FirstChar", 0))
        for j, width in enumerate(font.get("/Widths", [])):
            widths[first + j] = float(width)
    except Exception:
        widths = {}
    encoding = str(font.get("/Encoding", "")) if not hasattr(font.get("/Encoding"), "keys") else ""
    fallback = "mac_roman" if encoding == "/MacRomanEncoding" else "cp1252"
    return _Font(False, unicode, widths, 500.0, fallback)


_MAX_CODES = 65536
"""Character codes a font maps (two-byte codes at most): a hostile /W or /ToUnicode range may claim billions."""
_MAX_CMAP_BYTES = 4 * MiB

_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>|\[([^\]]*)\]")


def _utf16(hex_digits: bytes) -> str:
    raw = bytes.fromhex(re.sub(rb"\s", b"", hex_digits).decode("ascii"))
    return raw.decode("utf-16-be", errors="replace")


def _parse_cmap(data: bytes) -> dict[int, str]:
    """The code -> text map of a /ToUnicode CMap, at most :data:`_MAX_CODES` entries."""
    result: dict[int, str] = {}
    for block in _BFCHAR.findall(data):
        items = re.findall(rb"<([0-9A-Fa-f\s]*)>", block)
        for src, dst in zip(items[::2], items[1::2], strict=False):
            result[int(re.sub(rb"\s", b"", src) or b"0", 16)] = _utf16(dst)
    for block in _BFRANGE.findall(data):
        tokens = _HEX.findall(block)
        for i in range(0, len(tokens) - 2, 3):
            if len(result) > _MAX_CODES:
                return result
            lo = int(re.sub(rb"\s", b"", tokens[i][0]) or b"0", 16)
            hi = int(re.sub(rb"\s", b"", tokens[i + 1][0]) or b"0", 16)
            dst_hex, dst_array = tokens[i + 2]
            if dst_array:
                for j, item in enumerate(re.findall(rb"<([0-9A-Fa-f\s]*)>", dst_array)):
                    result[lo + j] = _utf16(item)
            elif hi - lo < 65536:
                base = bytes.fromhex(re.sub(rb"\s", b"", dst_hex).decode("ascii"))
                for j in range(hi - lo + 1):
                    value = int.from_bytes(base, "big") + j
                    result[lo + j] = value.to_bytes(len(base), "big").decode("utf-16-be", errors="replace")
    return result


_OPERATORS = frozenset(
    ("q", "Q", "cm", "BT", "Tf", "Td", "TD", "Tm", "T*", "TL", "Tc", "Tw", "Tz", "Ts", "Tj", "'", '"', "TJ", "Do")
)


class _Interpreter:
    def __init__(self, glyphs: list[Glyph], geometry: PageGeometry, limits: _PageLimits) -> None:
        self.glyphs = glyphs
        self.geometry = geometry
        self.limits = limits
        self.fonts: dict[int, _Font] = {}

    def run(self, data: bytes, resources: Any, ctm: Matrix, depth: int) -> None:
        fonts = _get(resources, "/Font")
        xobjects = _get(resources, "/XObject")
        stack: list[tuple[Matrix, Any]] = []
        font: _Font | None = None
        size = tm = tlm = None
        tm = tlm = IDENTITY
        size, tc, tw, th, tl, rise = 0.0, 0.0, 0.0, 1.0, 0.0, 0.0
        for op, args in _operations(data):
            if op not in _OPERATORS:
                continue
            try:
                if op == "q":
                    stack.append((ctm, (font, size, tc, tw, th, tl, rise)))
                elif op == "Q" and stack:
                    ctm, (font, size, tc, tw, th, tl, rise) = stack.pop()
                elif op == "cm" and len(args) == 6:
                    ctm = _mul(tuple(args), ctm)  # type: ignore[arg-type]
                elif op == "BT":
                    tm = tlm = IDENTITY
                elif op == "Tf" and len(args) == 2:
                    font, size = self._font(fonts, args[0]), float(args[1])
                elif op in ("Td", "TD") and len(args) == 2:
                    if op == "TD":
                        tl = -args[1]
                    tlm = tm = _mul((1, 0, 0, 1, args[0], args[1]), tlm)
                elif op == "Tm" and len(args) == 6:
                    tlm = tm = tuple(args)  # type: ignore[assignment]
                elif op == "T*":
                    tlm = tm = _mul((1, 0, 0, 1, 0, -tl), tlm)
                elif op == "TL" and args:
                    tl = args[0]
                elif op == "Tc" and args:
                    tc = args[0]
                elif op == "Tw" and args:
                    tw = args[0]
                elif op == "Tz" and args:
                    th = args[0] / 100
                elif op == "Ts" and args:
                    rise = args[0]
                elif op in ("Tj", "'", '"', "TJ") and args:
                    if op in ("'", '"'):
                        if op == '"' and len(args) == 3:
                            tw, tc = args[0], args[1]
                        tlm = tm = _mul((1, 0, 0, 1, 0, -tl), tlm)
                    items = args[-1] if op == "TJ" else [args[-1]]
                    for item in items if isinstance(items, list) else []:
                        if isinstance(item, float):
                            tm = _mul((1, 0, 0, 1, -item / 1000 * size * th, 0), tm)
                        elif isinstance(item, bytes) and font is not None:
                            tm = self._show(font, item, size, tc, tw, th, rise, tm, ctm)
                elif op == "Do" and args and depth < 4:
                    self._form(xobjects, args[0], ctm, depth)
            except (TypeError, ValueError, IndexError, KeyError, AttributeError):
                continue

    def _font(self, fonts: Any, name: Any) -> _Font | None:
        try:
            ref = fonts.raw_get(name) if hasattr(fonts, "raw_get") else fonts[name]
        except Exception:
            return None
        key = id(ref.get_object())
        if key not in self.fonts:
            try:
                self.fonts[key] = _load_font(ref)
                self.fonts[key].ref = ref
            except Exception:
                return None
        return self.fonts[key]

    def _show(self, font: _Font, raw: bytes, size: float, tc: float, tw: float, th: float, rise: float,
              tm: Matrix, ctm: Matrix) -> Matrix:  # fmt: skip
        """One string shown: recorded as one chunk (text, start, end), the text matrix advanced past it."""
        text, width, count, spaces = font.decode(raw)
        advance = (width * size + tc * count + tw * spaces) * th
        if text.strip():
            if len(self.glyphs) >= MAX_GLYPHS:
                raise InputError(
                    f"page {self.limits.page + 1}: more than {MAX_GLYPHS} text runs, too many for a text search; "
                    "place the signature with --page and --box instead of --anchor"
                )
            # text space -> user space; the string runs from (0, rise) to (advance, rise) in text space
            a, b, c, d, e, f = _mul(tm, ctm)
            e, f = c * rise + e, d * rise + f
            x, y = self.geometry.to_visual(e, f)
            ex, _ = self.geometry.to_visual(a * advance + e, b * advance + f)
            if not text.isascii():
                text = unicodedata.normalize("NFC", text)
            self.glyphs.append(Glyph(text, x, max(ex, x), y, math.hypot(c, d) * size, font, raw))
        return (tm[0], tm[1], tm[2], tm[3], advance * tm[0] + tm[4], advance * tm[1] + tm[5])

    def _form(self, xobjects: Any, name: Any, ctm: Matrix, depth: int) -> None:
        try:
            form = xobjects[name].get_object()
        except Exception:
            return
        if str(form.get("/Subtype", "")) != "/Form":
            return
        matrix = tuple(float(v) for v in form.get("/Matrix", IDENTITY))
        resources = form.get("/Resources")
        try:
            data = self.limits.read(form)
        except InputError:
            raise
        except Exception:  # a form that cannot be decoded shows no text
            return
        self.run(data, resources.get_object() if resources is not None else {}, _mul(matrix, ctm), depth + 1)  # type: ignore[arg-type]


def _get(resources: Any, key: str) -> Any:
    try:
        value = resources.get(key)
        return value.get_object() if value is not None else {}
    except Exception:
        return {}
