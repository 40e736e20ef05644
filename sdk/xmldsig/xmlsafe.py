"""Hardened XML reading: no DTD, no entities, nothing loaded, bounded size, depth and counts. Every XML format of
Kyso (edXML, through :mod:`kyso_edxml.codec`) reads documents with :func:`parse`, and walks them with the element
helpers below (elements only: no comment, PI or entity node is ever taken for content).

Two independent walls. Before libxml2 sees the document, :func:`check_prolog` refuses anything it could read in
another encoding than UTF-8 and any markup declaration (``<!DOCTYPE``, ``<!ENTITY``...), wherever it stands; then
the parser itself (:func:`parser`) is configured so that it cannot load anything, should a declaration slip
through: no DTD, no entity substitution, no network, and a resolver that refuses every external resource (libxml2
2.14 still opens an external subset or an external parameter entity with lxml's ``load_dtd=False`` alone).

``huge_tree`` stays on: without it libxml2 refuses a text node over 10 MB, and one attachment is one base64 text
node. What it lifts is replaced here: the size, element, attribute and namespace counts are checked on the bytes
before parsing, depth and the per-element counts on the tree right after, before anything walks or canonicalizes
it (libxml2's C14N sorts attributes and namespaces quadratically: 100 000 attributes on one element, or 1 000
namespaces over 20 000 elements, took minutes).
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kyso.core.errors import InputError


@dataclass(frozen=True)
class Limits:
    """Bounds on a document read with :func:`parse` (docs/edxml.md, "Hardened reading")."""

    max_size: int = 256 * 1024 * 1024
    """Bytes; an edXML package carries its attachments base64-encoded, so allow for large ones."""
    max_depth: int = 64
    """Element nesting; edXML itself nests about 8 deep."""
    max_elements: int = 200_000
    max_attributes: int = 200_000
    """Attributes in the whole document (an edXML message has a few dozen)."""
    max_element_attributes: int = 64
    """Attributes on one element (libxml2's C14N sorts them in quadratic time)."""
    max_namespaces: int = 32
    """Namespace declarations in the whole document (C14N costs grow with their square times the elements)."""


DEFAULT_LIMITS = Limits()
GENERIC_LIMITS = Limits(max_elements=2_000_000, max_attributes=2_000_000)
"""Bounds of generic XML (e-invoices, vouchers, data exports): many small elements where edXML has a few big
texts. Only the linear counts grow; the quadratic ones (attributes on one element, namespaces) stay as edXML's."""

_BOM = b"\xef\xbb\xbf"
_BLANK = (b" ", b"\t", b"\r", b"\n")
_DECLARATION = re.compile(
    rb"""<\?xml [ \t\r\n]+ version [ \t\r\n]*=[ \t\r\n]* (?: "1\.[0-9]+" | '1\.[0-9]+' )
    (?: [ \t\r\n]+ encoding [ \t\r\n]*=[ \t\r\n]*
        (?: "([A-Za-z][A-Za-z0-9._-]{0,39})" | '([A-Za-z][A-Za-z0-9._-]{0,39})' ) )?
    (?: [ \t\r\n]+ standalone [ \t\r\n]*=[ \t\r\n]* (?: "(?:yes|no)" | '(?:yes|no)' ) )?
    [ \t\r\n]* \?>""",
    re.VERBOSE,
)
"""The XML declaration as XML 1.0 (production 23) writes it: what libxml2 reads, and nothing else."""
_UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
_LATE_DECLARATION = re.compile(rb"<\?xml[ \t\r\n?]")
_MARKUP_DECLARATION = re.compile(rb"<!(?!--|\[CDATA\[)")
"""After ``<!`` XML allows a comment, a CDATA section, or a DTD declaration (DOCTYPE, ENTITY, ELEMENT, ATTLIST,
NOTATION, conditional sections): only the first two are accepted."""

_DOCTYPE_REFUSED = "the XML document has a DOCTYPE: DTDs and entities are not allowed"


def check_prolog(data: bytes) -> None:
    """Kyso rule (issue 9, XML): refuse, before libxml2 reads a byte, a document it could decode otherwise than as
    UTF-8, and any DTD declaration anywhere in it.

    libxml2 decides the encoding from the first bytes (BOMs, UTF-16/32 and EBCDIC patterns) and then from the
    ``encoding`` of the XML declaration (UTF-7, cp037/cp500, UTF-16 and any other iconv charset): a ``<!DOCTYPE``
    written ``+ADw-!DOCTYPE`` in UTF-7, or in EBCDIC, or after a long run of whitespace, a BOM, comments or PIs,
    escaped the old prefix check and libxml2 read it. So the document must be what a byte scan sees: no NUL byte
    (UTF-16/32, BOM-less too; XML 1.0 forbids U+0000 anyway), an optional UTF-8 BOM then ``<`` or whitespace (an
    EBCDIC ``<`` is 0x4C, other BOMs start otherwise), a declaration libxml2 reads exactly as this function does
    naming UTF-8 or ASCII, no second declaration; in such a document the ASCII bytes ``<!`` are markup wherever
    they are, and anything after them but a comment or a CDATA section is a DTD declaration, refused.
    """
    if b"\x00" in data:
        raise InputError("the XML document must be UTF-8 (UTF-16/32 documents are not accepted)")
    start = len(_BOM) if data.startswith(_BOM) else 0
    if data[start : start + 1] not in (b"<", *_BLANK):
        raise InputError("the XML document must be UTF-8: it does not start with '<' (another encoding or a BOM)")
    end = start
    if data.startswith(b"<?xml", start) and data[start + 5 : start + 6] in (*_BLANK, b"?"):
        declaration = _DECLARATION.match(data, start)
        if declaration is None:
            raise InputError("the XML declaration is malformed")
        encoding = (declaration.group(1) or declaration.group(2) or b"utf-8").decode("ascii")
        if encoding.lower() not in _UTF8_NAMES:
            raise InputError(f"the XML declaration names encoding {encoding!r}: the document must be UTF-8")
        end = declaration.end()
    if _LATE_DECLARATION.search(data, end):
        raise InputError("the XML document has an XML declaration that is not at its start")
    if _MARKUP_DECLARATION.search(data, end):
        raise InputError(_DOCTYPE_REFUSED)


@dataclass(frozen=True)
class _ByteCounts:
    """Upper bounds read on the bytes: every element takes a ``<``, every attribute a ``=``, every entity
    reference a ``&``; a tree check that these already settle is skipped."""

    opens: int
    equals: int
    ampersand: bool


def _check_counts(data: bytes, limits: Limits) -> _ByteCounts:
    """Upper bounds read on the bytes, before libxml2 builds a tree about 30 times the size of the document."""
    counts = _ByteCounts(data.count(b"<"), data.count(b"="), b"&" in data)
    if counts.opens > 4 * limits.max_elements:
        # every element takes one or two '<' (comments, PIs, CDATA one each)
        raise InputError(f"the XML document has more than {limits.max_elements} elements")
    if counts.equals > 4 * limits.max_attributes:
        # every attribute takes one '='; base64 only pads with them
        raise InputError(f"the XML document has more than {limits.max_attributes} attributes ('=' signs)")
    if data.count(b"xmlns") > limits.max_namespaces:
        raise InputError(f"the XML document has more than {limits.max_namespaces} namespace declarations")
    return counts


class ExternalResourceRefused(Exception):
    """Raised by the parser's resolver: the document asked libxml2 to load something (DTD, entity, XInclude)."""


@functools.cache
def refusing_resolver() -> Any:
    from lxml import etree

    class RefuseEverything(etree.Resolver):  # type: ignore[misc]
        """Answers every request of libxml2's external entity loader (file, FIFO, /dev/stdin, URL) with a refusal:
        nothing is ever opened, whatever the parse options."""

        def resolve(self, url: str | None, pubid: str | None, context: Any) -> Any:
            raise ExternalResourceRefused()

    return RefuseEverything()


def parser_options() -> dict[str, Any]:
    """The options of every parser of a document: no entity resolved, no DTD or file loaded, never the network,
    comments dropped (:func:`parser`, and the streaming reader of :mod:`kyso.xmldsig.stream`)."""
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "attribute_defaults": False,
        "huge_tree": True,  # see the module docstring: the bounds here replace libxml2's
        "remove_blank_text": False,
        # comments are outside C14N: one injected into a signed text (``<Subject>V/v t<!---->rest</Subject>``) keeps
        # the digest but would cut what ``element.text`` reads; dropped, the text around it is one text again
        "remove_comments": True,
        "collect_ids": False,
    }


