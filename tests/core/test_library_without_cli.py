"""The library never imports the CLI (issue 10, item 2): every module of ``kyso``, ``kyso_edxml``, ``kyso_ioffice``
and ``kyso_onegate`` except the command modules imports, signs and verifies without loading ``kyso.cli``.

Command modules are ``kyso.cli`` itself, a package's ``cli`` / ``*_cli`` module (they may import the public
:mod:`kyso.cli.options`) and ``__main__``. Everything else is library."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from conftest import make_pdf

from kyso.testing.pki import TestPKI

PACKAGES = ("kyso", "kyso_edxml", "kyso_ioffice", "kyso_onegate")


def is_command_module(name: str) -> bool:
    """``kyso.cli``, ``kyso.cli.*``, ``kyso_edxml.cli``, ``kyso.pdf.ltv_cli``, ``kyso.__main__`` ..."""
    parts = name.split(".")
    return any(part == "cli" or part.endswith("_cli") or part == "__main__" for part in parts)


def library_modules() -> dict[str, Path]:
    """Every library module by name, found by walking the package folders (nothing imported)."""
    import importlib.util

    found: dict[str, Path] = {}
    for package in PACKAGES:
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.origin is not None, package
        root = Path(spec.origin).parent
        for path in sorted(root.rglob("*.py")):
            relative = path.relative_to(root).with_suffix("")
            parts = [package, *relative.parts]
            if parts[-1] == "__init__":
                parts.pop()
            if any(not part.isidentifier() for part in parts):
                continue
            if not (path.parent / "__init__.py").exists() and path.parent != root:
                continue  # a folder of data or scripts, not a package
            name = ".".join(parts)
            if not is_command_module(name):
                found[name] = path
    return found


SCRIPT = textwrap.dedent(
    """
    import importlib, json, sys

    modules, p12, password, root, pdf_path = json.loads(sys.argv[1])

    def cli_loaded():
        return sorted(m for m in sys.modules if m == "kyso.cli" or m.startswith("kyso.cli."))

    culprit = None
    for name in modules:
        importlib.import_module(name)
        if culprit is None and cli_loaded():
            culprit = name

    import kyso
    from kyso_edxml import build, status_for
    from kyso_edxml.model import Organization

    signer = kyso.Pkcs12Signer.from_file(p12, password)
    with open(pdf_path, "rb") as handle:
        pdf = handle.read()
    edxml = build(status_for("000.00.00.H41,2026/01/01,1/UBND", "05", sender=Organization(organ_id="000.00.00.H42")))
    verdicts = []
    for name, data in (("letter.pdf", pdf), ("status.edxml", edxml)):
        signed = kyso.sign(data, signer=signer, name=name)
        report = kyso.verify(signed, trust=[root], revocation="off", name=name)
        verdicts.append(str(report.indication))
    print(json.dumps({"culprit": culprit, "loaded": cli_loaded(), "verdicts": verdicts}))
    """
)


def run_library(modules: list[str], pki: TestPKI, tmp_path: Path, *, path: Path | None = None) -> dict[str, Any]:
    """Import ``modules`` in a fresh interpreter (``path`` first on its ``sys.path``), then sign and verify a PDF
    and an edXML status packet; what it saw, as a dict."""
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(make_pdf())
    arguments = json.dumps([modules, str(pki.p12("person")), pki.password, str(pki.root_cert), str(pdf)])
    environment = dict(os.environ)
    if path is not None:
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(path), os.environ.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, arguments],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=environment,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return outcome


def test_the_walk_finds_the_library() -> None:
    modules = library_modules()
    for name in ("kyso", "kyso.api", "kyso.files", "kyso.reports", "kyso_edxml.dsig", "kyso_onegate.adapter"):
        assert name in modules, name
    assert not [name for name in modules if name.startswith("kyso.cli")]
    assert is_command_module("kyso_edxml.cli") and is_command_module("kyso.pdf.ltv_cli")


def test_whole_library_signs_and_verifies_without_loading_the_cli(pki: TestPKI, tmp_path: Path) -> None:
    outcome = run_library(sorted(library_modules()), pki, tmp_path)
    assert outcome["verdicts"] == ["TOTAL_PASSED", "TOTAL_PASSED"]
    assert outcome["culprit"] is None, f"importing {outcome['culprit']} loaded {outcome['loaded']}"
    assert outcome["loaded"] == []


def test_no_library_module_imports_the_cli_even_lazily() -> None:
    """A lazy import inside a function (the one-stop-shop page rendering its report) is found too, without
    running it."""
    offenders = [
        f"{name}:{node.lineno}"
        for name, path in library_modules().items()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        for target in _imported(node)
        if target == "kyso.cli" or target.startswith("kyso.cli.")
    ]
    assert offenders == []


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return []


def test_the_check_fails_when_a_library_module_imports_the_cli(pki: TestPKI, tmp_path: Path) -> None:
    """The test above is not vacuous: a library module that imports ``kyso.cli`` (here a stand-in placed
    first) is named as the culprit."""
    stand_in = tmp_path / "kyso_stand_in.py"
    stand_in.write_text("from kyso.cli.options import SECONDS\n", encoding="utf-8")
    outcome = run_library(["kyso.reports", "kyso_stand_in"], pki, tmp_path, path=tmp_path)
    assert outcome["culprit"] == "kyso_stand_in"
    assert "kyso.cli" in outcome["loaded"]
