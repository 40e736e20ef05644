"""The revocation benchmark still runs end to end (a few documents); only the request counts are asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_revocation.py"


def test_bench_revocation_runs_and_counts_requests(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(BENCH), "--documents", "5", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warm hard / off" in result.stdout
    figures = json.loads(out.read_text(encoding="utf-8"))
    requests = {p["pass"]: p["requests"] for p in figures["passes"]}
    assert requests["hard, cold cache"]["ocsp"] == 1
    assert requests["hard, warm cache"]["ocsp"] == 0
    assert requests["hard, disk cache only (new process)"]["ocsp"] == 0
