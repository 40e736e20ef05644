"""Issue 13, item 4: Vietnamese e-invoices (Nghị định 123/2020/NĐ-CP, Thông tư 78/2021/TT-BTC): the seller signs
``HDon/DLHDon[@Id]`` with the signature in ``DSCKS/NBan``; verify reports every signature with its role."""

from __future__ import annotations

import re

import pytest
from xml_support import INVOICE

import kyso
from kyso.core.errors import InputError
from kyso.xmldsig import xmlsafe
from kyso.xmldsig.policy import C14N, DSIG, ENVELOPED, SIGNATURE_PROPERTIES_TYPE


@pytest.fixture(scope="module")
def seller_signed(signer_for) -> bytes:
    return kyso.sign(INVOICE, signer=signer_for("organisation"), profile="einvoice")


def test_the_seller_signature_has_the_decree_layout(seller_signed) -> None:
    root = xmlsafe.parse(seller_signed).getroot()
    (signature,) = root.iter(f"{{{DSIG}}}Signature")
    assert signature.getparent().tag == "NBan" and signature.getparent().getparent().tag == "DSCKS"
    ns = {"ds": DSIG}
    assert signature.find("ds:SignedInfo/ds:CanonicalizationMethod", ns).get("Algorithm") == C14N
    assert signature.find("ds:SignedInfo/ds:SignatureMethod", ns).get("Algorithm").endswith("#rsa-sha256")
    first, second = signature.findall("ds:SignedInfo/ds:Reference", ns)
    assert first.get("URI") == "#HD-2026-0001"
    assert ENVELOPED in [t.get("Algorithm") for t in first.findall("ds:Transforms/ds:Transform", ns)]
    assert second.get("Type") == SIGNATURE_PROPERTIES_TYPE
    (holder,) = signature.findall("ds:Object", ns)
    assert second.get("URI") == "#" + holder.get("Id")
    prop = holder.find("ds:SignatureProperties/ds:SignatureProperty", ns)
    assert prop.get("Target") == "#" + signature.get("Id")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", prop.find("ds:SigningTime", ns).text)


def test_verify_reports_the_seller_role_and_signing_time(pki, seller_signed) -> None:
    report = kyso.verify(seller_signed, trust=[pki.root_cert], revocation="off")
    (seller,) = report.signatures
    assert seller.indication == "TOTAL_PASSED", seller.messages
    assert (seller.role, seller.signed_element) == ("seller", "/HDon/DLHDon[@Id='HD-2026-0001']")
    assert seller.signing_time is not None
    assert report.to_dict()["signatures"][0]["role"] == "seller"


def test_buyer_and_tax_authority_signatures_get_their_roles(pki, signer_for, seller_signed) -> None:
    """The buyer and the tax authority sign the same DLHDon from their own places (as the public samples do):
    each is reported with its role; changing the invoice data breaks all three."""
    from kyso.xmldsig import signing

    tree = xmlsafe.parse(seller_signed)
    root = tree.getroot()
    target = root.find("DLHDon")
    layout = signing.Layout(c14n=C14N, signing_time_object=True, signature_id="NMua-1")
    once = signing.sign_enveloped(tree, root.find("DSCKS/NMua"), signer_for("person"), target=target, layout=layout)
    tree = xmlsafe.parse(once)
    root = tree.getroot()
    cqt = root.find("DSCKS").makeelement("CQT", {})
    root.find("DSCKS").append(cqt)
    layout = signing.Layout(c14n=C14N, signing_time_object=True, signature_id="CQT-1")
    thrice = signing.sign_enveloped(tree, cqt, signer_for("organisation"), target=root.find("DLHDon"), layout=layout)
    report = kyso.verify(thrice, trust=[pki.root_cert], revocation="off")
    assert [s.role for s in report.signatures] == ["seller", "buyer", "tax_authority"]
    assert report.indication == "TOTAL_PASSED", [s.messages for s in report.signatures]
    changed = kyso.verify(thrice.replace(b"1100000", b"1900000"), trust=[pki.root_cert], revocation="off")
    assert [s.sub_indication for s in changed.signatures] == ["HASH_FAILURE"] * 3


def test_a_changed_signing_time_breaks_the_seller_signature(pki, signer_for, seller_signed) -> None:
    """The SigningTime is signed (second Reference): back-dating it is caught."""
    forged = re.sub(
        rb"<SigningTime>[^<]+</SigningTime>", b"<SigningTime>2020-01-01T00:00:00</SigningTime>", seller_signed
    )
    report = kyso.verify(forged, trust=[pki.root_cert], revocation="off")
    assert report.signatures[0].indication == "TOTAL_FAILED"  # the Object is signed: the change is caught


def test_a_second_seller_signature_is_refused(signer_for, seller_signed) -> None:
    with pytest.raises(InputError, match="seller"):
        kyso.sign(seller_signed, signer=signer_for("organisation"), profile="einvoice")


def test_an_invoice_without_dlhdon_id_is_refused(signer_for) -> None:
    with pytest.raises(InputError, match="DLHDon"):
        kyso.sign(INVOICE.replace(b' Id="HD-2026-0001"', b""), signer=signer_for("organisation"), profile="einvoice")
