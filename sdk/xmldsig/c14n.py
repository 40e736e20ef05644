"""Canonical XML (C14N 1.0, inclusive or exclusive) for digests and signature values, streamed and without copies.

The digest of a whole document is computed by streaming lxml's C14N writer into the hash (no copy of the
document); element texts over :data:`BIG_TEXT` characters (base64 attachments) are swapped for random markers
while the tree is digested or serialized, so that libxml2 never makes its transient copies of them, and each is
hashed (or written) in place, escaped as C14N (or the serializer) would.

lxml's C14N of a subtree under a default namespace adds spurious ``xmlns=""`` to grandchildren (signxml issue
#275): exclusive C14N is not affected; for inclusive C14N of an element the declarations are excised, only when no
element of the subtree is in no namespace (then no ``xmlns=""`` can be genuine), as :func:`c14n_element` does.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import re
import secrets
from collections.abc import Iterator
from typing import Any

from kyso.core.errors import InputError
from kyso.xmldsig.xmlsafe import namespace_uri


@contextlib.contextmanager
def detached(signature: Any) -> Iterator[None]:
    """The enveloped-signature transform: take ``signature`` out of its tree (its tail text stays where it was),
    and put it back afterwards."""
    parent = signature.getparent()
    if parent is None:
        yield
        return
    previous = signature.getprevious()
    index = parent.index(signature)
    tail = signature.tail
    saved = previous.tail if previous is not None else parent.text
    parent.remove(signature)  # lxml moves the tail text with the element: give it back to the neighbour
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    try:
        yield
    finally:
        if previous is not None:
            previous.tail = saved
        else:
            parent.text = saved
        parent.insert(index, signature)
        signature.tail = tail


@contextlib.contextmanager
def refused_by_c14n() -> Iterator[None]:
    """libxml2's C14N refuses some documents it parsed (a relative namespace URI: C14N 1.0 forbids them): an
    :class:`InputError` that says so, not lxml's exception."""
    from lxml import etree

    try:
        yield
    except etree.C14NError as exc:
        raise InputError(f"the XML document cannot be canonicalized: {exc}") from None


def c14n_element(element: Any, *, exclusive: bool, prefixes: list[str] | None) -> bytes:
    """The canonical form of one element (``SignedInfo``, or the element a same-document Reference names)."""
    from lxml import etree

    with refused_by_c14n():
        result = etree.tostring(
            element, method="c14n", exclusive=exclusive, with_comments=False, inclusive_ns_prefixes=prefixes
        )
    if (
        not exclusive
        and b' xmlns=""' in result
        and all(namespace_uri(e) for e in element.iter() if isinstance(e.tag, str))
    ):
        # lxml subtree C14N bug (see module docstring): no element here is in no namespace, so none is genuine
        result = result.replace(b' xmlns=""', b"")
    return result


BIG_TEXT = 256 * 1024
"""Characters above which an element's text (a base64 attachment) is taken out of the tree while it is digested or
serialized, so that libxml2 never makes its two or three transient copies of it."""


_CHUNK = 1 << 20


@dataclasses.dataclass
class BigText:
    element: Any
    marker: bytes
    text: str


def take_big_texts(tree: Any) -> list[BigText]:
    """Swap every element text over :data:`BIG_TEXT` characters for a short random marker, in document order.

    Digesting or serializing the tree then streams the markers, and each is replaced by its text, escaped as C14N
    (or the serializer) would, a chunk at a time. The markers are random per call: a document cannot contain one.
    """
    token = secrets.token_hex(16)
    taken: list[BigText] = []
    for element in tree.getroot().iter():
        if not isinstance(element.tag, str):
            continue
        text = element.text
        if text is not None and len(text) > BIG_TEXT:
            marker = f"kyso{token}n{len(taken)}z"
            element.text = marker
            taken.append(BigText(element, marker.encode("ascii"), text))
        del text
    return taken


_LONG_RUN = re.compile(rb"<[^<]{%d}" % BIG_TEXT)
"""A ``<`` followed by :data:`BIG_TEXT` bytes without one: an element text that long follows a tag's ``<``. The
engine jumps from ``<`` to ``<``, so the scan is linear."""


def may_hold_big_text(data: bytes) -> bool:
    """Whether a document's bytes may hold an element text over :data:`BIG_TEXT` characters: when not, digesting
    and serializing skip the walk of every element that looks for them (a document of small elements)."""
    return len(data) > BIG_TEXT and _LONG_RUN.search(data) is not None


