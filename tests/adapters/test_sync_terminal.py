"""Issue 9, class 10 for platforms: item names and reasons from a platform reach the terminal escaped (``kyso sync``
text output); the JSON summary keeps them exact."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from kyso.conformance.checks import appearance_for, sample_pdf

pytest_plugins = ["adapters_support"]

HOSTILE_NAME = "Tờ trình\x1b[2J\x1b[H\nsigned: 9, failed: 0, skipped: 0\n\u202e.pdf"
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_sync_escapes_a_hostile_item_name(ioffice_sim, pki, tmp_path):
    from kyso.cli.main import cli
    from kyso.core.manager import get_plugin_manager

    get_plugin_manager().register_commands(cli)
    item = ioffice_sim.add_item(
        user="hostile-name", name=HOSTILE_NAME, content=sample_pdf("x"), appearance=appearance_for(None)
    )
    ioffice_sim.add_fault("truncate", operation="download", item=item, count=100)
    args = [
        "sync", "ioffice", "--user", "hostile-name", "--p12", str(pki.p12("person")), "--password-env", "P12_PASS",
        "--trust", str(pki.cert("root")), "--revocation", "off", "--journal", str(tmp_path / "j"),
        "--base-url", ioffice_sim.url, "--username", "kyso", "--platform-password-env", "PLATFORM_PASS",
        "--timeout", "1", "--retries", "0",
    ]  # fmt: skip
    env = {"P12_PASS": pki.password, "PLATFORM_PASS": "kyso-secret"}
    try:
        text = CliRunner().invoke(cli, args, env=env, color=True, catch_exceptions=False)
        as_json = CliRunner().invoke(cli, [*args, "--format", "json"], env=env, color=True, catch_exceptions=False)
    finally:
        ioffice_sim.clear_faults()
    assert text.exit_code == 1, text.stderr
    assert RAW.search(text.stdout) is None, repr(text.stdout)
    assert RAW.search(text.stderr) is None, repr(text.stderr)
    lines = text.stdout.splitlines()
    assert lines[-1] == "signed: 0, failed: 1, skipped: 0"
    assert [line for line in lines if line.startswith("signed: ")] == [lines[-1]]  # the forged summary is not a line
    assert lines[0].startswith("failed: Tờ trình\\x1b[2J\\x1b[H\\nsigned: 9")
    assert json.loads(as_json.stdout)["items"][0]["name"] == HOSTILE_NAME
