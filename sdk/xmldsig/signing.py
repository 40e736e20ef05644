"""Enveloped XML-DSig over a whole document, through the Kyso ``Signer`` protocol.

One ``Signature`` (XML-DSig namespace): ``Reference URI=""`` with the enveloped-signature and exclusive C14N
transforms, SHA-256 digest, RSA-SHA256 (ECDSA-SHA256 for an EC key), the signer's certificate then its chain in
``KeyInfo/X509Data``. The key never leaves the ``Signer``: only the canonical ``SignedInfo`` goes to
``signer.sign_raw(data, "sha256")``, so a token or a remote signer works too. The digest is computed before the
signature exists (the tree is never cut and patched), streamed, big texts kept out (:mod:`kyso.xmldsig.c14n`).
"""

from __future__ import annotations

import base64
from typing import Any

from kyso.core.errors import SignerError, SigningError
from kyso.core.signer import Signer
from kyso.xmldsig.c14n import c14n_element, digest_tree, serialize, take_big_texts
from kyso.xmldsig.policy import DSIG, ENVELOPED, EXC_C14N
from kyso.xmldsig.xmlsafe import child_elements


def sign_enveloped(tree: Any, parent: Any, signer: Signer, *, signature_id: str | None = None) -> bytes:
    """Sign the whole document ``tree`` (parsed by :func:`kyso.xmldsig.xmlsafe.parse`) with an enveloped signature
    written as the last child of ``parent``, and return the serialized signed document.

    Where the signature goes, and whether the document may already carry one, is the format's decision (edXML:
    last child of ``edXMLHeader``, one signature): the caller checks it first. The tree is changed in place.

    :raises SignerError: the signer's key is neither RSA nor EC, or it refuses to sign.
    :raises SigningError: the signer failed unexpectedly.
    """
    from lxml import etree

    key_algorithm = signer.key_algorithm
    if key_algorithm not in ("rsa", "ec"):
        raise SignerError(f"unsupported key algorithm {key_algorithm!r} (RSA or EC keys only)")
    method = "http://www.w3.org/2001/04/xmldsig-more#" + ("rsa-sha256" if key_algorithm == "rsa" else "ecdsa-sha256")

    def ds(within: Any, name: str, **attributes: str) -> Any:
        return etree.SubElement(within, f"{{{DSIG}}}{name}", attributes)

    children = child_elements(parent)
    indent = (children[-1].tail if children else parent.text) or ""
    pretty = bool(children) and indent.strip() == "" and "\n" in indent
    if pretty:
        # keep the document readable: the signature gets the indentation of its siblings. What the enveloped
        # transform leaves of that (both pieces of whitespace) is what the digest covers
        children[-1].tail = indent + "  " + indent
    # the digest is computed before the signature exists: the tree is never cut and patched (lxml would
    # reconcile the namespace declarations of a moved subtree)
    taken = take_big_texts(tree)  # kept out until the output is written: the tree stays small
    digest = _b64(digest_tree(tree, "sha256", exclusive=True, prefixes=None, taken=taken))
    signature = etree.SubElement(parent, f"{{{DSIG}}}Signature", nsmap={None: DSIG})
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
    canonical = c14n_element(signed_info, exclusive=True, prefixes=None)
    try:
        raw = signer.sign_raw(canonical, "sha256")
    except SignerError:
        raise
    except Exception as exc:
        raise SigningError(f"the signer failed: {exc.__class__.__name__}") from None
    if key_algorithm == "ec":
        raw = _ecdsa_der_to_raw(raw, signer.certificate)
    signature_value.text = _b64(raw)
    return serialize(tree, taken)


def _ecdsa_der_to_raw(der: bytes, certificate: bytes) -> bytes:
    """XML-DSig writes ECDSA signatures as r || s, each as long as the curve order."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    size = (x509.load_der_x509_certificate(certificate).public_key().curve.key_size + 7) // 8  # type: ignore[union-attr]
    r, s = decode_dss_signature(der)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


__all__ = ["sign_enveloped"]
