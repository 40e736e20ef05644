"""``kyso sign ... --signer smartca|mysign|csc`` end to end (issue 11, item 2): the options as the issue spells them,
the confirmation as the user sees it on stderr, the phone answered by a background thread, Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

import kyso
from kyso.testing.simulators.remote import SP_ID, SP_SECRET, RemoteSigningControl
from tests.signers.remote_support import USER, simulator_fixture  # noqa: F401 - the fixture


@pytest.fixture
def document(tmp_path, unsigned_pdf):
    path = tmp_path / "cong-van.pdf"
    path.write_bytes(unsigned_pdf)
    return path


def smartca_args(simulator, *extra: str) -> list[str]:
    return [
        "--signer", "smartca", "--service-url", simulator.smartca_url, "--signer-user", USER,
        "--client-id", SP_ID, "--client-secret-env", "SMARTCA_SECRET", "--smartca-poll-interval", "0.05", *extra,
    ]  # fmt: skip


def test_kyso_sign_with_smartca_waits_for_the_phone(kyso_cli, simulator, document, tmp_path, pki, files_unchanged):
    files_unchanged(document)
    output = tmp_path / "signed.pdf"
    confirming = RemoteSigningControl(simulator.url).when_waiting("confirm")
    result = kyso_cli("sign", document, "-o", output, *smartca_args(simulator), env={"SMARTCA_SECRET": SP_SECRET})
    confirming.join()
    assert result.exit_code == 0, result.stderr
    assert "Vui lòng xác nhận trên điện thoại (VNPT SmartCA, mã giao dịch " in result.stderr
    assert ": còn 4:" in result.stderr  # the countdown from the 300 s default
    assert SP_SECRET not in result.stderr + result.stdout
    report = kyso.verify(output.read_bytes(), trust=[pki.cert("root")], revocation="off")
    assert report.to_dict()["indication"] == "TOTAL_PASSED"


def test_rejected_on_the_phone_writes_nothing(kyso_cli, simulator, document, tmp_path):
    output = tmp_path / "signed.pdf"
    rejecting = RemoteSigningControl(simulator.url).when_waiting("reject")
    result = kyso_cli("sign", document, "-o", output, *smartca_args(simulator), env={"SMARTCA_SECRET": SP_SECRET})
    rejecting.join()
    assert result.exit_code == 2
    assert "kyso: error: Người ký đã từ chối yêu cầu ký trên điện thoại" in result.stderr
    assert not output.exists() and not list(tmp_path.glob("*.tmp*"))


def test_mysign_with_the_prefixed_spellings(kyso_cli, simulator, document, tmp_path):
    simulator.configure(auto="confirm")
    output = tmp_path / "signed.pdf"
    result = kyso_cli(
        "--lang", "en", "sign", document, "-o", output, "--signer", "mysign", "--mysign-service-url", simulator.url,
        "--mysign-signer-user", USER, "--mysign-client-id", SP_ID, "--mysign-client-secret-env", "MYSIGN_SECRET",
        "--mysign-poll-interval", "0.05",
        env={"MYSIGN_SECRET": SP_SECRET},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "Please confirm on your phone (Viettel MySign" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--signer", "pkcs12", "--pkcs12-file", "x.p12", "--pin-env", "V"],
            "--pin-env is not an option of --signer pkcs12",
        ),
        (
            ["--signer", "smartca", "--service-url", "http://a", "--smartca-service-url", "http://b"],
            "give either --service-url or --smartca-service-url, not both",
        ),
        (["--signer", "smartca", "--signer-user", "u"], "--signer smartca needs --service-url"),
    ],
    ids=["plain-flag-of-another-backend", "plain-and-prefixed", "missing-plain"],
)
def test_plain_spellings_are_checked(kyso_cli, document, tmp_path, args, message):
    result = kyso_cli("sign", document, "-o", tmp_path / "o.pdf", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_ctrl_c_cancels_cleanly(simulator, document, tmp_path):
    """A real process and a real SIGINT while the request waits on the phone."""
    output = tmp_path / "signed.pdf"
    env = {**os.environ, "SMARTCA_SECRET": SP_SECRET, "KYSO_LANG": "vi"}
    process = subprocess.Popen(
        [sys.executable, "-m", "kyso", "sign", str(document), "-o", str(output), *smartca_args(simulator)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not any(t["state"] == "waiting" for t in simulator.transactions()) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2, stderr
    assert "Đã huỷ yêu cầu ký" in stderr
    assert not output.exists()
    polls = simulator.transactions()[0]["polls"]
    time.sleep(0.3)
    assert simulator.transactions()[0]["polls"] == polls


def test_a_value_that_does_not_verify_writes_nothing(kyso_cli, simulator, document, tmp_path):
    simulator.configure(auto="confirm", answer="wrong_key")
    output = tmp_path / "signed.pdf"
    result = kyso_cli("sign", document, "-o", output, *smartca_args(simulator), env={"SMARTCA_SECRET": SP_SECRET})
    assert result.exit_code == 2
    assert "Chữ ký nhận được không khớp với chứng thư số" in result.stderr
    assert not output.exists()