class TakenTexts:
    """The big texts of one tree, taken out on first need and put back on request (verification of a message
    that nobody reads afterwards leaves them out: putting 20 MB back into libxml2 costs two more copies)."""

    def __init__(self, tree: Any, *, big: bool = True) -> None:
        self.tree = tree
        self.big = big
        """``False`` when the caller knows no text is big (:func:`may_hold_big_text`): nothing to take out."""
        self.taken: list[BigText] | None = None

    def take(self) -> list[BigText]:
        if self.taken is None:
            self.taken = take_big_texts(self.tree) if self.big else []
        return self.taken

    def put_back(self) -> None:
        if self.taken is not None:
            put_back(self.taken)
            self.taken = None


def put_back(taken: list[BigText]) -> None:
    for big in taken:
        big.element.text = big.text
    taken.clear()


_C14N_TEXT = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#xD;"))
"""How C14N writes a text node (XML-C14N 1.0, "Text Nodes")."""


def escape_text(text: str | None) -> str:
    """A text node as C14N writes it."""
    text = text or ""
    for raw, entity in _C14N_TEXT:
        if raw in text:
            text = text.replace(raw, entity)
    return text


_XML_TEXT = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;"))


def _escaped_chunks(text: str, table: tuple[tuple[str, str], ...]) -> Iterator[bytes]:
    for start in range(0, len(text), _CHUNK):
        piece = text[start : start + _CHUNK]
        for raw, entity in table:
            if raw in piece:
                piece = piece.replace(raw, entity)
        yield piece.encode("utf-8")


class _MarkedWriter:
    """Passes a stream written by lxml (a C14N or a serialization of a tree whose big texts were swapped for
    markers) on to ``update``, each marker replaced in place by its text, escaped per ``table``; with ``release``
    each text is let go once written (serialization: the output holds it now)."""

    def __init__(
        self, update: Any, taken: list[BigText], table: tuple[tuple[str, str], ...], *, release: bool = False
    ) -> None:
        self.update = update
        self.release = release
        self.taken = taken
        self.table = table
        self.index = 0
        self.pending = b""

    def write(self, data: bytes) -> None:
        buffer = self.pending + data if self.pending else data
        while self.index < len(self.taken):
            big = self.taken[self.index]
            position = buffer.find(big.marker)
            if position < 0:
                keep = len(big.marker) - 1
                cut = max(0, len(buffer) - keep)
                self.update(buffer[:cut])
                self.pending = buffer[cut:]
                return
            self.update(buffer[:position])
            for chunk in _escaped_chunks(big.text, self.table):
                self.update(chunk)
            if self.release:
                big.text = ""
            buffer = buffer[position + len(big.marker) :]
            self.index += 1
        self.update(buffer)
        self.pending = b""

    def finish(self, what: str) -> None:
        if self.index != len(self.taken):
            raise RuntimeError(f"a large text was not found in the {what}")
        self.update(self.pending)
        self.pending = b""


def digest_tree(
    tree: Any, algorithm: str, *, exclusive: bool, prefixes: list[str] | None, taken: list[BigText] | None = None
) -> bytes:
    """Digest of the canonical form of the whole document, streamed into the hash (no copy of the message)."""
    own = taken is None
    if taken is None:
        taken = take_big_texts(tree)
    try:
        digest = hashlib.new(algorithm)
        sink = _MarkedWriter(digest.update, taken, _C14N_TEXT)
        with refused_by_c14n():
            tree.write_c14n(sink, exclusive=exclusive, with_comments=False, inclusive_ns_prefixes=prefixes)
        sink.finish("canonical form")
        return digest.digest()
    finally:
        if own:
            put_back(taken)


def serialize(tree: Any, taken: list[BigText]) -> bytes:
    """The document as UTF-8 bytes with its XML declaration, big texts spliced back in (and released).

    Written by lxml a chunk at a time straight into the output buffer: ``etree.tostring`` would build the whole
    serialization in libxml2 and then copy it into a Python object, two copies of the output next to the tree."""
    output = io.BytesIO()
    sink = _MarkedWriter(output.write, taken, _XML_TEXT, release=True)
    tree.write(sink, xml_declaration=True, encoding="UTF-8")
    sink.finish("serialized document")
    taken.clear()
    return output.getvalue()  # (no copy: BytesIO hands over its buffer)


__all__ = [
    "BIG_TEXT",
    "BigText",
    "TakenTexts",
    "c14n_element",
    "detached",
    "digest_tree",
    "escape_text",
    "may_hold_big_text",
    "refused_by_c14n",
    "serialize",
    "take_big_texts",
]
