"""The service's configuration: a TOML file (``kyso serve --config FILE``), command-line overrides, and the JSON
form the CLI hands to uvicorn's worker processes (:data:`SETTINGS_ENV`).

Every limit has a default that is safe on the Internet; see docs/service.md for the file's sections.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kyso.core.errors import UsageError

SETTINGS_ENV = "KYSO_SERVICE_SETTINGS"
"""The resolved configuration as JSON, set by ``kyso serve`` for the worker processes it starts."""


@dataclass(frozen=True)
class ServiceConfig:
    """What the service needs to know; field names are the keys of the configuration file's sections."""

    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 2
    database: str = ""
    """``sqlite:///path/service.db`` or ``postgresql://user@host/db``; empty: ``service.db`` in the Kyso config dir."""
    cache_dir: str = ""
    """The revocation answer cache shared by all workers (``KYSO_CACHE_DIR``); empty: Kyso's default."""
    trust: tuple[str, ...] = ()
    """Trust anchors of the default trust set (files or directories), on top of the trust store."""
    trust_sets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Named trust sets a request can ask for (``trust=NAME``)."""
    revocation: str = "soft"
    """Default revocation policy; a request may ask for ``off``, ``soft`` or ``hard``."""
    mirrors: dict[str, str] = field(default_factory=dict)
    """OCSP / CRL / AIA URL prefix -> the prefix to use instead (:data:`kyso.certs.fetching.MIRRORS_ENV`)."""
    network_timeout: float = 20.0
    """Total seconds one validation may spend on OCSP, CRL and AIA (then: TRY_LATER under ``hard``)."""
    request_timeout: float = 60.0
    """Seconds one request may take at most; above it the answer is 503 with ``Retry-After``."""
    concurrency: int = 8
    """Validations one worker runs at once; more requests wait their turn (within ``request_timeout``)."""
    max_upload: int = 50 * 1024 * 1024
    """Largest request body, in bytes (413 above)."""
    require_api_key: bool = False
    """When true, ``/api`` and ``/services`` refuse requests without a valid ``X-API-Key`` (the page still works
    for people only when this is false)."""
    anonymous_per_minute: int = 30
    """Requests per minute and client address without an API key."""
    key_per_minute: int = 600
    """Default requests per minute of an API key (``kyso serve keys add --per-minute`` overrides it)."""
    link_document_url: str = ""
    """Where ``/verify/{id}`` (the one-stop shop's QR codes) fetches the document: a URL with ``{id}``."""
    access_log: bool = True
    """One JSON line per request on stderr (logger ``kyso.service.access``)."""

    def database_url(self) -> str:
        if self.database:
            return self.database
        from kyso.core.paths import config_dir

        return f"sqlite:///{config_dir() / 'service.db'}"

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServiceConfig:
        raw = json.loads(text)
        raw["trust"] = tuple(raw.get("trust", ()))
        raw["trust_sets"] = {k: tuple(v) for k, v in raw.get("trust_sets", {}).items()}
        return cls(**raw)

    def replace(self, **changes: Any) -> ServiceConfig:
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


_SECTIONS = {
    "server": ("host", "port", "workers", "request_timeout", "concurrency", "max_upload", "access_log"),
    "storage": ("database", "cache_dir"),
    "revocation": ("revocation", "network_timeout", "mirrors"),
    "keys": ("require_api_key", "anonymous_per_minute", "key_per_minute"),
    "links": ("link_document_url",),
}
_ALIASES = {
    ("revocation", "default"): "revocation",
    ("revocation", "timeout"): "network_timeout",
    ("links", "document_url"): "link_document_url",
}


def load(path: Path | None) -> ServiceConfig:
    """The configuration in the TOML file ``path`` (defaults without one); unknown keys are refused, so that a
    misspelt limit does not silently fall back to its default."""
    if path is None:
        return ServiceConfig()
    import tomllib

    from kyso.files import read_bounded

    try:
        raw = tomllib.loads(read_bounded(path, limit=1024 * 1024, what="a configuration file").decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not a TOML configuration file ({exc})", parameter="config") from None
    values: dict[str, Any] = {}
    for section, content in raw.items():
        if section == "trust":
            values.update(_trust(content, path))
            continue
        if section not in _SECTIONS or not isinstance(content, dict):
            raise UsageError(f"{path}: unknown section [{section}] (known: trust, {', '.join(_SECTIONS)})")
        for key, value in content.items():
            name = _ALIASES.get((section, key), key)
            if name not in _SECTIONS[section]:
                raise UsageError(f"{path}: unknown key {key!r} in [{section}]")
            values[name] = value
    try:
        return ServiceConfig(**values)
    except TypeError as exc:
        raise UsageError(f"{path}: {exc}") from None


def _trust(content: Any, path: Path) -> dict[str, Any]:
    """``[trust] default = [...]`` and ``[trust.sets] NAME = [...]``; relative paths are relative to the file."""

    def paths(value: Any) -> tuple[str, ...]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise UsageError(f"{path}: [trust] entries are paths or lists of paths")
        return tuple(str((path.parent / i).resolve()) for i in items)

    if not isinstance(content, dict):
        raise UsageError(f"{path}: [trust] must be a table")
    sets = content.get("sets", {})
    unknown = set(content) - {"default", "sets"}
    if unknown or not isinstance(sets, dict):
        raise UsageError(f"{path}: [trust] takes default = [...] and [trust.sets]")
    return {"trust": paths(content.get("default", [])), "trust_sets": {n: paths(v) for n, v in sets.items()}}


def from_environment() -> ServiceConfig:
    """The configuration a worker process was started with (``kyso serve`` sets :data:`SETTINGS_ENV`)."""
    text = os.environ.get(SETTINGS_ENV)
    return ServiceConfig.from_json(text) if text else ServiceConfig()
