"""The XML-DSig rules of the engine: which algorithms, transforms and references are accepted, the bounds on
them, and what a document format may decide (:class:`Profile`).

- canonicalization: Canonical XML 1.0 and 1.1 and Exclusive C14N, each with or without comments
  (:data:`C14N_METHODS`); the non-standard ``http://www.w3.org/TR/xml-exc-c14n#`` of some real packets is read as
  exclusive C14N, with a note; anything else is refused. Comments are dropped when a document is read
  (:func:`kyso.xmldsig.xmlsafe.parser`), which is what XML-DSig's ``URI=""`` and ``#id`` references do anyway;
- transforms: enveloped-signature then one C14N, or base64 alone, nothing else (:func:`transform_chain`): never
  XSLT or XPath (an XPath transform cannot be bounded; what is digested is what a reader sees);
- references: same-document (``URI=""`` or ``#id`` naming exactly one element by ``Id``/``ID``/``id``/
  ``xml:id``, indexed in one walk: :class:`IdIndex`) or one detached content the caller supplies, each URI once,
  at most :data:`MAX_REFERENCES` of them;
- signature methods: RSA (PKCS#1 v1.5) and ECDSA with SHA-1/224/256/384/512; HMAC is refused with its reason
  (:data:`HMAC_METHODS`: a shared secret names no signer);
- algorithms: the URIs below are read; which digests and keys are too weak is decided by the one policy of every
  format, :mod:`kyso.certs.algorithms`, and what a weak one means (INDETERMINATE) by the one verdict rule of every
  format, :func:`kyso.verdicts.lower_if_weak`.

A rule the engine cannot apply raises :class:`Refused`: the signature is then TOTAL_FAILED / FORMAT_FAILURE with
the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kyso.certs.algorithms import digest_problem
from kyso.xmldsig.xmlsafe import child_elements, local_name

DSIG = "http://www.w3.org/2000/09/xmldsig#"
ENVELOPED = DSIG + "enveloped-signature"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N11 = "http://www.w3.org/2006/12/xml-c14n11"
"""Canonical XML 1.1 (REQUIRED by XML-DSig 1.1, signxml's default)."""
LEGACY_EXC_C14N = "http://www.w3.org/TR/xml-exc-c14n#"
"""Not a standard URI, but seen in real edXML packets: read as exclusive C14N, with a note."""

C14N_METHODS = {
    EXC_C14N: True,
    EXC_C14N + "WithComments": True,
    C14N: False,
    C14N + "#WithComments": False,
    C14N11: False,
    C14N11 + "#WithComments": False,
}
"""Canonicalization URI -> exclusive.

Canonical XML 1.1 differs from 1.0 only in what a *document subset* inherits from outside it (``xml:id`` is not
inherited, ``xml:base`` is joined): for a whole document, or an element with no ``xml:base``/``xml:id`` above it,
both give the same bytes, so libxml2's C14N 1.0 computes it (as signxml does); an element with such an ancestor
is refused (:func:`check_c14n11_subset`)."""
C14N11_METHODS = frozenset({C14N11, C14N11 + "#WithComments"})
HMAC_METHODS = {
    DSIG + "hmac-sha1",
    "http://www.w3.org/2001/04/xmldsig-more#hmac-sha224",
    "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#hmac-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512",
}
"""Message authentication codes, not signatures: whoever verifies one holds the key that makes it, so it names no
signer; refused (INDETERMINATE) with that reason."""
BASE64 = DSIG + "base64"
"""The base64 transform, accepted alone: the referenced element's text decoded (EU DSS enveloping signatures
carry the signed document so); bounded by the document's own size."""
XADES = "http://uri.etsi.org/01903/v1.3.2#"
XADES141 = "http://uri.etsi.org/01903/v1.4.1#"
SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"
SIGNATURE_PROPERTIES_TYPE = DSIG + "SignatureProperties"
DSIG11 = "http://www.w3.org/2009/xmldsig11#"
DIGEST_URIS = {
    "sha1": DSIG + "sha1",
    "sha224": "http://www.w3.org/2001/04/xmldsig-more#sha224",
    "sha256": "http://www.w3.org/2001/04/xmlenc#sha256",
    "sha384": "http://www.w3.org/2001/04/xmldsig-more#sha384",
    "sha512": "http://www.w3.org/2001/04/xmlenc#sha512",
}
"""Digest name -> URI, for writing."""

DIGEST_METHODS = {uri: name for name, uri in DIGEST_URIS.items()}
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
ID_ATTRIBUTES = (
    "Id",
    "ID",
    "id",
    "{http://www.w3.org/XML/1998/namespace}id",
    "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd}Id",
)
"""The attributes a same-document ``#id`` Reference may name (``wsu:Id``: WS-Security)."""
MAX_REFERENCES = 16
"""References in one SignedInfo (Kyso writes one, XAdES three, a tax authority's e-invoice signature three): more
is refused before any digest (issue 9: 8 000 References, each rescanning the document, took minutes)."""
MAX_SIGNATURES = 16
"""Signatures judged in one generic XML document (an e-invoice carries up to three: seller, buyer, tax
authority; SAML two): each costs a digest of what it signs, so more are refused before any is checked."""


@dataclass(frozen=True)
class Profile:
    """What a document format built on this engine decides about its signatures; the engine decides the rest
    (structure, references, transforms, algorithms, the certificate through the hook).

    The default is strict plain XML: one signature per document, in the XML-DSig (or no) namespace, anywhere.
    """

    format: str = "xml"
    """The ``format`` of the verification report."""
    document: str = "document"
    """What messages call the signed document (``"message"`` for edXML)."""
    one_signature: str = "exactly one is accepted"
    """How messages state the one-signature rule (several Signature elements are refused: wrapping)."""
    signature_namespaces: tuple[str | None, ...] = (DSIG, None)
    """Namespaces of the ``Signature`` elements that count (any but XML-DSig is a legacy signature: at best
    INDETERMINATE); every one of them counts for the one-signature rule."""
    home: str | None = None
    """Local name of the element a signature belongs in (edXML: ``edXMLHeader``): elsewhere it is noted."""
    home_rule: str = ""
    """Who says so, for that note (``"QCVN 102:2016"``)."""
    several: bool = False
    """Several signatures may sit in one document, each judged on its own (generic XML, e-invoices: seller, buyer,
    tax authority); ``False``: more than one is refused as wrapping (edXML)."""
    whole_required: bool = True
    """A signature must cover the whole document to pass (edXML); ``False``: a signature over one element passes,
    reported with ``coverage: PARTIAL`` and the ``signed_element`` it covers (generic XML)."""
    role: Callable[[Any], str | None] | None = None
    """The role of a ``Signature`` element (e-invoice: ``seller``, ``buyer``, ``tax_authority``, ``other``), or
    ``None`` when the format has no roles."""


class Refused(Exception):
    """The signature's structure makes it unverifiable (format failure unless said otherwise); carries the reason."""

    def __init__(self, reason: str, *, indeterminate: str | None = None) -> None:
        super().__init__(reason)
        self.indeterminate = indeterminate
        """A sub-indication: the signature is INDETERMINATE for it rather than TOTAL_FAILED (HMAC: not judged)."""


def c14n_method(element: Any, messages: list[str]) -> tuple[bool, list[str] | None]:
    """(exclusive, inclusive prefixes) of a ``CanonicalizationMethod``; anything but :data:`C14N_METHODS` is
    refused."""
    algorithm = element.get("Algorithm", "")
    if algorithm == LEGACY_EXC_C14N:
        messages.append(f"non-standard canonicalization URI {algorithm} read as exclusive C14N")
        return True, None
    if algorithm not in C14N_METHODS:
        raise Refused(f"unsupported canonicalization method {algorithm or '(none)'}")
    return C14N_METHODS[algorithm], inclusive_prefixes(element)


def inclusive_prefixes(element: Any) -> list[Any] | None:
    """The InclusiveNamespaces PrefixList of an Exclusive C14N transform (``#default`` is the default namespace)."""
    for child in child_elements(element):
        if local_name(child) == "InclusiveNamespaces":
            return [p if p != "#default" else None for p in (child.get("PrefixList") or "").split()] or None
    return None


def algorithm_of(element: Any, table: dict[str, Any], what: str) -> Any:
    """What ``table`` says of the element's ``Algorithm``; an algorithm it does not know is refused."""
    algorithm = element.get("Algorithm", "")
    if algorithm not in table:
        raise Refused(f"unsupported {what} {algorithm or '(none)'}")
    return table[algorithm]


def check_reference_count(count: int) -> None:
    """Refuse a SignedInfo with more than :data:`MAX_REFERENCES` References, before any digest."""
    if count > MAX_REFERENCES:
        raise Refused(f"SignedInfo has {count} References; at most {MAX_REFERENCES} are accepted")


def transform_chain(
    transforms: list[Any], number: int, messages: list[str]
) -> tuple[bool, bool, list[str] | None, bool]:
    """(enveloped, exclusive, inclusive prefixes, C14N 1.1) of a Reference's ``Transform`` elements.

    Accepted: the enveloped-signature transform, then one C14N of :data:`C14N_METHODS`, each at most once and in
    that order; or :data:`BASE64` alone; nothing else (no XPath or XSLT transform: what is digested is what a reader
    sees).
    Without a C14N transform, XML-DSig's default applies: inclusive C14N 1.0.
    """
    enveloped = False
    c14n: tuple[bool, list[str] | None] | None = None
    version11 = False
    if [t.get("Algorithm", "") for t in transforms] == [BASE64]:
        return False, False, None, False
    for transform in transforms:
        algorithm = transform.get("Algorithm", "")
        if algorithm == ENVELOPED and not enveloped and c14n is None:
            enveloped = True
        elif algorithm == LEGACY_EXC_C14N and c14n is None:
            messages.append(f"non-standard transform URI {algorithm} read as exclusive C14N")
            c14n = (True, None)
        elif algorithm in C14N_METHODS and c14n is None:
            c14n = (C14N_METHODS[algorithm], inclusive_prefixes(transform))
            version11 = algorithm in C14N11_METHODS
        else:
            what = "an XSLT transform is never applied" if "xslt" in algorithm.lower() else "unsupported or repeated"
            raise Refused(f"Reference {number}: {what} transform {algorithm or '(none)'}")
    exclusive, prefixes = c14n if c14n is not None else (False, None)
    return enveloped, exclusive, prefixes, version11


def check_c14n11_subset(element: Any, number: int | str) -> None:
    """Refuse Canonical XML 1.1 of an element that has an ``xml:base`` or ``xml:id`` above it: only there does 1.1
    differ from the 1.0 libxml2 computes (see :data:`C14N_METHODS`)."""
    for ancestor in element.iterancestors():
        if any(name in ancestor.attrib for name in (_XML + "base", _XML + "id")):
            raise Refused(f"Reference {number}: Canonical XML 1.1 of an element under xml:base or xml:id")


_XML = "{http://www.w3.org/XML/1998/namespace}"


def signature_method(element: Any) -> tuple[str, str]:
    """(key type, digest) of a ``SignatureMethod``; HMAC and unknown methods are refused, each with its reason."""
    algorithm = element.get("Algorithm", "")
    if algorithm in HMAC_METHODS:
        raise Refused(
            f"HMAC signature method {algorithm}: a shared-secret code names no signer, Kyso does not accept it",
            indeterminate="SIG_CONSTRAINTS_FAILURE",
        )
    return algorithm_of(element, SIGNATURE_METHODS, "signature method")  # type: ignore[no-any-return]


class IdIndex:
    """Kyso rule (issue 9, reference bounds): the elements of the document by ``Id`` (``ID``, ``id``, ``xml:id``,
    ``wsu:Id``). The first :data:`QUERIED_IDS` values are looked up one by one by libxml2 (one XPath query over the
    attributes each, no Python walk of the elements); past that, every element is indexed in one walk. Checking n
    References costs at most a few passes over the document, never n; and each URI is digested once (a repeated
    Reference only multiplies the work: refused)."""

    def __init__(
        self,
        root: Any,
        shared: dict[str, Any] | None = None,
        *,
        trimmed: Callable[[str, list[Any]], list[Any]] | None = None,
    ) -> None:
        """:param trimmed: for a tree cut while streaming (:mod:`kyso.xmldsig.stream`): the elements found, plus a
        stand-in for each one with that Id in the part cut out."""
        self.root = root
        self.shared: dict[str, Any] = shared if shared is not None else {"found": {}, "index": None}
        self.seen: set[str] = set()
        self.trimmed = trimmed

    def fresh(self) -> IdIndex:
        """An index of the same document for another signature: what was found is shared, no URI claimed yet."""
        return IdIndex(self.root, self.shared, trimmed=self.trimmed)

    def claim(self, uri: str, number: int) -> None:
        if uri in self.seen:
            raise Refused(f"Reference {number} repeats the URI {uri!r} of an earlier Reference")
        self.seen.add(uri)

    def _elements(self, identifier: str) -> list[Any]:
        found: dict[str, list[Any]] = self.shared["found"]
        if identifier in found:
            return found[identifier]
        if self.shared["index"] is None and len(found) < QUERIED_IDS:
            attributes = self.root.xpath("//@*[. = $value]", value=identifier)
            elements = [a.getparent() for a in attributes if a.attrname in ID_ATTRIBUTES]
            found[identifier] = list({id(e): e for e in elements}.values())
            return found[identifier]
        if self.shared["index"] is None:
            index: dict[str, list[Any]] = {}
            for element in self.root.iter():
                if isinstance(element.tag, str) and element.attrib:
                    for value in {element.get(attribute) for attribute in ID_ATTRIBUTES} - {None}:
                        index.setdefault(value, []).append(element)
            self.shared["index"] = index
        return self.shared["index"].get(identifier, [])  # type: ignore[no-any-return]

    def resolve(self, identifier: str, number: int) -> Any:
        found = self._elements(identifier)
        if self.trimmed is not None:
            found = self.trimmed(identifier, found)
        if len(found) != 1:
            raise Refused(
                f"Reference {number}: ID {identifier!r} names {len(found)} elements"
                + (" (duplicate IDs: signature wrapping is refused)" if found else "")
            )
        return found[0]


QUERIED_IDS = 8
"""Id values looked up one XPath query each before the whole document is indexed in one walk."""


def certificate_key_problem(certificate: bytes, allow: tuple[str, ...]) -> str | None:
    """Why the signing certificate's key is too weak (:mod:`kyso.certs.algorithms`), or None."""
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


__all__ = [
    "BASE64",
    "C14N",
    "C14N11",
    "C14N11_METHODS",
    "C14N_METHODS",
    "DIGEST_URIS",
    "DSIG11",
    "HMAC_METHODS",
    "MAX_SIGNATURES",
    "QUERIED_IDS",
    "SIGNATURE_PROPERTIES_TYPE",
    "SIGNED_PROPERTIES_TYPE",
    "XADES",
    "XADES141",
    "check_c14n11_subset",
    "signature_method",
    "DIGEST_METHODS",
    "DSIG",
    "ENVELOPED",
    "EXC_C14N",
    "ID_ATTRIBUTES",
    "LEGACY_EXC_C14N",
    "MAX_REFERENCES",
    "SIGNATURE_METHODS",
    "IdIndex",
    "Profile",
    "Refused",
    "algorithm_of",
    "c14n_method",
    "check_reference_count",
    "inclusive_prefixes",
    "certificate_key_problem",
    "transform_chain",
    "weak_algorithm",
]
