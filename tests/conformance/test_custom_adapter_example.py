"""examples/custom_adapter: the template distribution is installed and passes the conformance suite.

Installed the way pip lays out an installed distribution (its package on ``sys.path`` and a ``.dist-info`` holding
the entry points declared in the example's own ``pyproject.toml``), so no build and no network are needed; a real
``pip install`` of it is exercised too when the build tools are available offline.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kyso.core.manager import reset_plugin_manager

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "custom_adapter"


@pytest.fixture
def installed(tmp_path, monkeypatch):
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text("utf-8"))["project"]
    info = tmp_path / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n", encoding="utf-8"
    )
    points = "".join(f"{name} = {value}\n" for name, value in project["entry-points"]["kyso"].items())
    (info / "entry_points.txt").write_text(f"[kyso]\n{points}", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(EXAMPLE / "src"))
    reset_plugin_manager()
    yield project
    reset_plugin_manager()
    for module in [m for m in sys.modules if m == "kyso_myoffice" or m.startswith("kyso_myoffice.")]:
        sys.modules.pop(module)


def test_example_declares_its_adapter_in_group_kyso():
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["entry-points"]["kyso"] == {"myoffice": "kyso_myoffice.plugin"}
    readme = (EXAMPLE / "README.md").read_text("utf-8")
    for step in ("pip install", "kyso adapters", "kyso conformance myoffice", "entry-points.kyso"):
        assert step in readme, step


def test_installed_example_is_listed_and_conforms(installed, kyso_cli, tmp_path):
    listing = kyso_cli("adapters")
    assert any(line.startswith("myoffice  ") for line in listing.stdout.splitlines()), listing.stdout
    plugins = kyso_cli("plugins", "--format", "json")
    entry = next(p for p in json.loads(plugins.stdout) if p["name"] == "myoffice")
    assert entry["distribution"] == installed["name"]
    result = kyso_cli("conformance", "myoffice", "--report", tmp_path / "report.json")
    assert result.exit_code == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert report["adapter"] == "myoffice"
    assert report["summary"]["failed"] == 0 and report["summary"]["skipped"] == 0
    assert {c["name"] for c in report["checks"]} >= {"round_trip[plain]", "round_trip[income]", "many_items"}


@pytest.mark.skipif(importlib.util.find_spec("wheel") is None, reason="building a wheel offline needs 'wheel'")
def test_example_installs_with_pip_offline(tmp_path):
    import shutil

    source = tmp_path / "custom_adapter"  # a copy: pip builds in the source tree
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
        timeout=300,
    )
    points = next(target.glob("kyso_adapter_myoffice-*.dist-info")) / "entry_points.txt"
    assert "myoffice = kyso_myoffice.plugin" in points.read_text("utf-8")
