"""The installed adapters, as the ``kyso_register_adapters`` hook declares them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kyso.core.adapter import AdapterConfig, AdapterRegistry

if TYPE_CHECKING:
    from kyso.core.adapter import Adapter
    from kyso.core.manager import PluginManager


def adapter_registry(pm: PluginManager | None = None) -> AdapterRegistry:
    """Every adapter registered by the plugins of ``pm`` (the process-wide manager by default)."""
    from kyso.core.manager import get_plugin_manager

    return (pm or get_plugin_manager()).adapters


def get_adapter(name: str, *, config: AdapterConfig | None = None, **overrides: Any) -> Adapter:
    """Build the adapter ``name``: from ``config``, else from the configuration file, the environment and
    ``overrides`` (``base_url``, ``username``, ``password``, ``token``, ``timeout``, ``retries``, ``backoff``)."""
    info = adapter_registry().get(name)
    return info.factory(config or AdapterConfig.load(name, **overrides))
