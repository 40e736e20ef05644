"""Text of signature marks in an embedded TrueType subset, parsed and subset once per font and glyph set.

Stock pyHanko parses and subsets the TTF for every signature (~140 ms) and writes glyph widths in font units, wrong
for fonts whose unitsPerEm is not 1000 (DESIGN.md). Here the font is parsed once per file; the subset for a set of
characters is made once and cached (key: font path, modification time, character set); each signature then only
copies the cached, compressed bytes into its PDF. Widths and metrics are written in PDF glyph space (1/1000 em)
whatever the font's unitsPerEm, by the one conversion of :func:`kyso.fonts.to_glyph_space`. Text is laid out
with the font's advance widths (no kerning): marks are short lines of size 10.
"""

from __future__ import annotations

import functools
import io
import os
import zlib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from kyso.core.errors import InputError, UsageError

ALWAYS = frozenset("0123456789:+-T/., ")
"""Characters always in a subset: digits and the punctuation of ISO 8601 times, so that subsets made for texts
that differ only in their time stamp are the same cached subset."""


@dataclass(frozen=True)
class FontMetrics:
    """A font's vertical metrics and bounding box, in 1/1000 em (what the font descriptor carries)."""

    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]


@dataclass(frozen=True)
class FontProgram(FontMetrics):
    """A subset of one font, ready to embed."""

    name: str
    """PostScript name with the subset tag (``ABCDEF+LiberationSerif``)."""
    program: bytes
    """Flate-compressed TrueType subset."""
    gids: dict[str, int]
    """Character -> glyph id in the subset."""
    widths: dict[int, int]
    """Glyph id -> advance width in 1/1000 em."""
    to_unicode: bytes

    def width(self, text: str, size: float) -> float:
        """Advance width of ``text`` at ``size`` points."""
        return sum(self.widths[self.gids[ch]] for ch in text) * size / 1000

    def encode(self, text: str) -> bytes:
        """``text`` as a hex string operand of ``Tj`` (two bytes per glyph, Identity-H)."""
        return b"<" + "".join(f"{self.gids[ch]:04X}" for ch in text).encode("ascii") + b">"

    def add_to(self, writer: Any) -> Any:
        """Embed as a Type0 / CIDFontType2 font; returns the reference of the font dictionary."""
        from pyhanko.pdf_utils import generic

        n = generic.NameObject
        num = generic.NumberObject
        file_stream = generic.StreamObject(
            {n("/Filter"): n("/FlateDecode"), n("/Length1"): num(len(zlib.decompress(self.program)))},
            encoded_data=self.program,
        )
        descriptor = generic.DictionaryObject(
            {
                n("/Type"): n("/FontDescriptor"),
                n("/FontName"): n("/" + self.name),
                n("/Flags"): num(6),  # serif, symbolic (glyphs addressed by CID)
                n("/FontBBox"): generic.ArrayObject(num(v) for v in self.bbox),
                n("/ItalicAngle"): num(0),
                n("/Ascent"): num(self.ascent),
                n("/Descent"): num(self.descent),
                n("/CapHeight"): num(self.cap_height),
                n("/StemV"): num(80),
                n("/FontFile2"): writer.add_object(file_stream),
            }
        )
        widths = generic.ArrayObject()
        for gid in sorted(self.widths):
            widths.extend([num(gid), generic.ArrayObject([num(self.widths[gid])])])
        cid_font = generic.DictionaryObject(
            {
                n("/Type"): n("/Font"),
                n("/Subtype"): n("/CIDFontType2"),
                n("/BaseFont"): n("/" + self.name),
                n("/CIDSystemInfo"): generic.DictionaryObject(
                    {
                        n("/Registry"): generic.pdf_string("Adobe"),
                        n("/Ordering"): generic.pdf_string("Identity"),
                        n("/Supplement"): num(0),
                    }
                ),
                n("/FontDescriptor"): writer.add_object(descriptor),
                n("/CIDToGIDMap"): n("/Identity"),
                n("/DW"): num(1000),
                n("/W"): widths,
            }
        )
        to_unicode = generic.StreamObject(stream_data=self.to_unicode)
        to_unicode.compress()
        font = generic.DictionaryObject(
            {
                n("/Type"): n("/Font"),
                n("/Subtype"): n("/Type0"),
                n("/BaseFont"): n("/" + self.name),
                n("/Encoding"): n("/Identity-H"),
                n("/DescendantFonts"): generic.ArrayObject([writer.add_object(cid_font)]),
                n("/ToUnicode"): writer.add_object(to_unicode),
            }
        )
        return writer.add_object(font)


