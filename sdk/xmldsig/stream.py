"""Streaming canonicalization: the digest of a large document's canonical form, computed while libxml2 reads it,
with at most one batch of its tree in memory.

A DOM of many small elements is about ten times the document (an element, a text and a tail node per field), so a
20 MB voucher register costs 200 MB before anything is digested. Here the document is fed to libxml2's push
parser a batch at a time; after each batch everything that is complete is canonicalized *in place*, by libxml2's
own C14N of the tree as it stands (never a copy or a moved node: lxml re-binds the namespaces of a moved subtree
by URI, which can change a prefix and so the canonical bytes), then cut out of the tree. What stays is the
**spine** (the open elements, each the last child of the one above), and the parts a verifier needs
(:data:`KEPT`: every ``Signature``, ``SignedInfo`` and ``SignatureValue``, with their ancestors).

The bookkeeping that makes the output exact, checked at every batch:

- the canonical form of the trimmed tree is ``prefix + new + frontier``: ``prefix`` is what earlier batches
  emitted and still stands in the tree (the spine's start tags, the kept parts), recomputed after each cut;
  ``frontier`` is what the parser may still extend (the deepest text or tail, the spine's end tags), computed
  from the tree and escaped as C14N does. Both are checked against libxml2's output before ``new`` is emitted;
- a batch is not cut while a kept part is still being read (it is on the spine);
- the enveloped-signature transform: the one signature (a second one sends the caller back to the tree) gets two
  random markers, at the end of the text before it and at the start of its tail, and everything between them is
  excised from the canonical bytes, which joins the two texts as the transform does; the signature itself stays
  in place, in its real ancestors, for the verifier (:class:`StreamedDocument`).

The hardened reading is :mod:`kyso.xmldsig.xmlsafe`'s, the same walls and the same bounds: the byte checks first,
the same parser options, the tree checks on each batch before it is canonicalized (:class:`~kyso.xmldsig.xmlsafe.
ShapeCheck`). Anything this cannot answer exactly raises :class:`StreamMiss`: the caller reads the document as
one tree instead (correct, only bigger).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kyso.xmldsig.c14n import escape_text
from kyso.xmldsig.policy import ID_ATTRIBUTES
from kyso.xmldsig.xmlsafe import (
    Limits,
    ShapeCheck,
    check_bytes,
    check_no_doctype,
    local_name,
    parser_options,
    reading_errors,
    refusing_resolver,
    set_text_before,
    text_before,
)

STREAM_FROM = 512 * 1024
"""Documents from this size are streamed; a smaller one is read as one tree (cheaper, and small)."""
BATCH_MIN = 64 * 1024
BATCH_MAX = 1024 * 1024
BATCHES = 32
"""A document is fed in about this many batches, each between :data:`BATCH_MIN` and :data:`BATCH_MAX` bytes:
the tree of one batch is about ten times it."""
KEPT = ("{*}Signature", "{*}SignedInfo", "{*}SignatureValue")
"""Elements kept in the tree whatever their namespace: the verifier counts them in the whole document (one
SignedInfo per Signature, none astray: signature wrapping)."""
MAX_KEPT_BYTES = 8 * 1024 * 1024
"""Canonical bytes of kept parts above which streaming stops (a giant ``Signature`` is read as one tree)."""
_SIGNATURE_GUESS_WINDOW = 1024 * 1024


class StreamMiss(Exception):
    """The stream cannot answer this exactly (another canonicalization, a second signature, a reference into the
    trimmed part): read the document as one tree."""


@dataclass(frozen=True)
class Canonical:
    """One canonical form to digest: C14N 1.0 inclusive or exclusive (1.1 gives the same bytes for a whole
    document), the inclusive prefixes of exclusive C14N, the digest algorithm."""

    exclusive: bool
    prefixes: tuple[str, ...] | None = None
    digest: str = "sha256"


class StreamedDocument:
    """A document read by batches: ``digest`` of its canonical form (the one ``Signature`` of
    ``signature_namespaces`` taken out, when asked), and ``tree``, what is left of it: the root, the kept parts in
    place, the last batch.

    ``tree`` is a trimmed tree: only :meth:`whole_digest`, :meth:`resolve` and :meth:`check_target` say what the
    document holds beyond it (a verifier never digests or reads an element of it that lost content).
    """

    def __init__(
        self,
        data: bytes,
        limits: Limits,
        canonical: Canonical,
        *,
        signature_namespaces: tuple[str | None, ...] | None = None,
        id_values: tuple[str, ...] = (),
        before_final: Callable[[Any], None] | None = None,
    ) -> None:
        """:param signature_namespaces: verification: keep :data:`KEPT`, and take the one ``Signature`` in these
            namespaces out of the digest (enveloped-signature transform); ``None`` (signing): keep nothing.
        :param id_values: Id values whose elements are counted in the trimmed part (a verifier's duplicate check).
        :param before_final: called with the root once the whole document is read, before the last batch is
            canonicalized (signing: the indentation the signature will take).

        :raises InputError: unsafe or malformed, as :func:`kyso.xmldsig.xmlsafe.parse` says it.
        :raises StreamMiss: a second signature, or kept parts too big to stream.
        """
        self.canonical = canonical
        self.verifying = signature_namespaces is not None
        self.signature_tags = {_clark(n) for n in signature_namespaces or ()}
        self.signature: Any = None
        """The one signature taken out of the digest (verification), in place in ``tree``."""
        self.around_signature: tuple[str, str] = ("", "")
        """(text before, tail) of :attr:`signature` as the document has them, for the placement check."""
        self._hash = hashlib.new(canonical.digest)
        self._markers = tuple(f"kyso{secrets.token_hex(16)}{side}" for side in "ab")
        self._prefix = b""
        self._id_query = _id_query(id_values) if id_values else None
        self.trimmed_ids: Counter[str] = Counter({v: 0 for v in id_values})
        self._shape = ShapeCheck(limits, check_bytes(data, limits))
        self.tree = self._read(data, before_final)
        self.digest = self._hash.digest()

    # -- what the verifier asks -------------------------------------------------------------------------------

    def whole_digest(self, signature: Any, canonical: Canonical) -> bytes:
        """The digest of the whole document without ``signature`` (enveloped-signature transform), canonicalized
        as ``canonical`` says; :class:`StreamMiss` for another signature or another canonical form."""
        if signature is not self.signature or canonical != self.canonical:
            raise StreamMiss("the stream digested another canonical form")
        return self.digest

    def check_target(self, element: Any) -> None:
        """A same-document reference's element must be whole in the trimmed tree: a part of the signature."""
        signature = self.signature
        if signature is None or not (element is signature or any(a is signature for a in element.iterancestors())):
            raise StreamMiss("a reference names an element outside the signature")

    def resolve(self, identifier: str, found: list[Any]) -> list[Any]:
        """``found`` (the elements of ``tree`` with this Id) and one stand-in per element of the trimmed part."""
        if identifier not in self.trimmed_ids:
            raise StreamMiss(f"Id {identifier!r} was not counted while streaming")
        if not found and self.trimmed_ids[identifier] == 1:
            raise StreamMiss(f"the element with Id {identifier!r} was cut out while streaming")
        return found + [None] * self.trimmed_ids[identifier]

    # -- reading ----------------------------------------------------------------------------------------------

    def _read(self, data: bytes, before_final: Callable[[Any], None] | None) -> Any:
        from lxml import etree

        batch = max(BATCH_MIN, min(BATCH_MAX, len(data) // BATCHES))
        root = None
        with reading_errors():
            parser = etree.XMLPullParser(events=("start",), tag="{*}" + _root_local_name(data), **parser_options())
            parser.resolvers.add(refusing_resolver())
            for offset in range(0, len(data), batch):
                parser.feed(data[offset : offset + batch])
                for _event, element in parser.read_events():
                    if root is None:
                        root = element.getroottree().getroot()
                if root is not None:
                    self._flush(root)
            root = parser.close()
        tree = root.getroottree()
        check_no_doctype(tree)
        self._shape.check(root)
        self._find_kept(root, final=True)
        if before_final is not None:
            before_final(root)
        output = self._canonical(tree)
        if not output.startswith(self._prefix):
            raise AssertionError("streamed C14N: the document's start changed")  # pragma: no cover - a bug
        self._hash.update(memoryview(output)[len(self._prefix) :])
        self._restore_placement()
        return tree

    def _flush(self, root: Any) -> None:
        """Emit and cut what is complete; nothing while the epilogue or a kept part is being read."""
        if root.getnext() is not None:
            return
        spine, leaf = _spine(root)
        if self.verifying and any(_kept(e) for e in spine):
            return
        self._shape.check(root)
        self._find_kept(root, final=False)
        frontier = _frontier(spine, leaf)
        tree = root.getroottree()
        output = self._canonical(tree)
        if not (output.startswith(self._prefix) and output.endswith(frontier)):
            raise AssertionError("streamed C14N: prefix or frontier mismatch")  # pragma: no cover - a bug
        self._hash.update(memoryview(output)[len(self._prefix) : len(output) - len(frontier)])
        del output
        elements, attributes = self._shape.sizes(root)
        ids = self._ids(root)
        self._trim(spine, leaf)
        left_elements, left_attributes = self._shape.sizes(root)
        self._shape.trimmed(elements - left_elements, attributes - left_attributes)
        if ids:
            self.trimmed_ids.update(ids - self._ids(root))
        rest = self._canonical(tree)
        if not rest.endswith(frontier):
            raise AssertionError("streamed C14N: the frontier moved")  # pragma: no cover - a bug
        if len(rest) > MAX_KEPT_BYTES:
            raise StreamMiss("the parts kept while streaming are too big")
        self._prefix = rest[: len(rest) - len(frontier)]

    def _ids(self, root: Any) -> Counter[str]:
        return Counter(self._id_query(root)) if self._id_query is not None else Counter()

    def _canonical(self, tree: Any) -> bytes:
        """libxml2's C14N of the tree as it stands, the marked signature excised."""
        import io

        from lxml import etree

        sink = io.BytesIO()
        canonical = self.canonical
        try:
            tree.write_c14n(
                sink,
                exclusive=canonical.exclusive,
                with_comments=False,
                inclusive_ns_prefixes=list(canonical.prefixes) if canonical.prefixes else None,
            )
        except etree.C14NError:  # a namespace URI C14N refuses (relative, or one the parser reports only at the end)
            raise StreamMiss("libxml2's C14N refuses this document: the tree says why") from None
        output = sink.getvalue()
        if self.signature is None:
            return output
        start_marker, end_marker = (m.encode("ascii") for m in self._markers)
        start = output.find(start_marker)
        end = output.find(end_marker, start)
        if start < 0 or end < 0:
            raise AssertionError("streamed C14N: a signature marker is missing")  # pragma: no cover - a bug
        return output[:start] + output[end + len(end_marker) :]

    def _find_kept(self, root: Any, *, final: bool) -> None:
        """Mark the one signature (verification) once it is complete, where it stands."""
        if not self.verifying:
            return
        signatures = [e for e in root.iter(*KEPT) if e.tag in self.signature_tags]
        if len(signatures) > 1:
            raise StreamMiss("several signatures")
        if not signatures or self.signature is not None:
            return
        signature = signatures[0]
        if signature.getparent() is None:
            raise StreamMiss("the signature is the document (enveloping)")
        before = text_before(signature) or ""
        self.around_signature = (before, signature.tail or "")
        start, end = self._markers
        set_text_before(signature, before + start)
        signature.tail = end + (signature.tail or "")
        self.signature = signature

    def _trim(self, spine: list[Any], leaf: Any) -> None:
        """Cut everything emitted out of the tree: each spine element keeps its last child (the parser's) and the
        kept parts, texts and tails emptied (their bytes are in the prefix from now on)."""
        kept = list(spine[0].iter(*KEPT)) if self.verifying else []
        holders = _holders(kept)
        for depth, element in enumerate(spine):
            if depth + 1 < len(spine) or leaf is not None:
                self._thin(element, keep_last=True, holders=holders)

    def _thin(self, element: Any, *, keep_last: bool, holders: dict[int, Any]) -> None:
        """Empty ``element`` of what was emitted: its text, and its children but the last (``keep_last``) and
        those that hold a kept part (thinned in turn, a kept part itself left whole)."""
        element.text = None
        end = len(element) - (1 if keep_last else 0)
        inside = sorted((element.index(h), h) for h in holders.values() if h.getparent() is element)
        inside = [(index, h) for index, h in inside if index < end]
        bounds = [index for index, _ in inside]
        for low, high in reversed(list(zip([-1, *bounds], [*bounds, end], strict=True))):
            if high > low + 1:
                del element[low + 1 : high]
        for _, child in inside:
            child.tail = None
            if not _kept(child):
                self._thin(child, keep_last=False, holders=holders)
        signature = self.signature
        if signature is not None and signature.getparent() is element:
            set_text_before(signature, self._markers[0])
            signature.tail = self._markers[1]

    def _restore_placement(self) -> None:
        """Give the signature back the texts around it that the placement check reads (blank or not, as in the
        document), the markers gone."""
        signature = self.signature
        if signature is None:
            return
        before, after = self.around_signature
        set_text_before(signature, _stand_in(before))
        signature.tail = _stand_in(after)


_KEPT_NAMES = frozenset(tag.split("}")[1] for tag in KEPT)


def _kept(element: Any) -> bool:
    return local_name(element) in _KEPT_NAMES




def _holders(kept: list[Any]) -> dict[int, Any]:
    """The kept parts and every ancestor of one, by ``id``."""
    holders: dict[int, Any] = {}
    for element in kept:
        holders[id(element)] = element
        holders.update((id(a), a) for a in element.iterancestors())
    return holders


def _stand_in(text: str) -> str:
    return "" if not text.strip() else text.strip()[:64]


def _clark(namespace: str | None) -> str:
    return f"{{{namespace}}}Signature" if namespace else "Signature"


def _spine(root: Any) -> tuple[list[Any], Any]:
    """The open path of the tree: the root, its last child, that one's last child...; and the last node if it is
    not an element (a processing instruction)."""
    chain = [root]
    node = root
    while True:
        try:
            last = node[-1]
        except IndexError:
            return chain, None
        if not isinstance(last.tag, str):
            return chain, last
        chain.append(last)
        node = last


def _frontier(spine: list[Any], leaf: Any) -> bytes:
    """The end of the trimmed tree's canonical form that the parser may still extend: the deepest text (or the
    last node's tail), then each spine element's end tag and tail."""
    parts = [escape_text(leaf.tail if leaf is not None else spine[-1].text)]
    for depth in range(len(spine) - 1, -1, -1):
        element = spine[depth]
        parts.append(f"</{_qualified(element)}>")
        if depth:
            parts.append(escape_text(element.tail))
    return "".join(parts).encode("utf-8")


def _qualified(element: Any) -> str:
    prefix = element.prefix
    name = local_name(element)
    return f"{prefix}:{name}" if prefix else name


_PROLOG_ITEM = re.compile(rb"[ \t\r\n]*(?:<\?.*?\?>|<!--.*?-->)", re.DOTALL)
_FIRST_TAG = re.compile(rb"[ \t\r\n]*<([^ \t\r\n/>]+)")


def _root_local_name(data: bytes) -> str:
    """The root element's local name, read on the bytes after the prolog (the parser reports only elements of that
    name: the first is the root)."""
    position = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while True:
        item = _PROLOG_ITEM.match(data, position)
        if item is None:
            break
        position = item.end()
    first = _FIRST_TAG.match(data, position)
    if first is None:
        raise StreamMiss("no root element found on the bytes")
    return first.group(1).split(b":")[-1].decode("utf-8", "replace")


def _id_query(values: tuple[str, ...]) -> Callable[[Any], list[str]]:
    """For each element of a tree with an Id attribute (:data:`~kyso.xmldsig.policy.ID_ATTRIBUTES`) equal to one
    of ``values``, each of those values once: what :class:`~kyso.xmldsig.policy.IdIndex` counts (elements, not
    attributes)."""
    from lxml import etree

    tests, namespaces = [], {}
    for number, attribute in enumerate(ID_ATTRIBUTES):
        if attribute.startswith("{"):
            uri, name = attribute[1:].split("}", 1)
            namespaces[f"n{number}"] = uri
            attribute = f"n{number}:{name}"
        tests.append(f"@{attribute}[{' or '.join(f'. = $v{n}' for n in range(len(values)))}]")
    query = etree.XPath(f"//*[{' or '.join(tests)}]", namespaces=namespaces)
    variables = {f"v{number}": value for number, value in enumerate(values)}
    wanted = set(values)

    def found(root: Any) -> list[str]:
        return [v for e in query(root, **variables) for v in {e.get(a) for a in ID_ATTRIBUTES} & wanted]

    return found


_URI_IDS = re.compile(rb"""URI=(?:"#([^"#]{1,200})"|'#([^'#]{1,200})')""")
_WHOLE_REFERENCE = re.compile(
    rb"""URI=(?:""|'')(.{0,4000}?)DigestMethod[^>]{0,200}?Algorithm=["']([^"']{1,200})""", re.DOTALL
)
_ALGORITHM = re.compile(rb"""Algorithm=["']([^"']{1,200})["']""")
_PREFIX_LIST = re.compile(rb"""PrefixList=["']([^"']{0,400})["']""")


def guess_signature(data: bytes) -> tuple[Canonical, tuple[str, ...]] | None:
    """What the last whole-document Reference at the document's end asks for (its canonicalization and digest)
    and the Ids its neighbours name, read on the bytes: a guess that spares a second read; the verifier checks
    it against the parsed signature (:meth:`StreamedDocument.whole_digest`). ``None``: no such Reference."""
    from kyso.xmldsig.policy import C14N_METHODS, DIGEST_METHODS, MAX_REFERENCES

    tail = data[-_SIGNATURE_GUESS_WINDOW:]
    last = max(tail.rfind(b'URI=""'), tail.rfind(b"URI=''"))  # one match tried: linear whatever the document
    found = _WHOLE_REFERENCE.match(tail, last) if last >= 0 else None
    if found is None:
        return None
    transforms, digest_uri = found.group(1), found.group(2).decode("ascii", "replace")
    exclusive = False
    prefixes: tuple[str, ...] | None = None
    for algorithm in _ALGORITHM.findall(transforms):
        exclusive = C14N_METHODS.get(algorithm.decode("ascii", "replace"), exclusive)
    listed = _PREFIX_LIST.search(transforms)
    if exclusive and listed:
        prefixes = tuple(p if p != "#default" else "" for p in listed.group(1).decode("utf-8", "replace").split())
    digest = DIGEST_METHODS.get(digest_uri)
    if digest is None:
        return None
    ids: dict[str, None] = {}
    for named in _URI_IDS.finditer(tail):
        ids.setdefault((named.group(1) or named.group(2)).decode("utf-8", "replace"))
        if len(ids) == MAX_REFERENCES:
            break
    return Canonical(exclusive, prefixes or None, digest), tuple(ids)


__all__ = [
    "BATCH_MAX",
    "BATCH_MIN",
    "KEPT",
    "STREAM_FROM",
    "Canonical",
    "StreamMiss",
    "StreamedDocument",
    "guess_signature",
]
