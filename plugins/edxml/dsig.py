"""Enveloped XML-DSig over a whole edXML message: signing through the Kyso ``Signer`` protocol, and verification
that judges only what was signed.

Signing writes one ``Signature`` (XML-DSig namespace) as the last child of ``edXMLHeader``: ``Reference URI=""``
with the enveloped-signature and exclusive C14N transforms, SHA-256 digest, RSA-SHA256 (ECDSA-SHA256 for an EC
key), the signer's certificate then its chain in ``KeyInfo/X509Data``. The key never leaves the ``Signer``: only
the canonical ``SignedInfo`` goes to ``signer.sign_raw(data, "sha256")``, so a token or a remote signer works too.

Verification, in ETSI order (format, then cryptography, then the certificate through the ``validate_certificate``
hook):

- exactly one ``Signature`` and one ``SignedInfo`` in the whole message, the ``Signature`` with the XML-DSig
  children in order; several signatures, several ``SignedInfo``, stray elements or duplicate IDs are refused
  (signature wrapping: the verified node would not be the one a reader sees);
- every ``Reference`` is resolved inside the message only (same-document ``#id`` to exactly one element, never a
  file or the network), transforms limited to enveloped-signature and C14N 1.0 (inclusive or exclusive);
- the signature is TOTAL_PASSED only if a reference covers the whole message (``URI=""``): a signature over the
  ``MessageHeader`` alone is PARTIAL and fails even when its digest is right;
- the digest is computed on the parsed tree with the ``Signature`` taken out, streaming the canonical form into
  the hash (no copy of the message), and the report and :func:`open_verified` read that same tree;
- legacy signatures are read for what they are: a ``Signature`` outside the XML-DSig namespace is at best
  INDETERMINATE (FORMAT_FAILURE), SHA-1 at best INDETERMINATE (CRYPTO_CONSTRAINTS_FAILURE), a truncated
  certificate gives NO_SIGNING_CERTIFICATE_FOUND; none of them raises.

lxml's C14N of a subtree under a default namespace adds spurious ``xmlns=""`` to grandchildren (signxml issue
#275): exclusive C14N is not affected; for inclusive C14N of an element the declarations are excised, only when no
element of the subtree is in no namespace (then no ``xmlns=""`` can be genuine), as ``excise_empty_xmlns`` does.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import hashlib
import re
import secrets
from collections.abc import Iterator
from typing import Any

from kyso.certs.algorithms import digest_problem
from kyso.core.errors import InputError, SignerError, SigningError, UsageError
from kyso.core.models import (
    CertificateReport,
    CertificateValidator,
    Coverage,
    Document,
    Indication,
    SignatureReport,
    SubIndication,
    Verdict,
    VerificationReport,
    VerifyOptions,
)
from kyso.core.signer import Signer
from kyso_edxml.codec import _elements, _local, _ns  # one copy of the element helpers
from kyso_edxml.model import NAMESPACE
from kyso_edxml.xmlsafe import DEFAULT_LIMITS, Limits

DSIG = "http://www.w3.org/2000/09/xmldsig#"
ENVELOPED = DSIG + "enveloped-signature"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
LEGACY_EXC_C14N = "http://www.w3.org/TR/xml-exc-c14n#"
"""Not a standard URI, but seen in real edXML packets: read as exclusive C14N, with a note."""

C14N_METHODS = {
    EXC_C14N: True,
    EXC_C14N + "WithComments": True,
    C14N: False,
    C14N + "#WithComments": False,
}
"""Canonicalization URI -> exclusive."""

DIGEST_METHODS = {
    DSIG + "sha1": "sha1",
    "http://www.w3.org/2001/04/xmldsig-more#sha224": "sha224",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}
SIGNATURE_METHODS = {
    DSIG + "rsa-sha1": ("rsa", "sha1"),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha224": ("rsa", "sha224"),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": ("rsa", "sha256"),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": ("rsa", "sha384"),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": ("rsa", "sha512"),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1": ("ec", "sha1"),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256": ("ec", "sha256"),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384": ("ec", "sha384"),
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512": ("ec", "sha512"),
}
"""Which of these are weak is not decided here: :mod:`kyso.certs.algorithms` is the one policy of every format."""
ID_ATTRIBUTES = ("Id", "ID", "id", "{http://www.w3.org/XML/1998/namespace}id")
MAX_REFERENCES = 16
"""References in one SignedInfo (Kyso writes one, XAdES three): more is refused before any digest (issue 9: 8 000
References, each rescanning the document, took minutes)."""
FORMAT = "edxml"


# -------------------------------------------------------------------------------------------------------------
# shared helpers
# -------------------------------------------------------------------------------------------------------------


def _signatures(root: Any) -> list[Any]:
    """Every element that may be a signature: ``Signature`` in the XML-DSig, edXML or no namespace."""
    return [
        e
        for e in root.iter("{%s}Signature" % DSIG, "{%s}Signature" % NAMESPACE, "Signature")  # noqa: UP031
    ]


def _header(root: Any) -> Any:
    if _local(root) != "edXML":
        raise InputError(f"not an edXML package: the root element is {_local(root)!r}, not 'edXML'")
    for envelope in _elements(root):
        if _local(envelope) == "edXMLEnvelope":
            for header in _elements(envelope):
                if _local(header) == "edXMLHeader":
                    return header
    raise InputError("not an edXML package: no edXMLEnvelope/edXMLHeader")


class _HashWriter:
    """A file-like sink for lxml's C14N writer that only hashes: the canonical form is never held in memory."""

    def __init__(self, algorithm: str) -> None:
        self.hash = hashlib.new(algorithm)

    def write(self, data: bytes) -> None:
        self.hash.update(data)


