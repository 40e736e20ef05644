"""Sample mark images for demos, tests and examples, drawn with Pillow: a blue handwritten-looking signature and a
red round seal, PNG with a transparent background and a resolution (so the seal has a real size).

These are TEST MATERIAL, not a real person's signature or a real organisation's seal: the seal says "MẪU" (sample).
"""

from __future__ import annotations

import io
import math

__all__ = ["sample_seal_png", "sample_signature_png"]

BLUE = (20, 50, 160, 255)
RED = (215, 25, 32, 255)


def sample_signature_png(width: int = 600, height: int = 240, dpi: int = 300) -> bytes:
    """A blue scribble whose ink spans the image from edge to edge (a few pixels of margin)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    margin = 8
    points = []
    steps = 400
    for i in range(steps + 1):
        t = i / steps
        x = margin + t * (width - 2 * margin)
        y = height / 2 + math.sin(t * math.pi * 5) * (height / 2 - margin) * (0.35 + 0.65 * math.sin(t * math.pi))
        y += math.sin(t * math.pi * 17) * height * 0.06
        points.append((x, max(margin, min(height - margin, y))))
    draw.line(points, fill=BLUE, width=7, joint="curve")
    # a loop and an underline, as signatures have
    draw.ellipse((width * 0.18, height * 0.18, width * 0.34, height * 0.72), outline=BLUE, width=6)
    draw.line([(width * 0.1, height * 0.84), (width * 0.92, height * 0.76)], fill=BLUE, width=5)
    return _png(image, dpi)


def sample_seal_png(text: str = "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", *, diameter_mm: float = 36.0, dpi: int = 300) -> bytes:
    """A red round seal of ``diameter_mm`` at ``dpi``: two rings, ``text`` around, a star and "MẪU" inside."""
    from PIL import Image, ImageDraw, ImageFont

    from kyso.fonts import serif_bold

    size = round(diameter_mm / 25.4 * dpi)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ring = max(4, size // 60)
    draw.ellipse((1, 1, size - 2, size - 2), outline=RED, width=ring)
    inner = size * 0.17
    draw.ellipse((inner, inner, size - inner, size - inner), outline=RED, width=max(2, ring // 2))
    font = ImageFont.truetype(str(serif_bold()), max(10, size // 12))
    radius = size / 2 - ring - size * 0.06
    centre = size / 2
    span = 300.0  # degrees of the circle the text covers, centred at the top
    for i, ch in enumerate(text):
        angle = -span / 2 + span * (i + 0.5) / len(text)
        glyph = Image.new("RGBA", (size // 8, size // 8), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=font, fill=RED, anchor="mm")
        glyph = glyph.rotate(-angle, resample=Image.Resampling.BICUBIC)
        rad = math.radians(angle)
        x = centre + radius * math.sin(rad) - glyph.width / 2
        y = centre - radius * math.cos(rad) - glyph.height / 2
        image.alpha_composite(glyph, (round(x), round(y)))
    star = [
        (
            centre + size * (0.11 if k % 2 == 0 else 0.045) * math.sin(math.radians(36 * k)),
            centre - size * 0.06 - size * (0.11 if k % 2 == 0 else 0.045) * math.cos(math.radians(36 * k)),
        )
        for k in range(10)
    ]
    draw.polygon(star, fill=RED)
    small = ImageFont.truetype(str(serif_bold()), max(8, size // 11))
    draw.text((centre, centre + size * 0.14), "MẪU", font=small, fill=RED, anchor="mm")
    return _png(image, dpi)


def _png(image, dpi: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi), optimize=True)
    return out.getvalue()
