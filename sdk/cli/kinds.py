"""``--kind`` and the kinds' options of a signing command, read from the kind registry when the command runs.

The options are built from the :class:`~kyso.core.kinds.KindSpec` declarations (``doc_number`` ->
``--doc-number``), so a kind a plugin adds is usable from ``kyso sign`` with no change here; they are built when the
command parses its arguments or shows its help, not when the CLI is imported.
"""

from __future__ import annotations

from pathlib import Path

import click

from kyso.core.kinds import KindOption, KindRegistry, KindSpec, OptionType


class KindOptionsCommand(click.Command):
    """A command taking ``--kind NAME`` and every option a registered kind declares, passed on by option name."""

    _built: tuple[int, list[click.Parameter]] | None = None

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        help_option = self.get_help_option(ctx)
        own = [p for p in params if p is not help_option]
        return [*own, *self._kind_params(), *([help_option] if help_option is not None else [])]

    def _kind_params(self) -> list[click.Parameter]:
        from kyso.core.manager import get_plugin_manager

        registry = get_plugin_manager().kinds
        if self._built is None or self._built[0] != id(registry):
            self._built = (id(registry), kind_params(registry))
        return self._built[1]


def kind_params(registry: KindRegistry) -> list[click.Parameter]:
    """``--kind`` (the registered kinds) and one option per kind option name, its help naming the kinds."""
    params: list[click.Parameter] = [
        click.Option(
            ["--kind"],
            type=click.Choice([str(name) for name in registry.names()]),
            help="Signature kind (Nghị định 30/2020/NĐ-CP, or a plugin's), recorded in the signature, with its mark.",
        )
    ]
    for name, declarations in registry.options().items():
        option = declarations[0][1]
        params.append(
            click.Option(
                [option.flag, name],
                type=click.Path(path_type=Path) if option.type is OptionType.FILE else str,
                multiple=option.type is OptionType.PAIRS,
                metavar=option.metavar,
                help=_help(declarations),
            )
        )
    return params


def _help(declarations: list[tuple[KindSpec, KindOption]]) -> str:
    """``issuance, attachment: number and notation.``: the kinds sharing a help, then the next help."""
    by_help: dict[str, list[str]] = {}
    for spec, option in declarations:
        by_help.setdefault(option.help, []).append(spec.name)
    return "; ".join(f"{', '.join(kinds)}: {text}" for text, kinds in by_help.items()) + "."
