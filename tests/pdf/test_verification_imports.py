"""Verification reads the signature kind without loading the drawing code (item 6 of issue 10).

``pyhanko.stamp`` is not in the list: ``pyhanko.sign`` itself imports it, so no verification with pyHanko avoids it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import make_pdf

import kyso

DRAWING = (
    "kyso.pdf.appearance",
    "kyso.pdf.appearance.fonts",
    "kyso.pdf.appearance.images",
    "kyso.pdf.appearance.stamp",
    "kyso.pdf.appearance.text",
    "PIL",
    "fontTools",
)


def test_verifying_a_pdf_with_a_kind_loads_no_drawing_module(signer_for: Callable, pki, tmp_path: Path):
    signed = kyso.sign(make_pdf(), signer=signer_for("organisation"), kind="copy", copy_form="SAO Y",
                       organization="Sở Tư pháp")  # fmt: skip
    path = tmp_path / "copy.pdf"
    path.write_bytes(signed)
    code = f"""
import sys
import kyso.pdf.verification
import kyso
report = kyso.verify(open({str(path)!r}, "rb").read(), trust=[{str(pki.root_cert)!r}], revocation="off")
assert report.signatures[0].kind == "copy", report.to_dict()
print(",".join(m for m in {DRAWING!r} if m in sys.modules))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"verification loaded drawing modules: {result.stdout.strip()}"
