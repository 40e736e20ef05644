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


def _kyso_imports(path: Path) -> list[tuple[str, str | None]]:
    """(module, name) of every import of a ``kyso`` module in a Python file (``name`` None for ``import m``)."""
    import ast

    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "kyso":
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names if alias.name.split(".")[0] == "kyso"]
    return found


def test_the_template_imports_only_public_names():
    # issue 16, item 8: a name the template imports is in its module's __all__ (and no module is private)
    import importlib

    imports = [(path, *entry) for path in sorted(EXAMPLE.rglob("*.py")) for entry in _kyso_imports(path)]
    assert len(imports) >= 6
    for path, module, name in imports:
        where = f"{path.relative_to(EXAMPLE)}: {module}{'.' + name if name else ''}"
        assert not any(part.startswith("_") for part in module.split(".")), where
        if name is not None:
            exported = getattr(importlib.import_module(module), "__all__", None)
            assert exported is not None and name in exported, f"{where} is not public (not in __all__)"


def test_the_readme_renames_the_template_everywhere(tmp_path):
    # issue 16, item 8: do exactly what the README says on a copy; nothing of "myoffice" is left, and every file
    # that held the name is in the README's rename table
    import re
    import shutil

    readme = (EXAMPLE / "README.md").read_text("utf-8")
    copy = tmp_path / "kyso-adapter-hatinh"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    holding = {
        str(path.relative_to(copy)).replace("\\", "/")
        for path in copy.rglob("*")
        if path.is_file() and path.name != "README.md" and "myoffice" in path.read_text("utf-8").lower()
    }
    table = re.findall(r"^\| `([^`]+)` \|", readme, re.M)
    for held in holding:
        assert (
            held in table or held.replace("src/kyso_myoffice/", "", 1) in table or f"src/kyso_myoffice/{held}" in table
        ), held
    commands = re.findall(r"^\$ (.+)$", readme.split("All of it at once", 1)[1].split("```", 2)[1], re.M)
    assert commands[0].startswith("git mv src/kyso_myoffice src/kyso_hatinh") and "sed -i" in commands[1]
    (copy / "src" / "kyso_myoffice").rename(copy / "src" / "kyso_hatinh")  # the mv
    for rule in re.findall(r"-e 's/([^/]+)/([^/]+)/g'", commands[1]):  # the sed, as written
        for path in copy.rglob("*"):
            if path.is_file():
                path.write_text(path.read_text("utf-8").replace(*rule), "utf-8")
    left = [
        str(p)
        for p in copy.rglob("*")
        if "myoffice" in str(p).lower() or (p.is_file() and "myoffice" in p.read_text("utf-8").lower())
    ]
    assert not left
    project = tomllib.loads((copy / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["entry-points"]["kyso"] == {"hatinh": "kyso_hatinh.plugin"}
    source = (copy / "src" / "kyso_hatinh" / "plugin.py").read_text("utf-8")
    assert 'name="hatinh"' in source and "kyso_hatinh.adapter:HaTinhAdapter" in source