@contextlib.contextmanager
def _detached(signature: Any) -> Iterator[None]:
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


def _c14n_element(element: Any, *, exclusive: bool, prefixes: list[str] | None) -> bytes:
    from lxml import etree

    result = etree.tostring(
        element, method="c14n", exclusive=exclusive, with_comments=False, inclusive_ns_prefixes=prefixes
    )
    if not exclusive and b' xmlns=""' in result and all(_ns(e) for e in element.iter() if isinstance(e.tag, str)):
        # lxml subtree C14N bug (see module docstring): no element here is in no namespace, so none is genuine
        result = result.replace(b' xmlns=""', b"")
    return result


BIG_TEXT = 256 * 1024
"""Characters above which an element's text (a base64 attachment) is taken out of the tree while it is digested or
serialized, so that libxml2 never makes its two or three transient copies of it."""
_CHUNK = 1 << 20


@dataclasses.dataclass
class _BigText:
    element: Any
    marker: bytes
    text: str


def _take_big_texts(tree: Any) -> list[_BigText]:
    """Swap every element text over :data:`BIG_TEXT` characters for a short random marker, in document order.

    Digesting or serializing the tree then streams the markers, and each is replaced by its text, escaped as C14N
    (or the serializer) would, a chunk at a time. The markers are random per call: a document cannot contain one.
    """
    token = secrets.token_hex(16)
    taken: list[_BigText] = []
    for element in tree.getroot().iter():
        if not isinstance(element.tag, str):
            continue
        text = element.text
        if text is not None and len(text) > BIG_TEXT:
            marker = f"kyso{token}n{len(taken)}z"
            element.text = marker
            taken.append(_BigText(element, marker.encode("ascii"), text))
        del text
    return taken


class _TakenTexts:
    """The big texts of one tree, taken out on first need and put back on request (verification of a message
    that nobody reads afterwards leaves them out: putting 20 MB back into libxml2 costs two more copies)."""

    def __init__(self, tree: Any) -> None:
        self.tree = tree
        self.taken: list[_BigText] | None = None

    def take(self) -> list[_BigText]:
        if self.taken is None:
            self.taken = _take_big_texts(self.tree)
        return self.taken

    def put_back(self) -> None:
        if self.taken is not None:
            _put_back(self.taken)
            self.taken = None


def _put_back(taken: list[_BigText]) -> None:
    for big in taken:
        big.element.text = big.text
    taken.clear()


_C14N_TEXT = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#xD;"))
_XML_TEXT = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;"))


def _escaped_chunks(text: str, table: tuple[tuple[str, str], ...]) -> Iterator[bytes]:
    for start in range(0, len(text), _CHUNK):
        piece = text[start : start + _CHUNK]
        for raw, entity in table:
            if raw in piece:
                piece = piece.replace(raw, entity)
        yield piece.encode("utf-8")


