"""Issue 13, items 5-6 without ../shared: generated documents for every wrapping rule (duplicate Ids, several
SignedInfo, a wrapped SignedInfo, a signed element moved under a copy), HMAC refused with its reason, and the
hardened reading of every XML format (DTD, entities, depth, size, counts) through the shared engine."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from lxml import etree
from xml_support import VOUCHER

import kyso
from kyso.core.errors import InputError
from kyso.xmldsig.policy import DSIG, MAX_REFERENCES, MAX_SIGNATURES

NS = {"ds": DSIG}


@pytest.fixture(scope="module")
def element_signed(signer_for) -> bytes:
    return kyso.sign(VOUCHER, signer=signer_for("person"), xml_id="nd1")


def _verify(pki, data: bytes, **options):
    return kyso.verify(data, trust=[pki.root_cert], revocation="off", **options)


def test_duplicate_ids_are_refused(pki, element_signed) -> None:
    """XSW: the signed element kept (hidden) and a forged copy with the same Id where a reader looks."""
    root = etree.fromstring(element_signed)
    original = root.find("{urn:example:chungtu}NoiDung")
    forged = etree.fromstring(etree.tostring(original))
    forged.find("{urn:example:chungtu}SoTien").text = "250.000.000"
    root.insert(0, forged)
    report = _verify(pki, etree.tostring(root))
    (signature,) = report.signatures
    assert (signature.indication, signature.sub_indication) == ("TOTAL_FAILED", "FORMAT_FAILURE")
    assert signature.signed_element is None
    assert any("duplicate IDs" in m for m in signature.messages)


def test_verified_elements_never_return_a_refused_copy(pki, element_signed) -> None:
    from kyso.xml import verified_elements

    root = etree.fromstring(element_signed)
    root.insert(0, etree.fromstring(etree.tostring(root.find("{urn:example:chungtu}NoiDung"))))
    report, elements = verified_elements(etree.tostring(root), trust=[pki.root_cert], revocation="off")
    assert report.indication == "TOTAL_FAILED" and elements == []


def test_several_signed_info_are_refused(pki, element_signed) -> None:
    root = etree.fromstring(element_signed)
    signature = root.find("ds:Signature", NS)
    signature.insert(0, etree.fromstring(etree.tostring(signature.find("ds:SignedInfo", NS))))
    report = _verify(pki, etree.tostring(root))
    assert report.signatures[0].indication == "TOTAL_FAILED"
    assert any("malformed Signature" in m for m in report.signatures[0].messages)


def test_a_wrapped_signed_info_is_refused(pki, element_signed) -> None:
    root = etree.fromstring(element_signed)
    signature = root.find("ds:Signature", NS)
    wrapper = etree.SubElement(signature, "{urn:attacker}WRAPPER")
    wrapper.append(etree.fromstring(etree.tostring(signature.find("ds:SignedInfo", NS))))
    report = _verify(pki, etree.tostring(root))
    assert report.signatures[0].indication == "TOTAL_FAILED"
    assert report.signatures[0].signed_element is None


def test_a_signed_info_outside_a_signature_is_refused(pki, element_signed) -> None:
    root = etree.fromstring(element_signed)
    root.append(etree.fromstring(etree.tostring(root.find("ds:Signature/ds:SignedInfo", NS))))
    report = _verify(pki, etree.tostring(root))
    assert report.indication == "TOTAL_FAILED"
    assert any("SignedInfo elements for 1 Signature" in m for m in report.signatures[0].messages)


def test_hmac_is_refused_with_its_reason(pki) -> None:
    """An enveloping HMAC-SHA256 signature, valid for its key: INDETERMINATE, "names no signer"."""
    declaration = f' xmlns="{DSIG}"'
    obj = f'<Object{declaration} Id="o">data</Object>'
    digest = base64.b64encode(hashlib.sha256(obj.encode()).digest()).decode()
    signed_info = (
        f'<SignedInfo{declaration}><CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
        '<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"/>'
        '<Reference URI="#o"><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
        f"<DigestValue>{digest}</DigestValue></Reference></SignedInfo>"
    )
    value = base64.b64encode(hmac.new(b"k", signed_info.encode(), "sha256").digest()).decode()
    document = (
        f"<Signature{declaration}>{signed_info.replace(declaration, '')}"
        f"<SignatureValue>{value}</SignatureValue>{obj.replace(declaration, '')}</Signature>"
    )
    (signature,) = _verify(pki, document.encode()).signatures
    assert (signature.indication, signature.sub_indication) == ("INDETERMINATE", "SIG_CONSTRAINTS_FAILURE")
    assert any("HMAC" in m and "names no signer" in m for m in signature.messages)


def test_an_xslt_transform_is_never_applied(pki, element_signed) -> None:
    data = element_signed.replace(
        b'<Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>',
        b'<Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"/>',
    )
    (signature,) = _verify(pki, data).signatures
    assert signature.indication == "TOTAL_FAILED"
    assert any("XSLT transform is never applied" in m for m in signature.messages)


def test_too_many_signatures_are_refused_before_any_digest(pki, element_signed) -> None:
    root = etree.fromstring(element_signed)
    signature = root.find("ds:Signature", NS)
    for _ in range(MAX_SIGNATURES):
        root.append(etree.fromstring(etree.tostring(signature)))
    report = _verify(pki, etree.tostring(root))
    assert all(f"at most {MAX_SIGNATURES}" in s.messages[0] for s in report.signatures)


def test_too_many_references_are_refused(pki, element_signed) -> None:
    root = etree.fromstring(element_signed)
    signed_info = root.find("ds:Signature/ds:SignedInfo", NS)
    reference = signed_info.find("ds:Reference", NS)
    for _ in range(MAX_REFERENCES):
        signed_info.append(etree.fromstring(etree.tostring(reference)))
    (signature,) = _verify(pki, etree.tostring(root)).signatures
    assert any(f"at most {MAX_REFERENCES}" in m for m in signature.messages)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b'<!DOCTYPE a [<!ENTITY x "boom">]><a>&x;</a>', "DOCTYPE"),
        (b'<?xml version="1.0" encoding="UTF-7"?><a/>', "UTF-8"),
        (b"<a>" + b"<b>" * 100 + b"</b>" * 100 + b"</a>", "deeper"),
        (b"<a " + b" ".join(b'x%d="1"' % i for i in range(100)) + b"/>", "attributes"),
        (b"<a>" + b"".join(b'<b xmlns:p%d="urn:%d"/>' % (i, i) for i in range(40)) + b"</a>", "namespace"),
    ],
)
def test_hardened_reading_applies_to_generic_xml(document: bytes, reason: str, signer_for) -> None:
    with pytest.raises(InputError, match=reason):
        kyso.verify(document)
    with pytest.raises(InputError, match=reason):
        kyso.sign(document, signer=signer_for("person"))


def test_edxml_is_still_sniffed_as_edxml() -> None:
    from tests_edxml_message import unsigned_edxml

    from kyso.core.manager import get_plugin_manager

    assert get_plugin_manager().detect_format(unsigned_edxml()).name == "edxml"
    assert get_plugin_manager().detect_format(VOUCHER).name == "xml"