def parser() -> Any:
    """A fresh lxml parser that resolves no entity, loads no DTD and no file, never touches the network and drops
    comments."""
    from lxml import etree

    result = etree.XMLParser(**parser_options())
    result.resolvers.add(refusing_resolver())
    return result


def check_bytes(data: bytes, limits: Limits) -> _ByteCounts:
    """The checks made on the bytes before libxml2 reads them (size, counts, prolog); their counts settle some
    of the tree checks (:class:`ShapeCheck`)."""
    if len(data) > limits.max_size:
        raise InputError(f"the XML document is too large ({len(data)} bytes; the limit is {limits.max_size})")
    if not data or data.isspace():  # (not data.strip(): that copies the whole document)
        raise InputError("the XML document is empty")
    counts = _check_counts(data, limits)
    check_prolog(data)
    return counts


def parse(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Any:
    """The lxml ``ElementTree`` of ``data``, or :class:`InputError` for anything unsafe or malformed."""
    from lxml import etree

    counts = check_bytes(data, limits)
    with reading_errors():
        root = etree.fromstring(data, parser())
    tree = root.getroottree()
    check_no_doctype(tree)
    ShapeCheck(limits, counts).check(root)
    return tree


@contextlib.contextmanager
def reading_errors() -> Iterator[None]:
    """What libxml2 refuses while reading a document (:func:`parse`, the stream of :mod:`kyso.xmldsig.stream`),
    as the :class:`InputError` that says it."""
    from lxml import etree

    try:
        yield
    except ExternalResourceRefused:
        raise InputError("the XML document refers to an external resource (DTD or entity): nothing is loaded") from None
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not well-formed XML: {_first_line(exc)}") from None
    except ValueError as exc:
        raise InputError(f"not usable XML: {exc}") from None


def check_no_doctype(tree: Any) -> None:
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise InputError(_DOCTYPE_REFUSED)


class ShapeCheck:
    """Depth, element and attribute counts, and no entity reference left in the tree: each one XPath query or
    filtered walk run by libxml2 (a Python walk of every element costs more than the whole digest of a document
    of small elements), skipped where the byte counts already settle it.

    A tree read in batches (:mod:`kyso.xmldsig.stream`) is checked batch by batch, each batch with its
    ancestors, before it is canonicalized; what was cut out of it is counted with :meth:`trimmed`."""

    def __init__(self, limits: Limits, counts: _ByteCounts) -> None:
        self.limits = limits
        self.counts = counts
        self.gone_elements = 0
        self.gone_attributes = 0

    def check(self, root: Any) -> None:
        from lxml import etree

        limits, counts = self.limits, self.counts
        if counts.opens > limits.max_depth and root.xpath("/" + "*/" * limits.max_depth + "*"):
            raise InputError(f"the XML document nests deeper than {limits.max_depth} elements")
        elements, attributes = self.sizes(root)
        if self.gone_elements + elements > limits.max_elements:
            raise InputError(f"the XML document has more than {limits.max_elements} elements")
        many = int(limits.max_element_attributes) + 1
        if counts.equals >= many and root.xpath(f"boolean(//*/@*[{many}])"):
            raise InputError(f"an XML element has more than {limits.max_element_attributes} attributes")
        if self.gone_attributes + attributes > limits.max_attributes:
            raise InputError(f"the XML document has more than {limits.max_attributes} attributes")
        if counts.ampersand:
            for _entity in root.iter(etree.Entity):
                raise InputError("the XML document uses entity references: not allowed")

    def sizes(self, root: Any) -> tuple[int, int]:
        """(elements, attributes) of the tree, each counted only when the byte counts do not settle its bound."""
        limits, counts = self.limits, self.counts
        elements = int(root.xpath("count(//*)")) if counts.opens > limits.max_elements else 0
        attributes = int(root.xpath("count(//@*)")) if counts.equals > limits.max_attributes else 0
        return elements, attributes

    def trimmed(self, elements: int, attributes: int) -> None:
        self.gone_elements += elements
        self.gone_attributes += attributes


def local_name(element: Any) -> str:
    """The element's name without its namespace (``""`` for a comment or PI)."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def namespace_uri(element: Any) -> str | None:
    """The element's namespace URI, ``None`` for no namespace (or a comment or PI)."""
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else None


def child_elements(parent: Any) -> list[Any]:
    """The element children of ``parent`` (no comments, PIs or entity references)."""
    return [c for c in parent if isinstance(c.tag, str)]


def text_before(element: Any) -> str | None:
    """The text just before ``element`` (it has a parent): its previous sibling's tail, or its parent's text."""
    previous = element.getprevious()
    return previous.tail if previous is not None else element.getparent().text  # type: ignore[no-any-return]


def set_text_before(element: Any, text: str | None) -> None:
    previous = element.getprevious()
    if previous is not None:
        previous.tail = text
    else:
        element.getparent().text = text


def element_path(element: Any) -> str:
    """A readable path of ``element`` from the root: local names, ``[n]`` among same-named siblings, ``[@Id='x']``
    where the element has an Id (``/HDon/DLHDon[@Id='hd1']``): what the report names as signed."""
    steps = []
    current = element
    while current is not None:
        name = local_name(current)
        identifier = next((current.get(a) for a in ("Id", "ID", "id") if current.get(a) is not None), None)
        parent = current.getparent()
        step = name
        if identifier is not None:
            step += f"[@{next(a for a in ('Id', 'ID', 'id') if current.get(a) is not None)}='{identifier}']"
        elif parent is not None:
            same = [c for c in parent if c.tag == current.tag]
            if len(same) > 1:
                step += f"[{same.index(current) + 1}]"
        steps.append(step)
        current = parent
    return "/" + "/".join(reversed(steps))


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__


__all__ = [
    "DEFAULT_LIMITS",
    "GENERIC_LIMITS",
    "ExternalResourceRefused",
    "Limits",
    "ShapeCheck",
    "check_bytes",
    "check_no_doctype",
    "check_prolog",
    "parser_options",
    "refusing_resolver",
    "set_text_before",
    "text_before",
    "reading_errors",
    "child_elements",
    "element_path",
    "local_name",
    "namespace_uri",
    "parse",
    "parser",
]
