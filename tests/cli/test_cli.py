"""The ``kyso`` command line, end to end against the session test PKI (OCSP, CRL and TSA on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sysconfig
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SIGNATURE_KEYS

import kyso
from kyso.cli.main import cli
from kyso.core.manager import DEFAULT_PLUGINS

PASSWORD_ENV = "KYSO_TEST_P12_PASSWORD"


def run(*args: object, env: dict[str, str] | None = None):
    """The CLI in-process (module-scoped fixtures cannot use the function-scoped ``kyso`` fixture)."""
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


def sign_args(pki, source: Path, output: Path, *extra: object) -> tuple[object, ...]:
    """``kyso sign`` as the person, the password read from :data:`PASSWORD_ENV`."""
    return ("sign", source, "-o", output, "--p12", pki.p12("person"), "--password-env", PASSWORD_ENV, *extra)


def verdict_line(stdout: str) -> str:
    return next(line for line in stdout.splitlines() if line.startswith(("Kết luận:", "Verdict:")))


@pytest.fixture(scope="module")
def work(tmp_path_factory, unsigned_pdf) -> Path:
    directory = tmp_path_factory.mktemp("cli")
    (directory / "cv-123.pdf").write_bytes(unsigned_pdf)
    return directory


@pytest.fixture(scope="module")
def password_env(pki) -> dict[str, str]:
    return {PASSWORD_ENV: pki.password}


@pytest.fixture(scope="module")
def signed_file(work, pki, password_env) -> Path:
    """``kyso sign`` (B-B, invisible) once for the module."""
    output = work / "cv-123.signed.pdf"
    result = run(*sign_args(pki, work / "cv-123.pdf", output), env=password_env)
    assert result.exit_code == 0, result.stderr
    return output


@pytest.fixture(scope="module")
def timestamped_file(work, pki, password_env) -> Path:
    output = work / "cv-123.b-t.pdf"
    result = run(*sign_args(pki, work / "cv-123.pdf", output, "--level", "B-T", "--tsa", pki.tsa_url), env=password_env)
    assert result.exit_code == 0, result.stderr
    return output


# ---------------------------------------------------------------------------------------------------------------
# --version, plugins
# ---------------------------------------------------------------------------------------------------------------


def test_version(kyso_cli):
    result = kyso_cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"kyso, version {kyso.__version__}"


def test_help_lists_the_commands(kyso_cli):
    result = kyso_cli("--help")
    assert result.exit_code == 0
    for command in ("sign", "verify", "cert", "plugins", "demo"):
        assert f"  {command} " in result.stdout


def test_plugins_text(kyso_cli):
    result = kyso_cli("plugins")
    assert result.exit_code == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    for name in DEFAULT_PLUGINS:
        assert f"(kyso {kyso.__version__})" in lines[name]
    assert "kyso_sign" in lines["kyso.pdf.plugin"] and "kyso_verify" in lines["kyso.pdf.plugin"]
    assert "kyso_validate_certificate" in lines["kyso.certs.plugin"]


def test_plugins_json(kyso_cli):
    result = kyso_cli("plugins", "--format", "json")
    assert result.exit_code == 0, result.stderr
    listing = {p["name"]: p for p in json.loads(result.stdout)}
    assert set(DEFAULT_PLUGINS) <= set(listing)
    assert set(listing["kyso.pdf.plugin"]["hooks"]) >= {"kyso_register_formats", "kyso_sign", "kyso_verify"}
    assert {p["distribution"] for n, p in listing.items() if n in DEFAULT_PLUGINS} == {"kyso"}


# ---------------------------------------------------------------------------------------------------------------
# sign, verify
# ---------------------------------------------------------------------------------------------------------------


def test_sign_writes_a_pdf_and_leaves_the_input(work, signed_file, unsigned_pdf):
    assert (work / "cv-123.pdf").read_bytes() == unsigned_pdf
    data = signed_file.read_bytes()
    assert data.startswith(unsigned_pdf)  # an incremental update of the input
    assert b"/ByteRange" in data[len(unsigned_pdf) :]
    assert sorted(p.name for p in work.iterdir() if p.name.endswith(".partial")) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_signed_file_gets_the_usual_permissions(signed_file):
    umask = os.umask(0o022)
    os.umask(umask)
    assert signed_file.stat().st_mode & 0o777 == 0o666 & ~umask


def test_sign_reports_the_output_on_stderr_only(kyso_cli, work, pki, password_env, tmp_path):
    result = kyso_cli(*sign_args(pki, work / "cv-123.pdf", tmp_path / "out.pdf"), env=password_env)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.strip() == f"signed: {tmp_path / 'out.pdf'}"


def test_sign_with_password_file(kyso_cli, work, pki, tmp_path):
    secret = tmp_path / "password.txt"
    secret.write_text(pki.password + "\n", encoding="utf-8")
    result = kyso_cli(
        "sign", work / "cv-123.pdf", "-o", tmp_path / "out.pdf", "--p12", pki.p12("person"), "--password-file", secret
    )
    assert result.exit_code == 0, result.stderr
    assert kyso.verify((tmp_path / "out.pdf").read_bytes(), trust=[pki.root_cert], revocation="off").indication == (
        "TOTAL_PASSED"
    )


def test_verify_in_vietnamese(kyso_cli, signed_file, pki):
    result = kyso_cli("verify", signed_file, "--trust", pki.root_cert)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert verdict_line(result.stdout) == "Kết luận: HỢP LỆ"
    assert "Người ký: Nguyễn Văn An" in result.stdout
    assert "Cơ quan, tổ chức: Ủy ban nhân dân tỉnh Nghệ An" in result.stdout
    assert "Tài liệu: cv-123.signed.pdf (pdf)" in result.stdout
    assert "chưa bị thu hồi (nguồn: ocsp)" in result.stdout
    assert "+07:00" in result.stdout
    assert result.stderr == ""


def test_verify_in_english(kyso_cli, signed_file, pki):
    result = kyso_cli("verify", signed_file, "--trust", pki.root_cert, "--lang", "en", "--revocation", "off")
    assert result.exit_code == 0
    assert verdict_line(result.stdout) == "Verdict: VALID"
    assert "Signer: Nguyễn Văn An" in result.stdout
    assert "Kết luận" not in result.stdout and "Người ký" not in result.stdout


def test_verify_json(kyso_cli, signed_file, pki):
    result = kyso_cli("verify", signed_file, "--trust", pki.root_cert, "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert set(report) == {"document", "format", "indication", "signatures"}
    assert (report["document"], report["format"], report["indication"]) == ("cv-123.signed.pdf", "pdf", "TOTAL_PASSED")
    (signature,) = report["signatures"]
    assert set(signature) == SIGNATURE_KEYS
    assert signature["signer"]["common_name"] == "Nguyễn Văn An"
    assert signature["level"] == "B-B"
    assert signature["timestamp"] is None
    assert signature["certificate"]["revocation"] == {"status": "good", "source": "ocsp"}


def test_verify_trust_directory(kyso_cli, signed_file, pki, tmp_path):
    shutil.copy(pki.root_cert, tmp_path / "root.pem")
    result = kyso_cli("verify", signed_file, "--trust", tmp_path, "--revocation", "off")
    assert result.exit_code == 0, result.stdout


def test_verify_without_trust_is_not_passed(kyso_cli, signed_file):
    result = kyso_cli("verify", signed_file, "--revocation", "off", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["indication"] == "INDETERMINATE"
    assert report["signatures"][0]["sub_indication"] == "NO_CERTIFICATE_CHAIN_FOUND"


def test_verify_unsigned_document(kyso_cli, work):
    result = kyso_cli("verify", work / "cv-123.pdf")
    assert result.exit_code == 1
    assert verdict_line(result.stdout) == "Kết luận: KHÔNG CÓ CHỮ KÝ SỐ"
    result = kyso_cli("verify", work / "cv-123.pdf", "--format", "json")
    assert json.loads(result.stdout)["indication"] == "NO_SIGNATURE"


def test_level_b_t_with_timestamp(kyso_cli, timestamped_file, pki):
    result = kyso_cli("verify", timestamped_file, "--trust", pki.root_cert, "--format", "json", "--revocation", "off")
    assert result.exit_code == 0, result.stdout
    (signature,) = json.loads(result.stdout)["signatures"]
    assert signature["level"] == "B-T"
    assert signature["timestamp"]["time"].endswith("+07:00")
    assert signature["timestamp"]["authority"] == "Dịch vụ cấp dấu thời gian G2 (TEST)"
    text = kyso_cli("verify", timestamped_file, "--trust", pki.root_cert, "--revocation", "off")
    assert "Mức chữ ký: PAdES B-T" in text.stdout
    assert "Dấu thời gian: " in text.stdout


def test_visible_signature(kyso_cli, work, pki, password_env, tmp_path):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    output = tmp_path / "visible.pdf"
    visible = ("--page", "1", "--box", "50,50,250,120", "--field", "ChuKy1")
    result = kyso_cli(*sign_args(pki, work / "cv-123.pdf", output, *visible), env=password_env)
    assert result.exit_code == 0, result.stderr
    reader = PdfFileReader(BytesIO(output.read_bytes()))
    ((name, value, field_ref),) = list(enumerate_sig_fields(reader))
    widget = field_ref.get_object()
    assert name == "ChuKy1" and value is not None
    assert [float(v) for v in widget["/Rect"]] == [50, 50, 250, 120]
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    assert any(annot.get_object() is widget or annot.idnum == field_ref.idnum for annot in page["/Annots"])
    appearance = widget["/AP"]["/N"].get_object()
    assert appearance.data  # a drawn appearance, not an empty box
    verified = kyso_cli("verify", output, "--trust", pki.root_cert, "--revocation", "off", "--format", "json")
    assert verified.exit_code == 0
    assert json.loads(verified.stdout)["signatures"][0]["id"] == "ChuKy1"


def test_at_before_the_certificate_validity(kyso_cli, signed_file, pki):
    before = (pki.generated_at - timedelta(days=90)).isoformat()  # the person certificate starts 60 days back
    result = kyso_cli("verify", signed_file, "--trust", pki.root_cert, "--at", before, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["indication"] in {"INDETERMINATE", "TOTAL_FAILED"}
    (signature,) = report["signatures"]
    assert signature["sub_indication"] in {"NOT_YET_VALID", "OUT_OF_BOUNDS_NO_POE"}
    assert signature["certificate"]["indication"] != "TOTAL_PASSED"
    text = kyso_cli("verify", signed_file, "--trust", pki.root_cert, "--at", before)
    assert verdict_line(text.stdout) != "Kết luận: HỢP LỆ"
    assert "chưa có hiệu lực" in text.stdout


# ---------------------------------------------------------------------------------------------------------------
# cert validate
# ---------------------------------------------------------------------------------------------------------------


def test_cert_validate_person(kyso_cli, pki):
    args = ("cert", "validate", pki.cert("person"), "--trust", pki.root_cert, "--intermediate", pki.issuing_ca_cert)
    result = kyso_cli(*args)
    assert result.exit_code == 0, result.stdout
    assert verdict_line(result.stdout) == "Kết luận: HỢP LỆ"
    assert "Chứng thư số: Nguyễn Văn An" in result.stdout
    assert "CA phục vụ các cơ quan Nhà nước G2" in result.stdout
    report = json.loads(kyso_cli(*args, "--format", "json").stdout)
    assert report["indication"] == "TOTAL_PASSED"
    assert report["sub_indication"] is None
    assert len(report["chain"]) == 3 and "CA phục vụ các cơ quan Nhà nước G2" in report["chain"][1]
    assert report["revocation"]["status"] == "good"
    assert report["validation_time"].endswith("+07:00")


def validate_as_json(kyso_cli, pki, name: str, *, revocation: str):
    """``kyso cert validate`` of the test PKI's certificate ``name`` with its chain, the report as JSON."""
    return kyso_cli(
        "cert",
        "validate",
        pki.cert(name),
        "--trust",
        pki.root_cert,
        "--intermediate",
        pki.issuing_ca_cert,
        "--revocation",
        revocation,
        "--format",
        "json",
    )


