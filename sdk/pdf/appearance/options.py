"""The kind-specific options of a sign request, checked once: names as the CLI's (``doc-number``) or as keyword
arguments (``doc_number``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kyso.core.errors import UsageError
from kyso.core.models import SignatureKind

COPY_FORMS = ("SAO Y", "SAO LỤC", "TRÍCH SAO")
"""Forms of an electronic copy (Nghị định 30/2020/NĐ-CP, Điều 25)."""

_APPLIES: dict[str, tuple[SignatureKind, ...]] = {
    "image": (SignatureKind.APPROVAL,),
    "anchor": (SignatureKind.APPROVAL,),
    "seal": (SignatureKind.ISSUANCE,),
    "doc_number": (SignatureKind.ISSUANCE, SignatureKind.ATTACHMENT),
    "issued_date": (SignatureKind.ISSUANCE, SignatureKind.ATTACHMENT),
    "copy_form": (SignatureKind.COPY,),
    "organization": (SignatureKind.COPY, SignatureKind.INCOME),
    "meta": (SignatureKind.INCOME,),
    "font": (SignatureKind.ATTACHMENT, SignatureKind.COPY, SignatureKind.INCOME),
}


@dataclass(frozen=True)
class KindOptions:
    image: Any = None
    seal: Any = None
    doc_number: str | None = None
    issued_date: date | None = None
    copy_form: str | None = None
    organization: str | None = None
    meta: tuple[tuple[str, str], ...] = ()
    anchor: str | None = None
    font: Any = None


def _flag(key: str) -> str:
    return "--" + key.replace("_", "-")


def parse_options(kind: SignatureKind | None, appearance: Mapping[str, Any]) -> KindOptions:
    """Check the appearance options against the kind; raises :class:`UsageError` with the option's CLI name."""
    values: dict[str, Any] = {}
    for key, value in appearance.items():
        name = key.replace("-", "_")
        if name not in _APPLIES:
            allowed = ", ".join(_flag(k) for k in _APPLIES)
            raise UsageError(f"unknown signing option {_flag(name)} (allowed: {allowed})")
        if value is None or value == () or value == [] or value == {}:
            continue
        if kind is None:
            raise UsageError(f"{_flag(name)} needs --kind ({', '.join(k.value for k in SignatureKind)})")
        if kind not in _APPLIES[name]:
            kinds = " or ".join(k.value for k in _APPLIES[name])
            raise UsageError(f"{_flag(name)} applies to --kind {kinds}, not {kind.value}")
        values[name] = value
    for text in ("doc_number", "copy_form", "organization", "anchor"):
        if text in values:
            values[text] = _text(values[text], text)
    if "issued_date" in values:
        values["issued_date"] = _date(values["issued_date"])
    if "copy_form" in values:
        form = values["copy_form"].upper()
        if form not in COPY_FORMS:
            raise UsageError(f"--copy-form must be one of {', '.join(repr(f) for f in COPY_FORMS)}")
        values["copy_form"] = form
    if "meta" in values:
        values["meta"] = _meta(values["meta"])
    options = KindOptions(**values)
    _require(kind, options)
    return options


def _require(kind: SignatureKind | None, options: KindOptions) -> None:
    if kind is SignatureKind.APPROVAL and options.image is None:
        raise UsageError("--kind approval needs --image PNG (the handwritten signature, transparent background)")
    if kind is SignatureKind.ISSUANCE and options.seal is None:
        raise UsageError("--kind issuance needs --seal PNG (the organisation's seal, transparent background)")
    if kind is SignatureKind.ATTACHMENT and not options.doc_number:
        raise UsageError("--kind attachment needs --doc-number (number and notation of the main document)")
    if kind is SignatureKind.COPY and not (options.copy_form and options.organization):
        raise UsageError("--kind copy needs --copy-form (SAO Y, SAO LỤC, TRÍCH SAO) and --organization")


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise UsageError(f"{_flag(name)} must be text")
    text = unicodedata.normalize("NFC", " ".join(value.split()))
    if not text:
        raise UsageError(f"{_flag(name)} is empty")
    if len(text) > 200:
        raise UsageError(f"{_flag(name)} is too long ({len(text)} characters, at most 200)")
    return text


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise UsageError(f"--issued-date must be a date YYYY-MM-DD, got {value!r}")


def _meta(value: Any) -> tuple[tuple[str, str], ...]:
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
                raise UsageError(f"--meta must be KEY=VALUE, got {item!r}")
        else:
            key, val = item
        # whitespace collapsed as in every other text option: a line break (MetaData from a web form) is a space
        key, val = _text(str(key), "meta"), unicodedata.normalize("NFC", " ".join(str(val).split()))
        out.append((key, val))
    if len(out) > 12:
        raise UsageError("at most 12 --meta entries fit in an income mark")
    return tuple(out)
