"""Signature kinds as declarations: what a kind is called, which options it takes, where its mark goes.

A kind (Nghị định 30/2020/NĐ-CP: approval, issuance ...; or a plugin's own) is declared once, as a
:class:`KindSpec` added through ``kyso_register_kinds``. The CLI (``kyso sign --kind`` and its options), sync (the
signer's assets), the report (labels) and the format plugins (the PDF planner) read the :class:`KindRegistry`;
none of them names a kind. This module holds the contract and the checking of option values, no drawing: how a
placement rule is drawn belongs to the format plugin (``kyso.pdf.appearance``).
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kyso.core.errors import PluginError, UsageError


class OptionType(enum.StrEnum):
    """The type of a kind option's value: how it is checked, and how the CLI takes it."""

    TEXT = "text"
    """One line of text (whitespace collapsed, NFC, at most 200 characters)."""
    DATE = "date"
    """A date, ``YYYY-MM-DD`` or a :class:`datetime.date`."""
    CHOICE = "choice"
    """One of :attr:`KindOption.choices` (any letter case)."""
    PAIRS = "pairs"
    """``KEY=VALUE`` lines (repeatable on the CLI; a mapping or pairs in the API)."""
    FILE = "file"
    """A file: a path, or its bytes in the API; read by the format plugin that uses it."""


class Placement(enum.StrEnum):
    """Where a kind's mark goes; each format plugin that supports the kind draws the rule."""

    ANCHOR = "anchor"
    """An image centred between the signer's title and full name (found from ``anchor`` text), or in ``box``."""
    OVER_APPROVAL = "over-approval"
    """An image at its real size overlapping the left third of the document's last approval signature."""
    TOP_RIGHT = "top-right"
    """A text mark at the top right of the first page."""
    FREE_CORNER = "free-corner"
    """A text mark in the first corner of the first page free of text (top left, bottom left, bottom right, top
    right), as a received-document stamp goes on blank space."""


TEXT_LIMIT = 200
"""Longest text option, in characters."""


@dataclass(frozen=True)
class KindOption:
    """One option of a kind: ``doc_number`` in the API, ``--doc-number`` on the command line."""

    name: str
    type: OptionType
    help: str
    """What the value is, for this kind (``kyso sign --help`` prefixes the kinds that take it)."""
    required: bool = False
    asset: bool = False
    """The signer's own file (a handwritten signature, a seal, a font): ``kyso sync`` supplies it to every item of
    this kind from the signer's assets."""
    choices: tuple[str, ...] = ()
    max_items: int | None = None
    """For :attr:`OptionType.PAIRS`: the most entries the mark holds."""
    metavar: str | None = None

    @property
    def flag(self) -> str:
        return flag(self.name)

    def parse(self, value: Any) -> Any:
        """The checked value; :class:`UsageError` naming the option when it does not fit its type."""
        if self.type is OptionType.TEXT:
            return _text(value, self.name)
        if self.type is OptionType.DATE:
            return _date(value, self.name)
        if self.type is OptionType.CHOICE:
            wanted = _text(value, self.name).upper()
            for choice in self.choices:
                if choice.upper() == wanted:
                    return choice
            raise UsageError(f"{self.flag} must be one of {', '.join(repr(c) for c in self.choices)}")
        if self.type is OptionType.PAIRS:
            pairs = _pairs(value, self.name)
            if self.max_items is not None and len(pairs) > self.max_items:
                raise UsageError(f"at most {self.max_items} {self.flag} entries fit in the mark")
            return pairs
        return value


Lines = Callable[[Mapping[str, Any], str], Sequence[str]]
"""The lines of a text mark from the checked option values and the signing time (ISO 8601, +07:00)."""


@dataclass(frozen=True)
class KindSpec:
    """A signature kind, declared once by the plugin that offers it (``kyso_register_kinds``)."""

    name: str
    """Recorded in the signature and given as ``--kind NAME`` / ``kind="NAME"``."""
    labels: Mapping[str, str]
    """The kind's name in reports, by language: ``{"vi": "ký duyệt", "en": "approval"}``."""
    formats: tuple[str, ...]
    """The document formats that support the kind and its options (``"pdf"``); the others refuse them."""
    options: tuple[KindOption, ...] = ()
    placement: Placement | None = None
    """Where the mark goes; ``None``: no mark, the kind is only recorded in the signature."""
    image: str | None = None
    """The option holding the image drawn as the mark (:attr:`Placement.ANCHOR`, :attr:`Placement.OVER_APPROVAL`)."""
    lines: Lines | None = None
    """The text of a text mark (:attr:`Placement.TOP_RIGHT`, :attr:`Placement.FREE_CORNER`)."""
    framed: bool = False
    """A text mark drawn in a frame (a received-document stamp)."""
    reason: Callable[[Mapping[str, Any]], str] | None = None
    """The signature's reason from the checked option values, unless the caller gives one."""
    description: str = ""

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.name

    @property
    def assets(self) -> tuple[str, ...]:
        """Names of the options that are the signer's own files (see :attr:`KindOption.asset`)."""
        return tuple(option.name for option in self.options if option.asset)

    def option(self, name: str) -> KindOption | None:
        return next((option for option in self.options if option.name == name), None)


