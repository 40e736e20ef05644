"""Built-in plugin: ``kyso audit``. Imported when the CLI starts, so it imports nothing heavy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kyso.core import hookimpl

if TYPE_CHECKING:
    import click


@hookimpl
def kyso_register_commands(cli: click.Group) -> None:
    from kyso.audit.cli import audit_command

    cli.add_command(audit_command)
