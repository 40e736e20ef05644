"""Built-in plugin (entry point ``onegate`` in group ``kyso``): registers the one-stop-shop adapter and its simulator.

Imported when the CLI starts: imports nothing heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kyso.adapters import imported_when_called
from kyso.core import hookimpl
from kyso.core.adapter import AdapterInfo
from kyso.core.models import SignatureKind

if TYPE_CHECKING:
    from kyso.core.adapter import AdapterRegistry


@hookimpl
def kyso_register_adapters(registry: AdapterRegistry) -> None:
    registry.add(
        AdapterInfo(
            name="onegate",
            description="one-stop shop (Một cửa điện tử, OpenCPS-like): dossier results with a QR code, receipts",
            factory=imported_when_called("kyso_onegate.adapter:OneGateAdapter"),
            simulator=imported_when_called("kyso.testing.simulators.onegate:OneGateSimulator"),
            kinds=(None, SignatureKind.COPY),
        )
    )
