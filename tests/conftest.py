"""Shared fixtures: one test PKI per session (from the ``kyso.testing`` pytest plugin), sample documents, CLI runner.

The PKI fixture ``kyso_pki`` comes from ``kyso.testing.plugin`` (entry point ``pytest11``), the same fixture third-party
adapter authors get.
"""

from __future__ import annotations

import hashlib
import os
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import kyso
from kyso.testing.documents import pdf_with_pages
from kyso.testing.pki import TestPKI

SIGNATURE_KEYS = {
    "id", "indication", "sub_indication", "kind", "signer", "signing_time", "timestamp", "level", "coverage",
    "modifications", "certificate", "messages", "doc_number", "issued_date", "signed_element", "role",
}
"""Keys of one signature in the JSON report of DESIGN.md."""

SHARED = Path(os.environ.get("KYSO_SHARED", Path(__file__).resolve().parents[1] / ".." / "shared")).resolve()


@pytest.fixture(scope="session", autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests never read the developer's trust store or revocation cache, nor write into them."""
    saved = {name: os.environ.get(name) for name in ("KYSO_CONFIG_DIR", "KYSO_CACHE_DIR", "KYSO_TRUST")}
    os.environ["KYSO_CONFIG_DIR"] = str(tmp_path_factory.mktemp("kyso-config"))
    os.environ["KYSO_CACHE_DIR"] = str(tmp_path_factory.mktemp("kyso-cache"))
    os.environ.pop("KYSO_TRUST", None)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def make_pdf(pages: int = 1, text: str = "Kyso test document") -> bytes:
    """A small valid PDF with ``pages`` A4 pages, each with a line of text (Helvetica)."""
    return pdf_with_pages(
        [f"BT /F1 14 Tf 72 770 Td ({text} - page {number}) Tj ET".encode() for number in range(1, pages + 1)]
    )


@pytest.fixture(scope="session")
def pki(kyso_pki: TestPKI) -> TestPKI:
    """The running session PKI (OCSP, CRL, TSA on 127.0.0.1)."""
    return kyso_pki


@pytest.fixture(scope="session")
def unsigned_pdf() -> bytes:
    return make_pdf()


@pytest.fixture(scope="session")
def signer_for(pki: TestPKI) -> Callable[[str], kyso.Pkcs12Signer]:
    """A loaded signer for a named test-PKI entity (cached: keys are loaded once per session)."""
    cache: dict[str, kyso.Pkcs12Signer] = {}

    def load(name: str) -> kyso.Pkcs12Signer:
        if name not in cache:
            cache[name] = kyso.Pkcs12Signer.from_file(pki.p12(name), pki.password)
        return cache[name]

    return load


@pytest.fixture(scope="session")
def signed_pdf(unsigned_pdf: bytes, signer_for: Callable[[str], kyso.Pkcs12Signer]) -> bytes:
    """The unsigned PDF signed once (B-B) by ``person``."""
    return kyso.sign(unsigned_pdf, signer=signer_for("person"))


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def kyso_cli() -> Callable[..., CliResult]:
    """Run the ``kyso`` CLI in-process: ``kyso_cli("verify", path, env={...})``."""
    from kyso.cli.main import cli
    from kyso.core.errors import KysoError
    from kyso.core.manager import get_plugin_manager

    def run(*args: object, env: dict[str, str] | None = None) -> CliResult:
        try:
            get_plugin_manager().register_commands(cli)  # as main() does: plugin commands (trust, extend)
        except KysoError:
            pass  # a broken plugin: the command itself reports it
        result = CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def install_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Install a plugin distribution for real: a module plus a ``.dist-info`` with an entry point in group ``kyso``,
    found by ``importlib.metadata`` through ``sys.path``."""
    modules: list[str] = []

    def install(module: str, source: str, *, entry: str, dist: str = "kyso-fake-plugin", version: str = "1.0"):
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        info = tmp_path / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(f"[kyso]\n{entry} = {module}\n", encoding="utf-8")
        modules.append(module)
        monkeypatch.syspath_prepend(str(tmp_path))  # also invalidates the import caches

    yield install
    for module in modules:
        sys.modules.pop(module, None)


@pytest.fixture
def files_unchanged() -> Iterator[Callable[..., None]]:
    """Register files whose bytes must be identical at the end of the test."""
    watched: dict[Path, str] = {}

    def watch(*paths: Path) -> None:
        for path in paths:
            watched[Path(path)] = hashlib.sha256(Path(path).read_bytes()).hexdigest()

    yield watch
    for path, digest in watched.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{path} was modified"
