"""examples/desktop/ under Xvfb (issue 12, item 5): the program lists the SoftHSM2 token's certificates, the PIN is
typed, Enter signs; the signed copy is written and verified, and the window shows the verdict (screenshot)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from agent_support import screenshot, xdotool

import kyso

pytest_plugins = ["agent_support"]

PROGRAM = Path(__file__).resolve().parents[2] / "examples" / "desktop" / "kyso_desktop.py"


def test_the_desktop_program_signs_with_the_token(kyso_token, kyso_pki, xvfb_display, tmp_path, unsigned_pdf):
    document = tmp_path / "công-văn.pdf"
    document.write_bytes(unsigned_pdf)
    env = {**os.environ, "DISPLAY": xvfb_display}
    process = subprocess.Popen(
        [
            sys.executable,
            str(PROGRAM),
            "--module",
            kyso_token.module,
            "--token",
            kyso_token.label,
            "--trust",
            str(kyso_pki.root_cert),
            str(document),
        ],  # fmt: skip
        env=env,
    )
    try:
        window = xdotool(xvfb_display, "search", "--sync", "--name", "^Kyso").splitlines()[0]
        xdotool(xvfb_display, "windowfocus", "--sync", window)
        time.sleep(0.5)  # the token's certificates are listed
        xdotool(xvfb_display, "type", "--delay", "5", kyso_token.pin)  # the PIN field has the focus
        xdotool(xvfb_display, "key", "Return")
        signed = document.with_name("công-văn.signed.pdf")
        deadline = time.monotonic() + 30
        while not signed.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)
        screenshot(xvfb_display, tmp_path / "desktop.png")
    finally:
        process.terminate()
        process.wait(10)
    report = kyso.verify(signed.read_bytes(), trust=[kyso_pki.root_cert], revocation="off")
    assert report.indication == "TOTAL_PASSED"
