"""``kyso verify`` of an XML document: the e-invoice profile for an invoice, the generic profile otherwise."""

from __future__ import annotations

from typing import Any

from kyso.core.models import CertificateValidator, VerificationReport, VerifyOptions
from kyso.xmldsig.policy import Profile

GENERIC = Profile(format="xml", document="document", several=True, whole_required=False)
"""Generic XML: several signatures (each judged on its own), each may sign one element (``signed_element``)."""


def profile_of(root: Any) -> Profile:
    from kyso.xml import einvoice

    return einvoice.PROFILE if einvoice.is_invoice(root) else GENERIC


def verify_xml(
    data: bytes,
    name: str | None,
    options: VerifyOptions,
    validate: CertificateValidator,
    *,
    signed: list[Any] | None = None,
) -> VerificationReport:
    """The verification report (``format: "xml"``) of an XML document, hardened reading first
    (:data:`~kyso.xmldsig.xmlsafe.GENERIC_LIMITS`)."""
    from kyso.xmldsig import stream, verification, xmlsafe
    from kyso.xmldsig.c14n import may_hold_big_text

    if signed is None and len(data) >= stream.STREAM_FROM:
        try:
            return _verify_streamed(data, name, options, validate)
        except stream.StreamMiss:
            pass  # what the stream cannot answer exactly, the whole tree does
    tree = xmlsafe.parse(data, xmlsafe.GENERIC_LIMITS)
    profile = profile_of(tree.getroot())
    report, _ = verification.verify_tree_report(
        tree,
        name,
        options,
        validate,
        profile=profile,
        keep_tree=signed is not None,
        signed=signed,
        big_texts=may_hold_big_text(data),
    )
    return report


def _verify_streamed(
    data: bytes, name: str | None, options: VerifyOptions, validate: CertificateValidator
) -> VerificationReport:
    """A large document read as a stream (:mod:`kyso.xmldsig.stream`): the whole-document digest its signature
    asks for, computed while it is read, then the engine on what is left of the tree.

    :raises StreamMiss: no whole-document signature to be seen at its end, or one the stream cannot answer for.
    """
    from kyso.xml import einvoice
    from kyso.xmldsig import stream, verification, xmlsafe

    if einvoice.may_be_invoice(data):
        raise stream.StreamMiss("an e-invoice: its profile is read on the whole tree")
    guess = stream.guess_signature(data)
    if guess is None:
        raise stream.StreamMiss("no whole-document Reference at the end of the document")
    canonical, ids = guess
    namespaces = GENERIC.signature_namespaces
    document = stream.StreamedDocument(
        data, xmlsafe.GENERIC_LIMITS, canonical, signature_namespaces=namespaces, id_values=ids
    )
    profile = profile_of(document.tree.getroot())
    if profile.signature_namespaces != namespaces:
        raise stream.StreamMiss("the profile counts signatures in other namespaces")
    report, _ = verification.verify_tree_report(
        document.tree, name, options, validate, profile=profile, keep_tree=False, big_texts=False, streamed=document
    )
    return report


__all__ = ["GENERIC", "profile_of", "verify_xml"]
