"""The benchmark scripts still run end to end (one quick round); no timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[2] / "bench"


def run_quick_round(script: str, tmp_path: Path) -> tuple[str, list[dict[str, Any]]]:
    """Runs ``bench/<script> --quick --rounds 1``; its output and the rows of its JSON figures, each with one
    measurement per side."""
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick", "--rounds", "1", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))["results"]
    for row in rows:
        assert len(row["sdk_ms"]) == len(row["reference_ms"]) == 1
        assert row["sdk_median_ms"] > 0 and row["reference_median_ms"] > 0
    return result.stdout, rows


def test_bench_script_runs_one_quick_round(tmp_path: Path) -> None:
    stdout, rows = run_quick_round("bench_pdf.py", tmp_path)
    assert "sign (vs stock pyHanko)" in stdout
    assert "verify (vs raw pyHanko)" in stdout
    operations = {(row["operation"], row["pages"]) for row in rows}
    assert {("sign", 1), ("verify", 1)} <= operations
    assert all(row["pages"] in (1, None) for row in rows)  # --quick: the 1-page document only


def test_bench_edxml_runs_one_quick_round(tmp_path: Path) -> None:
    """The edXML benchmark (1 MB)."""
    stdout, rows = run_quick_round("bench_edxml.py", tmp_path)
    assert "sign (vs signxml)" in stdout and "verify (vs signxml)" in stdout
    assert {(r["operation"], r["size_mb"]) for r in rows} == {("sign", 1), ("verify", 1)}
    assert all(row["ratio"] > 0 for row in rows)


def test_bench_pkcs11_runs_one_quick_round(tmp_path: Path) -> None:
    """The PKCS#11 benchmark (SoftHSM2 token vs the same key from PKCS#12); skipped without SoftHSM2."""
    import pytest

    from kyso.testing.token import softhsm_module

    pytest.importorskip("pkcs11")
    if softhsm_module() is None:
        pytest.skip("SoftHSM2 is not installed")
    stdout, rows = run_quick_round("bench_pkcs11.py", tmp_path)
    assert "sign 1 page (token vs PKCS#12)" in stdout and "raw C_Sign" in stdout
    assert "C_Login calls per batch: [1]" in stdout
    assert {row["operation"] for row in rows} >= {"sign 1 page (token vs PKCS#12)", "batch of 5: open, sign, close"}


def test_bench_xml_runs_one_quick_round(tmp_path: Path) -> None:
    """The generic XML benchmark (1 MB) and its e-invoice rate."""
    stdout, rows = run_quick_round("bench_xml.py", tmp_path)
    assert {(r["operation"], r["size_mb"]) for r in rows} == {("sign", 1), ("verify", 1)}
    assert "e-invoice sign + verify" in stdout


def test_bench_remote_runs_one_quick_round(tmp_path: Path) -> None:
    """One round of the remote-signing benchmark: one confirmation per batch is asserted inside it."""
    stdout, rows = run_quick_round("bench_remote.py", tmp_path)
    assert {row["operation"] for row in rows} == {"remote 1", "remote 20"}
    assert "one confirmation per batch of 20" in stdout
