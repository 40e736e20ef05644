"""edXML's XML-DSig: a mapping onto Kyso's XML-DSig engine (:mod:`kyso.xmldsig`).

What is edXML's own (QCVN 102:2016) is here; canonicalisation, signing, the reference and algorithm rules and
verification are the engine's:

- the signature is one enveloped XML-DSig over the whole message, the last child of ``edXMLHeader``
  (:func:`sign_tree`); an edXML message carries exactly one;
- what counts as a signature when verifying: ``Signature`` in the XML-DSig namespace, and, as legacy signatures read
  tolerantly (at best INDETERMINATE), in the edXML namespace or in none; a signature elsewhere than ``edXMLHeader``
  is noted (:data:`PROFILE`);
- what the report reads of the message is read from the very tree that was verified
  (:func:`kyso_edxml.open_verified`); the refusal of markup inside signed leaf texts stays in the model reading
  (:mod:`kyso_edxml.codec`);
- ``kyso sign`` options that do not apply to edXML are refused (:func:`check_signing_request`,
  :func:`check_signature_id`).
"""

from __future__ import annotations

import re
from typing import Any

from kyso.core.errors import InputError, UsageError
from kyso.core.models import CertificateValidator, Document, VerificationReport, VerifyOptions
from kyso.core.signer import Signer
from kyso.xmldsig.policy import DSIG, Profile
from kyso.xmldsig.xmlsafe import DEFAULT_LIMITS, Limits, child_elements, local_name
from kyso_edxml.model import NAMESPACE

FORMAT = "edxml"
PROFILE = Profile(
    format=FORMAT,
    document="message",
    one_signature="an edXML message has exactly one",
    signature_namespaces=(DSIG, NAMESPACE, None),
    home="edXMLHeader",
    home_rule="QCVN 102:2016",
)
"""What edXML decides about its signatures, for :func:`kyso.xmldsig.verification.verify_tree_report`."""


def header(root: Any) -> Any:
    """The ``edXMLHeader`` of an edXML root element, where the signature goes."""
    if local_name(root) != "edXML":
        raise InputError(f"not an edXML package: the root element is {local_name(root)!r}, not 'edXML'")
    for envelope in child_elements(root):
        if local_name(envelope) == "edXMLEnvelope":
            for found in child_elements(envelope):
                if local_name(found) == "edXMLHeader":
                    return found
    raise InputError("not an edXML package: no edXMLEnvelope/edXMLHeader")


def parse(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Any:
    """The hardened tree of an edXML message (:func:`kyso.xmldsig.xmlsafe.parse`), refused unless it has an
    ``edXMLHeader``."""
    from kyso.xmldsig import xmlsafe

    tree = xmlsafe.parse(data, limits)
    header(tree.getroot())
    return tree


def sign_message(
    data: bytes, signer: Signer, *, signature_id: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> bytes:
    """``data`` (an unsigned edXML message) with an enveloped XML-DSig over the whole message.

    :raises InputError: not an edXML message, unsafe XML, or already signed.
    :raises SignerError: the signer's key is neither RSA nor EC, or it refuses to sign.
    """
    from kyso.xmldsig import xmlsafe

    tree = xmlsafe.parse(data, limits)
    return sign_tree(tree, signer, signature_id=signature_id)


def sign_tree(tree: Any, signer: Signer, *, signature_id: str | None = None) -> bytes:
    """Sign a parsed (hardened) edXML tree in place and return the serialized signed message."""
    from kyso.xmldsig.signing import sign_enveloped
    from kyso.xmldsig.verification import find_signatures

    root = tree.getroot()
    where = header(root)
    if find_signatures(root, PROFILE):
        raise InputError("the message is already signed (an edXML message carries one signature)")
    return sign_enveloped(tree, where, signer, signature_id=signature_id)


def verify_message(
    document: Document,
    options: VerifyOptions,
    validate: CertificateValidator,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> VerificationReport:
    """The verification report of an edXML message (``format: "edxml"``)."""
    return verify_tree_report(parse(document.data, limits), document.name, options, validate, keep_tree=False)[0]


def verify_tree_report(
    tree: Any, name: str | None, options: VerifyOptions, validate: CertificateValidator, *, keep_tree: bool = True
) -> tuple[VerificationReport, bool]:
    """(report, whether the whole message is covered by an intact signature) for a parsed edXML tree.

    :param keep_tree: leave the tree as it was (``False`` when nobody reads it afterwards: cheaper).
    """
    from kyso.xmldsig import verification

    return verification.verify_tree_report(tree, name, options, validate, profile=PROFILE, keep_tree=keep_tree)


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
    "PROFILE",
    "check_signature_id",
    "check_signing_request",
    "header",
    "parse",
    "sign_message",
    "sign_tree",
    "verify_message",
    "verify_tree_report",
]
