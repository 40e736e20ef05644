"""Pack an edXML message from header fields and files: what ``kyso edxml pack`` does, for vendors' code.

::

    import kyso_edxml
    data = kyso_edxml.pack(
        {"header": {"from": {"organ_id": "000.00.00.H41", "organ_name": "UBND tỉnh Nghệ An"},
                    "to": [{"organ_id": "000.00.00.G22", "organ_name": "Văn phòng Chính phủ"}],
                    "code": {"code_number": "1234", "code_notation": "UBND-VX"},
                    "promulgation_info": {"place": "Nghệ An", "promulgation_date": "2026-11-20"},
                    "document_type": {"type": 1, "type_name": "Công văn"}, "subject": "V/v ..."}},
        ["cong-van.pdf", ("phu-luc.docx", docx_bytes)],
    )
    signed = kyso.sign(data, signer=signer)

The header is the JSON of docs/edxml.md (``kyso edxml unpack`` writes it) or an :class:`EdXMLMessage`. Each file
becomes an attachment: ContentIds are assigned (``cid:1``, ``cid:2`` ...) unless the header describes the file
(``"attachments": [{"file": "cong-van.pdf", "description": ...}]``); the media type is guessed from the name; the
manifest is derived from the attachments, so both always agree.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kyso.core.errors import InputError, UsageError
from kyso_edxml.model import Attachment, EdXMLMessage, Message

FileSource = str | os.PathLike[str] | tuple[str, bytes]
"""A file to attach: a path (read with Kyso's bounds), or its name and bytes."""


def pack(header: Mapping[str, Any] | Message, files: Iterable[FileSource] = (), *, zipped: bool = False) -> bytes:
    """The edXML bytes of a message built from ``header`` and ``files`` (see the module's docstring).

    :param zipped: zip each file before encoding it (``application/zip``).
    :raises InputError: a header key or value the model refuses, an unreadable file.
    :raises UsageError: files for a status packet, a file the header lists but that is not given, or the reverse.
    """
    from kyso_edxml import codec, jsonio

    message, described = _message(header)
    given = [_file(source) for source in files]
    if not isinstance(message, EdXMLMessage):
        if given:
            raise UsageError("a status packet carries no attachments")
        return codec.build(message)
    if described and not given:
        raise UsageError("the header lists attachments: give each file")
    used_ids = {str(entry.get("content_id")) for entry in described.values() if entry.get("content_id")}
    used_ids |= {a.content_id for a in message.attachments if a.content_id}
    for number, (name, content) in enumerate(given, start=len(message.attachments) + 1):
        meta = jsonio.attachment_from_json(_meta(described.get(name)), f"attachment {name}")
        message.attachments.append(
            Attachment(
                content_id=meta.content_id or _fresh_id(number, used_ids),
                attachment_name=meta.attachment_name or name,
                description=meta.description if meta.description is not None else name,
                content_type=meta.content_type or _media_type(name, zipped),
                data=_zip(name, content) if zipped else content,
            )
        )
    missing = set(described) - {name for name, _ in given}
    if missing:
        raise UsageError(f"the header lists attachments not given as files: {', '.join(sorted(missing))}")
    message.manifest = []  # derived from the attachments, so both always agree
    return codec.build(message)


def _message(header: Mapping[str, Any] | Message) -> tuple[Message, dict[str, dict[str, Any]]]:
    """The message and the attachments its JSON header describes, by file name."""
    import copy

    from kyso_edxml import jsonio

    if isinstance(header, Message):
        return copy.deepcopy(header), {}
    if not isinstance(header, Mapping):
        raise InputError("the header must be a JSON object (a dict) or an edXML message")
    data = dict(header)
    described: dict[str, dict[str, Any]] = {}
    if isinstance(data.get("attachments"), list):
        for entry in data["attachments"]:
            if not isinstance(entry, dict):
                continue
            key = entry.get("file") or entry.get("attachment_name")
            if not isinstance(key, str):
                raise InputError('each attachment of the header needs its file name ("file")')
            described[key] = entry
        data["attachments"] = []
    return jsonio.from_json(data), described


def _file(source: FileSource) -> tuple[str, bytes]:
    if isinstance(source, tuple):
        name, content = source
        if not isinstance(name, str) or not isinstance(content, bytes | bytearray):
            raise UsageError("a file to attach is a path or a (name, bytes) pair")
        return name, bytes(content)
    from kyso.files import read_document

    path = Path(source)
    return path.name, read_document(path)


def _meta(entry: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (entry or {}).items() if k not in ("file", "size")}


def _fresh_id(number: int, used: set[str]) -> str:
    candidate = f"cid:{number}"
    while candidate in used:
        number += 1000
        candidate = f"cid:{number}"
    used.add(candidate)
    return candidate


def _media_type(name: str, zipped: bool) -> str:
    import mimetypes

    if zipped:
        return "application/zip"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _zip(name: str, content: bytes) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


__all__ = ["FileSource", "pack"]