@dataclass
class KindRegistry:
    """Signature kinds by name, in registration order; filled by ``kyso_register_kinds``."""

    kinds: dict[str, KindSpec] = field(default_factory=dict)

    def add(self, spec: KindSpec) -> None:
        """Add (or, with the same name, replace) a kind; an option named as another kind's must have its type."""
        for option in spec.options:
            for other, known in self.options().get(option.name, []):
                if other.name != spec.name and (known.type, known.choices) != (option.type, option.choices):
                    raise PluginError(
                        f"kind {spec.name!r}: option {option.name!r} is a {option.type.value}, but kind "
                        f"{other.name!r} declares it as a {known.type.value}"
                    )
        self.kinds[spec.name] = spec

    def names(self) -> list[str]:
        return list(self.kinds)

    def get(self, name: str) -> KindSpec:
        """The kind called ``name``; :class:`UsageError` naming the known kinds otherwise."""
        spec = self.kinds.get(str(name))
        if spec is None:
            raise UsageError(f"unknown kind {str(name)!r} (allowed: {', '.join(self.kinds)})")
        return spec

    def label(self, name: str, lang: str) -> str:
        """The report label of kind ``name``; the name itself for a kind no plugin declares (any more)."""
        spec = self.kinds.get(str(name))
        return spec.label(lang) if spec is not None else str(name)

    def options(self) -> dict[str, list[tuple[KindSpec, KindOption]]]:
        """Every option name, with the kinds that take it and their declaration of it, in registration order."""
        result: dict[str, list[tuple[KindSpec, KindOption]]] = {}
        for spec in self.kinds.values():
            for option in spec.options:
                result.setdefault(option.name, []).append((spec, option))
        return result

    def check(
        self, kind: str | None, format: str, appearance: Mapping[str, Any]
    ) -> tuple[KindSpec | None, dict[str, Any]]:
        """The kind and its checked option values for a document of ``format``.

        Kyso rule: an option is refused, never ignored: one no kind declares, one of another kind, one given
        without a kind, and a kind (with its options) that the document's format does not support.

        :raises UsageError: naming the option (as its CLI flag) and, for a format, the format.
        """
        known = self.options()
        given: dict[str, Any] = {}
        for key, value in appearance.items():
            name = key.replace("-", "_")
            if name not in known:
                allowed = ", ".join(flag(k) for k in known)
                raise UsageError(f"unknown signing option {flag(name)} (allowed: {allowed})")
            if not _empty(value):
                given[name] = value
        if kind is None:
            if given:
                name = next(iter(given))
                raise UsageError(f"{flag(name)} needs --kind ({', '.join(self.kinds)})")
            return None, {}
        spec = self.get(kind)
        if format not in spec.formats:
            what = f"--kind {spec.name}" + "".join(f" {flag(name)}" for name in given)
            raise UsageError(
                f"{what}: not supported for {format} documents (kind {spec.name} is for: {', '.join(spec.formats)})"
            )
        values: dict[str, Any] = {}
        for name, value in given.items():
            option = spec.option(name)
            if option is None:
                kinds = " or ".join(other.name for other, _ in known[name])
                raise UsageError(f"{flag(name)} applies to --kind {kinds}, not {spec.name}")
            values[name] = option.parse(value)
        missing = [option for option in spec.options if option.required and option.name not in values]
        if missing:
            needed = " and ".join(
                f"{option.flag}" + (f" {option.metavar}" if option.metavar else "") + f" ({option.help})"
                for option in missing
            )
            raise UsageError(f"--kind {spec.name} needs {needed}")
        return spec, values


def flag(name: str) -> str:
    """The CLI flag of an option name: ``doc_number`` -> ``--doc-number``."""
    return "--" + name.replace("_", "-")


def _empty(value: Any) -> bool:
    return value is None or value == () or value == [] or value == {}


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise UsageError(f"{flag(name)} must be text")
    text = unicodedata.normalize("NFC", " ".join(value.split()))
    if not text:
        raise UsageError(f"{flag(name)} is empty")
    if len(text) > TEXT_LIMIT:
        raise UsageError(f"{flag(name)} is too long ({len(text)} characters, at most {TEXT_LIMIT})")
    return text


def _date(value: Any, name: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise UsageError(f"{flag(name)} must be a date YYYY-MM-DD, got {value!r}")


def _pairs(value: Any, name: str) -> tuple[tuple[str, str], ...]:
    pairs: Iterable[Any]
    if isinstance(value, Mapping):
        pairs = value.items()
    elif isinstance(value, str):
        pairs = [value]
    else:
        pairs = value
    out = []
    for item in pairs:
        if isinstance(item, str):
            key, sep, val = item.partition("=")
            if not sep:
                raise UsageError(f"{flag(name)} must be KEY=VALUE, got {item!r}")
        else:
            key, val = item
        # whitespace collapsed as in every other text option: a line break (MetaData from a web form) is a space
        key, val = _text(str(key), name), unicodedata.normalize("NFC", " ".join(str(val).split()))
        out.append((key, val))
    return tuple(out)


__all__ = ["KindOption", "KindRegistry", "KindSpec", "OptionType", "Placement", "flag"]
