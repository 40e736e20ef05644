"""A thin, typed plugin manager over pluggy.

Built-in capabilities are listed in :data:`DEFAULT_PLUGINS` and registered exactly like third-party plugins, which
come from the entry-point group ``kyso``. Environment:

- ``KYSO_DISABLE_PLUGINS=name,name``: do not register these plugins (built-in or third-party).
- ``KYSO_TRACE_PLUGINS=1``: print every hook call, its implementations and its result to stderr.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy

from sdk.core import NAME, spec
from sdk.core.errors import PluginError, UnsupportedFormatError
from sdk.core.formats import FormatRegistry
from sdk.core.signer import SignerRegistry

if TYPE_CHECKING:
    import click

    from sdk.core.models import (
        CertificateReport,
        Document,
        DocumentFormat,
        SignRequest,
        ValidationOptions,
        VerificationReport,
        VerifyOptions,
    )

DEFAULT_PLUGINS: tuple[str, ...] = (
    "sdk.signers.pkcs12",
    "sdk.certs.plugin",
    "sdk.pdf.plugin",
)
"""Built-in plugins, by module path; each is registered under its module path as its name."""

DISABLE_ENV = "KYSO_DISABLE_PLUGINS"
TRACE_ENV = "KYSO_TRACE_PLUGINS"


class PluginManager:
    """Loads plugins and offers one typed method per hook, so callers never touch ``pluggy`` directly."""

    def __init__(self, *, load_entry_points: bool = True, extra: Iterable[object] = ()) -> None:
        self._pm = pluggy.PluginManager(NAME)
        self._pm.add_hookspecs(spec)
        self._blocked = {n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()}
        for name in self._blocked:
            self._pm.set_blocked(name)
        if load_entry_points:
            self._load_entry_points()
        for module_path in DEFAULT_PLUGINS:
            if module_path not in self._blocked and not self._pm.has_plugin(module_path):
                self._pm.register(importlib.import_module(module_path), name=module_path)
        for plugin in extra:
            self.register(plugin)
        self._pm.check_pending()
        if os.environ.get(TRACE_ENV):
            self._pm.trace.root.setwriter(sys.stderr.write)
            self._pm.enable_tracing()
        self._formats: FormatRegistry | None = None
        self._signers: SignerRegistry | None = None

    def _load_entry_points(self) -> None:
        try:
            self._pm.load_setuptools_entrypoints(NAME)  # skips blocked names, records distributions
        except Exception as exc:  # an installed plugin that fails to import must say so, by name
            raise PluginError(f"a plugin of entry-point group {NAME!r} failed to load: {exc}") from exc

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register one more plugin (a module or an object with ``@hookimpl`` methods)."""
        self._pm.register(plugin, name=name)
        self._pm.check_pending()
        self._formats = self._signers = None

    def unregister(self, name: str) -> None:
        self._pm.unregister(name=name)
        self._formats = self._signers = None

    # -- introspection ----------------------------------------------------------------------------------------

    def list_plugins(self) -> list[dict[str, Any]]:
        """Each registered plugin: name, version (of its distribution) and the hooks it implements."""
        versions = {id(p): (d.project_name, d.version) for p, d in self._pm.list_plugin_distinfo()}
        result = []
        for name, plugin in self._pm.list_name_plugin():
            if plugin is None:
                continue
            dist, version = versions.get(id(plugin), (None, None))
            if dist is None and isinstance(plugin, ModuleType) and plugin.__name__.startswith("sdk."):
                dist, version = "kyso", _own_version()
            hooks = sorted(h.name for h in self._pm.get_hookcallers(plugin) or [])
            result.append({"name": name, "distribution": dist, "version": version, "hooks": hooks})
        return result

    # -- registries -------------------------------------------------------------------------------------------

    @property
    def formats(self) -> FormatRegistry:
        if self._formats is None:
            self._formats = FormatRegistry()
            self._pm.hook.kyso_register_formats(registry=self._formats)
        return self._formats

    @property
    def signers(self) -> SignerRegistry:
        if self._signers is None:
            self._signers = SignerRegistry()
            self._pm.hook.kyso_register_signers(registry=self._signers)
        return self._signers

    def detect_format(self, data: bytes) -> DocumentFormat:
        return self.formats.detect(data)

    def register_commands(self, cli: click.Group) -> None:
        self._pm.hook.kyso_register_commands(cli=cli)

    # -- the mission hooks ------------------------------------------------------------------------------------

    def sign(self, request: SignRequest) -> bytes:
        result = self._pm.hook.kyso_sign(request=request)
        if result is None:
            raise UnsupportedFormatError(f"no plugin signs {request.document.format} documents")
        return result

    def verify(self, document: Document, options: VerifyOptions) -> VerificationReport:
        result = self._pm.hook.kyso_verify(
            document=document, options=options, validate_certificate=self.validate_certificate
        )
        if result is None:
            raise UnsupportedFormatError(f"no plugin verifies {document.format} documents")
        return result

    def validate_certificate(self, certificate: bytes, options: ValidationOptions) -> CertificateReport:
        result = self._pm.hook.kyso_validate_certificate(certificate=certificate, options=options)
        if result is None:
            raise PluginError("no plugin validates certificates (is sdk.certs.plugin disabled?)")
        return result


def _own_version() -> str:
    from sdk import __version__

    return __version__


_default: PluginManager | None = None


def get_plugin_manager() -> PluginManager:
    """The process-wide manager used by the public API, created on first use."""
    global _default
    if _default is None:
        _default = PluginManager()
    return _default


def reset_plugin_manager() -> None:
    """Forget the process-wide manager (tests that install or block plugins call this)."""
    global _default
    _default = None
