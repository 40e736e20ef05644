"""Read edXML tolerantly, write it strictly.

Reading accepts the variants seen in real packets and records each one in ``message.warnings``: dates written
``dd/MM/yyyy`` instead of ``yyyy/MM/dd``, elements in no namespace (``AttachmentEncoded`` of the interop samples),
children in another order, a ``Signature`` outside the XML-DSig namespace, RSA-SHA1, unknown elements. Writing
always produces the standard form: every element prefixed ``edXML:``, dates ``yyyy/MM/dd``, times
``yyyy/MM/dd HH:mm:ss``, agency identifiers checked, manifest and attachments consistent.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import re
import types
import typing
from datetime import date, datetime
from typing import Any

from kyso.core.errors import InputError
from kyso.xmldsig.policy import DSIG, weak_algorithm
from kyso.xmldsig.xmlsafe import DEFAULT_LIMITS, Limits
from kyso.xmldsig.xmlsafe import child_elements as _elements
from kyso.xmldsig.xmlsafe import local_name as _local
from kyso.xmldsig.xmlsafe import namespace_uri as _ns
from kyso_edxml import ids
from kyso_edxml.model import (
    NAMESPACE,
    Attachment,
    Bussiness,
    EdXMLMessage,
    ManifestReference,
    Message,
    MessageHeader,
    StatusHeader,
    StatusMessage,
    TraceHeader,
)

DSIG_NAMESPACE = DSIG
_E = "{%s}" % NAMESPACE  # noqa: UP031 - a Clark-notation prefix, not a format string
_TIME_FORMAT = "%Y/%m/%d %H:%M:%S"
_DATE_FORMAT = "%Y/%m/%d"


# -------------------------------------------------------------------------------------------------------------
# reading
# -------------------------------------------------------------------------------------------------------------


def parse(data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Message:
    """A document package or status packet from edXML bytes (hardened parse, tolerant reading)."""
    from kyso.xmldsig import xmlsafe

    return read_tree(xmlsafe.parse(data, limits))


def read_tree(tree: Any) -> Message:
    """The message of an already parsed (hardened) tree."""
    root = tree.getroot()
    warnings: list[str] = []
    if _local(root) != "edXML":
        raise InputError(f"not an edXML package: the root element is {_local(root)!r}, not 'edXML'")
    if _ns(root) != NAMESPACE:
        warnings.append(f"the root element is not in the edXML namespace ({_ns(root) or 'no namespace'})")
    envelope = _child(root, "edXMLEnvelope", warnings, "edXML")
    if envelope is None:
        raise InputError("not an edXML package: no edXMLEnvelope")
    header = _child(envelope, "edXMLHeader", warnings, "edXMLEnvelope")
    if header is None:
        raise InputError("not an edXML package: no edXMLHeader")
    message_header = _child(header, "MessageHeader", warnings, "edXMLHeader")
    if message_header is None:
        raise InputError("not an edXML package: no MessageHeader")
    status = any(_local(c) == "StatusCode" for c in _elements(message_header))
    message: Message
    if status:
        message = StatusMessage(header=_read(StatusHeader, message_header, warnings, "MessageHeader"))
        _check_status(message.header, warnings)
    else:
        message = EdXMLMessage(header=_read(MessageHeader, message_header, warnings, "MessageHeader"))
        _check_header(message.header, warnings)
    trace = _child(header, "TraceHeaderList", warnings, "edXMLHeader")
    if trace is not None:
        for child in _elements(trace):
            name = _local(child)
            _namespace_note(child, warnings, "TraceHeaderList")
            if name == "TraceHeader":
                message.trace_headers.append(_read(TraceHeader, child, warnings, "TraceHeader"))
            elif name == "Bussiness":
                if message.bussiness is not None:
                    warnings.append("TraceHeaderList has more than one Bussiness; the first is kept")
                    continue
                message.bussiness = _read(Bussiness, child, warnings, "Bussiness")
            else:
                warnings.append(f"unknown element TraceHeaderList/{name} ignored")
    if message.bussiness is not None and message.bussiness.document_id:
        try:
            ids.DocumentId.parse(message.bussiness.document_id)
        except InputError as exc:
            warnings.append(f"Bussiness: {exc.diagnostics()}")
    signatures = [e for e in root.iter() if isinstance(e.tag, str) and _local(e) == "Signature"]
    message.signed = bool(signatures)
    for signature in signatures:
        if _ns(signature) != DSIG_NAMESPACE:
            warnings.append(f"the Signature element is not in the XML-DSig namespace ({_ns(signature) or 'none'})")
        for method in signature.iter():
            weak = weak_algorithm(method.get("Algorithm", "")) if isinstance(method.tag, str) else None
            if weak is not None:
                warnings.append(f"the signature uses {method.get('Algorithm')}, no longer accepted: {weak}")
                break
    for child in _elements(header):
        if _local(child) not in ("MessageHeader", "TraceHeaderList", "Signature"):
            warnings.append(f"unknown element edXMLHeader/{_local(child)} ignored")
    body = _child(envelope, "edXMLBody", warnings, "edXMLEnvelope")
    if isinstance(message, EdXMLMessage):
        if body is not None:
            manifest = _child(body, "edXMLManifest", warnings, "edXMLBody")
            if manifest is not None:
                for reference in _elements(manifest):
                    if _local(reference) == "Reference":
                        message.manifest.append(_read(ManifestReference, reference, warnings, "Reference"))
                    else:
                        warnings.append(f"unknown element edXMLManifest/{_local(reference)} ignored")
        encoded = _child(root, "AttachmentEncoded", warnings, "edXML")
        if encoded is not None:
            for element in _elements(encoded):
                if _local(element) == "Attachment":
                    message.attachments.append(_read_attachment(element, warnings))
                else:
                    warnings.append(f"unknown element AttachmentEncoded/{_local(element)} ignored")
        _check_manifest(message, warnings)
    elif body is not None and len(body):
        warnings.append("a status packet with an edXMLBody: the body is ignored")
    message.warnings = list(dict.fromkeys(warnings))
    return message


def _namespace_note(element: Any, warnings: list[str], where: str) -> None:
    if _ns(element) != NAMESPACE and _local(element) != "Signature":
        warnings.append(f"{where}/{_local(element)} is not in the edXML namespace")


def _child(parent: Any, name: str, warnings: list[str], where: str) -> Any:
    found = [c for c in _elements(parent) if _local(c) == name]
    if not found:
        return None
    if len(found) > 1:
        warnings.append(f"{where} has {len(found)} {name} elements; the first is read")
    _namespace_note(found[0], warnings, where)
    return found[0]


@functools.cache
def _fields(cls: type) -> tuple[tuple[dataclasses.Field[Any], Any], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f, hints[f.name]) for f in dataclasses.fields(cls) if "xml" in f.metadata)


def _unwrap(hint: Any) -> Any:
    """``X | None`` -> ``X``."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return args[0]
    return hint


