"""``kyso adapters``, ``kyso sync`` (progress, summary, resumable) and ``kyso simulate``."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest
import requests

from kyso.conformance.checks import appearance_for, sample_pdf

pytest_plugins = ["adapters_support"]
APPROVAL_BOX = appearance_for("approval")


def test_adapters_lists_one_per_line_name_first(kyso_cli):
    result = kyso_cli("adapters")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert any(line.startswith("ioffice  ") for line in lines)
    listed = json.loads(kyso_cli("adapters", "--format", "json").stdout)
    assert {"name": "ioffice"}.items() <= next(a for a in listed if a["name"] == "ioffice").items()


def test_sync_signs_reports_and_resumes(kyso_cli, ioffice_sim, pki, tmp_path):
    from kyso.demo.marks import sample_signature_png

    ids = [
        ioffice_sim.add_item(
            user="cli",
            name=f"Tờ trình {n}.pdf",
            content=sample_pdf(f"cli {n}"),
            kind="approval",
            appearance=APPROVAL_BOX,
        )
        for n in range(3)
    ]
    ioffice_sim.add_fault("truncate", operation="download", item=ids[1], count=100)
    image = tmp_path / "chu-ky.png"
    image.write_bytes(sample_signature_png())
    env = {"P12_PASS": pki.password, "PLATFORM_PASS": "kyso-secret"}
    args = [
        "sync",
        "ioffice",
        "--user",
        "cli",
        "--p12",
        pki.p12("person"),
        "--password-env",
        "P12_PASS",
        "--image",
        image,
        "--trust",
        pki.cert("root"),
        "--revocation",
        "off",
        "--journal",
        tmp_path / "j",
        "--base-url",
        ioffice_sim.url,
        "--username",
        "kyso",
        "--platform-password-env",
        "PLATFORM_PASS",
        "--timeout",
        "1",
        "--retries",
        "1",
    ]
    try:
        first = kyso_cli(*args, env=env)
    finally:
        ioffice_sim.clear_faults()
    assert first.exit_code == 1, first.stderr
    assert "signed: 2, failed: 1, skipped: 0" in first.stdout
    assert "failed: Tờ trình 1.pdf:" in first.stdout and "truncated" in first.stdout
    second = kyso_cli(*args, "--format", "json", env=env)
    assert second.exit_code == 0, second.stderr
    summary = json.loads(second.stdout)
    assert (summary["signed"], summary["failed"]) == (1, 0)
    assert [ioffice_sim.item(i)["uploads"] for i in ids] == [1, 1, 1]
    assert "kyso-secret" not in first.stdout + first.stderr + second.stdout + second.stderr


def test_sync_with_wrong_platform_password_is_one_line(kyso_cli, ioffice_sim, pki):
    result = kyso_cli(
        "sync",
        "ioffice",
        "--user",
        "x",
        "--p12",
        pki.p12("person"),
        "--password-env",
        "P12_PASS",
        "--base-url",
        ioffice_sim.url,
        "--username",
        "kyso",
        "--platform-password-env",
        "BAD",
        env={"P12_PASS": pki.password, "BAD": "nope"},
    )
    assert result.exit_code == 2
    assert "credentials refused" in result.stderr and "nope" not in result.stderr


def test_sync_unknown_adapter(kyso_cli, pki):
    result = kyso_cli("sync", "nowhere", "--user", "x", "--p12", pki.p12("person"), "--password-env", "P")
    assert result.exit_code == 2 and "no adapter named 'nowhere'" in result.stderr


def test_simulate_runs_on_its_own(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "kyso.cli", "simulate", "ioffice", "--port", str(port), "--directory", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/_sim/info", timeout=1)
                break
            except requests.ConnectionError:
                assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
                time.sleep(0.1)
        assert answer.json() == {"simulator": "ioffice"}
        token = requests.post(
            f"http://127.0.0.1:{port}/api/v1/auth/token",
            json={"username": "kyso", "password": "kyso-secret"},
            timeout=2,
        ).json()["access_token"]
        tasks = requests.get(
            f"http://127.0.0.1:{port}/api/v1/users/u/tasks", headers={"Authorization": f"Bearer {token}"}, timeout=2
        )
        assert tasks.json() == {"status": 0, "data": []}
        assert (tmp_path / "ioffice-simulator.sqlite3").exists()
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("level", ["B-T", "B-LT"])
def test_sync_takes_level_and_tsa(kyso_cli, ioffice_sim, pki, tmp_path, level):
    # issue 16, item 7: kyso sync signs at the level asked, with the TSA given
    import kyso

    item_id = ioffice_sim.add_item(user=f"lvl-{level}", name="Công văn.pdf", content=sample_pdf(level), kind=None)
    result = kyso_cli(
        "sync", "ioffice", "--user", f"lvl-{level}", "--p12", pki.p12("person"), "--password-env", "P12_PASS",
        "--trust", pki.cert("root"), "--level", level, "--tsa", pki.tsa_url, "--journal", tmp_path / "j",
        "--base-url", ioffice_sim.url, "--username", "kyso", "--platform-password-env", "PLATFORM_PASS",
        env={"P12_PASS": pki.password, "PLATFORM_PASS": "kyso-secret"},
    )  # fmt: skip
    assert result.exit_code == 0, result.stdout + result.stderr
    report = kyso.verify(ioffice_sim.item(item_id)["signed"], trust=[pki.cert("root")])
    assert report.indication == "TOTAL_PASSED" and str(report.signatures[0].level) == level
