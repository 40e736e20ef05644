"""Issue 13, item 5 (both ways with signxml): signxml verifies Kyso's generic XML, XAdES and e-invoice signatures;
Kyso verifies signxml's with signxml's defaults (C14N 1.1), its XAdESSigner, and an edXML signed by signxml with
the signature in edXMLHeader or outside it."""

from __future__ import annotations

import pytest
from lxml import etree
from xml_support import INVOICE, VOUCHER

import kyso

signxml = pytest.importorskip("signxml")
from signxml import XMLSigner, XMLVerifier, methods  # noqa: E402
from signxml.xades import XAdESSigner, XAdESVerifier  # noqa: E402


def _chain(pki) -> list[str]:
    return [pki.cert("person").read_text(), pki.issuing_ca_cert.read_text()]


def test_signxml_verifies_kyso_generic_xml(pki, signer_for) -> None:
    whole = kyso.sign(VOUCHER, signer=signer_for("person"))
    assert XMLVerifier().verify(whole, ca_pem_file=str(pki.root_cert)).signed_xml.tag.endswith("ChungTu")
    element = kyso.sign(VOUCHER, signer=signer_for("person"), xml_id="nd1")
    result = XMLVerifier().verify(element, ca_pem_file=str(pki.root_cert))
    assert result.signed_xml.get("Id") == "nd1"


def test_signxml_verifies_kyso_xades(pki, signer_for) -> None:
    signed = kyso.sign(VOUCHER, signer=signer_for("person"), xml_form="xades")
    results = XAdESVerifier().verify(signed, ca_pem_file=str(pki.root_cert), expect_references=2)
    assert any(getattr(r, "signed_properties", None) is not None for r in results)


def test_signxml_verifies_kyso_einvoice(pki, signer_for) -> None:
    """The public sample invoices write ``SigningTime`` in the XML-DSig default namespace, which the XML-DSig schema
    does not list (``##other``): signxml's schema check is off for that one element's sake (docs/xml.md)."""
    signed = kyso.sign(INVOICE, signer=signer_for("organisation"), profile="einvoice")
    verifier = XMLVerifier()
    verifier.excise_empty_xmlns_declarations = True
    results = verifier.verify(signed, ca_pem_file=str(pki.root_cert), expect_references=2, validate_schema=False)
    assert results[0].signed_xml.tag == "DLHDon"


def test_kyso_verifies_signxml_defaults_c14n_11(pki) -> None:
    signed = etree.tostring(
        XMLSigner().sign(etree.fromstring(VOUCHER), key=pki.key("person").read_bytes(), cert=_chain(pki))
    )
    assert b"xml-c14n11" in signed  # signxml's default canonicalization
    report = kyso.verify(signed, trust=[pki.root_cert], revocation="off")
    assert report.indication == "TOTAL_PASSED", report.signatures[0].messages
    assert report.signatures[0].coverage == "ENTIRE_FILE"
    tampered = kyso.verify(signed.replace(b"2.500.000", b"1"), trust=[pki.root_cert], revocation="off")
    assert tampered.signatures[0].sub_indication == "HASH_FAILURE"


def test_kyso_verifies_signxml_xades(pki) -> None:
    signed = etree.tostring(
        XAdESSigner().sign(etree.fromstring(VOUCHER), key=pki.key("person").read_bytes(), cert=_chain(pki))
    )
    report = kyso.verify(signed, trust=[pki.root_cert], revocation="off")
    (signature,) = report.signatures
    assert signature.indication == "TOTAL_PASSED", signature.messages
    assert (signature.level, signature.coverage) == ("B-B", "ENTIRE_FILE")
    assert signature.signing_time is not None


@pytest.mark.parametrize("in_header", [True, False])
def test_kyso_verifies_an_edxml_signed_by_signxml_with_its_defaults(pki, in_header) -> None:
    """signxml's defaults (C14N 1.1) in edXMLHeader were TOTAL_FAILED "unsupported canonicalization method"; a
    valid whole-message signature outside edXMLHeader is reported with a note, not failed for its position."""
    from tests_edxml_message import unsigned_edxml

    from kyso_edxml import codec
    from kyso_edxml.model import NAMESPACE

    root = etree.fromstring(unsigned_edxml())
    if in_header:
        header = root.find(f".//{{{NAMESPACE}}}edXMLHeader")
        etree.SubElement(header, "{http://www.w3.org/2000/09/xmldsig#}Signature", Id="placeholder")
    signed = etree.tostring(
        XMLSigner(method=methods.enveloped).sign(root, key=pki.key("person").read_bytes(), cert=_chain(pki))
    )
    assert codec is not None and b"xml-c14n11" in signed
    report = kyso.verify(signed, trust=[pki.root_cert], revocation="off")
    assert report.format == "edxml"
    (signature,) = report.signatures
    assert signature.indication == "TOTAL_PASSED", signature.messages
    assert signature.coverage == "ENTIRE_FILE"
    assert any("not in edXMLHeader" in m for m in signature.messages) is not in_header
