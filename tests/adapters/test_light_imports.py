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


def test_a_registered_factory_imports_its_module_on_the_first_call(tmp_path, monkeypatch):
    """``imported_when_called`` (what the adapter plugins register) leaves the module alone until it is needed."""
    import pytest

    from kyso.adapters import imported_when_called

    (tmp_path / "kyso_test_late_module.py").write_text("def make(a, *, b):\n    return (a, b)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    build = imported_when_called("kyso_test_late_module:make")
    assert "kyso_test_late_module" not in sys.modules
    assert build(1, b=2) == (1, 2)
    assert "kyso_test_late_module" in sys.modules
    monkeypatch.delitem(sys.modules, "kyso_test_late_module")
    with pytest.raises(ValueError, match="module:attribute"):
        imported_when_called("no_attribute")
