"""Bundled fonts: Liberation Serif 2.1.5 (metric-compatible with Times New Roman), SIL Open Font License 1.1.

The font files are unmodified copies from Debian's ``fonts-liberation2`` package; see
``LICENSE-LiberationFonts.txt`` next to them. They cover every Vietnamese letter (:data:`VIETNAMESE_LETTERS`).

:func:`to_glyph_space` is Kyso's one fix of pyHanko's width pitfall (DESIGN.md: glyph widths written in font units,
wrong for fonts whose ``unitsPerEm`` is not 1000): every width and font metric Kyso writes into a PDF goes through
it, from :class:`ScaledGlyphAccumulator` (:func:`glyph_accumulator_factory`, the way to use these fonts or any
TrueType/OpenType font with pyHanko's PDF machinery) and from the cached font subsets of the signature marks
(``kyso.pdf.appearance.fonts``).
"""

from __future__ import annotations

import io
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.writer import BasePdfFileWriter

__all__ = [
    "VIETNAMESE_LETTERS",
    "ScaledGlyphAccumulator",
    "glyph_accumulator_factory",
    "missing_glyphs",
    "serif_bold",
    "serif_regular",
    "to_glyph_space",
]

_HERE = Path(__file__).resolve().parent

PDF_GLYPH_UNITS = 1000
"""PDF glyph space: widths (``/W``), font descriptor metrics and ``TJ`` adjustments are in 1/1000 em."""


def to_glyph_space(value: float, units_per_em: int) -> int:
    """A metric in font units (1/``units_per_em`` em: an advance, an ascent, a bounding-box coordinate) in PDF glyph
    space (1/1000 em). pyHanko (0.38) writes font units as they are: with ``unitsPerEm`` 2048 (Liberation, Times New
    Roman, DejaVu) every glyph then advances about twice too far and the text leaves its box."""
    return round(value * PDF_GLYPH_UNITS / units_per_em)


def serif_regular() -> Path:
    """Path of the bundled ``LiberationSerif-Regular.ttf``."""
    return _HERE / "LiberationSerif-Regular.ttf"


def serif_bold() -> Path:
    """Path of the bundled ``LiberationSerif-Bold.ttf``."""
    return _HERE / "LiberationSerif-Bold.ttf"


def _vietnamese_letters() -> str:
    # grave (huyền), hook above (hỏi), tilde (ngã), acute (sắc), dot below (nặng)
    tones = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
    lower: list[str] = []
    for vowel in "aăâeêioôơuưy":
        if vowel in "ăâêôơư":
            lower.append(vowel)
        lower.extend(unicodedata.normalize("NFC", vowel + tone) for tone in tones)
    lower.append("đ")
    assert all(len(letter) == 1 for letter in lower), "every Vietnamese letter has a precomposed code point"
    return "".join(lower) + "".join(letter.upper() for letter in lower)


VIETNAMESE_LETTERS: str = _vietnamese_letters()
"""The 134 accented Vietnamese letters (67 lower case, then the same 67 in upper case), NFC: the 12 vowels
a ă â e ê i o ô ơ u ư y with each of the 5 tones, the toneless ă â ê ô ơ ư, and đ."""


def missing_glyphs(font_path: str | os.PathLike[str], text: str) -> str:
    """The characters of ``text`` (each once, in order of appearance) that the font's cmap does not map to a glyph."""
    from fontTools.ttLib import TTFont

    with TTFont(font_path, lazy=True) as font:
        cmap = font.getBestCmap() or {}
    return "".join(dict.fromkeys(ch for ch in text if ord(ch) not in cmap))


