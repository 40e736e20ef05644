"""A thin, typed plugin manager over pluggy.

Built-in capabilities are listed in :data:`DEFAULT_PLUGINS` and registered exactly like third-party plugins, which
come from the entry-point group ``kyso``. Environment:

- ``KYSO_DISABLE_PLUGINS=name,name``: do not register these plugins (built-in or third-party).
- ``KYSO_TRACE_PLUGINS=1``: print every hook call, its implementations and its result to stderr.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy

from kyso.core import NAME, spec
from kyso.core.errors import PluginError, PluginWarning, UnsupportedFormatError
from kyso.core.formats import FormatRegistry
from kyso.core.kinds import KindRegistry
from kyso.core.signer import SignerRegistry

if TYPE_CHECKING:
    import click

    from kyso.core.adapter import AdapterRegistry
    from kyso.core.models import (
        CertificateReport,
        Document,
        DocumentFormat,
        SignRequest,
        ValidationOptions,
        VerificationReport,
        VerifyOptions,
    )

R = TypeVar("R")

DEFAULT_PLUGINS: tuple[str, ...] = (
    "kyso.signers.pkcs12",
    "kyso.signers.pkcs11",
    "kyso.signers.remote.plugin",
    "kyso.certs.plugin",
    "kyso.pdf.plugin",
    "kyso.pdf.kinds",
    "kyso.adapters.plugin",
    "kyso.conformance.plugin",
    "kyso.xml.plugin",
    "kyso.service.plugin",
    "kyso.batch.plugin",
    "kyso.audit.plugin",
    "kyso.agent.plugin",
)
"""Built-in plugins, by module path; each is registered under its module path as its name."""

DISABLE_ENV = "KYSO_DISABLE_PLUGINS"
TRACE_ENV = "KYSO_TRACE_PLUGINS"


class PluginManager:
    """Loads plugins and offers one typed method per hook, so callers never touch ``pluggy`` directly."""

    def __init__(self, *, load_entry_points: bool = True, extra: Iterable[object] = ()) -> None:
        self._pm = pluggy.PluginManager(NAME)
        self._pm.add_hookspecs(spec)
        self._distributions: dict[str, tuple[str, str]] = {}
        self._registries: dict[str, Any] = {}
        """Registries filled once, by hook name; emptied when a plugin is registered or removed."""
        self._blocked = {n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()}
        for name in self._blocked:
            self._pm.set_blocked(name)
        entry_points = self._entry_points() if load_entry_points else []
        claimed = {ep.name for _, ep in entry_points}  # an installed plugin may take a built-in's name: it replaces it
        for module_path in DEFAULT_PLUGINS:
            if module_path not in self._blocked and module_path not in claimed:
                self._pm.register(importlib.import_module(module_path), name=module_path)
        # installed plugins after the built-ins: pluggy calls the last registered first, so they can override
        self.disabled: dict[str, str] = {}
        """Installed plugins that failed to load, by name, and why: each disabled alone (a :class:`PluginWarning`)."""
        for dist, ep in entry_points:
            try:
                self._load_entry_point(dist, ep)
                self._check_pending()  # a misspelled hook disables its plugin, not Kyso
            except PluginError as exc:
                self._disable(ep.name, exc)
        for plugin in extra:
            self.register(plugin)
        self._check_pending()
        if os.environ.get(TRACE_ENV):
            self._pm.trace.root.setwriter(sys.stderr.write)
            self._pm.enable_tracing()

    def _entry_points(self) -> list[tuple[Any, Any]]:
        """(distribution, entry point) of group ``kyso``, blocked names left out, the first of a name kept."""
        import importlib.metadata

        found: dict[str, tuple[Any, Any]] = {}
        for dist in importlib.metadata.distributions():
            for ep in dist.entry_points:
                if ep.group == NAME and ep.name not in found and not self._pm.is_blocked(ep.name):
                    found[ep.name] = (dist, ep)
        return list(found.values())

    def _load_entry_point(self, dist: Any, ep: Any) -> None:
        """Import and register one installed plugin; one that fails says which, by name."""
        where = f"plugin {ep.name!r} ({ep.value}, distribution {dist.metadata['Name']})"
        try:
            plugin = ep.load()
        except Exception as exc:
            raise PluginError(f"{where} failed to load: {exc.__class__.__name__}: {exc}") from exc
        try:
            self._pm.register(plugin, name=ep.name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"{where} is invalid: {exc}") from exc
        self._distributions[ep.name] = (dist.metadata["Name"], dist.version)

    def _disable(self, name: str, problem: PluginError) -> None:
        """Kyso rule (issue 16, item 8): one installed plugin that fails to load disables only itself."""
        import warnings

        if self._pm.has_plugin(name):
            self._pm.unregister(name=name)
        self._distributions.pop(name, None)
        self.disabled[name] = str(problem)
        warnings.warn(
            PluginWarning(f"{problem}; plugin {name!r} is disabled (set {DISABLE_ENV}={name} to silence this)"),
            stacklevel=3,
        )

    def _check_pending(self) -> None:
        """Every ``@hookimpl`` must match a hook specification: a misspelled hook fails loudly, by plugin name."""
        try:
            self._pm.check_pending()
        except pluggy.PluginValidationError as exc:
            name = self._pm.get_name(exc.plugin) or repr(exc.plugin)
            raise PluginError(f"plugin {name!r} is invalid: {exc}") from exc

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register one more plugin (a module or an object with ``@hookimpl`` methods)."""
        try:
            registered = self._pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {name or plugin!r} is invalid: {exc}") from exc
        try:
            self._check_pending()
        except PluginError:
            if registered is not None:
                self._pm.unregister(name=registered)
            raise
        self._registries.clear()

    def unregister(self, name: str) -> None:
        self._pm.unregister(name=name)
        self._registries.clear()

    # -- introspection ----------------------------------------------------------------------------------------

    def list_plugins(self) -> list[dict[str, Any]]:
        """Each registered plugin: name, version (of its distribution) and the hooks it implements."""
        result = []
        for name, plugin in self._pm.list_name_plugin():
            if plugin is None:
                continue
            dist, version = self._distributions.get(name, (None, None))
            if dist is None and isinstance(plugin, ModuleType) and plugin.__name__.startswith("kyso."):
                dist, version = "kyso", _own_version()
            hooks = sorted(h.name for h in self._pm.get_hookcallers(plugin) or [])
            result.append({"name": name, "distribution": dist, "version": version, "hooks": hooks})
        return result

    # -- registries -------------------------------------------------------------------------------------------

    def _filled(self, hook: str, registry: Callable[[], R]) -> R:
        """The registry ``hook`` fills, made and filled on first use (a registry is passed into its hook, tox-style)."""
        if hook not in self._registries:
            made = registry()
            getattr(self._pm.hook, hook)(registry=made)
            self._registries[hook] = made
        return self._registries[hook]  # type: ignore[no-any-return]

    @property
    def formats(self) -> FormatRegistry:
        """The document formats declared through ``kyso_register_formats``."""
        return self._filled("kyso_register_formats", FormatRegistry)

    @property
    def signers(self) -> SignerRegistry:
        """The signer backends declared through ``kyso_register_signers``."""
        return self._filled("kyso_register_signers", SignerRegistry)

    @property
    def kinds(self) -> KindRegistry:
        """The signature kinds declared through ``kyso_register_kinds``."""
        return self._filled("kyso_register_kinds", KindRegistry)

    @property
    def adapters(self) -> AdapterRegistry:
        """The platform adapters declared through ``kyso_register_adapters`` (asked afresh each time)."""
        from kyso.core.adapter import AdapterRegistry

        registry = AdapterRegistry()
        self._pm.hook.kyso_register_adapters(registry=registry)
        return registry

    def detect_format(self, data: bytes) -> DocumentFormat:
        return self.formats.detect(data)

    def register_commands(self, cli: click.Group) -> None:
        self._pm.hook.kyso_register_commands(cli=cli)

    # -- the mission hooks ------------------------------------------------------------------------------------

    def sign(self, request: SignRequest) -> bytes:
        """Sign through the format's plugin; the kind and its options are checked first, against the format.

        :raises UsageError: a kind or option the format does not support, or that does not fit the kind.
        """
        import dataclasses

        spec, values = self.kinds.check(request.kind, request.document.format, request.appearance)
        request = dataclasses.replace(request, kind=spec.name if spec else None, appearance=values)
        result: bytes | None = self._pm.hook.kyso_sign(request=request)
        if result is None:
            raise UnsupportedFormatError(f"no plugin signs {request.document.format} documents")
        return result

    def verify(self, document: Document, options: VerifyOptions) -> VerificationReport:
        result: VerificationReport | None = self._pm.hook.kyso_verify(
            document=document, options=options.budgeted(), validate_certificate=self.validate_certificate
        )
        if result is None:
            raise UnsupportedFormatError(f"no plugin verifies {document.format} documents")
        return result

    def validate_certificate(self, certificate: bytes, options: ValidationOptions) -> CertificateReport:
        hook = self._pm.hook.kyso_validate_certificate
        result: CertificateReport | None = hook(certificate=certificate, options=options)
        if result is None:
            raise PluginError("no plugin validates certificates (is kyso.certs.plugin disabled?)")
        return result


def _own_version() -> str:
    """Kyso's version as installed (the distribution's metadata is the one place it is written: pyproject.toml)."""
    return importlib.metadata.version("kyso")


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
