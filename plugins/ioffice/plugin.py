"""Built-in plugin (entry point ``ioffice`` in group ``kyso``): registers the iOffice-style adapter, its simulator
and the ``kyso ioffice dispatch | receive`` commands.

Imported when the CLI starts: imports nothing heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kyso.adapters import imported_when_called
from kyso.core import hookimpl
from kyso.core.adapter import AdapterInfo
from kyso.core.models import SignatureKind

if TYPE_CHECKING:
    import click

    from kyso.core.adapter import AdapterRegistry


@hookimpl
def kyso_register_adapters(registry: AdapterRegistry) -> None:
    registry.add(
        AdapterInfo(
            name="ioffice",
            description="iOffice-style document management (QLVB&ĐH): approval, issuance, edXML dispatch, income",
            factory=imported_when_called("kyso_ioffice.adapter:IOfficeAdapter"),
            simulator=imported_when_called("kyso.testing.simulators.ioffice:IOfficeSimulator"),
            kinds=(SignatureKind.APPROVAL, SignatureKind.ISSUANCE, SignatureKind.INCOME),
        )
    )


@hookimpl
def kyso_register_commands(cli: click.Group) -> None:
    from kyso_ioffice.cli import ioffice_group

    cli.add_command(ioffice_group)
