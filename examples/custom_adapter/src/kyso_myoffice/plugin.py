"""Registers the MyOffice adapter with Kyso. Keep this module light: Kyso imports it at start-up."""

from __future__ import annotations

from typing import Any

from kyso import hookimpl
from kyso.adapters import imported_when_called
from kyso.core.adapter import AdapterInfo
from kyso.core.models import SignatureKind


@hookimpl
def kyso_register_adapters(registry: Any) -> None:
    registry.add(
        AdapterInfo(
            name="myoffice",
            description="MyOffice, provincial document management (template adapter)",
            factory=imported_when_called("kyso_myoffice.adapter:MyOfficeAdapter"),
            simulator=imported_when_called("kyso_myoffice.simulator:MyOfficeSimulator"),
            kinds=(None, SignatureKind.INCOME),  # the signature kinds MyOffice asks for
        )
    )
