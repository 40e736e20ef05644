"""The adapter contract: how a platform (document management, one-stop shop ...) hands documents to Kyso.

An *adapter* maps one platform's HTTP API onto these models. It contains no cryptography: the SDK downloads an
:class:`Item`, signs it with :func:`kyso.sign` (kind and appearance taken from the item), and gives the signed bytes
back to the adapter to upload. Everything an adapter must offer is the :class:`Adapter` protocol:

- :meth:`Adapter.pending`: the items awaiting a user's signature, each with the signature kind it needs and its
  metadata (number, date, the document's subject ...);
- :meth:`Adapter.download`: the bytes to sign;
- :meth:`Adapter.upload`: the signed result, with an *idempotency key* (:func:`idempotency_key`): uploading the same
  key twice, or again after a crash, must not create a second document on the platform;
- :meth:`Adapter.download_signed`: the signed result as the platform now holds it (the conformance suite checks it);
- :meth:`Adapter.reject`: refuse an item, with a reason the platform shows to its users;
- :meth:`Adapter.report_status`: a free status line back to the platform (``signed``, ``failed: ...``);
- optionally ``prepare(item, data) -> bytes``: change the document before it is signed (a one-stop shop adds the QR
  code linking to its verification page); the sync engine calls it when the adapter has it.

Configuration (:class:`AdapterConfig`) is the base URL, credentials, timeouts and retries with backoff; it comes
from the environment (``KYSO_<NAME>_BASE_URL``, ``KYSO_<NAME>_USERNAME``, ``KYSO_<NAME>_PASSWORD``,
``KYSO_<NAME>_TOKEN``, ``KYSO_<NAME>_TIMEOUT``, ``KYSO_<NAME>_RETRIES``) or a TOML file (``adapters.toml`` in the
Kyso configuration directory, one ``[NAME]`` table per adapter), the environment winning.

An adapter is registered with the ``kyso_register_adapters`` hook from a plugin module, itself declared as an entry
point of group ``kyso``::

    # my_platform/kyso_plugin.py
    from kyso import hookimpl
    from kyso.core.adapter import AdapterInfo

    @hookimpl
    def kyso_register_adapters(registry):
        registry.add(AdapterInfo(name="myplatform", description="...", factory=_factory, simulator=_simulator))

The conformance suite (``kyso conformance NAME``, or :mod:`kyso.conformance` under pytest) checks that an adapter
keeps these promises. ``examples/custom_adapter`` is the template to copy (see ``docs/adapters.md``).
"""

from __future__ import annotations

import hashlib
import os
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

# the adapter errors live in kyso.core.errors (one hierarchy under KysoError) and are part of this contract too:
# an adapter imports everything it needs from here
from kyso.core.errors import AuthenticationError, ItemError, PlatformError, RedirectError
from kyso.core.models import SignatureKind
from kyso.core.registry import NamedRegistry

__all__ = [
    "Adapter",
    "AdapterConfig",
    "AdapterInfo",
    "AdapterRegistry",
    "AuthenticationError",
    "Credentials",
    "Item",
    "ItemError",
    "PlatformError",
    "RedirectError",
    "UploadReceipt",
    "idempotency_key",
]

CONFIG_FILE = "adapters.toml"


