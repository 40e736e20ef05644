"""The header of a message as JSON (``kyso edxml unpack`` writes it, ``kyso edxml pack`` reads it).

Keys are the model's field names (``from`` for ``from_``); dates are ``yyyy-MM-dd``, times ``yyyy-MM-ddTHH:mm:ss``
(Vietnam time, no offset, as in edXML). Attachments are listed without their bytes: each names the ``file`` that
holds them. Unknown keys are refused, so a typo does not silently drop a field.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import date, datetime
from typing import Any

from kyso.core.errors import InputError
from kyso_edxml.model import Attachment, EdXMLMessage, Message, StatusMessage

MAX_DEPTH = 32
"""Nesting of a header JSON (the model nests 6 deep)."""


def loads(raw: bytes, where: str) -> Any:
    """The JSON value of ``raw`` (UTF-8, BOM allowed), nested at most :data:`MAX_DEPTH` deep.

    Kyso rule (issue 9, JSON input bounds): ``json.loads`` recurses once per level and a header of 100 000 ``[``
    ended in a RecursionError traceback; deep input is refused as unusable input (exit 2), both when the decoder
    runs out of stack and, checked without recursion, when it does not.
    """
    try:
        value = json.loads(raw.decode("utf-8-sig"))
    except RecursionError:
        raise InputError(f"{where}: JSON nested more than {MAX_DEPTH} levels deep") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{where}: not JSON ({exc.__class__.__name__}: {exc})") from None
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise InputError(f"{where}: JSON nested more than {MAX_DEPTH} levels deep")
        if isinstance(item, dict):
            pending.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            pending.extend((v, depth + 1) for v in item)
    return value


def _key(spec: dataclasses.Field[Any]) -> str:
    return spec.metadata.get("key") or spec.name


def to_json(message: Message) -> dict[str, Any]:
    """A JSON-ready dict of the message (attachments without their bytes)."""
    result: dict[str, Any] = {"kind": "status" if isinstance(message, StatusMessage) else "document"}
    result.update(_dump(message))
    return result


def _dump(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for spec in dataclasses.fields(value):
            if spec.name in ("warnings", "signed", "data"):
                continue
            out[_key(spec)] = _dump(getattr(value, spec.name))
        if isinstance(value, Attachment):
            out["file"] = value.attachment_name
            out["size"] = len(value.data)
        return out
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_json(data: dict[str, Any]) -> Message:
    """The message a JSON header describes (attachments get their bytes from the caller)."""
    if not isinstance(data, dict):
        raise InputError("the header JSON must be an object")
    data = dict(data)
    kind = data.pop("kind", None)
    if kind is None:
        kind = "status" if isinstance(data.get("header"), dict) and "status_code" in data["header"] else "document"
    if kind not in ("document", "status"):
        raise InputError(f"header JSON: kind must be 'document' or 'status', not {kind!r}")
    cls = StatusMessage if kind == "status" else EdXMLMessage
    return _load(cls, data, "header JSON")


def attachment_from_json(data: dict[str, Any], where: str) -> Attachment:
    """The description of one attachment (its bytes come from a file)."""
    return _load(Attachment, data, where)


def _load(cls: Any, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected an object")
    hints = typing.get_type_hints(cls)
    specs = {_key(f): f for f in dataclasses.fields(cls) if f.name not in ("warnings", "signed", "data")}
    extra = set(data) - set(specs) - ({"file", "size"} if cls is Attachment else set())
    if extra:
        raise InputError(f"{where}: unknown keys {', '.join(sorted(extra))}")
    values = {}
    for key, spec in specs.items():
        if key in data:
            values[spec.name] = _convert(hints[spec.name], data[key], f"{where}.{key}")
    return cls(**values)


def _convert(hint: Any, value: Any, where: str) -> Any:
    if value is None:
        return None
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    if typing.get_origin(hint) is list:
        if not isinstance(value, list):
            raise InputError(f"{where}: expected a list")
        item = typing.get_args(hint)[0]
        return [_convert(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if dataclasses.is_dataclass(hint):
        return _load(hint, value, where)
    try:
        if hint is datetime:
            return datetime.fromisoformat(value)
        if hint is date:
            return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}: {value!r} is not an ISO 8601 {hint.__name__}") from None
    if hint is bool:
        if not isinstance(value, bool):
            raise InputError(f"{where}: expected true or false")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise InputError(f"{where}: expected a number")
        try:
            return int(value)
        except ValueError:
            raise InputError(f"{where}: {value!r} is not a number") from None
    if hint is str:
        if not isinstance(value, str | int):
            raise InputError(f"{where}: expected a string")
        return str(value)
    if hint is bytes:
        return b""
    raise InputError(f"{where}: unsupported value")


__all__ = ["MAX_DEPTH", "attachment_from_json", "from_json", "loads", "to_json"]
