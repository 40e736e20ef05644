"""The installed adapters, as the ``kyso_register_adapters`` hook declares them."""

from __future__ import annotations

import importlib
from collections.abc import Callable
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


def imported_when_called(target: str) -> Callable[..., Any]:
    """``"module:attribute"`` as a factory for :class:`~kyso.core.adapter.AdapterInfo` (``factory=``,
    ``simulator=``): the module is imported on the first call, so a plugin's registration stays light (the CLI
    imports every plugin at start-up)."""
    module, _, attribute = target.partition(":")
    if not module or not attribute:
        raise ValueError(f"expected 'module:attribute', got {target!r}")

    def build(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), attribute)(*args, **kwargs)

    build.__qualname__ = build.__name__ = f"imported_when_called({target!r})"
    return build