def test_cert_validate_revoked(kyso_cli, pki):
    result = validate_as_json(kyso_cli, pki, "revoked", revocation="soft")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["indication"] != "TOTAL_PASSED"
    assert report["sub_indication"].startswith("REVOKED")
    assert report["revocation"]["status"] == "revoked"
    assert report["revocation"]["source"] in {"ocsp", "crl"}
    text = kyso_cli("cert", "validate", pki.cert("revoked"), "--trust", pki.root_cert, "--revocation", "soft")
    assert "ĐÃ BỊ THU HỒI" in text.stdout


def test_cert_validate_revoked_as_of_a_moment_before_the_revocation(kyso_cli, pki):
    """The test PKI revokes ``revoked`` 10 days before it was generated: 20 days back it was still good."""
    args = ("cert", "validate", pki.cert("revoked"), "--trust", pki.root_cert, "--format", "json")
    before = json.loads(kyso_cli(*args, "--at", (pki.generated_at - timedelta(days=20)).isoformat()).stdout)
    assert before["indication"] == "TOTAL_PASSED", before["messages"]
    assert before["revocation"] == {"status": "good", "source": "ocsp"}
    assert any("revoked later" in m for m in before["messages"])
    after = kyso_cli(*args, "--at", (pki.generated_at - timedelta(days=5)).isoformat())
    assert after.exit_code == 1
    assert json.loads(after.stdout)["revocation"]["status"] == "revoked"


