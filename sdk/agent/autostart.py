"""``kyso agent install`` / ``uninstall``: start the agent when the user logs in, with the user's own rights.

- Linux: a systemd user unit ``~/.config/systemd/user/kyso-agent.service`` (``systemctl --user enable --now``);
- macOS: a launchd agent ``~/Library/LaunchAgents/vn.kyso.agent.plist`` (``launchctl bootstrap gui/$UID``);
- Windows: a Task Scheduler entry at logon (``schtasks /Create /SC ONLOGON``), its XML kept in the config directory.

:func:`plan` only computes what is written where and which commands register it, for an explicit target OS and home
directory, so tests check each OS's entry in a temporary directory; :func:`apply` writes it.
"""

from __future__ import annotations

import plistlib
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

UNIT = "kyso-agent.service"
LABEL = "vn.kyso.agent"
TASK = "Kyso Agent"


@dataclass(frozen=True)
class Autostart:
    """One OS's autostart entry: the file written and the commands that register or remove it."""

    target: str
    path: Path
    content: str
    register: tuple[tuple[str, ...], ...]
    unregister: tuple[tuple[str, ...], ...]


def plan(target: str, command: list[str], *, home: Path, config: Path) -> Autostart:
    """The entry that runs ``command`` (``[kyso, agent, run, ...]``) at login on ``target`` (linux, macos, windows)."""
    if target == "linux":
        path = home / ".config" / "systemd" / "user" / UNIT
        content = (
            "[Unit]\nDescription=Kyso signing agent (VGCA-compatible local signing service)\n"
            "After=graphical-session.target\n\n"
            f"[Service]\nType=simple\nExecStart={shlex.join(command)}\nRestart=on-failure\nRestartSec=5\n"
            "NoNewPrivileges=yes\nPrivateTmp=yes\n\n[Install]\nWantedBy=default.target\n"
        )
        return Autostart(
            target,
            path,
            content,
            (("systemctl", "--user", "daemon-reload"), ("systemctl", "--user", "enable", "--now", UNIT)),
            (("systemctl", "--user", "disable", "--now", UNIT),),
        )
    if target == "macos":
        path = home / "Library" / "LaunchAgents" / f"{LABEL}.plist"
        logs = home / "Library" / "Logs" / "kyso-agent.log"
        content = plistlib.dumps(
            {
                "Label": LABEL,
                "ProgramArguments": command,
                "RunAtLoad": True,
                "KeepAlive": {"SuccessfulExit": False},
                "ProcessType": "Interactive",
                "StandardOutPath": str(logs),
                "StandardErrorPath": str(logs),
            }
        ).decode()
        return Autostart(
            target,
            path,
            content,
            (("launchctl", "bootstrap", "gui/$UID", str(path)),),
            (("launchctl", "bootout", f"gui/$UID/{LABEL}"),),
        )
    if target == "windows":
        path = config / "agent" / "kyso-agent-task.xml"
        arguments = subprocess.list2cmdline(command[1:])
        content = (
            '<?xml version="1.0" encoding="UTF-16"?>\n'
            '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">\n'
            "  <RegistrationInfo><Description>Kyso signing agent</Description></RegistrationInfo>\n"
            "  <Triggers><LogonTrigger><Enabled>true</Enabled></LogonTrigger></Triggers>\n"
            "  <Principals><Principal><LogonType>InteractiveToken</LogonType>"
            "<RunLevel>LeastPrivilege</RunLevel></Principal></Principals>\n"
            "  <Settings><MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>"
            "<ExecutionTimeLimit>PT0S</ExecutionTimeLimit><DisallowStartIfOnBatteries>false"
            "</DisallowStartIfOnBatteries></Settings>\n"
            f"  <Actions><Exec><Command>{escape(command[0])}</Command><Arguments>{escape(arguments)}</Arguments>"
            "</Exec></Actions>\n</Task>\n"
        )
        return Autostart(
            target,
            path,
            content,
            (("schtasks", "/Create", "/TN", TASK, "/XML", str(path), "/F"),),
            (("schtasks", "/Delete", "/TN", TASK, "/F"),),
        )
    raise ValueError(f"unknown target OS {target!r} (linux, macos, windows)")


def current_target() -> str:
    import sys

    return {"win32": "windows", "darwin": "macos"}.get(sys.platform, "linux")


def apply(entry: Autostart, *, run: bool) -> list[str]:
    """Write the entry; with ``run``, also run its registration commands. The commands, as shown to the user."""
    entry.path.parent.mkdir(parents=True, exist_ok=True)
    entry.path.write_text(entry.content, encoding="utf-16" if entry.target == "windows" else "utf-8")
    return _commands(entry.register, run=run)


def remove(entry: Autostart, *, run: bool) -> list[str]:
    shown = _commands(entry.unregister, run=run)
    entry.path.unlink(missing_ok=True)
    return shown


def _commands(commands: tuple[tuple[str, ...], ...], *, run: bool) -> list[str]:
    import os

    shown = []
    for command in commands:
        argv = [part.replace("$UID", str(os.getuid()) if hasattr(os, "getuid") else "") for part in command]
        shown.append(shlex.join(argv))
        if run:
            subprocess.run(argv, check=False, capture_output=True)
    return shown


__all__ = ["Autostart", "apply", "current_target", "plan", "remove"]
