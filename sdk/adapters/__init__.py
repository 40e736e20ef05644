"""Running platform adapters: the registry (filled by the ``kyso_register_adapters`` hook), the HTTP helper adapters
use, the sync engine with its resumable journal. (The platform simulators are test infrastructure:
:mod:`kyso.testing.simulators`.)

::

    from kyso.adapters import get_adapter, sync
    adapter = get_adapter("ioffice", base_url="http://127.0.0.1:8700", username="kyso", password="...")
    summary = sync(adapter, "lanhdao", signer, journal="ioffice.journal", trust=["root.pem"])

The contract itself is in :mod:`kyso.core.adapter`. Light to import: ``requests`` and ``werkzeug`` load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kyso.adapters.registry import adapter_registry, get_adapter, imported_when_called

if TYPE_CHECKING:
    from kyso.adapters.sync import SyncSummary, sync

__all__ = ["SyncSummary", "adapter_registry", "get_adapter", "imported_when_called", "sync"]


def __getattr__(name: str) -> Any:
    if name in ("sync", "SyncSummary", "ItemResult", "Journal"):
        from kyso.adapters import sync as module

        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
