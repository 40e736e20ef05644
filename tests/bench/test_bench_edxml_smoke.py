"""The edXML benchmark script still runs end to end (one quick round, 1 MB); no timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_edxml.py"


def test_bench_edxml_runs_one_quick_round(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--rounds", "1", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sign (vs signxml)" in result.stdout and "verify (vs signxml)" in result.stdout
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert {(r["operation"], r["size_mb"]) for r in figures["results"]} == {("sign", 1), ("verify", 1)}
    for row in figures["results"]:
        assert len(row["sdk_ms"]) == len(row["reference_ms"]) == 1
        assert row["sdk_median_ms"] > 0 and row["reference_median_ms"] > 0 and row["ratio"] > 0
