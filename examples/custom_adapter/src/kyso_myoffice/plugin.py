"""Registers the MyOffice adapter with Kyso. Keep this module light: Kyso imports it at start-up."""

from __future__ import annotations

from typing import Any

from kyso import hookimpl
from kyso.core.adapter import AdapterInfo
from kyso.core.models import SignatureKind


def _factory(config: Any) -> Any:
    from kyso_myoffice.adapter import MyOfficeAdapter

    return MyOfficeAdapter(config)


def _simulator(directory: Any, port: int = 0) -> Any:
    from kyso_myoffice.simulator import MyOfficeSimulator

    return MyOfficeSimulator(directory, port)


@hookimpl
def kyso_register_adapters(registry: Any) -> None:
    registry.add(
        AdapterInfo(
            name="myoffice",
            description="MyOffice, provincial document management (template adapter)",
            factory=_factory,
            simulator=_simulator,
            kinds=(None, SignatureKind.INCOME),  # the signature kinds MyOffice asks for
        )
    )
