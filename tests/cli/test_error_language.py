"""The CLI's error line follows ``--lang`` (before or after the sub-command), else ``KYSO_LANG``, else Vietnamese;
an error about an API parameter names the command's flag (issue 10, item 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

NO_ENV = {"KYSO_LANG": None}  # the developer's own setting must not decide these tests


def _error_line(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kyso: error: ")  # the tag stays the same in every language: scripts look for it
    return lines[0].removeprefix("kyso: error: ")


def test_vietnamese_by_default(kyso_cli, tmp_path: Path) -> None:
    line = _error_line(kyso_cli("verify", tmp_path / "công văn.pdf", env=NO_ENV))
    assert line == f"Tài liệu không dùng được: {tmp_path / 'công văn.pdf'}: không có tệp này"


@pytest.mark.parametrize(
    ("where", "env"),
    [("after", NO_ENV), ("before", NO_ENV), ("environment", {"KYSO_LANG": "en"})],
)
def test_english_with_lang_en_before_or_after_the_command_or_kyso_lang(kyso_cli, tmp_path: Path, where, env) -> None:
    missing = tmp_path / "missing.pdf"
    args = {
        "after": ("verify", missing, "--lang", "en"),
        "before": ("--lang", "en", "verify", missing),
        "environment": ("verify", missing),
    }[where]
    assert _error_line(kyso_cli(*args, env=env)) == f"unusable input: {missing}: no such file"


def test_the_command_s_lang_wins_over_the_environment_and_the_group(kyso_cli, tmp_path: Path) -> None:
    missing = tmp_path / "missing.pdf"
    line = _error_line(kyso_cli("--lang", "en", "verify", missing, "--lang", "vi", env={"KYSO_LANG": "en"}))
    assert line.startswith("Tài liệu không dùng được")


def test_an_unknown_kyso_lang_is_vietnamese(kyso_cli, tmp_path: Path) -> None:
    assert _error_line(kyso_cli("verify", tmp_path / "x.pdf", env={"KYSO_LANG": "fr"})).startswith("Tài liệu")


def test_the_group_lang_also_sets_the_report_language(kyso_cli, signed_pdf: bytes, pki, tmp_path: Path) -> None:
    document = tmp_path / "signed.pdf"
    document.write_bytes(signed_pdf)
    result = kyso_cli("--lang", "en", "verify", document, "--trust", pki.root_cert, "--revocation", "off", env=NO_ENV)
    assert result.exit_code == 0 and "HỢP LỆ" not in result.stdout


def test_a_parameter_is_named_as_the_flag(kyso_cli, signed_pdf: bytes, tmp_path: Path) -> None:
    document = tmp_path / "signed.pdf"
    document.write_bytes(signed_pdf)
    line = _error_line(kyso_cli("verify", document, "--at", "hôm qua", env=NO_ENV))
    assert line.startswith("Lệnh chưa đúng (--at): 'hôm qua' không phải một thời điểm ISO 8601")
    line = _error_line(kyso_cli("verify", document, "--at", "hôm qua", "--lang", "en"))
    assert line.startswith("bad usage (--at): not an ISO 8601 moment")


def test_flag_mapping() -> None:
    from kyso.cli.main import flag

    assert flag("doc_number") == "--doc-number"
    assert flag("image") == "--image"
    assert flag("data") == "IN"


def test_the_wrong_password_line_in_vietnamese(kyso_cli, pki, unsigned_pdf: bytes, tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    key = serialization.load_pem_private_key(pki.key("person").read_bytes(), None)
    cert = x509.load_pem_x509_certificate(pki.cert("person").read_bytes())
    store = tmp_path / "person.p12"
    store.write_bytes(
        pkcs12.serialize_key_and_certificates(b"p", key, cert, None, serialization.BestAvailableEncryption(b"right"))
    )
    document = tmp_path / "letter.pdf"
    document.write_bytes(unsigned_pdf)
    result = kyso_cli(
        "sign", document, "-o", tmp_path / "out.pdf", "--p12", store, "--password-env", "PW",
        env={"PW": "Wr0ng-secret", "KYSO_LANG": None},
    )  # fmt: skip
    assert _error_line(result) == f"Sai mật khẩu hoặc mã PIN của khoá ký: {store}"
    assert "Wr0ng-secret" not in result.stderr + result.stdout


def test_exit_codes_are_documented_in_help(kyso_cli) -> None:
    from kyso.cli.main import ExitCode

    assert [int(code) for code in ExitCode] == [0, 1, 2, 3]
    text = " ".join(kyso_cli("--help").stdout.split())
    assert "0 success or TOTAL_PASSED, 1 any other verdict, 2 unusable input or bad usage, 3 internal error" in text
    assert "--lang [vi|en]" in text
