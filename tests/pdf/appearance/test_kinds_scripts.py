"""The example script and the visible-signature benchmark run end to end (no timing asserted)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_example_produces_the_signed_letter_and_its_last_page(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "signed_letter" / "make_signed_letter.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Signature1: approval by Nguyễn Văn An: TOTAL_PASSED" in result.stdout
    assert "Signature2: issuance by" in result.stdout and "document: TOTAL_PASSED" in result.stdout
    assert (tmp_path / "cong-van-da-ky.pdf").read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftoppm"):
        assert (tmp_path / "trang-cuoi.png").read_bytes().startswith(b"\x89PNG")


def test_bench_visible_runs_one_round(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_visible.py"), "--rounds", "1", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(out.read_text(encoding="utf-8"))
    operations = {row["operation"] for row in figures["results"]}
    assert {"approval (box)", "approval (anchor)", "issuance", "copy", "attachment"} <= operations
    assert all(row["visible_median_ms"] > 0 and row["invisible_median_ms"] > 0 for row in figures["results"])
