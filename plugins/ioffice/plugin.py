"""Built-in plugin (entry point ``ioffice`` in group ``kyso``): registers the iOffice-style adapter, its simulator
and the ``kyso ioffice dispatch | receive`` commands.

Imported when the CLI starts: imports nothing heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kyso.core import hookimpl
from kyso.core.adapter import AdapterInfo
from kyso.core.models import SignatureKind

if TYPE_CHECKING:
    import click

    from kyso.core.adapter import AdapterConfig, AdapterRegistry


def _factory(config: AdapterConfig) -> Any:
    from kyso_ioffice.adapter import IOfficeAdapter

    return IOfficeAdapter(config)


def _simulator(directory: Any, port: int = 0) -> Any:
    from kyso.testing.simulators.ioffice import IOfficeSimulator

    return IOfficeSimulator(directory, port)


@hookimpl
def kyso_register_adapters(registry: AdapterRegistry) -> None:
    registry.add(
        AdapterInfo(
            name="ioffice",
            description="iOffice-style document management (QLVB&ĐH): approval, issuance, edXML dispatch, income",
            factory=_factory,
            simulator=_simulator,
            kinds=(SignatureKind.APPROVAL, SignatureKind.ISSUANCE, SignatureKind.INCOME),
        )
    )


@hookimpl
def kyso_register_commands(cli: click.Group) -> None:
    from kyso_ioffice.cli import ioffice_group

    cli.add_command(ioffice_group)
