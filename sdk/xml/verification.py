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
    from kyso.xmldsig import verification, xmlsafe
    from kyso.xmldsig.c14n import may_hold_big_text

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


__all__ = ["GENERIC", "profile_of", "verify_xml"]
