"""Issue 16, item 6: a newcomer reuses the demo. ``kyso demo`` writes the sample marks and the password file and
prints the commands that redo its result; the README's ``kyso`` lines (its ``bash`` blocks) run as written against
the demo's files, and they are the very lines the demo prints."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_commands() -> list[str]:
    """Every ``kyso ...`` command of the README's ``bash`` blocks, continuation lines joined."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"\s+", " ", line.split("  #")[0]).strip()
            if line.startswith("kyso "):
                commands.append(line)
    return commands


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``kyso demo`` run with the default output directory, in a fresh working directory."""
    import os

    from click.testing import CliRunner

    from kyso.cli.main import cli

    work = tmp_path_factory.mktemp("newcomer")
    before = os.getcwd()
    os.chdir(work)
    try:
        result = CliRunner().invoke(cli, ["demo"], catch_exceptions=False)
    finally:
        os.chdir(before)
    assert result.exit_code == 0, result.stderr
    return work, result.stderr


def test_demo_writes_marks_and_password(demo_dir: tuple[Path, str]) -> None:
    work, _ = demo_dir
    out = work / "kyso-demo"
    assert (out / "chu-ky-mau.png").read_bytes().startswith(b"\x89PNG")
    assert (out / "con-dau-mau.png").read_bytes().startswith(b"\x89PNG")
    password = out / "mat-khau-demo.txt"
    assert password.read_text(encoding="utf-8").strip()
    assert password.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_demo_prints_the_readme_commands(demo_dir: tuple[Path, str]) -> None:
    _, stderr = demo_dir
    printed = [line.strip() for line in stderr.splitlines() if line.strip().startswith("kyso ")]
    assert {c.split()[1] for c in printed} == {"sign", "verify"}
    assert all("--password-file" in c for c in printed if c.startswith("kyso sign"))
    assert printed == readme_commands()


def test_readme_commands_run_as_written(demo_dir: tuple[Path, str], kyso_cli, monkeypatch) -> None:
    work, _ = demo_dir
    commands = readme_commands()
    assert len(commands) >= 3
    monkeypatch.chdir(work)
    for command in commands:
        result = kyso_cli(*shlex.split(command)[1:])
        assert result.exit_code == 0, (command, result.stdout, result.stderr)
    final = kyso_cli("verify", "kyso-demo/cong-van-mau.phat-hanh.pdf", "--trust", "kyso-demo/pki/root.cert.pem",
                     "--revocation", "off", "--format", "json")
    import json

    report = json.loads(final.stdout)
    assert report["indication"] == "TOTAL_PASSED"
    assert [s["kind"] for s in report["signatures"]] == ["approval", "issuance"]
    # the demo's letter is a draft with a blank number and date: the issuance line of the README fills them in
    assert (report["signatures"][1]["doc_number"], report["signatures"][1]["issued_date"]) == (
        "123/UBND-VX", "2026-11-22")


def test_the_demo_speaks_vietnamese_by_default(demo_dir: tuple[Path, str]) -> None:
    """What the demo says as it goes is Vietnamese by default, like its report (English with --lang en)."""
    _, stderr = demo_dir
    assert "1/4 PKI mẫu (chứng thư thử nghiệm)" in stderr and "Để làm lại từ dòng lệnh" in stderr
    assert "sample official letter" not in stderr and "To do it again" not in stderr
