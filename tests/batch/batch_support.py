"""Helpers of the batch and audit tests: folders of small documents, the signer and trust options, reading reports.

Not a ``conftest.py`` (it would shadow the root one that other modules import by name)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import make_pdf


def pdf_folder(folder: Path, count: int, *, prefix: str = "cv") -> list[Path]:
    """``count`` distinct unsigned PDFs in ``folder`` (one in a sub-folder, to check relative paths)."""
    paths = []
    for number in range(count):
        path = folder / ("nested" if number == 0 else "") / f"{prefix}-{number:02d}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(make_pdf(text=f"Van ban so {number}"))
        paths.append(path)
    return paths


def p12_options(pki: Any, name: str = "person") -> list[str]:
    return ["--p12", str(pki.p12(name)), "--password-env", "KYSO_TEST_P12"]


def p12_env(pki: Any) -> dict[str, str]:
    return {"KYSO_TEST_P12": pki.password}


def json_items(path: Path) -> dict[str, dict[str, Any]]:
    """The items of a JSON batch report by their path relative to the source."""
    return {item["relative"]: item for item in json.loads(path.read_text(encoding="utf-8"))["items"]}


def signature_count(path: Path) -> int:
    """How many signatures a PDF carries (a document signed twice would carry two)."""
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    return len(PdfFileReader(BytesIO(path.read_bytes())).embedded_signatures)
