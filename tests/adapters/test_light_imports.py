"""The adapter plugins are registered at every ``kyso`` start: they must not slow ``kyso --help`` down."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("requests", "werkzeug", "pyhanko", "lxml", "certomancer")


def test_help_imports_no_http_or_pdf_library():
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kyso.cli", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "adapters" in result.stdout and "conformance" in result.stdout and "simulate" in result.stdout
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))