class _MarkedHashWriter(_HashWriter):
    """Hashes the C14N stream of a tree whose big texts were swapped for markers, hashing each text in place."""

    def __init__(self, algorithm: str, taken: list[_BigText]) -> None:
        super().__init__(algorithm)
        self.taken = taken
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
                self.hash.update(buffer[:cut])
                self.pending = buffer[cut:]
                return
            self.hash.update(buffer[:position])
            for chunk in _escaped_chunks(big.text, _C14N_TEXT):
                self.hash.update(chunk)
            buffer = buffer[position + len(big.marker) :]
            self.index += 1
        self.hash.update(buffer)
        self.pending = b""

    def finish(self) -> bytes:
        if self.index != len(self.taken):
            raise RuntimeError("a large text was not found in the canonical form")
        self.hash.update(self.pending)
        return self.hash.digest()


def _digest_tree(
    tree: Any, algorithm: str, *, exclusive: bool, prefixes: list[str] | None, taken: list[_BigText] | None = None
) -> bytes:
    """Digest of the canonical form of the whole document, streamed into the hash (no copy of the message)."""
    own = taken is None
    if taken is None:
        taken = _take_big_texts(tree)
    try:
        sink = _MarkedHashWriter(algorithm, taken)
        tree.write_c14n(sink, exclusive=exclusive, with_comments=False, inclusive_ns_prefixes=prefixes)
        return sink.finish()
    finally:
        if own:
            _put_back(taken)


def _serialize(tree: Any, taken: list[_BigText]) -> bytes:
    """The document as UTF-8 bytes with its XML declaration, big texts spliced back in (and released)."""
    from lxml import etree

    skeleton = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    parts: list[bytes] = []
    rest = skeleton
    for big in taken:
        before, found, rest = rest.partition(big.marker)
        if not found:
            raise RuntimeError("a large text was not found in the serialized document")
        parts.append(before)
        parts.extend(_escaped_chunks(big.text, _XML_TEXT))
        big.text = ""  # the chunks hold it now
    parts.append(rest)
    taken.clear()
    return b"".join(parts)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# -------------------------------------------------------------------------------------------------------------
# signing
# -------------------------------------------------------------------------------------------------------------


