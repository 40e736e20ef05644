"""docs/cli-plugins.md is the guide for CLI plugin authors: it names every public option of ``kyso.cli.options``,
and its worked plugin runs as written."""

from __future__ import annotations

import re
import types
from pathlib import Path

import click
from click.testing import CliRunner

from kyso.cli import options
from kyso.core.errors import LANGUAGES
from kyso.core.manager import PluginManager
from kyso.testing.pki import TestPKI

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli-plugins.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_every_public_name_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in options.__all__ if f"`{name}" not in text]
    assert missing == []
    assert "kyso.cli.signers" in text  # where the signer options live
    assert "docs/cli-plugins.md" in (DOC.parents[1] / "README.md").read_text(encoding="utf-8")


def test_lang_option_offers_the_report_languages() -> None:
    command = options.lang_option()(click.command("x")(lambda lang: None))
    (parameter,) = command.params
    assert tuple(parameter.type.choices) == LANGUAGES  # type: ignore[attr-defined]


def test_the_documented_plugin_adds_a_working_command(pki: TestPKI, signed_pdf: bytes, tmp_path: Path) -> None:
    command_code, plugin_code = python_blocks()
    command_module = types.ModuleType("kyso_inspect_cli")
    exec(compile(command_code, str(DOC), "exec"), command_module.__dict__)  # noqa: S102 - the documented example
    plugin = types.ModuleType("kyso_inspect_plugin")
    exec(  # noqa: S102
        compile(plugin_code.replace("from kyso_inspect.cli import inspect_command", ""), str(DOC), "exec"),
        {**plugin.__dict__, "inspect_command": command_module.inspect_command},
        plugin.__dict__,
    )
    group = click.Group("kyso")
    PluginManager(load_entry_points=False, extra=[plugin]).register_commands(group)
    assert "inspect" in group.commands

    document = tmp_path / "letter.pdf"
    document.write_bytes(signed_pdf)
    runner = CliRunner()
    arguments = ["inspect", str(document), "--trust", str(pki.root_cert), "--revocation", "off", "--lang", "en"]
    result = runner.invoke(group, arguments)
    assert result.exit_code == 0, result.output
    assert "VALID" in result.output
    result = runner.invoke(group, ["inspect", str(document), "--timeout", "0"])
    assert result.exit_code == 2 and "seconds above 0" in result.output
