"""XML-DSig signing, through the Kyso ``Signer`` protocol: enveloped, enveloping and detached, plain or XAdES.

One ``Signature`` (XML-DSig namespace) with a Reference to what is signed (``URI=""`` for the whole document,
``#id`` for one element, a name for a detached content), the signer's certificate then its chain in
``KeyInfo/X509Data``, RSA or ECDSA with the digest of the :class:`Layout`. The key never leaves the ``Signer``:
only the canonical ``SignedInfo`` goes to ``signer.sign_raw(data, digest)``, so a token or a remote signer works
too. The digest of what encloses the signature is computed before the signature exists (the tree is never cut and
patched), streamed, big texts kept out (:mod:`kyso.xmldsig.c14n`); a reference to an ``Object`` of the signature
(XAdES SignedProperties, the e-invoice's SigningTime) is digested in place, where a verifier finds it.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kyso.core.errors import SignerError, SigningError
from kyso.core.models import Level, NetworkBudget
from kyso.core.signer import Signer
from kyso.xmldsig.c14n import c14n_element, digest_tree, serialize, take_big_texts
from kyso.xmldsig.policy import (
    C14N_METHODS,
    DIGEST_URIS,
    DSIG,
    ENVELOPED,
    EXC_C14N,
    SIGNATURE_PROPERTIES_TYPE,
    SIGNED_PROPERTIES_TYPE,
)
from kyso.xmldsig.xmlsafe import Limits, child_elements, local_name, namespace_uri


@dataclass(frozen=True)
class Layout:
    """How a signature is written (what is signed and where is the caller's)."""

    c14n: str = EXC_C14N
    """Canonicalization of SignedInfo and of the references (edXML: exclusive; e-invoices: inclusive 1.0)."""
    digest: str = "sha256"
    """Digest of the references and of the signature method (``sha256``, ``sha384``, ``sha512``)."""
    signature_id: str | None = None
    """``Signature/@Id``; XAdES and the signing-time object need one (a fresh one when ``None``)."""
    signing_time_object: bool = False
    """Add the e-invoice's ``Object/SignatureProperties/SignatureProperty[@Target]/SigningTime`` (Nghị định
    123/2020), signed by a second Reference."""
    xades: bool = False
    """Add XAdES SignedProperties (B-B), then per ``level`` the time-stamp (B-T) and validation data (B-LT)."""
    level: Level = Level.B_B
    tsa: str | None = None
    budget: NetworkBudget | None = None
    moment: datetime | None = None
    """Signing time written in the signature; ``None``: now."""


def sign_enveloped(
    tree: Any,
    parent: Any,
    signer: Signer,
    *,
    signature_id: str | None = None,
    target: Any = None,
    layout: Layout | None = None,
    big_texts: bool = True,
) -> bytes:
    """Sign ``tree`` (parsed by :func:`kyso.xmldsig.xmlsafe.parse`) with an enveloped signature written as the last
    child of ``parent``, and return the serialized signed document.

    :param target: the element to sign (it must carry the Id its Reference names); ``None``: the whole document.
    :param big_texts: ``False`` when the caller knows no element text is big
        (:func:`kyso.xmldsig.c14n.may_hold_big_text`): nothing is looked for.

    Where the signature goes, and whether the document may already carry one, is the format's decision (edXML:
    last child of ``edXMLHeader``, one signature): the caller checks it first. The tree is changed in place.

    :raises SignerError: the signer's key is neither RSA nor EC, or it refuses to sign.
    :raises SigningError: the signer failed unexpectedly.
    """
    from lxml import etree

    layout = layout or Layout(signature_id=signature_id)
    if signature_id and not layout.signature_id:
        layout = _with(layout, signature_id=signature_id)
    exclusive = C14N_METHODS[layout.c14n]
    encloses = target is None or target is parent or any(a is target for a in parent.iterancestors())
    indented = _indentation(parent)
    if indented:
        last, indent = indented
        last.tail = indent + "  " + indent
    taken = take_big_texts(tree) if big_texts else []  # kept out until the output is written: the tree stays small
    content_digest = None
    if target is None:
        # the digest is computed before the signature exists: the tree is never cut and patched (lxml would
        # reconcile the namespace declarations of a moved subtree)
        content_digest = digest_tree(tree, layout.digest, exclusive=exclusive, prefixes=None, taken=taken)
    elif encloses:
        content_digest = _element_digest(target, layout, taken)
    signature = etree.SubElement(parent, f"{{{DSIG}}}Signature", nsmap={None: DSIG})
    if indented:
        last.tail = indent + "  "
        signature.tail = indent
    uri = "" if target is None else "#" + _id_of(target)
    if content_digest is None:
        content_digest = _element_digest(target, layout, taken)
    transforms = [ENVELOPED, layout.c14n] if encloses or layout.signing_time_object else [layout.c14n]
    _complete(signature, signer, layout, [(uri, transforms, content_digest, None)])
    return serialize(tree, taken)


def sign_streamed(data: bytes, limits: Limits, signer: Signer, *, layout: Layout | None = None) -> bytes:
    """Sign the whole document ``data`` with an enveloped signature as the last child of its root, reading it as
    a stream (:mod:`kyso.xmldsig.stream`): the digest is computed batch by batch, and the signature is written
    into the document's own bytes, just before the root's end tag (the document is not serialized again).

    What :func:`sign_enveloped` does for ``parent`` the root and no ``target``, at about twice the document in
    memory instead of ten times.

    :raises StreamMiss: the document is one this cannot sign exactly (its root is a signature, something but
        blanks follows the root's end tag, the root is an empty-element tag, a namespace libxml2's C14N refuses):
        sign its tree instead.
    """
    from lxml import etree

    from kyso.xmldsig import stream

    layout = layout or Layout()
    indent: list[str] = []

    def indentation(root: Any) -> None:
        """Give the signature its siblings' indentation, as :func:`sign_enveloped` does, before the end of the
        document is digested (what the enveloped transform leaves of it is what is signed)."""
        if local_name(root) == "Signature" and namespace_uri(root) in (DSIG, None):
            raise stream.StreamMiss("the document is a signature")
        indented = _indentation(root)
        if indented:
            last, text = indented
            indent.append(text)
            last.tail = text + "  " + text

    canonical = stream.Canonical(C14N_METHODS[layout.c14n], None, layout.digest)
    document = stream.StreamedDocument(data, limits, canonical, before_final=indentation)
    root = document.tree.getroot()
    end = _end_tag(data, root)
    signature = etree.SubElement(root, f"{{{DSIG}}}Signature", nsmap={None: DSIG})
    _complete(signature, signer, layout, [("", [ENVELOPED, layout.c14n], document.digest, None)])
    written = etree.tostring(signature)
    view = memoryview(data)
    pieces = [view[:end], written, view[end:]]
    if indent:
        pieces[1:2] = [b"  ", written, indent[0].encode("ascii")]
    return b"".join(pieces)


_BLANKS = re.compile(rb"[ \t\r\n]*")
_INDENTATION = frozenset(" \t\n")


def _indentation(parent: Any) -> tuple[Any, str] | None:
    """(last node of ``parent``, the text after it) when that text indents the document (blanks and a newline):
    the signature then takes its siblings' indentation, the text before it and its tail the same, plus two spaces
    before it. What the enveloped transform leaves of that (both pieces of whitespace) is what the digest covers.

    The last node is an element or a processing instruction (the text before the signature is its tail); a blank
    written as a character reference (``&#13;``) is not taken for indentation (the stream writes it as it is)."""
    last = next(reversed(parent), None)
    text = (last.tail if last is not None else None) or ""
    if last is None or "\n" not in text or not set(text) <= _INDENTATION:
        return None
    return last, text


def _end_tag(data: bytes, root: Any) -> int:
    """Where the root's end tag starts in ``data``: the last ``</name`` when only blanks follow its ``>``."""
    from kyso.xmldsig import stream

    name = (f"{root.prefix}:" if root.prefix else "") + local_name(root)
    start = data.rfind(b"</" + name.encode("utf-8"))
    closing = _BLANKS.match(data, start + 2 + len(name.encode("utf-8"))) if start >= 0 else None
    if closing is None or data[closing.end() : closing.end() + 1] != b">":
        raise stream.StreamMiss("the root's end tag is not found")
    after = _BLANKS.match(data, closing.end() + 1)
    if after is None or after.end() != len(data):
        raise stream.StreamMiss("something but blanks follows the root")
    return start


def sign_enveloping(tree: Any, signer: Signer, *, layout: Layout | None = None) -> bytes:
    """A new document: a ``Signature`` whose ``Object`` holds the root element of ``tree``, signed by Id."""
    from lxml import etree

    layout = layout or Layout()
    root = tree.getroot()
    signature = etree.Element(f"{{{DSIG}}}Signature", nsmap={None: DSIG})
    holder_id = _fresh_id(tree, "Object")
    document = etree.ElementTree(signature)
    _skeleton(signature)
    holder = etree.SubElement(signature, f"{{{DSIG}}}Object", {"Id": holder_id})
    holder.append(root)
    taken = take_big_texts(document)
    digest = _element_digest(holder, layout, taken)
    _complete(signature, signer, layout, [("#" + holder_id, [layout.c14n], digest, None)])
    return serialize(document, taken)


def sign_detached(content: bytes, uri: str, signer: Signer, *, layout: Layout | None = None) -> bytes:
    """A new document: a ``Signature`` over ``content`` (its bytes, as they are), named ``uri`` in the Reference."""
    from lxml import etree

    layout = layout or Layout()
    signature = etree.Element(f"{{{DSIG}}}Signature", nsmap={None: DSIG})
    document = etree.ElementTree(signature)
    _skeleton(signature)
    _complete(signature, signer, layout, [(uri, [], hashlib.new(layout.digest, content).digest(), None)])
    return serialize(document, [])


def _skeleton(signature: Any) -> None:
    """SignedInfo, SignatureValue, KeyInfo: in place before an Object (the children's order is XML-DSig's)."""
    from lxml import etree

    for name in ("SignedInfo", "SignatureValue", "KeyInfo"):
        etree.SubElement(signature, f"{{{DSIG}}}{name}")


def _complete(
    signature: Any, signer: Signer, layout: Layout, references: list[tuple[str, list[str], bytes, str | None]]
) -> None:
    """Fill ``signature``: SignedInfo with ``references`` (URI, transforms, digest, Type) and those of its own
    objects, the signature value, KeyInfo, and the XAdES unsigned properties the level asks for."""
    from lxml import etree

    key_algorithm = signer.key_algorithm
    if key_algorithm not in ("rsa", "ec"):
        raise SignerError(f"unsupported key algorithm {key_algorithm!r} (RSA or EC keys only)")
    method = (
        "http://www.w3.org/2001/04/xmldsig-more#" + ("rsa-" if key_algorithm == "rsa" else "ecdsa-") + layout.digest
    )

    def ds(within: Any, name: str, **attributes: str) -> Any:
        return etree.SubElement(within, f"{{{DSIG}}}{name}", attributes)

    if not child_elements(signature):
        _skeleton(signature)
    signed_info, signature_value, key_info = child_elements(signature)[:3]
    if layout.signature_id or layout.xades or layout.signing_time_object:
        signature.set("Id", layout.signature_id or f"Signature-{secrets.token_hex(8)}")
    identifier = signature.get("Id")
    ds(signed_info, "CanonicalizationMethod", Algorithm=layout.c14n)
    ds(signed_info, "SignatureMethod", Algorithm=method)
    x509 = ds(key_info, "X509Data")
    for der in (signer.certificate, *signer.chain):
        ds(x509, "X509Certificate").text = _b64(der)
    moment = layout.moment or _now()
    own: list[tuple[str, list[str], Any, str | None]] = []
    if layout.signing_time_object:
        holder = ds(signature, "Object", Id=f"{identifier}-SigningTime")
        prop = ds(ds(holder, "SignatureProperties"), "SignatureProperty", Target=f"#{identifier}")
        ds(prop, "SigningTime").text = moment.strftime("%Y-%m-%dT%H:%M:%S")
        own.append((f"#{identifier}-SigningTime", [], holder, SIGNATURE_PROPERTIES_TYPE))
    if layout.xades:
        from kyso.xmldsig import xades

        signed = xades.add_signed_properties(signature, signer.certificate, moment, layout.digest)
        own.append((f"#{signed.get('Id')}", [layout.c14n], signed, SIGNED_PROPERTIES_TYPE))
    exclusive = C14N_METHODS[layout.c14n]
    for uri, transforms, digest, kind in [*references, *own]:
        reference = ds(signed_info, "Reference", URI=uri)
        if kind:
            reference.set("Type", kind)
        if transforms:
            holder = ds(reference, "Transforms")
            for algorithm in transforms:
                ds(holder, "Transform", Algorithm=algorithm)
        ds(reference, "DigestMethod", Algorithm=DIGEST_URIS[layout.digest])
        if not isinstance(digest, bytes):  # an Object of this signature: digested where a verifier finds it
            digest = hashlib.new(layout.digest, c14n_element(digest, exclusive=exclusive, prefixes=None)).digest()
        ds(reference, "DigestValue").text = _b64(digest)
    canonical = c14n_element(signed_info, exclusive=exclusive, prefixes=None)
    try:
        raw = signer.sign_raw(canonical, layout.digest)
    except SignerError:
        raise
    except Exception as exc:
        raise SigningError(f"the signer failed: {exc.__class__.__name__}") from None
    if key_algorithm == "ec":
        raw = _ecdsa_der_to_raw(raw, signer.certificate)
    signature_value.text = _b64(raw)
    if layout.xades and layout.level is not Level.B_B:
        from kyso.core.errors import UsageError
        from kyso.xmldsig import xades

        if not layout.tsa:
            raise UsageError(f"level {layout.level} needs a time-stamping authority's URL", parameter="tsa")
        budget = layout.budget or NetworkBudget()
        xades.add_signature_timestamp(signature, layout.tsa, budget)
        if layout.level is not Level.B_T:
            xades.add_validation_data(signature, (signer.certificate, *signer.chain), budget)


def _element_digest(element: Any, layout: Layout, taken: list[Any]) -> bytes:
    from kyso.xmldsig.c14n import put_back

    put_back(taken)  # an element's own C14N must see its real text
    return hashlib.new(
        layout.digest, c14n_element(element, exclusive=C14N_METHODS[layout.c14n], prefixes=None)
    ).digest()


def _id_of(element: Any) -> str:
    for attribute in ("Id", "ID", "id"):
        if element.get(attribute):
            return str(element.get(attribute))
    raise SigningError("the element to sign has no Id attribute")


def _fresh_id(tree: Any, prefix: str) -> str:
    used = {e.get(a) for e in tree.getroot().iter() if isinstance(e.tag, str) for a in ("Id", "ID", "id")}
    while True:
        candidate = f"{prefix}-{secrets.token_hex(6)}"
        if candidate not in used:
            return candidate


def _with(layout: Layout, **changes: Any) -> Layout:
    import dataclasses

    return dataclasses.replace(layout, **changes)


def _now() -> datetime:
    from kyso.core.models import VIETNAM_TIME

    return datetime.now(VIETNAM_TIME).replace(microsecond=0)


def _ecdsa_der_to_raw(der: bytes, certificate: bytes) -> bytes:
    """XML-DSig writes ECDSA signatures as r || s, each as long as the curve order."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    size = (x509.load_der_x509_certificate(certificate).public_key().curve.key_size + 7) // 8  # type: ignore[union-attr]
    r, s = decode_dss_signature(der)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


__all__ = ["Layout", "sign_detached", "sign_enveloped", "sign_enveloping", "sign_streamed"]
