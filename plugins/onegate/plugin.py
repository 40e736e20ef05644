"""Built-in plugin (entry point ``onegate`` in group ``kyso``): registers the one-stop-shop adapter and its simulator.

Imported when the CLI starts: imports nothing heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kyso.core import hookimpl
from kyso.core.adapter import AdapterInfo
from kyso.core.models import SignatureKind

if TYPE_CHECKING:
    from kyso.core.adapter import AdapterConfig, AdapterRegistry


def _factory(config: AdapterConfig) -> Any:
    from kyso_onegate.adapter import OneGateAdapter

    return OneGateAdapter(config)


def _simulator(directory: Any, port: int = 0) -> Any:
    from kyso.testing.simulators.onegate import OneGateSimulator

    return OneGateSimulator(directory, port)


@hookimpl
def kyso_register_adapters(registry: AdapterRegistry) -> None:
    registry.add(
        AdapterInfo(
            name="onegate",
            description="one-stop shop (Một cửa điện tử, OpenCPS-like): dossier results with a QR code, receipts",
            factory=_factory,
            simulator=_simulator,
            kinds=(None, SignatureKind.COPY),
        )
    )
