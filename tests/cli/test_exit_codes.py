"""Issue 9, class 6 (exit code part): an unexpected exception outside the checks of one signature is an internal
error, exit 3 with one line on stderr, never a traceback with exit 1 (which a script reads as "not valid")."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import kyso
from kyso.cli.main import ExitCode, cli, main


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("unexpected state: p4ssw0rd-like detail")


def _invoke(*args: object):
    # standalone mode, as the real entry point runs it; exceptions are not caught by the runner
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_exit_codes_are_a_documented_int_enum():
    assert [int(code) for code in ExitCode] == [0, 1, 2, 3]
    assert ExitCode.INTERNAL_ERROR == 3
    assert "3 internal error" in _invoke("--help").stdout


def test_an_unexpected_exception_is_exit_3_with_one_line(monkeypatch, tmp_path):
    document = tmp_path / "a.pdf"
    document.write_bytes(b"%PDF-1.7\n")
    monkeypatch.setattr(kyso, "verify", _boom)
    result = _invoke("verify", document)
    assert result.exit_code == ExitCode.INTERNAL_ERROR
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kyso: internal error: RuntimeError")
    assert "--verbose" in lines[0]
    assert "Traceback" not in result.stderr
    assert "p4ssw0rd" not in result.stderr  # the message may quote anything: only the class is named


def test_verbose_adds_the_traceback(monkeypatch, tmp_path):
    document = tmp_path / "a.pdf"
    document.write_bytes(b"%PDF-1.7\n")
    monkeypatch.setattr(kyso, "verify", _boom)
    result = _invoke("--verbose", "verify", document)
    assert result.exit_code == ExitCode.INTERNAL_ERROR
    assert "Traceback" in result.stderr and "RuntimeError" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("kyso: internal error: RuntimeError")


def test_an_expected_error_stays_exit_2(tmp_path):
    result = _invoke("verify", tmp_path / "missing.pdf")
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr.startswith("kyso: error: ")


def test_a_plugin_breaking_while_adding_commands_is_exit_3(monkeypatch, capsys):
    from kyso.cli.main import cli
    from kyso.core.manager import get_plugin_manager

    monkeypatch.setattr(type(get_plugin_manager()), "register_commands", _boom)
    monkeypatch.setattr(cli, "_plugin_commands_added", False)  # plugins add their commands when one is asked for
    with pytest.raises(SystemExit) as exit_info:
        main(["a-plugin-command"])
    assert exit_info.value.code == ExitCode.INTERNAL_ERROR
    assert capsys.readouterr().err.startswith("kyso: internal error: RuntimeError")