def _read(cls: type, element: Any, warnings: list[str], where: str) -> Any:
    values: dict[str, Any] = {}
    by_name = {f.metadata["xml"]: (f, hint) for f, hint in _fields(cls)}
    for child in _elements(element):
        name = _local(child)
        if name not in by_name:
            warnings.append(f"unknown element {where}/{name} ignored")
            continue
        _namespace_note(child, warnings, where)
        spec, hint = by_name[name]
        kind = _unwrap(hint)
        here = f"{where}/{name}"
        if typing.get_origin(kind) is list:
            item_type = typing.get_args(kind)[0]
            item = spec.metadata["item"]
            if item is None:
                values.setdefault(spec.name, []).append(_value(item_type, child, warnings, here))
            else:
                items = values.setdefault(spec.name, [])
                for grandchild in _elements(child):
                    if _local(grandchild) != item:
                        warnings.append(f"unknown element {here}/{_local(grandchild)} ignored")
                        continue
                    items.append(_value(item_type, grandchild, warnings, f"{here}/{item}"))
        elif spec.name in values:
            warnings.append(f"{where} repeats {name}; the first is kept")
        else:
            values[spec.name] = _value(kind, child, warnings, here)
    return cls(**values)


def _text(element: Any, where: str) -> str:
    """The text of a leaf field, refused when markup sits inside it.

    Kyso rule (issue 9, what was signed is what is read): C14N keeps processing instructions and child elements,
    so ``<Subject>Báo cáo<?x?> GIẢ MẠO</Subject>`` (or ``<b/>`` instead of the PI) is signed whole, while
    ``element.text`` stops at the markup: the reader would be shown "Báo cáo", a shorter text than the one signed.
    edXML leaf fields hold text only (comments are dropped by the parser, outside C14N), so a leaf with any child
    node is refused, for signed and unsigned messages alike, rather than read in part or re-joined.
    """
    if len(element):
        kinds = sorted({"an element" if isinstance(c.tag, str) else "a processing instruction" for c in element})
        raise InputError(
            f"{where} holds markup ({' and '.join(kinds)}) inside its text: refused, a reader would not see all "
            "of what was signed"
        )
    return element.text or ""


