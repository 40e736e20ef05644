"""Built-in plugin: the ``kyso serve`` commands (the service itself loads only when a command runs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kyso.core import hookimpl

if TYPE_CHECKING:
    import click


@hookimpl
def kyso_register_commands(cli: click.Group) -> None:
    from kyso.service.cli import serve_group

    cli.add_command(serve_group)
