"""The e-invoice profile: Vietnamese e-invoices and vouchers (Nghị định 123/2020/NĐ-CP, Thông tư 78/2021/TT-BTC).

Layout, as the public sample invoices show it (docs/xml.md, "E-invoices")::

    HDon
      DLHDon Id="..."          the invoice data: what the seller signs
      MCCQT Id="..."           the tax authority's code (invoices with a code), signed by the tax authority
      DSCKS                    the signatures
        NBan/ds:Signature      seller
        NMua/ds:Signature      buyer (optional)
        CCKSKhac               other signatures
        CQT/ds:Signature       tax authority

The seller's signature: inclusive C14N 1.0, RSA-SHA256 (ECDSA for an EC key), a Reference to ``#<DLHDon/@Id>``
with the enveloped-signature transform, and a second Reference (Type ``...#SignatureProperties``) to a
``ds:Object`` holding ``SignatureProperties/SignatureProperty[@Target]/SigningTime`` (``yyyy-MM-ddTHH:mm:ss``,
Vietnam time). The invoice may sit inside a tax message (``TDiep/DLieu/HDon``): the one ``HDon`` is used.
"""

from __future__ import annotations

import re
from typing import Any

from kyso.core.errors import InputError
from kyso.xmldsig.policy import DSIG, Profile
from kyso.xmldsig.xmlsafe import child_elements, local_name

ROLES = {"NBan": "seller", "NMua": "buyer", "CQT": "tax_authority"}
"""Parent of a ``Signature`` in ``DSCKS`` -> its role; any other place is ``other``."""


def role(signature: Any) -> str:
    parent = signature.getparent()
    grand = parent.getparent() if parent is not None else None
    if parent is not None and grand is not None and local_name(grand) == "DSCKS":
        return ROLES.get(local_name(parent), "other")
    return "other"


PROFILE = Profile(
    format="xml",
    document="invoice",
    several=True,
    whole_required=False,
    role=role,
)
"""What the e-invoice decides about its signatures: several (seller, buyer, tax authority), each over elements of
the invoice, each with its role."""


def invoice(root: Any) -> Any | None:
    """The ``HDon`` element of a document (its root, or the one ``HDon`` of a tax message), or None."""
    if local_name(root) == "HDon":
        return root
    found = [e for e in root.iter("{*}HDon", "HDon") if isinstance(e.tag, str)]
    return found[0] if len(found) == 1 else None


_HDON = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?HDon[ \t\r\n/>]")


def may_be_invoice(data: bytes) -> bool:
    """Whether a document's bytes may hold an ``HDon``: read on the bytes, before any tree (a large document is
    read as a stream only when it cannot be an invoice, whose profile is decided on its whole tree)."""
    return b"HDon" in data and _HDON.search(data) is not None  # (the plain search first: it runs at memory speed)


def is_invoice(root: Any) -> bool:
    found = invoice(root)
    return found is not None and any(local_name(c) == "DLHDon" for c in child_elements(found))


def seller_place(root: Any) -> tuple[Any, Any]:
    """(DLHDon, NBan) of an unsigned invoice: what the seller signs and where the signature goes; ``DSCKS`` and
    ``NBan`` are added when the invoice has none yet.

    :raises InputError: not an e-invoice, no ``DLHDon/@Id``, or the seller has signed already.
    """
    from lxml import etree

    hdon = invoice(root)
    if hdon is None:
        raise InputError("not an e-invoice: no HDon element (Nghị định 123/2020)")
    data = [c for c in child_elements(hdon) if local_name(c) == "DLHDon"]
    if len(data) != 1 or not data[0].get("Id"):
        raise InputError("the e-invoice must have exactly one DLHDon with an Id attribute (what the seller signs)")
    lists = [c for c in child_elements(hdon) if local_name(c) == "DSCKS"]
    namespace = hdon.tag[1:].split("}")[0] if hdon.tag.startswith("{") else None

    def make(parent: Any, name: str, index: int | None = None) -> Any:
        element = etree.Element(f"{{{namespace}}}{name}" if namespace else name)
        if index is None:
            parent.append(element)
        else:
            parent.insert(index, element)
        return element

    dscks = lists[0] if lists else make(hdon, "DSCKS")
    sellers = [c for c in child_elements(dscks) if local_name(c) == "NBan"]
    seller = sellers[0] if sellers else make(dscks, "NBan", 0)
    if any(local_name(c) == "Signature" and (c.tag.startswith(f"{{{DSIG}}}")) for c in child_elements(seller)):
        raise InputError("the e-invoice is signed by the seller already (DSCKS/NBan holds a Signature)")
    return data[0], seller


__all__ = ["PROFILE", "ROLES", "invoice", "is_invoice", "may_be_invoice", "role", "seller_place"]