def _value(kind: Any, element: Any, warnings: list[str], where: str) -> Any:
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return _read(kind, element, warnings, where)
    text = _text(element, where)
    if kind is str:
        return text
    if not text.strip():
        return None
    if kind is int:
        try:
            return int(text.strip())
        except ValueError:
            warnings.append(f"{where}: {text.strip()!r} is not a number; ignored")
            return None
    if kind is bool:
        value = text.strip().lower()
        if value in ("true", "1"):
            return True
        if value in ("false", "0"):
            return False
        warnings.append(f"{where}: {text.strip()!r} is not true/false; ignored")
        return None
    if kind is date:
        moment = ids.parse_date(text)
        if moment is None:
            warnings.append(f"{where}: {text.strip()!r} is not a date; ignored")
        elif not re.fullmatch(r"\s*\d{4}/\d{2}/\d{2}\s*", text):
            warnings.append(f"{where}: date {text.strip()!r} is not written yyyy/MM/dd")
        return moment
    if kind is datetime:
        return _read_time(text, warnings, where)
    raise TypeError(kind)  # a model field of an unsupported type is a bug


def _read_time(text: str, warnings: list[str], where: str) -> datetime | None:
    value = text.strip()
    for pattern in (_TIME_FORMAT, "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            moment = datetime.strptime(value, pattern)
        except ValueError:
            continue
        if pattern != _TIME_FORMAT:
            warnings.append(f"{where}: time {value!r} is not written yyyy/MM/dd HH:mm:ss")
        return moment
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        warnings.append(f"{where}: {value!r} is not a time; ignored")
        return None
    warnings.append(f"{where}: time {value!r} is not written yyyy/MM/dd HH:mm:ss")
    return moment


def _read_attachment(element: Any, warnings: list[str]) -> Attachment:
    values: dict[str, Any] = {}
    encoded = None
    for child in _elements(element):
        name = _local(child)
        if name == "ContentTransferEncoded":
            encoded = child
            continue
        spec = next((f for f, _ in _fields(Attachment) if f.metadata["xml"] == name), None)
        if spec is None or spec.name == "data":
            warnings.append(f"unknown element Attachment/{name} ignored")
        else:
            values[spec.name] = _text(child, f"Attachment/{name}")
    attachment = Attachment(**values)
    label = attachment.attachment_name or attachment.content_id or "?"
    if encoded is None:
        warnings.append(f"attachment {label}: no ContentTransferEncoded")
        return attachment
    try:
        text = _text(encoded, f"attachment {label}: ContentTransferEncoded")
        attachment.data = base64.b64decode(re.sub(r"\s+", "", text), validate=True)
    except (binascii.Error, ValueError):
        raise InputError(f"attachment {label}: ContentTransferEncoded is not valid base64") from None
    return attachment


def _check_header(header: MessageHeader, warnings: list[str]) -> None:
    organizations = [("From", header.from_)] + [("To", o) for o in header.to]
    for where, organization in organizations:
        if organization is not None and organization.organ_id and not ids.is_organ_id(organization.organ_id):
            warnings.append(f"{where}/OrganId {organization.organ_id!r} is not a valid agency identifier")
    if header.from_ is None:
        warnings.append("MessageHeader has no From")
    if not header.to:
        warnings.append("MessageHeader has no To")
    if header.document_id:
        try:
            ids.DocumentId.parse(header.document_id)
        except InputError as exc:
            warnings.append(exc.diagnostics())


def _check_status(header: StatusHeader, warnings: list[str]) -> None:
    from kyso_edxml.model import StatusCode

    if header.status_code is not None and header.status_code not in StatusCode._value2member_map_:
        warnings.append(f"StatusCode {header.status_code!r} is not in the code table")
    if header.from_ is not None and header.from_.organ_id and not ids.is_organ_id(header.from_.organ_id):
        warnings.append(f"From/OrganId {header.from_.organ_id!r} is not a valid agency identifier")


def _check_manifest(message: EdXMLMessage, warnings: list[str]) -> None:
    announced = {r.content_id for r in message.manifest}
    carried = {a.content_id for a in message.attachments}
    for missing in sorted(str(c) for c in announced - carried):
        warnings.append(f"manifest announces {missing} but no attachment carries it")
    for extra in sorted(str(c) for c in carried - announced):
        warnings.append(f"attachment {extra} is not announced in the manifest")


# -------------------------------------------------------------------------------------------------------------
# writing
# -------------------------------------------------------------------------------------------------------------


def build(message: Message, *, pretty: bool = True) -> bytes:
    """Strict edXML bytes (UTF-8, with XML declaration) of a document package or a status packet.

    :raises InputError: a malformed agency identifier, document identifier or status code, or a manifest that
        does not match the attachments.
    """
    from lxml import etree

    tree = build_tree(message, pretty=pretty)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=False) + b"\n"


