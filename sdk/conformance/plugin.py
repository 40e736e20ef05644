"""Built-in plugin: the command ``kyso conformance``, owned by the conformance suite. Imported when the CLI
starts, so it imports nothing heavy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kyso.core import hookimpl

if TYPE_CHECKING:
    import click


@hookimpl
def kyso_register_commands(cli: click.Group) -> None:
    from kyso.conformance.cli import conformance_command

    cli.add_command(conformance_command)
