"""Look at what a person sees: a visible signature is rendered with pdftoppm and its ink located."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest

import kyso

pytestmark = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (Debian package poppler-utils) is not installed"
)

DPI = 72  # one pixel per PDF point: boxes map directly to pixels


def render(pdf: bytes, tmp_path: Path, name: str):
    from PIL import Image

    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-png", "-singlefile", source, tmp_path / name],
        check=True,
        capture_output=True,
    )
    return Image.open(BytesIO((tmp_path / f"{name}.png").read_bytes())).convert("L")


def test_visible_box_draws_only_inside_its_box(unsigned_pdf: bytes, signer_for: Callable, tmp_path: Path, pki) -> None:
    from PIL import ImageChops

    box = (300.0, 80.0, 520.0, 150.0)
    signed = kyso.sign(unsigned_pdf, signer=signer_for("person"), page=1, box=box)
    before, after = render(unsigned_pdf, tmp_path, "before"), render(signed, tmp_path, "after")
    height = after.height
    changed = ImageChops.difference(before, after).point(lambda v: 255 if v > 60 else 0).getbbox()
    assert changed is not None, "the visible signature drew nothing"
    left, top, right, bottom = changed
    # PDF origin is bottom-left, image origin top-left
    x1, y1, x2, y2 = box
    assert x1 - 1 <= left and right <= x2 + 1, (changed, box)
    assert height - y2 - 1 <= top and bottom <= height - y1 + 1, (changed, box)
    # the text inside the border is not clipped: ink stays off the right and bottom border lines' inner side
    inner = after.crop((int(x1) + 3, int(height - y2) + 3, int(x2) - 3, int(height - y1) - 3))
    ink_columns = [x for x in range(inner.width) if min(inner.getpixel((x, y)) for y in range(inner.height)) < 128]
    assert ink_columns, "no text inside the box"
    assert max(ink_columns) < inner.width - 2, "text runs into the right border: clipped"
    assert kyso.verify(signed, trust=[pki.root_cert], revocation="off").indication == "TOTAL_PASSED"


def test_visible_text_is_vietnamese(unsigned_pdf: bytes, signer_for: Callable, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian package poppler-utils) is not installed")
    signed = kyso.sign(unsigned_pdf, signer=signer_for("person"), page=1, box=(300, 80, 560, 150))
    source = tmp_path / "signed.pdf"
    source.write_bytes(signed)
    text = subprocess.run(["pdftotext", source, "-"], check=True, capture_output=True, text=True).stdout
    assert "Ký bởi: Nguyễn Văn An" in text
    assert "+07:00" in text
