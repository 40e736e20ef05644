"""Helpers of the desktop-window tests: xdotool on the session's virtual screen, screenshots of it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def xdotool(display: str, *args: str, timeout: float = 30) -> str:
    done = subprocess.run(
        ["xdotool", *args], env={**os.environ, "DISPLAY": display}, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def screenshot(display: str, path: Path) -> Path:
    """The whole virtual screen as PNG (Pillow's X grab: ImageMagick's ``import`` is not installed here)."""
    from PIL import ImageGrab

    ImageGrab.grab(xdisplay=display).save(path)
    return path
