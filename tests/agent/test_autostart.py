"""``kyso agent install|uninstall`` for each OS, written into a temporary home (issue 12, item 6): never the real
user's autostart, never the OS's commands run (``--home`` given)."""

from __future__ import annotations

import plistlib
import shlex

import pytest

pytest_plugins = ["agent_support"]


@pytest.mark.parametrize("target", ["linux", "macos", "windows"])
def test_install_writes_the_os_entry_and_uninstall_removes_it(kyso_cli, tmp_path, target):
    run_args = [
        "--p12",
        "C:/Users/văn thư/key.p12",
        "--password-env",
        "KYSO_PW",
        "--allow-origin",
        "https://qlvb.gov.vn",
    ]
    result = kyso_cli("agent", "install", "--os", target, "--home", tmp_path, "--", *run_args)
    assert result.exit_code == 0, result.stderr
    written = {
        "linux": tmp_path / ".config" / "systemd" / "user" / "kyso-agent.service",
        "macos": tmp_path / "Library" / "LaunchAgents" / "vn.kyso.agent.plist",
    }.get(target)
    if target == "linux":
        unit = written.read_text()
        exec_line = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
        argv = shlex.split(exec_line[len("ExecStart=") :])
        assert argv[1:4] == ["agent", "run", "--p12"] and argv[4] == "C:/Users/văn thư/key.p12"
        assert "WantedBy=default.target" in unit
        assert "to run: systemctl --user enable --now kyso-agent.service" in result.stdout
    elif target == "macos":
        plist = plistlib.loads(written.read_bytes())
        assert plist["Label"] == "vn.kyso.agent" and plist["RunAtLoad"] is True
        assert plist["ProgramArguments"][1:] == ["agent", "run", *run_args]
        assert "launchctl bootstrap gui/" in result.stdout
    else:
        written = _config_task()
        xml = written.read_text(encoding="utf-16")
        assert "<LogonTrigger><Enabled>true</Enabled></LogonTrigger>" in xml
        assert "agent run --p12 &quot;C:/Users/văn thư/key.p12&quot;" in xml or 'agent run --p12 "C:/Users' in xml
        assert "schtasks /Create /TN 'Kyso Agent' /XML" in result.stdout
    assert "KYSO_PW" in (written.read_text(encoding="utf-16" if target == "windows" else "utf-8"))
    removed = kyso_cli("agent", "uninstall", "--os", target, "--home", tmp_path)
    assert removed.exit_code == 0 and not written.exists()


def _config_task():
    import os
    from pathlib import Path

    return Path(os.environ["KYSO_CONFIG_DIR"]) / "agent" / "kyso-agent-task.xml"