def build_tree(message: Message, *, pretty: bool = True) -> Any:
    from lxml import etree

    _validate(message)
    nsmap = {"edXML": NAMESPACE}
    root = etree.Element(_E + "edXML", nsmap=nsmap)
    envelope = etree.SubElement(root, _E + "edXMLEnvelope")
    header = etree.SubElement(envelope, _E + "edXMLHeader")
    _write(header, "MessageHeader", message.header)
    if message.trace_headers or message.bussiness is not None:
        trace = etree.SubElement(header, _E + "TraceHeaderList")
        for trace_header in message.trace_headers:
            _write(trace, "TraceHeader", trace_header)
        if message.bussiness is not None:
            _write(trace, "Bussiness", message.bussiness)
    if isinstance(message, EdXMLMessage):  # a status packet has no body (as sent on the axis)
        body = etree.SubElement(envelope, _E + "edXMLBody")
        manifest = etree.SubElement(body, _E + "edXMLManifest", version="1.0")
        references = message.manifest or [
            ManifestReference(a.content_id, a.content_type, a.description, a.attachment_name)
            for a in message.attachments
        ]
        for reference in references:
            _write(manifest, "Reference", reference)
    if pretty:
        etree.indent(root, space="  ")
    if isinstance(message, EdXMLMessage) and message.attachments:
        encoded = etree.SubElement(root, _E + "AttachmentEncoded")
        for attachment in message.attachments:
            element = _write(encoded, "Attachment", attachment)
            content = etree.SubElement(element, _E + "ContentTransferEncoded")
            content.text = base64.b64encode(attachment.data)
        if pretty:
            _indent_attachments(root, encoded)
    return root.getroottree()


