"""Helpers of the signature-kind tests: sample marks and letter (fixtures: import them), rendering, ink.

Not a ``conftest.py``: other tests import the top-level ``conftest`` by name.
"""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest

from kyso.demo.letter import SampleLetter, sample_letter
from kyso.demo.marks import sample_seal_png, sample_signature_png

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="pdftoppm/pdftotext (Debian package poppler-utils) are not installed",
)


@pytest.fixture(scope="session", name="marks")
def marks_fixture(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """PNG files: ``signature`` (blue, 600x240 px at 300 dpi) and ``seal`` (red, 36 mm at 300 dpi)."""
    folder = tmp_path_factory.mktemp("marks")
    paths = {"signature": folder / "signature.png", "seal": folder / "seal.png"}
    paths["signature"].write_bytes(sample_signature_png())
    paths["seal"].write_bytes(sample_seal_png())
    return paths


@pytest.fixture(scope="session", name="letter")
def letter_fixture() -> SampleLetter:
    return sample_letter()


def render(pdf: bytes, folder: Path, *, page: int = 1, dpi: int = 72):
    """Page ``page`` of ``pdf`` as an RGB Pillow image (72 dpi: one pixel per point)."""
    from PIL import Image

    source = folder / "render.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile", source, folder / "page"],
        check=True,
        capture_output=True,
    )
    return Image.open(BytesIO((folder / "page.png").read_bytes())).convert("RGB")


def pdftotext(pdf: bytes, folder: Path) -> str:
    source = folder / "text.pdf"
    source.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", source, "-"], check=True, capture_output=True).stdout.decode(
        "utf-8"
    )


def ink_bbox(image, colour: str) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) pixels of the ``"blue"``, ``"red"`` or ``"dark"`` (black text) ink, or None."""
    from PIL import ImageChops

    r, g, b = image.split()

    def above(channel, level):
        return channel.point(lambda v: 255 if v > level else 0)

    def below(channel, level):
        return channel.point(lambda v: 255 if v < level else 0)

    if colour == "blue":
        mask = ImageChops.multiply(above(b, 110), below(r, 110))
    elif colour == "red":
        mask = ImageChops.multiply(ImageChops.multiply(above(r, 150), below(g, 110)), below(b, 110))
    else:
        mask = ImageChops.multiply(ImageChops.multiply(below(r, 110), below(g, 110)), below(b, 110))
    return mask.getbbox()


def to_pixels(box, height: float) -> tuple[float, float, float, float]:
    """A PDF box (points, origin bottom-left) as (left, top, right, bottom) pixels at 72 dpi."""
    x1, y1, x2, y2 = box
    return x1, height - y2, x2, height - y1