# ---------------------------------------------------------------------------------------------------------------
# models
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One document awaiting a signature on the platform."""

    id: str
    """The platform's identifier of this signing task (unique on the platform, stable across calls)."""
    name: str
    """File name as the platform shows it (may be Vietnamese: kept in NFC)."""
    kind: str | None = None
    """Signature kind the platform asks for (Nghị định 30/2020, :class:`SignatureKind`, or a kind a plugin
    declares); ``None`` for a plain signature."""
    metadata: Mapping[str, str] = field(default_factory=dict)
    """What the platform says about the document (subject, number, dossier number ...), for display and reports."""
    appearance: Mapping[str, Any] = field(default_factory=dict)
    """Options for :func:`kyso.sign` decided by the platform: ``doc_number``, ``issued_date``, ``meta``,
    ``anchor``, ``page``, ``box`` ... (personal assets such as the signature image come from the signer)."""
    sha256: str | None = None
    """Hex SHA-256 the platform announces for the document; a download that does not match fails the item."""
    size: int | None = None
    """Size in bytes the platform announces; ``None`` when it does not say."""
    media_type: str = "application/pdf"
    user: str | None = None
    """The user the item is assigned to."""
    locator: Mapping[str, str] = field(default_factory=dict)
    """Whatever else the adapter needs to address the item on the platform (a dossier id ...); opaque to the SDK."""
    problem: str | None = None
    """Why this entry of the platform's list cannot be processed (missing fields, unknown step ...): the item
    fails alone with this reason and the others proceed. Build such items with :meth:`Item.unusable`."""

    @classmethod
    def unusable(cls, entry: Any, problem: str, *, id_key: str, name_key: str, user: str | None = None) -> Item:
        """An item standing for a malformed entry of the platform's list, so that one bad entry fails alone
        instead of hiding every other item."""
        record = entry if isinstance(entry, Mapping) else {}
        return cls(
            id=str(record.get(id_key) or f"unreadable-entry-{hashlib.sha256(repr(entry).encode()).hexdigest()[:12]}"),
            name=str(record.get(name_key) or "?"),
            user=user,
            problem=problem,
        )

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", unicodedata.normalize("NFC", self.name))
        if self.kind is not None and not isinstance(self.kind, SignatureKind):
            known = self.kind in SignatureKind.__members__.values()
            object.__setattr__(self, "kind", SignatureKind(self.kind) if known else str(self.kind))

    def check(self, data: bytes) -> None:
        """Raise :class:`ItemError` when ``data`` is not the document this item announces (size, SHA-256)."""
        if self.size is not None and len(data) != self.size:
            raise ItemError(
                f"{self.name}: download is {len(data)} bytes, the platform announced {self.size} (truncated?)"
            )
        if self.sha256 is not None and hashlib.sha256(data).hexdigest() != self.sha256.lower():
            raise ItemError(f"{self.name}: the document downloaded is not the one the item claims (SHA-256 differs)")


@dataclass(frozen=True)
class UploadReceipt:
    """The platform's answer to an upload."""

    item_id: str
    remote_id: str | None = None
    """Where the platform stored the signed result (file id, URL ...)."""
    duplicate: bool = False
    """``True`` when the platform recognised the idempotency key and kept the earlier upload."""


def idempotency_key(adapter: str, item: Item, source: bytes) -> str:
    """The key of one signing of one item: the same item with the same source document always gives the same key,
    whatever the signing time, so a retry or a resumed run never creates a second signed document."""
    digest = hashlib.sha256()
    for part in (adapter, item.id, str(item.kind or ""), hashlib.sha256(source).hexdigest()):
        digest.update(part.encode("utf-8") + b"\0")
    return "kyso-" + digest.hexdigest()[:40]