def _indent_attachments(root: Any, encoded: Any) -> None:
    """Indent the attachment part without making lxml walk (and copy) the large base64 text."""
    root[0].tail = "\n  "  # after edXMLEnvelope
    encoded.text = "\n    "
    encoded.tail = "\n"
    for position, attachment in enumerate(encoded):
        attachment.text = "\n      "
        for index, child in enumerate(attachment):
            child.tail = "\n      " if index < len(attachment) - 1 else "\n    "
        attachment.tail = "\n    " if position < len(encoded) - 1 else "\n  "


def _write(parent: Any, name: str, value: Any) -> Any:
    from lxml import etree

    element = etree.SubElement(parent, _E + name)
    for spec, hint in _fields(type(value)):  # type: ignore[arg-type]  # (functools.cache: a class is hashable)
        if spec.name == "data":
            continue
        item = getattr(value, spec.name)
        if item is None:
            continue
        kind = _unwrap(hint)
        tag = spec.metadata["xml"]
        if typing.get_origin(kind) is list:
            wrapper_item = spec.metadata["item"]
            if wrapper_item is None:
                for entry in item:
                    _write_value(element, tag, entry)
            else:
                wrapper = etree.SubElement(element, _E + tag)
                for entry in item:
                    _write_value(wrapper, wrapper_item, entry)
        else:
            _write_value(element, tag, item)
    return element


def _write_value(parent: Any, tag: str, value: Any) -> None:
    from lxml import etree

    if dataclasses.is_dataclass(value):
        _write(parent, tag, value)
        return
    element = etree.SubElement(parent, _E + tag)
    if isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, datetime):
        element.text = value.strftime(_TIME_FORMAT)
    elif isinstance(value, date):
        element.text = value.strftime(_DATE_FORMAT)
    else:
        element.text = str(value)


def _validate(message: Message) -> None:
    """What a strict writer refuses."""
    header = message.header
    if header.from_ is not None and header.from_.organ_id is not None:
        ids.check_organ_id(header.from_.organ_id, "From/OrganId")
    for trace in message.trace_headers:
        if trace.organ_id is not None:
            ids.check_organ_id(trace.organ_id, "TraceHeader/OrganId")
    if isinstance(message, EdXMLMessage):
        if message.header.from_ is None or not message.header.from_.organ_id:
            raise InputError("an edXML package needs From/OrganId")
        if not message.header.to:
            raise InputError("an edXML package needs at least one To")
        for organization in message.header.to:
            if organization.organ_id is not None:
                ids.check_organ_id(organization.organ_id, "To/OrganId")
        if message.header.document_id is not None:
            ids.DocumentId.parse(message.header.document_id)
        if message.manifest:
            announced = [r.content_id for r in message.manifest]
            carried = [a.content_id for a in message.attachments]
            if sorted(map(str, announced)) != sorted(map(str, carried)):
                raise InputError("the manifest and the attachments do not list the same ContentIds")
        seen: set[str | None] = set()
        for attachment in message.attachments:
            if not attachment.content_id or not attachment.attachment_name:
                raise InputError("every attachment needs a ContentId and an AttachmentName")
            if attachment.content_id in seen:
                raise InputError(f"two attachments share ContentId {attachment.content_id}")
            seen.add(attachment.content_id)
    else:
        from kyso_edxml.model import StatusCode

        if message.header.status_code not in StatusCode._value2member_map_:
            raise InputError(f"StatusCode {message.header.status_code!r} is not in the code table")
        if message.header.response_for is None or not message.header.response_for.document_id:
            raise InputError("a status packet needs ResponseFor/DocumentId")


__all__ = ["DSIG_NAMESPACE", "build", "build_tree", "parse", "read_tree"]
