"""Hardened XML reading for edXML: no DTD, no entities, no network, bounded size, depth and element count.

A DOCTYPE is refused before libxml2 sees the document (so XXE and billion-laughs inputs are refused in
microseconds, whatever their entity declarations), and the parser itself is configured to resolve nothing and
fetch nothing in case one slips through. ``huge_tree`` is on because a single attachment of more than 10 MB is a
single text node (libxml2's default limit); the bounds here replace the ones it lifts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sdk.core.errors import InputError


@dataclass(frozen=True)
class Limits:
    """Bounds on a document read by the edXML plugin."""

    max_size: int = 256 * 1024 * 1024
    """Bytes; an edXML package carries its attachments base64-encoded, so allow for large ones."""
    max_depth: int = 64
    """Element nesting; edXML itself nests about 8 deep."""
    max_elements: int = 200_000


DEFAULT_LIMITS = Limits()

_PROLOG_ITEM = re.compile(rb"\s*(<\?.*?\?>|<!--.*?-->)", re.DOTALL)
_BOM = b"\xef\xbb\xbf"


def check_prolog(data: bytes) -> None:
    """Refuse a DOCTYPE (DTD, entities) and anything that is not UTF-8 before parsing."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00", b"\x00<", b"<\x00")):
        raise InputError("edXML must be UTF-8 (UTF-16/32 documents are not accepted)")
    position = len(_BOM) if data.startswith(_BOM) else 0
    while True:
        match = _PROLOG_ITEM.match(data, position)
        if not match:
            break
        position = match.end()
    rest = data[position : position + 9].lstrip()
    if rest.upper().startswith(b"<!DOCTYPE") or b"<!DOCTYPE" in data[: position + 64].upper():
        raise InputError("the XML document has a DOCTYPE: DTDs and entities are not allowed in edXML")


def parser() -> Any:
    """A fresh lxml parser that resolves no entity, loads no DTD, never touches the network and drops comments."""
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=True,
        remove_blank_text=False,
        # comments are outside C14N: one injected into a signed text (``<Subject>V/v t<!---->rest</Subject>``) keeps
        # the digest but would cut what ``element.text`` reads; dropped, the text around it is one text again
        remove_comments=True,
        collect_ids=False,
    )


def parse(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Any:
    """The lxml ``ElementTree`` of ``data``, or :class:`InputError` for anything unsafe or malformed."""
    from lxml import etree

    if len(data) > limits.max_size:
        raise InputError(f"the XML document is too large ({len(data)} bytes; the limit is {limits.max_size})")
    if not data or data.isspace():  # (not data.strip(): that copies the whole document)
        raise InputError("the XML document is empty")
    check_prolog(data)
    if data.count(b"<") > 4 * limits.max_elements:
        # every element takes one or two '<' (comments, PIs, CDATA one each): refused before libxml2 builds a tree
        # of millions of nodes, about 30 times the size of the document, only to count them afterwards
        raise InputError(f"the XML document has more than {limits.max_elements} elements")
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not well-formed XML: {_first_line(exc)}") from None
    except ValueError as exc:
        raise InputError(f"not usable XML: {exc}") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise InputError("the XML document has a DOCTYPE: DTDs and entities are not allowed in edXML")
    _check_shape(root, limits)
    return tree


def _check_shape(root: Any, limits: Limits) -> None:
    """Depth, element count, and no entity reference left in the tree."""
    from lxml import etree

    depth = 0
    count = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        depth += 1
        count += 1
        if depth > limits.max_depth:
            raise InputError(f"the XML document nests deeper than {limits.max_depth} elements")
        if count > limits.max_elements:
            raise InputError(f"the XML document has more than {limits.max_elements} elements")
        if isinstance(element, etree._Entity):
            raise InputError("the XML document uses entity references: not allowed in edXML")


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__


__all__ = ["DEFAULT_LIMITS", "Limits", "check_prolog", "parse", "parser"]
