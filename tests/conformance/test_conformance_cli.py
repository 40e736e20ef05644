"""``kyso conformance``: the console table, the JSON and HTML reports, a running simulator given by URL."""

from __future__ import annotations

import json

import pytest

CHECKS = ["round_trip[approval]", "wrong_credentials", "duplicate_upload"]


def test_conformance_writes_reports(kyso_cli, tmp_path):
    args = ["conformance", "ioffice", "--report", tmp_path / "r.json", "--html", tmp_path / "r.html"]
    for check in CHECKS:
        args += ["--check", check]
    result = kyso_cli(*args)
    assert result.exit_code == 1, result.stdout + result.stderr  # a filtered run is never a verdict (issue 16)
    assert "ioffice: INCOMPLETE (CHƯA ĐỦ" in result.stdout and "3 đạt, 0 không đạt, 0 bỏ qua" in result.stdout
    assert any(line.startswith("round_trip[approval]") and " đạt " in line for line in result.stdout.splitlines())
    progress = [line.split() for line in result.stderr.splitlines() if line.startswith("  ")]
    assert progress and all(words[0] == "đạt" for words in progress), result.stderr  # as it runs, in Vietnamese
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert report["adapter"] == "ioffice" and report["simulator"] is True
    assert [c["name"] for c in report["checks"] if c["outcome"] != "not_run"] == CHECKS
    assert {c["outcome"] for c in report["checks"] if c["name"] in CHECKS} == {"passed"}
    assert all(set(c) >= {"name", "outcome", "detail", "proves"} for c in report["checks"])
    html = (tmp_path / "r.html").read_text("utf-8")
    assert "<strong>INCOMPLETE</strong>" in html and "round_trip[approval]" in html


@pytest.fixture
def running_simulator(tmp_path):
    from kyso.testing.simulators.ioffice import IOfficeSimulator

    with IOfficeSimulator(tmp_path / "sim").serve() as simulator:
        yield simulator


def ran(report: dict, check: str) -> dict:
    return next(c for c in report["checks"] if c["name"] == check)


def run_check(kyso_cli, simulator, check: str, tmp_path, *options: str):
    """``kyso conformance ioffice`` of one check against the running simulator, the report in ``r.json``."""
    return kyso_cli(
        "conformance",
        "ioffice",
        "--base-url",
        simulator.url,
        "--check",
        check,
        *options,
        "--report",
        tmp_path / "r.json",
    )


def test_conformance_against_a_running_platform(kyso_cli, running_simulator, tmp_path):
    result = run_check(
        kyso_cli, running_simulator, "round_trip[issuance]", tmp_path, "--timeout", "1", "--retries", "1"
    )
    assert result.exit_code == 1, result.stdout + result.stderr  # one check: INCOMPLETE
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert report["target"] == running_simulator.url and report["verdict"] == "INCOMPLETE"
    assert ran(report, "round_trip[issuance]")["outcome"] == "passed"


def test_conformance_failure_exits_1(kyso_cli, running_simulator, tmp_path):
    # the platform's simulator refuses every download: the round trip fails, the table says which and why
    running_simulator.add_fault("status", operation="download", count=1000, status=404)
    result = run_check(kyso_cli, running_simulator, "round_trip[income]", tmp_path)
    assert result.exit_code == 1
    assert result.stdout.startswith("ioffice: DOES_NOT_CONFORM (KHÔNG ĐẠT")
    assert any(line.startswith("round_trip[income]") and "không đạt" in line for line in result.stdout.splitlines())
    check = ran(json.loads((tmp_path / "r.json").read_text("utf-8")), "round_trip[income]")
    assert check["outcome"] == "failed" and "HTTP 404" in check["detail"]


def test_conformance_unknown_adapter(kyso_cli):
    result = kyso_cli("conformance", "nowhere")
    assert result.exit_code == 2 and "no adapter named" in result.stderr


def test_conformance_keeps_the_configured_credentials(kyso_cli, monkeypatch, tmp_path):
    # credentials from the environment (or adapters.toml) are the staging platform's: the simulator's default
    # account must neither replace them nor be sent to a real platform
    import kyso.conformance.runner as runner
    from kyso.conformance.runner import ConformanceReport

    seen = {}

    def fake_run(info, *, config, **options):
        seen["config"] = config
        return ConformanceReport(info.name, config.base_url, False, runner.datetime.now())

    monkeypatch.setattr(runner, "run_conformance", fake_run)
    monkeypatch.setenv("KYSO_IOFFICE_USERNAME", "staging-user")
    monkeypatch.setenv("KYSO_IOFFICE_PASSWORD", "staging-password")
    result = kyso_cli("conformance", "ioffice", "--base-url", "https://staging.example.gov.vn")
    assert result.exit_code == 1, result.stdout + result.stderr  # no check ran: INCOMPLETE
    assert seen["config"].credentials.username == "staging-user"
    assert seen["config"].credentials.password == "staging-password"
    monkeypatch.delenv("KYSO_IOFFICE_USERNAME")
    monkeypatch.delenv("KYSO_IOFFICE_PASSWORD")
    result = kyso_cli("conformance", "ioffice", "--base-url", "https://staging.example.gov.vn")
    assert seen["config"].credentials.username == "kyso"  # nothing configured: the simulator's account


def test_pytest_plugin_base_url_uses_the_configured_credentials(monkeypatch, tmp_path):
    # ``pytest --kyso-base-url`` against a staging platform: its account, not the simulators' kyso / kyso-secret
    from kyso.adapters.registry import adapter_registry
    from kyso.conformance.runner import harness_for

    monkeypatch.setenv("KYSO_IOFFICE_USERNAME", "staging-user")
    monkeypatch.setenv("KYSO_IOFFICE_PASSWORD", "staging-password")
    monkeypatch.setenv("KYSO_IOFFICE_TIMEOUT", "7")
    info = adapter_registry().get("ioffice")
    with harness_for(info, base_url="http://127.0.0.1:9", pki=object(), workdir=tmp_path) as harness:
        assert harness.config.base_url == "http://127.0.0.1:9"
        assert harness.config.credentials.username == "staging-user"
        assert harness.config.credentials.password == "staging-password"
        assert harness.config.timeout == 7
