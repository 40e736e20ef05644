"""Built-in plugin: ``kyso batch sign|verify|extend``. Imported when the CLI starts, so it imports nothing heavy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kyso.core import hookimpl

if TYPE_CHECKING:
    import click


@hookimpl
def kyso_register_commands(cli: click.Group) -> None:
    from kyso.batch.cli import batch_group

    cli.add_command(batch_group)