def sign_message(
    data: bytes, signer: Signer, *, signature_id: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> bytes:
    """``data`` (an unsigned edXML message) with an enveloped XML-DSig over the whole message.

    :raises InputError: not an edXML message, unsafe XML, or already signed.
    :raises SignerError: the signer's key is neither RSA nor EC, or it refuses to sign.
    """
    from kyso_edxml import xmlsafe

    tree = xmlsafe.parse(data, limits)
    return sign_tree(tree, signer, signature_id=signature_id)


def sign_tree(tree: Any, signer: Signer, *, signature_id: str | None = None) -> bytes:
    """Sign a parsed (hardened) edXML tree in place and return the serialized signed message."""
    from lxml import etree

    root = tree.getroot()
    header = _header(root)
    if _signatures(root):
        raise InputError("the message is already signed (an edXML message carries one signature)")
    key_algorithm = signer.key_algorithm
    if key_algorithm not in ("rsa", "ec"):
        raise SignerError(f"unsupported key algorithm {key_algorithm!r} (RSA or EC keys only)")
    method = "http://www.w3.org/2001/04/xmldsig-more#" + ("rsa-sha256" if key_algorithm == "rsa" else "ecdsa-sha256")

    def ds(parent: Any, name: str, **attributes: str) -> Any:
        return etree.SubElement(parent, f"{{{DSIG}}}{name}", attributes)

    children = _elements(header)
    indent = (children[-1].tail if children else header.text) or ""
    pretty = bool(children) and indent.strip() == "" and "\n" in indent
    if pretty:
        # keep the header readable: the signature gets the indentation of its siblings. What the enveloped
        # transform leaves of that (both pieces of whitespace) is what the digest covers
        children[-1].tail = indent + "  " + indent
    # the digest is computed before the signature exists: the tree is never cut and patched (lxml would
    # reconcile the namespace declarations of a moved subtree)
    taken = _take_big_texts(tree)  # kept out until the output is written: the tree stays small
    digest = _b64(_digest_tree(tree, "sha256", exclusive=True, prefixes=None, taken=taken))
    signature = etree.SubElement(header, f"{{{DSIG}}}Signature", nsmap={None: DSIG})
    if signature_id:
        signature.set("Id", signature_id)
    if pretty:
        children[-1].tail = indent + "  "
        signature.tail = indent
    signed_info = ds(signature, "SignedInfo")
    ds(signed_info, "CanonicalizationMethod", Algorithm=EXC_C14N)
    ds(signed_info, "SignatureMethod", Algorithm=method)
    reference = ds(signed_info, "Reference", URI="")
    transforms = ds(reference, "Transforms")
    ds(transforms, "Transform", Algorithm=ENVELOPED)
    ds(transforms, "Transform", Algorithm=EXC_C14N)
    ds(reference, "DigestMethod", Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
    digest_value = ds(reference, "DigestValue")
    signature_value = ds(signature, "SignatureValue")
    x509 = ds(ds(signature, "KeyInfo"), "X509Data")
    for der in (signer.certificate, *signer.chain):
        ds(x509, "X509Certificate").text = _b64(der)
    digest_value.text = digest
    canonical = _c14n_element(signed_info, exclusive=True, prefixes=None)
    try:
        raw = signer.sign_raw(canonical, "sha256")
    except SignerError:
        raise
    except Exception as exc:
        raise SigningError(f"the signer failed: {exc.__class__.__name__}") from None
    if key_algorithm == "ec":
        raw = _ecdsa_der_to_raw(raw, signer.certificate)
    signature_value.text = _b64(raw)
    return _serialize(tree, taken)


def _ecdsa_der_to_raw(der: bytes, certificate: bytes) -> bytes:
    """XML-DSig writes ECDSA signatures as r || s, each as long as the curve order."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    size = (x509.load_der_x509_certificate(certificate).public_key().curve.key_size + 7) // 8  # type: ignore[union-attr]
    r, s = decode_dss_signature(der)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


# -------------------------------------------------------------------------------------------------------------
# verification
# -------------------------------------------------------------------------------------------------------------


class _Refused(Exception):
    """The signature's structure makes it unverifiable (format failure); carries the reason."""


def verify_message(
    document: Document,
    options: VerifyOptions,
    validate: CertificateValidator,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> VerificationReport:
    """The verification report of an edXML message (``format: "edxml"``)."""
    return verify_tree_report(_parse(document.data, limits), document.name, options, validate, keep_tree=False)[0]


def _parse(data: bytes, limits: Limits) -> Any:
    from kyso_edxml import xmlsafe

    tree = xmlsafe.parse(data, limits)
    _header(tree.getroot())
    return tree


def verify_tree_report(
    tree: Any, name: str | None, options: VerifyOptions, validate: CertificateValidator, *, keep_tree: bool = True
) -> tuple[VerificationReport, bool]:
    """(report, whether the whole message is covered by an intact signature) for a parsed tree.

    :param keep_tree: leave the tree as it was (``False`` when nobody reads it afterwards: cheaper).
    """
    report = VerificationReport(document=name, format=FORMAT)
    root = tree.getroot()
    signatures = _signatures(root)
    if not signatures:
        stray = [e for e in root.iter() if isinstance(e.tag, str) and _local(e) in ("SignedInfo", "SignatureValue")]
        if stray:
            report.signatures.append(
                _failed("Signature1", f"{_local(stray[0])} outside of any Signature element (signature wrapping)")
            )
        return report, False
    if len(signatures) > 1:
        for number, signature in enumerate(signatures, start=1):
            report.signatures.append(
                _failed(
                    signature.get("Id") or f"Signature{number}",
                    f"the message carries {len(signatures)} Signature elements; an edXML message has exactly one "
                    "(signature wrapping is refused)",
                )
            )
        return report, False
    signature = signatures[0]
    texts = _TakenTexts(tree)
    try:
        result, whole = _verify_signature(tree, signature, options, validate, texts)
    except Exception as exc:  # a hostile message gets a verdict, never a traceback
        result = SignatureReport(
            id=signature.get("Id") or "Signature1",
            indication=Indication.INDETERMINATE,
            sub_indication=SubIndication.GENERIC,
            messages=[f"the signature could not be verified: {exc.__class__.__name__}"],
        )
        whole = False
    finally:
        if keep_tree:
            texts.put_back()
    report.signatures.append(result)
    return report, whole and result.indication is Indication.TOTAL_PASSED


def _failed(identifier: str, message: str) -> SignatureReport:
    return SignatureReport(
        id=identifier,
        indication=Indication.TOTAL_FAILED,
        sub_indication=SubIndication.FORMAT_FAILURE,
        messages=[message],
    )


def _verify_signature(
    tree: Any, signature: Any, options: VerifyOptions, validate: CertificateValidator, texts: _TakenTexts
) -> tuple[SignatureReport, bool]:
    report = SignatureReport(id=signature.get("Id") or "Signature1", indication=Indication.TOTAL_PASSED)
    verdict = Verdict()
    messages = report.messages
    root = tree.getroot()
    namespace = _ns(signature)
    if namespace != DSIG:
        verdict.lower(Indication.INDETERMINATE, SubIndication.FORMAT_FAILURE)
        messages.append(
            f"the Signature element is not in the XML-DSig namespace ({namespace or 'no namespace'}): a legacy "
            "signature, read tolerantly and never accepted as valid"
        )
    parent = signature.getparent()
    if parent is None or _local(parent) != "edXMLHeader":
        messages.append("the Signature is not in edXMLHeader, where QCVN 102:2016 places it")
    try:
        _check_placement(signature)
        signed_info, signature_value, key_info = _structure(root, signature, namespace)
        canonicalization, prefixes = _c14n_method(_only(signed_info, "CanonicalizationMethod", namespace), messages)
        method = _algorithm(_only(signed_info, "SignatureMethod", namespace), SIGNATURE_METHODS, "signature method")
        # canonicalize SignedInfo before any reference is digested: taking the signature out of the tree for the
        # enveloped transform makes lxml reconcile its namespace declarations, which can change its prefixes
        canonical = _c14n_element(signed_info, exclusive=canonicalization, prefixes=prefixes)
        references = [c for c in _elements(signed_info) if _local(c) == "Reference"]
        ids = _IdIndex(root)
        whole = False
        covered = []
        for number, reference in enumerate(references):
            allow_weak = options.validation.allow_weak
            is_whole, what = _check_reference(
                tree, signature, reference, number, verdict, messages, texts, ids, allow_weak=allow_weak
            )
            whole = whole or is_whole
            covered.append(what)
    except _Refused as exc:
        report.indication, report.sub_indication = Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE
        messages.append(str(exc))
        return report, False
    if whole:
        report.coverage = Coverage.ENTIRE_FILE
    else:
        report.coverage = Coverage.PARTIAL
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        messages.append(f"the signature covers only {', '.join(covered)}, not the whole message")
    key_type, digest = method
    # Kyso rule (issue 9, class 4): the SignatureMethod's digest is judged by itself: rsa-sha1 over SHA-256
    # reference digests is still a SHA-1 signature (a SignedInfo collision forges it whatever the references use)
    _weak(digest_problem(digest, options.validation.allow_weak), "the signature method", verdict, messages)
    certificates, problems = _certificates(key_info, namespace)
    messages.extend(problems)
    if not certificates:
        verdict.lower(Indication.INDETERMINATE, SubIndication.NO_SIGNING_CERTIFICATE_FOUND)
        messages.append("no usable signing certificate in KeyInfo")
    else:
        signer_der, others = _signer_certificate(certificates)
        from kyso.certs.identity import identity_of
        from kyso.certs.parsing import parse_certificate

        report.signer = identity_of(parse_certificate(signer_der))
        _weak(_key_problem(signer_der, options.validation.allow_weak), "the signing key", verdict, messages)
        problem = _check_signature_value(canonical, signature_value.text or "", signer_der, key_type, digest)
        if problem:
            verdict.lower(Indication.TOTAL_FAILED, SubIndication.SIG_CRYPTO_FAILURE)
            messages.append(problem)
        if verdict.indication is not Indication.TOTAL_FAILED:
            report.certificate = validate(
                signer_der,
                dataclasses.replace(options.validation, intermediates=options.validation.intermediates + tuple(others)),
            )
            _apply_certificate(report, report.certificate, verdict)
    report.indication, report.sub_indication = verdict.indication, verdict.sub_indication
    return report, whole


def _check_placement(signature: Any) -> None:
    """Refuse a Signature set inside text: the enveloped transform joins the text around it again, so the digest
    holds while a reader of ``element.text`` sees only the part before it (a moved-signature wrapping)."""
    parent = signature.getparent()
    if parent is None:
        return
    previous = signature.getprevious()
    before = previous.tail if previous is not None else parent.text
    if (before or "").strip() or (signature.tail or "").strip():
        raise _Refused(f"the Signature sits inside the text of {_local(parent)} (signature wrapping is refused)")


def _only(parent: Any, name: str, namespace: str | None) -> Any:
    found = [c for c in _elements(parent) if _local(c) == name]
    if len(found) != 1:
        raise _Refused(f"{_local(parent)} must have exactly one {name} (found {len(found)})")
    if _ns(found[0]) != namespace:
        raise _Refused(f"{name} is not in the namespace of its Signature")
    return found[0]


def _structure(root: Any, signature: Any, namespace: str | None) -> tuple[Any, Any, Any]:
    """SignedInfo, SignatureValue, KeyInfo (or None), after the checks that refuse wrapping."""
    children = _elements(signature)
    names = [_local(c) for c in children]
    if names[:2] != ["SignedInfo", "SignatureValue"] or any(n not in ("KeyInfo", "Object") for n in names[2:]):
        raise _Refused(f"malformed Signature: children {', '.join(names) or 'none'}")
    if names.count("KeyInfo") > 1 or ("KeyInfo" in names and names.index("KeyInfo") != 2):
        raise _Refused("malformed Signature: KeyInfo must come once, right after SignatureValue")
    if any(_ns(c) != namespace for c in children):
        raise _Refused("malformed Signature: its children are in another namespace")
    signed_infos = [e for e in root.iter() if isinstance(e.tag, str) and _local(e) == "SignedInfo"]
    if len(signed_infos) != 1:
        raise _Refused(f"the message holds {len(signed_infos)} SignedInfo elements (signature wrapping is refused)")
    signed_info = children[0]
    info_names = [_local(c) for c in _elements(signed_info)]
    if (
        info_names[:2] != ["CanonicalizationMethod", "SignatureMethod"]
        or len(info_names) < 3
        or any(n != "Reference" for n in info_names[2:])
    ):
        raise _Refused(f"malformed SignedInfo: children {', '.join(info_names) or 'none'}")
    if len(info_names) - 2 > MAX_REFERENCES:
        raise _Refused(f"SignedInfo has {len(info_names) - 2} References; at most {MAX_REFERENCES} are accepted")
    key_info = children[2] if len(children) > 2 and names[2] == "KeyInfo" else None
    return signed_info, children[1], key_info


def _c14n_method(element: Any, messages: list[str]) -> tuple[bool, list[str] | None]:
    algorithm = element.get("Algorithm", "")
    if algorithm == LEGACY_EXC_C14N:
        messages.append(f"non-standard canonicalization URI {algorithm} read as exclusive C14N")
        return True, None
    if algorithm not in C14N_METHODS:
        raise _Refused(f"unsupported canonicalization method {algorithm or '(none)'}")
    return C14N_METHODS[algorithm], _prefixes(element)


def _prefixes(element: Any) -> list[str] | None:
    for child in _elements(element):
        if _local(child) == "InclusiveNamespaces":
            return [p if p != "#default" else None for p in (child.get("PrefixList") or "").split()] or None  # type: ignore[misc]  # None: lxml's name of the default namespace
    return None


def _algorithm(element: Any, table: dict[str, Any], what: str) -> Any:
    algorithm = element.get("Algorithm", "")
    if algorithm not in table:
        raise _Refused(f"unsupported {what} {algorithm or '(none)'}")
    return table[algorithm]


def _check_reference(
    tree: Any,
    signature: Any,
    reference: Any,
    number: int,
    verdict: Verdict,
    messages: list[str],
    texts: _TakenTexts,
    ids: _IdIndex,
    *,
    allow_weak: tuple[str, ...] = (),
) -> tuple[bool, str]:
    """Recompute one reference's digest; (whether it covers the whole message, what it covers)."""
    uri = reference.get("URI")
    children = _elements(reference)
    names = [_local(c) for c in children]
    if names not in (["DigestMethod", "DigestValue"], ["Transforms", "DigestMethod", "DigestValue"]):
        raise _Refused(f"malformed Reference {number}: children {', '.join(names)}")
    transforms = []
    if names[0] == "Transforms":
        transforms = [c for c in _elements(children[0])]
        if any(_local(t) != "Transform" for t in transforms):
            raise _Refused(f"malformed Reference {number}: Transforms holds other elements")
    enveloped = False
    c14n: tuple[bool, list[str] | None] | None = None
    for transform in transforms:
        algorithm = transform.get("Algorithm", "")
        if algorithm == ENVELOPED and not enveloped and c14n is None:
            enveloped = True
        elif algorithm == LEGACY_EXC_C14N and c14n is None:
            messages.append(f"non-standard transform URI {algorithm} read as exclusive C14N")
            c14n = (True, None)
        elif algorithm in C14N_METHODS and c14n is None:
            c14n = (C14N_METHODS[algorithm], _prefixes(transform))
        else:
            raise _Refused(f"Reference {number}: unsupported or repeated transform {algorithm or '(none)'}")
    exclusive, prefixes = c14n if c14n is not None else (False, None)  # XML-DSig default: inclusive C14N 1.0
    digest_name = _algorithm(children[-2], DIGEST_METHODS, "digest method")
    _weak(digest_problem(digest_name, allow_weak), f"Reference {number}", verdict, messages)
    try:
        expected = base64.b64decode(re.sub(r"\s+", "", children[-1].text or ""), validate=True)
    except (binascii.Error, ValueError):
        raise _Refused(f"Reference {number}: DigestValue is not base64") from None
    if uri is None:
        raise _Refused(f"Reference {number} has no URI; only same-document references are accepted")
    ids.claim(uri, number)
    if uri == "":
        target, what = None, "the whole message"
    elif uri.startswith("#") and not uri.startswith("#xpointer("):
        target = ids.resolve(uri[1:], number)
        what = f"{_local(target)} (#{uri[1:]})"
    else:
        raise _Refused(f"Reference {number}: URI {uri!r} is not a same-document reference")
    inside = target is None or any(ancestor is target for ancestor in signature.iterancestors())
    if inside and not enveloped:
        messages.append(f"Reference {number} covers its own signature without the enveloped-signature transform")
    context = _detached(signature) if inside and enveloped else contextlib.nullcontext()
    with context:
        if target is None:
            actual = _digest_tree(tree, digest_name, exclusive=exclusive, prefixes=prefixes, taken=texts.take())
        else:
            texts.put_back()  # an element's own C14N must see its real text
            actual = hashlib.new(digest_name, _c14n_element(target, exclusive=exclusive, prefixes=prefixes)).digest()
    if actual != expected:
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)
        messages.append(f"Reference {number} ({what}): digest mismatch, the content was changed after signing")
    return target is None and enveloped, what


class _IdIndex:
    """Kyso rule (issue 9, reference bounds): the elements of the message by ``Id`` (``ID``, ``id``, ``xml:id``),
    indexed in one walk on first need, so that checking n References costs one pass over the document, not n; and
    each URI is digested once (a repeated Reference only multiplies the work: refused)."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.index: dict[str, list[Any]] | None = None
        self.seen: set[str] = set()

    def claim(self, uri: str, number: int) -> None:
        if uri in self.seen:
            raise _Refused(f"Reference {number} repeats the URI {uri!r} of an earlier Reference")
        self.seen.add(uri)

    def resolve(self, identifier: str, number: int) -> Any:
        if self.index is None:
            self.index = {}
            for element in self.root.iter():
                if isinstance(element.tag, str):
                    for value in {element.get(attribute) for attribute in ID_ATTRIBUTES} - {None}:
                        self.index.setdefault(value, []).append(element)
        found = self.index.get(identifier, [])
        if len(found) != 1:
            raise _Refused(
                f"Reference {number}: ID {identifier!r} names {len(found)} elements"
                + (" (duplicate IDs: signature wrapping is refused)" if found else "")
            )
        return found[0]


def _certificates(key_info: Any, namespace: str | None) -> tuple[list[bytes], list[str]]:
    """DER of each readable X509Certificate in KeyInfo, and what was wrong with the others."""
    from kyso.certs.parsing import parse_certificate

    if key_info is None:
        return [], ["the signature has no KeyInfo"]
    found, problems = [], []
    for element in key_info.iter():
        if not isinstance(element.tag, str) or _local(element) != "X509Certificate":
            continue
        try:
            der = base64.b64decode(re.sub(r"\s+", "", element.text or ""), validate=True)
            parse_certificate(der)
        except (binascii.Error, ValueError):
            problems.append("a certificate in KeyInfo is truncated or unreadable")
            continue
        found.append(der)
    return found, problems


def _signer_certificate(certificates: list[bytes]) -> tuple[bytes, list[bytes]]:
    """The signer's certificate (the one that issued none of the others; the first when unclear) and the rest."""
    from kyso.certs.parsing import parse_certificate

    parsed = [parse_certificate(d) for d in certificates]
    issuers = {p.issuer.dump() for p in parsed}
    leaves = [i for i, p in enumerate(parsed) if p.subject.dump() not in issuers or p.self_signed == "maybe"]
    index = leaves[0] if len(leaves) == 1 else 0
    return certificates[index], [d for i, d in enumerate(certificates) if i != index]


def _weak(problem: str | None, what: str, verdict: Verdict, messages: list[str]) -> None:
    """A weak algorithm (:mod:`kyso.certs.algorithms`) makes the signature INDETERMINATE, as in PDF."""
    if problem is not None:
        verdict.lower(Indication.INDETERMINATE, SubIndication.CRYPTO_CONSTRAINTS_FAILURE)
        messages.append(f"{what} is not accepted: {problem}")


def _key_problem(certificate: bytes, allow: tuple[str, ...]) -> str | None:
    from cryptography import x509

    from kyso.certs.algorithms import public_key_problem

    try:
        return public_key_problem(x509.load_der_x509_certificate(certificate).public_key(), allow)
    except Exception:
        return None  # an unreadable key fails the signature value check with its own reason


def weak_algorithm(uri: str) -> str | None:
    """Why a SignatureMethod or DigestMethod URI is weak by default (for the reader's warnings), or None."""
    digest = DIGEST_METHODS.get(uri) or SIGNATURE_METHODS.get(uri, (None, None))[1]
    return digest_problem(digest) if digest else None


def _check_signature_value(canonical: bytes, text: str, certificate: bytes, key_type: str, digest: str) -> str | None:
    """``None`` when the signature value verifies, else the reason."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    try:
        value = base64.b64decode(re.sub(r"\s+", "", text), validate=True)
    except (binascii.Error, ValueError):
        return "SignatureValue is not base64"
    digests: dict[str, type[hashes.SHA1 | hashes.SHA224 | hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
        "sha1": hashes.SHA1,
        "sha224": hashes.SHA224,
        "sha256": hashes.SHA256,
        "sha384": hashes.SHA384,
        "sha512": hashes.SHA512,
    }
    algorithm = digests[digest]()
    try:
        key = x509.load_der_x509_certificate(certificate).public_key()
    except Exception:
        return "the signing certificate's public key cannot be read"
    try:
        if key_type == "rsa" and isinstance(key, rsa.RSAPublicKey):
            key.verify(value, canonical, padding.PKCS1v15(), algorithm)
        elif key_type == "ec" and isinstance(key, ec.EllipticCurvePublicKey):
            half = len(value) // 2
            if not value or len(value) % 2:
                return "the ECDSA signature value has an odd length"
            der = encode_dss_signature(int.from_bytes(value[:half], "big"), int.from_bytes(value[half:], "big"))
            key.verify(der, canonical, ec.ECDSA(algorithm))
        else:
            return "the signature method does not match the signing certificate's key type"
    except InvalidSignature:
        return (
            "the signature value does not verify with the signing certificate (SignedInfo was changed or signed "
            "by another key)"
        )
    return None


def _apply_certificate(report: SignatureReport, cert: CertificateReport, verdict: Verdict) -> None:
    """The certificate's verdict on the signature. XML-DSig carries no signing time, so nothing proves the
    signature predates a revocation: a revoked certificate stays INDETERMINATE (REVOKED_NO_POE) at best."""
    report.messages.extend(cert.messages)
    if cert.indication is not Indication.TOTAL_PASSED:
        verdict.lower(cert.indication, cert.sub_indication)


# -------------------------------------------------------------------------------------------------------------
# what was signed
# -------------------------------------------------------------------------------------------------------------


def check_signing_request(level: str, tsa: str | None, page: int | None, box: Any) -> None:
    """edXML signatures are plain enveloped XML-DSig: no time-stamp level, no visible appearance."""
    if level != "B-B" or tsa:
        raise UsageError("edXML signatures support level B-B only (no time-stamp)")
    if page is not None or box is not None:
        raise UsageError("edXML signatures have no visible appearance (--page and --box apply to PDF)")


def check_signature_id(value: str | None) -> None:
    """``--field`` becomes ``Signature/@Id``: it must be an XML name without a colon."""
    if value is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}", value):
        raise UsageError(f"signature name {value!r} is not usable as an XML Id (letters, digits, _ . -)")


__all__ = [
    "FORMAT",
    "check_signature_id",
    "check_signing_request",
    "sign_message",
    "sign_tree",
    "verify_message",
    "verify_tree_report",
]