def test_cert_validate_wrong_key_usage(kyso_cli, pki):
    result = validate_as_json(kyso_cli, pki, "wrong_key_usage", revocation="off")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["sub_indication"] == "CHAIN_CONSTRAINTS_FAILURE"


# ---------------------------------------------------------------------------------------------------------------
# the real console script, in a real process
# ---------------------------------------------------------------------------------------------------------------


def console_script() -> str:
    name = "kyso.exe" if os.name == "nt" else "kyso"
    beside = Path(sysconfig.get_path("scripts")) / name
    found = str(beside) if beside.exists() else shutil.which("kyso")
    assert found, "the console script `kyso` is not installed (pip install -e .)"
    return found


def run_process(*args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUTF8": "1"}
    env.pop("KYSO_DISABLE_PLUGINS", None)
    return subprocess.run(
        [console_script(), *map(str, args)], capture_output=True, text=True, encoding="utf-8", env=env, timeout=60
    )


def page_added_after_signing(signed: bytes) -> bytes:
    """``signed`` with a page appended in an incremental update: a change pyHanko's difference analysis rejects
    (and logs with a traceback)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(signed))
    page = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/MediaBox"): generic.ArrayObject(map(generic.NumberObject, (0, 0, 595, 842))),
            generic.NameObject("/Contents"): writer.add_object(generic.StreamObject(stream_data=b"BT ET")),
        }
    )
    writer.insert_page(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_console_script_exit_codes(timestamped_file, signed_file, pki, tmp_path):
    version = run_process("--version")
    assert (version.returncode, version.stdout.strip()) == (0, f"kyso, version {kyso.__version__}")

    passed = run_process("verify", timestamped_file, "--trust", pki.root_cert)
    assert passed.returncode == 0, passed.stderr
    assert "Kết luận: HỢP LỆ" in passed.stdout
    assert passed.stderr == ""

    modified = tmp_path / "page-added.pdf"
    modified.write_bytes(page_added_after_signing(signed_file.read_bytes()))
    failed = run_process("verify", modified, "--trust", pki.root_cert, "--revocation", "off")
    assert failed.returncode == 1
    assert "Kết luận: HỢP LỆ" not in failed.stdout
    assert failed.stderr == ""  # pyHanko's logged traceback does not reach the terminal

    missing = run_process("verify", tmp_path / "missing.pdf")
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert missing.stderr.startswith("kyso: error: ") and len(missing.stderr.splitlines()) == 1
