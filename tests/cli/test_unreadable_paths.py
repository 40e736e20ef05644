"""Paths that cannot be read for reasons other than "missing" (a file used as a directory on the way, a password
file that is not text): one ``kyso: error:`` line and exit code 2, never a traceback, never a byte of a secret."""

from __future__ import annotations

from pathlib import Path

import pytest

import kyso
from kyso.core.errors import InputError


@pytest.fixture()
def plain_file(tmp_path: Path) -> Path:
    path = tmp_path / "plain.txt"
    path.write_text("not a directory\n")
    return path


def assert_one_line_error(result) -> None:  # noqa: ANN001
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kyso: error:"), result.stderr


def test_verify_a_path_under_a_file(kyso_cli, plain_file: Path) -> None:
    assert_one_line_error(kyso_cli("verify", plain_file / "doc.pdf"))


def test_trust_file_under_a_file(kyso_cli, plain_file: Path, signed_pdf: bytes, tmp_path: Path) -> None:
    document = tmp_path / "signed.pdf"
    document.write_bytes(signed_pdf)
    assert_one_line_error(kyso_cli("verify", document, "--trust", plain_file / "root.pem"))


def test_p12_under_a_file(kyso_cli, plain_file: Path, unsigned_pdf: bytes, tmp_path: Path) -> None:
    document = tmp_path / "in.pdf"
    document.write_bytes(unsigned_pdf)
    output = tmp_path / "out.pdf"
    result = kyso_cli(
        "sign", document, "-o", output, "--p12", plain_file / "key.p12", "--password-env", "KYSO_T_PW",
        env={"KYSO_T_PW": "S3cret-Pa55-kyso"},
    )  # fmt: skip
    assert_one_line_error(result)
    assert not output.exists()
    with pytest.raises(InputError):
        kyso.Pkcs12Signer.from_file(plain_file / "key.p12", "x")


def test_password_file_that_is_not_utf8_is_not_quoted(kyso_cli, tmp_path: Path, unsigned_pdf: bytes) -> None:
    document = tmp_path / "in.pdf"
    document.write_bytes(unsigned_pdf)
    password_file = tmp_path / "password"
    password_file.write_bytes(b"\xffS3cret\xfe")
    result = kyso_cli("sign", document, "-o", tmp_path / "out.pdf", "--p12", tmp_path / "none.p12",
                  "--password-file", password_file)  # fmt: skip
    assert_one_line_error(result)
    assert "0xff" not in result.stderr and "S3cret" not in result.stderr
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize("seconds", ["0", "-1", "nan", "inf", "ten"])
def test_a_timeout_must_be_a_positive_number(kyso_cli, seconds: str) -> None:
    """A usage error (exit 2) before any network call, not a ValueError traceback from the HTTP library."""
    result = kyso_cli("trust", "fetch", "rootcag2", "--url", "http://127.0.0.1:9/rootcag2.crt", "--timeout", seconds)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "--timeout" in result.stderr
