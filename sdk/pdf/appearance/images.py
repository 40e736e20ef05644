"""PNG images of signature marks (handwritten signature, seal): checked, decoded once, embedded with transparency.

Only PNG is accepted (the decree asks for PNG with a transparent background). A decoded image is cached (by path,
size and modification time, or by content for bytes) with its pixels already Flate-compressed, so a second
signature with the same image only copies bytes into the PDF.
"""

from __future__ import annotations

import functools
import hashlib
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kyso.core.errors import InputError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 8 * 1024 * 1024
"""Largest PNG file accepted."""
MAX_PIXELS = 4096 * 4096
"""Largest image accepted (width x height): a 300 dpi seal of 40 mm is 472 px wide."""

ImageSource = str | os.PathLike[str] | bytes


@dataclass(frozen=True)
class MarkImage:
    """A decoded PNG, ready to embed: RGB and alpha planes, Flate-compressed."""

    width: int
    height: int
    dpi: tuple[float, float] | None
    """Resolution from the PNG ``pHYs`` chunk, if any."""
    rgb: bytes
    alpha: bytes | None
    """``None`` when the image is fully opaque."""
    label: str

    def natural_size(self, default_dpi: float | None = None) -> tuple[float, float] | None:
        """Size in points at the image's own resolution (its "real size"), or at ``default_dpi``; ``None`` when
        neither is known."""
        dpi = self.dpi or ((default_dpi, default_dpi) if default_dpi else None)
        if not dpi:
            return None
        return self.width / dpi[0] * 72, self.height / dpi[1] * 72

    def add_to(self, writer: Any) -> Any:
        """Embed as an image XObject (with an ``/SMask`` for transparency); returns its reference."""
        from pyhanko.pdf_utils import generic

        name = generic.NameObject

        def image(data: bytes, colour_space: str) -> generic.StreamObject:
            return generic.StreamObject(
                {
                    name("/Type"): name("/XObject"),
                    name("/Subtype"): name("/Image"),
                    name("/Width"): generic.NumberObject(self.width),
                    name("/Height"): generic.NumberObject(self.height),
                    name("/ColorSpace"): name(colour_space),
                    name("/BitsPerComponent"): generic.NumberObject(8),
                    name("/Filter"): name("/FlateDecode"),
                },
                encoded_data=data,
            )

        main = image(self.rgb, "/DeviceRGB")
        if self.alpha is not None:
            main[name("/SMask")] = writer.add_object(image(self.alpha, "/DeviceGray"))
        return writer.add_object(main)


def load_image(source: ImageSource, option: str) -> MarkImage:
    """Read and check a PNG given as a path or as bytes; ``option`` names it in errors (``--image``)."""
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
        return _decode(hashlib.sha256(data).hexdigest(), data, f"{option} (bytes)")
    path = Path(source)
    try:
        stat = path.stat()
    except OSError as exc:
        raise InputError(f"cannot read {option} {path}: {exc.strerror or exc.__class__.__name__}") from None
    if stat.st_size > MAX_BYTES:
        raise InputError(f"{option} {path.name} is too large ({stat.st_size} bytes, at most {MAX_BYTES})")
    return _load_file(str(path.resolve()), stat.st_size, stat.st_mtime_ns, f"{option} {path.name}")


@functools.lru_cache(maxsize=32)
def _load_file(path: str, size: int, mtime_ns: int, label: str) -> MarkImage:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {label}: {exc.strerror or exc.__class__.__name__}") from None
    return _decode_uncached(data, label)


_by_digest: dict[str, MarkImage] = {}


def _decode(digest: str, data: bytes, label: str) -> MarkImage:
    cached = _by_digest.get(digest)
    if cached is None:
        cached = _decode_uncached(data, label)
        if len(_by_digest) > 32:
            _by_digest.clear()
        _by_digest[digest] = cached
    return cached


def _decode_uncached(data: bytes, label: str) -> MarkImage:
    from PIL import Image

    if len(data) > MAX_BYTES:
        raise InputError(f"{label} is too large ({len(data)} bytes, at most {MAX_BYTES})")
    if not data.startswith(PNG_MAGIC):
        raise InputError(f"{label} is not a PNG image (a PNG with a transparent background is required)")
    import io

    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as img:
            width, height = img.size
            if width * height > MAX_PIXELS or width < 1 or height < 1:
                raise InputError(f"{label} is too large ({width}x{height} pixels, at most {MAX_PIXELS} pixels)")
            dpi = img.info.get("dpi")
            rgba = img.convert("RGBA")
            rgba.load()
    except InputError:
        raise
    except (Image.DecompressionBombError, MemoryError):
        raise InputError(f"{label} is too large to decode") from None
    except Exception as exc:
        raise InputError(f"{label} is a damaged PNG image ({exc.__class__.__name__})") from None
    alpha = rgba.getchannel("A")
    lo, _hi = alpha.getextrema()
    rgb = rgba.convert("RGB").tobytes()
    resolution = None
    if dpi and float(dpi[0]) > 1 and float(dpi[1]) > 1:
        resolution = (float(dpi[0]), float(dpi[1]))
    return MarkImage(
        width=width,
        height=height,
        dpi=resolution,
        rgb=zlib.compress(rgb, 6),
        alpha=None if lo == 255 else zlib.compress(alpha.tobytes(), 6),
        label=label,
    )