def font_for(path: str | os.PathLike[str] | None, text: str, *, option: str = "--font") -> FontProgram:
    """The cached subset of the font at ``path`` (the bundled Liberation Serif when ``None``) covering ``text``.

    :raises UsageError: when the font has no glyph for some characters of ``text`` (they are named).
    :raises InputError: when the file is not a usable TrueType/OpenType font.
    """
    from kyso.fonts import serif_regular

    font_path = Path(path) if path is not None else serif_regular()
    try:
        stat = font_path.stat()
    except OSError as exc:
        raise InputError(f"cannot read {option} {font_path}: {exc.strerror or exc.__class__.__name__}") from None
    key = (str(font_path.resolve()), stat.st_size, stat.st_mtime_ns)
    cmap = _facts(*key).cmap
    missing = "".join(dict.fromkeys(ch for ch in text if ord(ch) not in cmap and ch not in "\n"))
    if missing:
        raise UsageError(
            f"the font {font_path.name} has no glyph for {len(missing)} character(s) of the mark: "
            f"{' '.join(missing)} (use a font covering Vietnamese, e.g. Times New Roman or Liberation Serif)"
        )
    return _subset(key, frozenset(text.replace("\n", "")) | ALWAYS)


@dataclass(frozen=True)
class _Facts(FontMetrics):
    data: bytes
    cmap: dict[int, str]
    advances: dict[str, int]
    units_per_em: int
    ps_name: str

    @property
    def metrics(self) -> dict[str, Any]:
        """The :class:`FontMetrics` fields, to build a subset's :class:`FontProgram` with."""
        return {f.name: getattr(self, f.name) for f in fields(FontMetrics)}


@functools.lru_cache(maxsize=8)
def _facts(path: str, size: int, mtime_ns: int) -> _Facts:
    from fontTools.ttLib import TTFont, TTLibError

    label = Path(path).name
    try:
        data = Path(path).read_bytes()
        with TTFont(io.BytesIO(data), lazy=True) as font:
            if "glyf" not in font:
                raise InputError(f"--font {label}: only TrueType outlines (glyf) are supported")
            cmap = dict(font.getBestCmap() or {})
            advances = {name: adv for name, (adv, _lsb) in font["hmtx"].metrics.items()}
            head, hhea = font["head"], font["hhea"]
            upem = int(head.unitsPerEm)
            os2 = font["OS/2"] if "OS/2" in font else None
            cap = int(getattr(os2, "sCapHeight", 0) or hhea.ascent * 0.7)
            ps_name = font["name"].getDebugName(6) or Path(path).stem
            bbox = (head.xMin, head.yMin, head.xMax, head.yMax)
            ascent, descent = hhea.ascent, hhea.descent
    except InputError:
        raise
    except (TTLibError, KeyError, AttributeError, AssertionError, ValueError, OSError) as exc:
        raise InputError(f"--font {label} is not a usable TrueType font ({exc.__class__.__name__})") from None
    from kyso.fonts import to_glyph_space

    return _Facts(
        data=data,
        cmap=cmap,
        advances=advances,
        units_per_em=upem,
        ps_name="".join(ch for ch in ps_name if ch.isalnum() or ch in "-_") or "Font",
        ascent=to_glyph_space(ascent, upem),
        descent=to_glyph_space(descent, upem),
        cap_height=to_glyph_space(cap, upem),
        bbox=tuple(to_glyph_space(v, upem) for v in bbox),  # type: ignore[arg-type]
    )


@functools.lru_cache(maxsize=64)
def _subset(key: tuple[str, int, int], chars: frozenset[str]) -> FontProgram:
    import hashlib

    from fontTools import subset
    from fontTools.ttLib import TTFont

    from kyso.fonts import to_glyph_space

    facts = _facts(*key)
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GPOS", "GSUB", "GDEF", "FFTM", "DSIG", "kern"]
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = [1, 2, 6]
    font = TTFont(io.BytesIO(facts.data))
    subsetter = subset.Subsetter(options)
    usable = sorted(ch for ch in chars if ord(ch) in facts.cmap)
    subsetter.populate(unicodes=[ord(ch) for ch in usable])
    subsetter.subset(font)
    order = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
    new_cmap = font.getBestCmap() or {}
    gids = {ch: order[new_cmap[ord(ch)]] for ch in usable if ord(ch) in new_cmap}
    widths = {gid: to_glyph_space(facts.advances.get(name, 0), facts.units_per_em) for name, gid in order.items()}
    out = io.BytesIO()
    font.save(out)
    font.close()
    program = out.getvalue()
    tag = "".join(chr(ord("A") + b % 26) for b in hashlib.sha256(program).digest()[:6])
    return FontProgram(
        name=f"{tag}+{facts.ps_name}",
        program=zlib.compress(program, 6),
        gids=gids,
        widths=widths,
        to_unicode=_to_unicode(gids),
        **facts.metrics,
    )


def _to_unicode(gids: dict[str, int]) -> bytes:
    entries = sorted((gid, ch) for ch, gid in gids.items())
    lines = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        for gid, ch in chunk:
            utf16 = ch.encode("utf-16-be").hex().upper()
            lines.append(f"<{gid:04X}> <{utf16}>")
        lines.append("endbfchar")
    lines += ["endcmap CMapName currentdict /CMap defineresource pop end end"]
    return "\n".join(lines).encode("ascii")