# ---------------------------------------------------------------------------------------------------------------
# configuration
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """Who the adapter is on the platform. ``repr`` never shows the secrets."""

    username: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class AdapterConfig:
    """How to reach a platform."""

    base_url: str
    """Root URL of the platform's API, e.g. ``https://ioffice.example.gov.vn``."""
    credentials: Credentials = field(default_factory=Credentials)
    timeout: float = 10.0
    """Seconds allowed for each HTTP request (connect and read)."""
    retries: int = 3
    """Further attempts after a server error (5xx), a timeout or a connection failure; 4xx are never retried."""
    backoff: float = 0.5
    """Seconds before the first retry, doubled at each further one."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Platform-specific settings (an organisation id, a group id ...)."""

    @classmethod
    def load(cls, name: str, *, config_file: Path | None = None, **overrides: Any) -> AdapterConfig:
        """The configuration of adapter ``name``: the TOML file, then the environment, then ``overrides`` (those
        that are not ``None``) each win over the previous.

        :raises UsageError: when no base URL is known.
        """
        from kyso.core.errors import UsageError

        values: dict[str, Any] = {}
        path = config_file or _config_dir() / CONFIG_FILE
        if path.is_file():
            try:
                table = tomllib.loads(path.read_text(encoding="utf-8")).get(name, {})
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise UsageError(f"{path}: unreadable adapter configuration ({exc.__class__.__name__})") from None
            values.update(table)
        prefix = f"KYSO_{name.upper().replace('-', '_')}_"
        for key in ("base_url", "username", "password", "token", "timeout", "retries", "backoff"):
            if (value := os.environ.get(prefix + key.upper())) is not None:
                values[key] = value
        values.update({k: v for k, v in overrides.items() if v is not None})
        if not values.get("base_url"):
            raise UsageError(f"no base URL for adapter {name!r}: give --base-url or set {prefix}BASE_URL")
        known = {"base_url", "username", "password", "token", "timeout", "retries", "backoff"}
        try:
            return cls(
                base_url=str(values["base_url"]).rstrip("/"),
                credentials=Credentials(values.get("username"), values.get("password"), values.get("token")),
                timeout=float(values.get("timeout", 10.0)),
                retries=int(values.get("retries", 3)),
                backoff=float(values.get("backoff", 0.5)),
                options={k: v for k, v in values.items() if k not in known},
            )
        except ValueError as exc:
            raise UsageError(f"adapter {name!r}: bad timeout, retries or backoff ({exc})") from None


def _config_dir() -> Path:
    """The Kyso configuration directory, the same as the trust store's (:func:`kyso.core.paths.config_dir`)."""
    from kyso.core.paths import config_dir

    return config_dir()


# ---------------------------------------------------------------------------------------------------------------
# the protocol
# ---------------------------------------------------------------------------------------------------------------


@runtime_checkable
class Adapter(Protocol):
    """What an adapter offers. Every method raises :class:`PlatformError` (or :class:`AuthenticationError`) when the
    platform fails, after the configured retries; :class:`ItemError` when one item's data is unusable."""

    name: str
    """The adapter's registered name."""
    kinds: tuple[SignatureKind | None, ...]
    """The signature kinds this platform asks for (``None`` for a plain signature)."""

    def pending(self, user: str) -> list[Item]:
        """Every item awaiting ``user``'s signature, none left out."""
        ...

    def download(self, item: Item) -> bytes:
        """The document to sign, complete (an adapter checks it with :meth:`Item.check`)."""
        ...

    def upload(self, item: Item, signed: bytes, *, idempotency_key: str) -> UploadReceipt:
        """Give the signed document back. The same ``idempotency_key`` twice creates nothing new."""
        ...

    def download_signed(self, item: Item) -> bytes:
        """The signed document as the platform now holds it for ``item``."""
        ...

    def reject(self, item: Item, reason: str) -> None:
        """Refuse to sign ``item``; the platform shows ``reason`` to its users."""
        ...

    def report_status(self, item: Item, status: str, detail: str = "") -> None:
        """Tell the platform what happened to ``item`` (``signed``, ``failed``); best effort."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


SimulatorFactory = Callable[..., Any]
"""``simulator(directory: Path, port: int = 0)`` -> an object with ``start()``, ``stop()``, ``url`` and
``control_url`` (see :mod:`kyso.testing.simulators`)."""


@dataclass(frozen=True)
class AdapterInfo:
    """A registered adapter, added by ``kyso_register_adapters``."""

    name: str
    description: str
    factory: Callable[[AdapterConfig], Adapter]
    """Builds the adapter for a configuration."""
    simulator: SimulatorFactory | None = None
    """The platform simulator used by tests and ``kyso conformance`` when no base URL is given."""
    kinds: tuple[SignatureKind | None, ...] = (None,)
    """The signature kinds the adapter supports (the conformance suite round-trips each)."""


class AdapterRegistry(NamedRegistry[AdapterInfo]):
    """Adapters by name; filled by ``kyso_register_adapters``."""

    what = "adapter"
    listed_as = "installed"

    @property
    def adapters(self) -> dict[str, AdapterInfo]:
        return self.entries
