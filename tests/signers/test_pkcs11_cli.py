"""``--signer pkcs11`` and ``kyso tokens`` from the command line, on the session's SoftHSM2 token (issue 11, item 1):
the options as the issue spells them, the PIN only from the environment, a file or a prompt, one login for a whole
``kyso sync`` batch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kyso.testing.token import injected

pytest.importorskip("pkcs11")


@pytest.fixture
def document(tmp_path, unsigned_pdf) -> Path:
    path = tmp_path / "công-văn.pdf"
    path.write_bytes(unsigned_pdf)
    return path


def everything(*results) -> str:
    return "".join(r.stdout + r.stderr for r in results)


@pytest.mark.parametrize("key", ["person", "ec"])
def test_sign_with_the_issues_spelling_then_verify(kyso_cli, kyso_token, pki, document, tmp_path, key):
    output = tmp_path / "đã-ký.pdf"
    signed = kyso_cli("sign", document, "-o", output, *kyso_token.cli_args(key), env={"KYSO_TOKEN_PIN": kyso_token.pin})
    assert signed.exit_code == 0, signed.stderr
    verified = kyso_cli("verify", output, "--trust", pki.root_cert, "--revocation", "off", "--lang", "en")
    assert verified.exit_code == 0, verified.stdout
    assert "Nguyễn Văn An" in verified.stdout
    assert kyso_token.pin not in everything(signed, verified)


def test_sign_with_the_prefixed_spelling_and_a_pin_file(kyso_cli, kyso_token, document, tmp_path):
    pin_file = tmp_path / "pin.txt"
    pin_file.write_text(kyso_token.pin + "\n", encoding="utf-8")
    result = kyso_cli(
        "sign", document, "-o", tmp_path / "out.pdf", "--signer", "pkcs11", "--pkcs11-module", kyso_token.module,
        "--pkcs11-token-label", kyso_token.label, "--pkcs11-key-id", "01", "--pkcs11-pin-file", pin_file,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out.pdf").exists()


def test_wrong_pin_is_one_line_in_vietnamese_and_writes_nothing(kyso_cli, kyso_token, document, tmp_path):
    wrong = "sai-" + kyso_token.pin
    output = tmp_path / "out.pdf"
    result = kyso_cli("sign", document, "-o", output, *kyso_token.cli_args(), env={"KYSO_TOKEN_PIN": wrong})
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("kyso: error: Sai mã PIN của USB token"), line
    assert wrong not in everything(result) and kyso_token.pin not in everything(result)
    assert not output.exists()


def test_no_pin_and_no_terminal_names_the_options(kyso_cli, kyso_token, document, tmp_path):
    args = kyso_token.cli_args()[:-2]  # without --pin-env
    result = kyso_cli("sign", document, "-o", tmp_path / "out.pdf", *args)
    assert result.exit_code == 2
    assert "no pin: use --pin-env VAR or --pin-file FILE" in result.stderr


def test_a_fault_names_what_to_fix(kyso_cli, kyso_token, document, tmp_path):
    env = {"KYSO_TOKEN_PIN": kyso_token.pin}
    absent = kyso_cli("sign", document, "-o", tmp_path / "o.pdf", *kyso_token.cli_args(token_label="không-có"), env=env)
    assert absent.exit_code == 2 and "Không tìm thấy USB token" in absent.stderr, absent.stderr
    no_cert = kyso_cli("sign", document, "-o", tmp_path / "o.pdf", *kyso_token.cli_args("no-cert"), env=env)
    assert no_cert.exit_code == 2 and "give it with --cert FILE" in no_cert.stderr
    bad_module = kyso_cli(
        "sign", document, "-o", tmp_path / "o.pdf", "--signer", "pkcs11", "--module", tmp_path / "none.so",
        "--pin-env", "KYSO_TOKEN_PIN", env=env,
    )  # fmt: skip
    assert bad_module.exit_code == 2 and "Không nạp được thư viện PKCS#11" in bad_module.stderr
    assert not (tmp_path / "o.pdf").exists()


def test_sync_logs_in_once_for_the_whole_batch(kyso_cli, kyso_token, pki, tmp_path):
    from kyso.conformance.checks import appearance_for, sample_pdf
    from kyso.demo.marks import sample_signature_png
    from kyso.testing.simulators.ioffice import IOfficeSimulator

    image = tmp_path / "chu-ky.png"
    image.write_bytes(sample_signature_png())
    with IOfficeSimulator(tmp_path / "sim").serve() as simulator, injected(kyso_token.module) as module:
        for n in range(4):
            simulator.add_item(
                user="vanthu", name=f"{n}.pdf", content=sample_pdf(f"văn bản {n}"), kind="approval",
                appearance=appearance_for("approval"),
            )  # fmt: skip
        result = kyso_cli(
            "sync", "ioffice", "--user", "vanthu", *kyso_token.cli_args(), "--image", image,
            "--trust", pki.root_cert, "--revocation", "off", "--journal", tmp_path / "j",
            "--base-url", simulator.url, "--username", "kyso", "--platform-password-env", "PLATFORM_PASS",
            env={"KYSO_TOKEN_PIN": kyso_token.pin, "PLATFORM_PASS": "kyso-secret"},
        )  # fmt: skip
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "signed: 4, failed: 0" in result.stdout
    assert module.logins == 1, "one C_Login for four documents"
    assert kyso_token.pin not in everything(result)


# ---------------------------------------------------------------------------------------------------------------
# kyso tokens
# ---------------------------------------------------------------------------------------------------------------


def test_tokens_lists_tokens_and_certificates_in_vietnamese(kyso_cli, kyso_token, pki):
    result = kyso_cli("tokens", "--module", kyso_token.module)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert f"Thư viện PKCS#11: {kyso_token.module}" in out
    assert f"USB token '{kyso_token.label}'" in out
    assert "Chủ thể: Nguyễn Văn An" in out and "Tổ chức cấp: CA phục vụ các cơ quan Nhà nước G2" in out
    assert f"Số hiệu: {pki.serial('person'):x}" in out
    assert "Mục đích sử dụng khoá: ký số, chống chối bỏ" in out
    assert "Hiệu lực: từ " in out
    assert f"--module {kyso_token.module} --token-label {kyso_token.label} --key-id 01 --pin-env BIEN" in out
    assert kyso_token.pin not in out


def test_tokens_in_english_and_json(kyso_cli, kyso_token, pki):
    english = kyso_cli("tokens", "--module", kyso_token.module, "--lang", "en")
    assert english.exit_code == 0 and "Holder: Nguyễn Văn An" in english.stdout
    assert "Key usage: digital signature, non-repudiation" in english.stdout
    listing = json.loads(kyso_cli("tokens", "--module", kyso_token.module, "--format", "json").stdout)
    assert listing["python_bits"] in (32, 64)
    (module,) = listing["modules"]
    token = next(t for t in module["tokens"] if t["label"] == kyso_token.label)
    certificates = {c["label"]: c for c in token["certificates"]}
    person = certificates["person"]
    assert (person["id"], person["serial"], person["has_key"]) == ("01", f"{pki.serial('person'):x}", True)
    assert person["key_usage"] == ["digital_signature", "non_repudiation"]
    assert certificates["ec"]["holder"] == "Nguyễn Văn An (EC)"
    assert certificates["ca-2"]["has_key"] is False
    assert certificates["mismatch"]["has_key"] is False, "its key (same id) is not the certificate's"


def test_tokens_searches_the_usual_places(kyso_cli, kyso_token):
    from kyso.signers.pkcs11.discovery import find_modules

    if kyso_token.module not in find_modules():
        pytest.skip("SoftHSM2 is not in a usual place on this machine")
    result = kyso_cli("tokens", "--format", "json")
    assert result.exit_code == 0, result.stderr
    paths = [m["path"] for m in json.loads(result.stdout)["modules"]]
    assert kyso_token.module in paths


def test_tokens_with_a_module_that_does_not_load(kyso_cli, tmp_path):
    bogus = tmp_path / "vnpt-ca_csp11.so"
    bogus.write_bytes(b"\x7fELF not really")
    result = kyso_cli("tokens", "--module", bogus)
    assert result.exit_code == 2
    assert "Không nạp được thư viện PKCS#11" in result.stderr


def test_module_search_covers_the_vietnamese_tokens_on_every_system():
    from kyso.signers.pkcs11.discovery import candidate_paths

    windows = candidate_paths("Windows", env={"SystemRoot": r"C:\Windows"})
    for name in ("eTPKCS11", "bit4xpki", "viettel-ca_v6", "vnpt-ca_csp11", "vnptca_p11_v8", "BkavCA", "fpt-ca",
                 "ncca_csp11_v1", "CA2_csp11", "st3csp11", "eps2003csp11", "ShuttleCsp11_3003"):  # fmt: skip
        assert rf"C:\Windows\System32\{name}.dll" in windows, name
    assert "/usr/local/lib/libbit4xpki.dylib" in candidate_paths("Darwin", env={})
    linux = candidate_paths("Linux", env={"KYSO_PKCS11_MODULES": "/opt/ca/libx.so"})
    assert linux[0] == "/opt/ca/libx.so" and "/usr/lib/libeTPkcs11.so" in linux
    assert "/usr/lib/softhsm/libsofthsm2.so" in linux
    assert not [p for p in windows + linux if not (p.startswith(("/", "C:")))], "only absolute system paths"


@pytest.mark.parametrize(
    ("env", "prompt"), [({}, "Mã PIN (pkcs11):".encode()), ({"KYSO_LANG": "en"}, b"pkcs11 pin:")], ids=["vi", "en"]
)
def test_without_pin_options_the_pin_is_asked_on_the_terminal(kyso_token, document, tmp_path, env, prompt):
    """A real pseudo-terminal: the hidden prompt, in Vietnamese unless KYSO_LANG=en (what a văn thư reads), the PIN
    typed, never echoed; the signed file written."""
    import os
    import pty
    import select
    import subprocess
    import sys
    import time

    output = tmp_path / "out.pdf"
    args = kyso_token.cli_args()[:-2]  # without --pin-env
    leader, follower = pty.openpty()
    inherited = {k: v for k, v in os.environ.items() if k != "KYSO_LANG"}
    process = subprocess.Popen(
        [sys.executable, "-m", "kyso", "sign", str(document), "-o", str(output), *args],
        stdin=follower, stdout=follower, stderr=follower, env={**inherited, **env},
    )  # fmt: skip
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 60
    while b":" not in seen and time.monotonic() < deadline:
        if select.select([leader], [], [], 1)[0]:
            seen += os.read(leader, 4096)
    os.write(leader, kyso_token.pin.encode() + b"\n")
    while process.poll() is None and time.monotonic() < deadline:
        if select.select([leader], [], [], 0.5)[0]:
            try:
                seen += os.read(leader, 4096)
            except OSError:
                break
    process.wait(timeout=30)
    os.close(leader)
    assert process.returncode == 0, seen
    assert prompt in seen, seen
    assert output.exists()
    assert kyso_token.pin.encode() not in seen, "the PIN is not echoed"
