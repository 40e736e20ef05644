"""The options formats add to ``kyso sign`` and ``kyso verify``, read from the format registry when the command
runs (``--xml-id``, ``--trust-key`` ...).

A format declares them as data (:attr:`~kyso.core.models.DocumentFormat.sign_options` / ``verify_options``); this
is the one place that turns them into click options and back into the ``format_options`` mapping of
:func:`kyso.sign` / :func:`kyso.verify` (a file option passes the file's bytes). Built when the command parses or
shows its help, not when the CLI is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kyso.core.models import FormatOption

FORMAT_OPTIONS_KEY = "kyso_format_options"
"""``ctx.meta`` key: the names of the format options of the running command."""


class FormatOptionsCommand(click.Command):
    """A command taking every option the registered formats declare for it (``which``: ``sign`` or ``verify``)."""

    which = "sign"

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        help_option = self.get_help_option(ctx)
        own = [p for p in params if p is not help_option]
        known = {p.name for p in own}
        extra = [p for p in format_params(self.which) if p.name not in known]
        return [*own, *extra, *([help_option] if help_option is not None else [])]


def _declared(which: str) -> dict[str, tuple[FormatOption, list[str]]]:
    from kyso.core.manager import get_plugin_manager

    found: dict[str, tuple[FormatOption, list[str]]] = {}
    for fmt in get_plugin_manager().formats.formats.values():
        for option in fmt.sign_options if which == "sign" else fmt.verify_options:
            found.setdefault(option.name, (option, []))[1].append(fmt.name)
    return found


def format_params(which: str) -> list[click.Parameter]:
    """One click option per declared format option (``xml_id`` -> ``--xml-id``)."""
    params: list[click.Parameter] = []
    for name, (option, _formats) in _declared(which).items():
        kind: Any = click.Choice(option.choices) if option.choices else str
        if option.file:
            kind = click.Path(path_type=Path)
        params.append(
            click.Option(
                [option.flag, name], type=kind, multiple=option.multiple, metavar=option.metavar, help=option.help
            )
        )
    return params


def pop_format_options(which: str, options: dict[str, Any]) -> dict[str, Any]:
    """Take the format options out of a command's keyword arguments, files read (their bytes), unset ones left
    out."""
    from kyso.files import read_document

    result: dict[str, Any] = {}
    for name, (option, _formats) in _declared(which).items():
        value = options.pop(name, None)
        if value in (None, ()):
            continue
        if option.file:
            value = tuple(read_document(v) for v in value) if option.multiple else read_document(value)
        result[name] = value
    return result
