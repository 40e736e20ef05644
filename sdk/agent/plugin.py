"""Built-in plugin: the ``kyso agent`` commands (the local signing service, :mod:`kyso.agent`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kyso.core import hookimpl

if TYPE_CHECKING:
    import click


@hookimpl
def kyso_register_commands(cli: click.Group) -> None:
    from kyso.agent.cli import agent_group

    cli.add_command(agent_group)
