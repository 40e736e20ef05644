"""The one shape of the registries plugins fill (document formats, signer backends, platform adapters).

Entries by name, in registration order; a later entry of the same name replaces an earlier one, so that an
installed plugin can override a built-in; an unknown name is a :class:`~kyso.core.errors.UsageError` naming the
known ones. A registry is created by the plugin manager and passed into its ``kyso_register_*`` hook, never kept as
a global (tox's registries are the model).
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from kyso.core.errors import UsageError

T = TypeVar("T")


class NamedRegistry(Generic[T]):
    """Entries that carry their own ``name``."""

    what: ClassVar[str] = "entry"
    """What an entry is, in the message for an unknown name (``no signer backend named 'x'``)."""
    listed_as: ClassVar[str] = "known"
    """How the message introduces the known names (``(known: pkcs12)``)."""

    def __init__(self) -> None:
        self.entries: dict[str, T] = {}

    def add(self, entry: T) -> None:
        """Add ``entry`` under its ``name`` (replacing an entry of that name)."""
        self.entries[str(_name(entry))] = entry

    def names(self) -> list[str]:
        return list(self.entries)

    def get(self, name: str) -> T:
        """The entry called ``name``, or a :class:`UsageError` naming the known ones."""
        try:
            return self.entries[name]
        except KeyError:
            known = ", ".join(sorted(self.entries)) or "none"
            raise UsageError(f"no {self.what} named {name!r} ({self.listed_as}: {known})") from None


def _name(entry: Any) -> str:
    return str(entry.name)


__all__ = ["NamedRegistry"]
