"""What one ``kyso`` process imports (issue 17, item 3): a command loads what it needs and nothing more.

Each case runs ``kyso.cli.main.main`` in a fresh interpreter and reads ``sys.modules`` after the command: the
import set is what decides how fast a process starts (``kyso sign`` once per document, from .NET, Java or PHP).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import make_pdf

import kyso
from kyso.testing.pki import TestPKI

NEVER_FOR_SIGNING = (
    "pyhanko.sign",  # pyHanko's signers, validation, time-stamp clients (aiohttp) and stamps
    "pyhanko.stamp",
    "aiohttp",
    "requests",
    "urllib3",
    "kyso.pdf.verification",
    "kyso.certs.validation",
    "kyso.certs.fetching",
    "kyso.reports",
    "kyso.pdf.appearance",  # drawing: only for a kind's mark
    "fontTools",
    "PIL",
    "matplotlib",
    "lxml",
    "kyso.adapters.cli",  # other packages' commands and adapters
    "kyso.adapters.sync",
    "kyso.conformance.cli",
    "kyso.certs.cli",
)
NEVER_FOR_VERIFYING = (
    "kyso.pdf.signing",
    "kyso.pdf.fastpath",
    "kyso.pdf.appearance",
    "fontTools",
    "PIL",
    "matplotlib",
    "kyso.adapters.cli",
)
"""pyHanko's own ``pyhanko.sign`` package initialiser imports its signers and stamps with its validation: no
verification with pyHanko avoids those, so the pin is on Kyso's signing and drawing code."""


def imported_by(*argv: str, env: dict[str, str] | None = None) -> set[str]:
    code = f"""
import json, sys
from kyso.cli.main import main
try:
    main({list(argv)!r})
except SystemExit as exc:
    code = exc.code
print(json.dumps({{"code": code, "modules": sorted(sys.modules)}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["code"] in (0, None), (argv, answer["code"], result.stderr[-2000:])
    return set(answer["modules"])


PLUGIN_PACKAGES = ("kyso_edxml", "kyso_ioffice", "kyso_onegate")
"""Installed plugins: their plugin module registers formats, signers and kinds (so it is loaded), nothing else of
them is (their commands, adapters, XML code)."""


def loaded(modules: set[str], forbidden: tuple[str, ...], *, plugin_internals: bool = True) -> list[str]:
    """The modules of ``forbidden`` (packages included) in ``modules``; with ``plugin_internals``, also any module
    of an installed plugin other than its plugin module."""
    found = {m for m in modules if any(m == f or m.startswith(f + ".") for f in forbidden)}
    if plugin_internals:
        inside = tuple(p + "." for p in PLUGIN_PACKAGES)
        found |= {m for m in modules if m.startswith(inside) and not m.endswith(".plugin")}
    return sorted(found)


def test_kyso_help_imports_no_pyhanko() -> None:
    modules = imported_by("--help")
    assert "kyso.cli.main" in modules
    heavy = ("pyhanko", "pyhanko_certvalidator", "asn1crypto", "cryptography", "requests", "lxml")
    assert loaded(modules, heavy, plugin_internals=False) == []  # the commands are listed: their modules load


@pytest.fixture(scope="module")
def p12_env(pki: TestPKI) -> dict[str, str]:
    return {"KYSO_TEST_P12_PASSWORD": pki.password}


def test_kyso_sign_imports_only_what_signing_needs(pki: TestPKI, p12_env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "in.pdf"
    source.write_bytes(make_pdf())
    argv = ("sign", str(source), "-o", str(tmp_path / "out.pdf"), "--p12", str(pki.p12("person")))
    modules = imported_by(*argv, "--pkcs12-password-env", "KYSO_TEST_P12_PASSWORD", env=p12_env)
    assert (tmp_path / "out.pdf").is_file()
    assert "kyso.pdf.fastpath" in modules and "pyhanko.pdf_utils.reader" in modules
    assert loaded(modules, NEVER_FOR_SIGNING) == []


def test_kyso_sign_with_a_tsa_loads_the_http_client_it_needs(pki: TestPKI, p12_env: dict[str, str], tmp_path: Path):
    source = tmp_path / "in.pdf"
    source.write_bytes(make_pdf())
    argv = ("sign", str(source), "-o", str(tmp_path / "out.pdf"), "--p12", str(pki.p12("person")))
    modules = imported_by(
        *argv, "--pkcs12-password-env", "KYSO_TEST_P12_PASSWORD", "--level", "B-T", "--tsa", pki.tsa_url, env=p12_env
    )
    assert "requests" in modules  # kyso.certs.fetching.bounded_fetch asks the TSA
    assert loaded(modules, ("kyso.pdf.verification", "kyso.adapters.cli", "PIL")) == []


def test_kyso_verify_loads_no_signing_or_drawing_code(signer_for: Callable, pki: TestPKI, tmp_path: Path) -> None:
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(kyso.sign(make_pdf(), signer=signer_for("person")))
    modules = imported_by("verify", str(signed), "--trust", str(pki.root_cert), "--revocation", "off")
    assert "kyso.pdf.verification" in modules
    assert loaded(modules, NEVER_FOR_VERIFYING) == []
