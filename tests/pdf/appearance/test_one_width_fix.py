"""Issue 10: one fix for pyHanko's TTF width pitfall (DESIGN.md), not two. The cached subsets of the marks and the
pyHanko font engine (default stamp, one-stop-shop QR mark, demo letter) both convert font units with
``kyso.fonts.to_glyph_space``: breaking it breaks both paths (the rendered tests then show the spread letters)."""

from __future__ import annotations

import pytest
from pyhanko.pdf_utils.writer import PdfFileWriter

import kyso.fonts
from kyso.fonts import serif_regular, to_glyph_space
from kyso.pdf.appearance import fonts as mark_fonts


def test_conversion() -> None:
    assert to_glyph_space(2048, 2048) == 1000
    assert to_glyph_space(1024, 2048) == 500
    assert to_glyph_space(-434, 2048) == -212
    assert to_glyph_space(500, 1000) == 500


@pytest.fixture
def units_seen(monkeypatch) -> list[int]:
    seen: list[int] = []
    real = kyso.fonts.to_glyph_space

    def spy(value: float, units_per_em: int) -> int:
        seen.append(units_per_em)
        return real(value, units_per_em)

    monkeypatch.setattr(kyso.fonts, "to_glyph_space", spy)
    mark_fonts._facts.cache_clear()
    mark_fonts._subset.cache_clear()
    yield seen
    mark_fonts._facts.cache_clear()
    mark_fonts._subset.cache_clear()


def test_mark_subsets_use_the_one_conversion(units_seen) -> None:
    program = mark_fonts.font_for(None, "Ủy ban nhân dân")
    assert units_seen and set(units_seen) == {2048}  # Liberation Serif: 2048 units per em
    assert program.ascent == to_glyph_space(1825, 2048)  # hhea.ascent of Liberation Serif 2.1


def test_pyhanko_engine_uses_the_one_conversion(units_seen) -> None:
    engine = kyso.fonts.glyph_accumulator_factory(serif_regular()).create_font_engine(PdfFileWriter())
    assert units_seen and set(units_seen) == {2048}
    assert engine.cidfont_obj._font_descriptor["/Ascent"] == to_glyph_space(1825, 2048)