class ScaledGlyphAccumulator(GlyphAccumulator):
    """A pyHanko :class:`GlyphAccumulator` that is correct for any ``unitsPerEm``, not only 1000.

    pyHanko (0.38) mixes two unit systems. PDF glyph space is 1/1000 em, but pyHanko takes the glyph widths of the
    ``/W`` array of the CID font, the ``TJ`` kerning adjustments (``width - x_advance``) and the font descriptor
    metrics (``/Ascent``, ``/Descent``, ``/CapHeight``, ``/FontBBox``) straight from the font in *font units*, i.e.
    1/unitsPerEm em. It only converts correctly where it divides by ``units_per_em`` itself (the ``Td`` after a shaped
    run and :class:`ShapeResult` advances). For a font with unitsPerEm 2048 (Liberation, Times New Roman, Arial) every
    glyph advances 2.048 times too far inside a run: the letters spread and the text runs out of its box.

    The fix: shape in 1/1000 em from the start. The HarfBuzz font is scaled to 1000 units per em, so the positions
    HarfBuzz returns (advances, offsets, kerning) are already in PDF glyph space; glyph widths are taken from that same
    scaled HarfBuzz font (so they round exactly like the shaped advances and plain text gets no spurious ``TJ``
    adjustments); ``units_per_em`` is set to 1000 so that pyHanko's own conversions stay right; and the font
    descriptor metrics are rescaled. For a font that already has 1000 units per em nothing changes.
    """

    PDF_GLYPH_UNITS = PDF_GLYPH_UNITS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.font_units_per_em: int = self.units_per_em
        self.hb_font.scale = (self.PDF_GLYPH_UNITS, self.PDF_GLYPH_UNITS)
        self.units_per_em = self.PDF_GLYPH_UNITS
        self._rescale_font_descriptor()

    def _to_glyph_space(self, value: float) -> int:
        return to_glyph_space(value, self.font_units_per_em)

    def _rescale_font_descriptor(self) -> None:
        if self.font_units_per_em == self.PDF_GLYPH_UNITS:
            return
        descriptor = self.cidfont_obj._font_descriptor  # built from raw font units in CIDFont.__init__
        for key in ("/Ascent", "/Descent", "/CapHeight"):
            if key in descriptor:
                descriptor[generic.NameObject(key)] = generic.NumberObject(self._to_glyph_space(descriptor[key]))
        if "/FontBBox" in descriptor:
            descriptor[generic.NameObject("/FontBBox")] = generic.ArrayObject(
                generic.NumberObject(self._to_glyph_space(v)) for v in descriptor["/FontBBox"]
            )

    def _extract_subset(self, options=None):
        if options is None:  # pyHanko's defaults, plus FontForge's timestamp table that fontTools cannot subset
            from fontTools import subset

            options = subset.Options(layout_closure=False)
            options.drop_tables += ["GPOS", "GDEF", "GSUB", "FFTM"]
        super()._extract_subset(options)

    def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
        cached = self._glyphs.get(glyph_id)
        if cached is not None:
            return cached
        cid, _font_units_width = super()._get_cid_and_width(glyph_id)
        result = cid, self.hb_font.get_glyph_h_advance(glyph_id)
        self._glyphs[glyph_id] = result
        return result


@dataclass(frozen=True)
class _ScaledGlyphAccumulatorFactory(GlyphAccumulatorFactory):
    """:class:`GlyphAccumulatorFactory` that creates :class:`ScaledGlyphAccumulator` engines."""

    def create_font_engine(self, writer: BasePdfFileWriter, obj_stream=None) -> ScaledGlyphAccumulator:
        font_handle = io.BytesIO(Path(self.font_file).read_bytes())  # pyHanko would leave its file handle open
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return ScaledGlyphAccumulator(
            writer=writer,
            font_handle=font_handle,
            font_size=self.font_size,
            ot_script_tag=self.ot_script_tag,
            ot_language_tag=self.ot_language_tag,
            writing_direction=self.writing_direction,
            bcp47_lang_code=self.bcp47_lang_code,
            obj_stream=obj_stream,
        )


def glyph_accumulator_factory(
    path: str | os.PathLike[str], *, font_size: int = 10, bcp47_lang_code: str | None = None
) -> FontEngineFactory:
    """A pyHanko font engine factory for the TrueType/OpenType font at ``path`` (embedded as a subset), with the
    glyph width fix of :class:`ScaledGlyphAccumulator`.

    Use it wherever pyHanko takes a :class:`FontEngineFactory`, e.g.
    ``TextBoxStyle(font=glyph_accumulator_factory(serif_regular()), font_size=10)`` in a stamp style. Each
    ``create_font_engine(writer)`` call embeds one more subset of the font in that writer. ``font_size`` must equal the
    size the text is set in (``Tf``) when ``shape()`` output is used outside a pyHanko ``TextBox`` (which syncs it).
    """
    return _ScaledGlyphAccumulatorFactory(os.fspath(path), font_size=font_size, bcp47_lang_code=bcp47_lang_code)
