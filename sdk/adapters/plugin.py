"""Built-in plugin: the platform commands ``kyso adapters``, ``kyso sync`` and ``kyso simulate``. Imported when the
CLI starts, so it imports nothing heavy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kyso.core import hookimpl

if TYPE_CHECKING:
    import click


@hookimpl
def kyso_register_commands(cli: click.Group) -> None:
    from kyso.adapters.cli import adapters_command, simulate_command, sync_command

    for command in (adapters_command, sync_command, simulate_command):
        cli.add_command(command)
