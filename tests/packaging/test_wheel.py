"""The built wheel installs Kyso under its own import names and works beside an application's ``sdk``/``plugins``.

A vendor's web application usually has its own ``plugins/`` package (and sometimes ``sdk/``): with the import
names of 0.1 (``sdk``, ``plugins.edxml``) such an application shadowed Kyso or broke every verify ("plugin 'edxml'
failed to load: No module named 'plugins.edxml'"). The wheel is built from this tree, installed with ``--no-deps``
into a fresh virtual environment that sees the test environment's dependencies, and used, API and CLI, from a
folder holding decoy ``sdk`` and ``plugins`` packages that fail loudly when imported.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IMPORT_NAMES = {"kyso": ROOT / "sdk", **{f"kyso_{p.name}": p for p in (ROOT / "plugins").iterdir() if p.is_dir()}}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("wheel") is None, reason="building a wheel offline needs 'wheel'"),
]

USE = r"""
import datetime, sys
from pathlib import Path

import kyso
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

assert "site-packages" in kyso.__file__, kyso.__file__
assert "sdk" not in sys.modules and "plugins" not in sys.modules
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Nguyễn Văn An")])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (
    x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
    .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
    .not_valid_after(now + datetime.timedelta(days=30))
    .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    .add_extension(x509.KeyUsage(True, True, False, False, False, True, True, False, False), critical=True)
    .sign(key, hashes.SHA256())
)
Path("signer.p12").write_bytes(
    pkcs12.serialize_key_and_certificates(b"a", key, cert, None, serialization.BestAvailableEncryption(b"pw"))
)
Path("root.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
signer = kyso.Pkcs12Signer.from_file("signer.p12", "pw")
signed = kyso.sign(Path("in.pdf").read_bytes(), signer=signer)
Path("signed.pdf").write_bytes(signed)
report = kyso.verify(signed, trust=["root.pem"], revocation="off")
assert report.indication == "TOTAL_PASSED", report.to_dict()
import kyso_edxml
print("api ok", kyso.__version__, kyso_edxml.__name__)
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")  # a copy: setuptools writes build/ and *.egg-info into the tree
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    for folder in ("sdk", "plugins"):
        shutil.copytree(ROOT / folder, source / folder, ignore=ignore)
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", dist, source],
        check=True,
        capture_output=True,
    )
    (built,) = dist.glob("kyso-*.whl")
    return built


def test_the_wheel_holds_only_kyso_names_and_every_module(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    version = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    assert {n.split("/")[0] for n in names} == set(IMPORT_NAMES) | {f"kyso-{version}.dist-info"}
    for import_name, folder in IMPORT_NAMES.items():
        for module in folder.rglob("*.py"):
            if "__pycache__" not in module.parts:
                assert f"{import_name}/{module.relative_to(folder).as_posix()}" in names, module
    assert "kyso/fonts/LiberationSerif-Regular.ttf" in names and "kyso/testing/kyso-pki.yml" in names


def test_installed_wheel_works_beside_an_apps_own_sdk_and_plugins(wheel: Path, tmp_path: Path, unsigned_pdf) -> None:
    env_dir = tmp_path / "venv"
    subprocess.run(
        [sys._base_executable, "-m", "venv", "--system-site-packages", "--without-pip", env_dir],  # type: ignore[attr-defined]
        check=True,
    )
    python = env_dir / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # the test environment's dependencies (pyHanko, lxml ...) are seen, its own editable Kyso is not: a plain path
    # line in a .pth adds the folder without running the .pth files (editable finders) inside it
    (site / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel]
        if _pip_knows_python()
        else [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", site, wheel],
        check=True,
        capture_output=True,
    )
    app = tmp_path / "app"
    for package in ("sdk", "plugins", "plugins/edxml"):
        (app / package).mkdir(parents=True)
        (app / package / "__init__.py").write_text(f"raise ImportError('the application\\'s own {package}')\n")
    (app / "in.pdf").write_bytes(unsigned_pdf)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "KYSO_DISABLE"))}
    env["PYTHONPATH"] = str(app)  # the application's folder comes first, as in a web application's process

    api = subprocess.run([python, "-c", USE], cwd=app, env=env, capture_output=True, text=True, timeout=300)
    assert api.returncode == 0, api.stdout + api.stderr
    assert "api ok 0.2.0 kyso_edxml" in api.stdout, api.stdout
    scripts = env_dir / "bin"
    for command in ([scripts / "kyso", "plugins"], [python, "-m", "kyso", "plugins"]):
        listing = subprocess.run(command, cwd=app, env=env, capture_output=True, text=True, timeout=120)
        assert listing.returncode == 0, listing.stderr
        assert "failed to load" not in listing.stdout + listing.stderr
        assert {"edxml", "ioffice", "onegate"} <= {line.split()[0] for line in listing.stdout.splitlines() if line}
    verify = subprocess.run(
        [scripts / "kyso", "verify", "signed.pdf", "--trust", "root.pem", "--revocation", "off", "--format", "json"],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert '"TOTAL_PASSED"' in verify.stdout


def _pip_knows_python() -> bool:
    """``pip --python`` (pip >= 22.3) installs into another environment with this pip."""
    result = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True, text=True)
    major, minor = (int(x) for x in result.stdout.split()[1].split(".")[:2])
    return (major, minor) >= (22, 3)
