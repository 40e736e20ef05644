"""Issue 13, items 1-2: generic XML signed and verified through ``kyso.sign`` / ``kyso.verify`` on the shared
engine: whole document, one element by Id, enveloping, detached, where the signature goes, ECDSA and SHA-384/512."""

from __future__ import annotations

import pytest
from xml_support import VOUCHER, ec_signer

import kyso
from kyso.core.errors import InputError, UsageError


@pytest.fixture(scope="module")
def whole(signer_for) -> bytes:
    return kyso.sign(VOUCHER, signer=signer_for("organisation"), name="chungtu.xml")


def test_the_whole_document_signs_and_verifies(pki, whole) -> None:
    report = kyso.verify(whole, trust=[pki.root_cert], revocation="off")
    assert report.format == "xml" and report.indication == "TOTAL_PASSED"
    (signature,) = report.signatures
    assert (signature.coverage, signature.signed_element) == ("ENTIRE_FILE", "/")
    data = report.to_dict()["signatures"][0]
    assert data["signed_element"] == "/" and "role" in data
    assert signature.signer.common_name


def test_a_changed_document_fails(pki, whole) -> None:
    report = kyso.verify(whole.replace(b"2.500.000", b"9.500.000"), trust=[pki.root_cert], revocation="off")
    assert (report.indication, report.signatures[0].sub_indication) == ("TOTAL_FAILED", "HASH_FAILURE")


def test_one_element_by_id_passes_and_is_named(pki, signer_for) -> None:
    signed = kyso.sign(VOUCHER, signer=signer_for("person"), xml_id="nd1")
    report = kyso.verify(signed, trust=[pki.root_cert], revocation="off")
    (signature,) = report.signatures
    assert signature.indication == "TOTAL_PASSED", signature.messages
    assert (signature.coverage, signature.signed_element) == ("PARTIAL", "/ChungTu/NoiDung[@Id='nd1']")
    # what is outside the signed element may change: the signature still holds for what it signs
    changed = signed.replace(b"PC-0042", b"PC-9999")
    assert kyso.verify(changed, trust=[pki.root_cert], revocation="off").indication == "TOTAL_PASSED"
    assert kyso.verify(signed.replace(b"2.500.000", b"1"), trust=[pki.root_cert], revocation="off").indication == (
        "TOTAL_FAILED"
    )


def test_verified_elements_are_what_was_signed(pki, signer_for) -> None:
    from kyso.xml import verified_elements

    signed = kyso.sign(VOUCHER, signer=signer_for("person"), xml_id="nd1")
    report, elements = verified_elements(signed, trust=[pki.root_cert], revocation="off")
    assert report.indication == "TOTAL_PASSED"
    (element,) = elements
    assert element.get("Id") == "nd1" and "2.500.000" in "".join(element.itertext())


def test_xml_into_places_the_signature(pki, signer_for) -> None:
    signed = kyso.sign(VOUCHER, signer=signer_for("person"), xml_into="/ChungTu/TTChung")
    from kyso.xmldsig import xmlsafe

    root = xmlsafe.parse(signed).getroot()
    assert root[0][-1].tag.endswith("}Signature")
    assert kyso.verify(signed, trust=[pki.root_cert], revocation="off").indication == "TOTAL_PASSED"


@pytest.mark.parametrize(
    "path",
    ["//TTChung", "/ChungTu/TTChung/following::*", "/ChungTu/*", "ChungTu", "/ChungTu/TTChung[contains(., 'x')]"],
)
def test_xml_into_accepts_only_the_bounded_subset_naming_one_element(signer_for, path) -> None:
    with pytest.raises(UsageError):
        kyso.sign(VOUCHER, signer=signer_for("person"), xml_into=path)


def test_enveloping_and_detached(pki, signer_for, tmp_path) -> None:
    enveloping = kyso.sign(VOUCHER, signer=signer_for("person"), xml_placement="enveloping")
    report = kyso.verify(enveloping, trust=[pki.root_cert], revocation="off")
    assert (report.indication, report.signatures[0].coverage) == ("TOTAL_PASSED", "ENTIRE_FILE")
    detached = kyso.sign(VOUCHER, signer=signer_for("person"), xml_placement="detached", name="chungtu.xml")
    without = kyso.verify(detached, trust=[pki.root_cert], revocation="off")
    assert (without.indication, without.signatures[0].sub_indication) == ("INDETERMINATE", "SIGNED_DATA_NOT_FOUND")
    given = kyso.verify(detached, trust=[pki.root_cert], revocation="off", detached_content=VOUCHER)
    assert given.indication == "TOTAL_PASSED"
    assert given.signatures[0].signed_element == "detached:chungtu.xml"
    other = kyso.verify(detached, trust=[pki.root_cert], revocation="off", detached_content=VOUCHER + b" ")
    assert (other.indication, other.signatures[0].sub_indication) == ("TOTAL_FAILED", "HASH_FAILURE")


def test_ecdsa_signs_and_verifies() -> None:
    signer, pem = ec_signer()
    signed = kyso.sign(VOUCHER, signer=signer)
    assert b"ecdsa-sha256" in signed
    report = kyso.verify(signed, trust=[pem], revocation="off")
    assert report.indication == "TOTAL_PASSED", report.signatures[0].messages


def test_duplicate_ids_are_refused_when_signing(signer_for) -> None:
    twice = VOUCHER.replace(b'Id="tt1"', b'Id="nd1"')
    with pytest.raises(InputError, match="duplicate"):
        kyso.sign(twice, signer=signer_for("person"), xml_id="nd1")


def test_format_options_are_refused_on_other_formats(signer_for, unsigned_pdf) -> None:
    with pytest.raises(UsageError):
        kyso.verify(unsigned_pdf, trust_key=(b"x",))


def test_the_base64_transform_digests_the_decoded_content(pki, signer_for) -> None:
    """EU DSS enveloping signatures sign a base64 Object through the base64 transform (alone): the decoded bytes
    are digested; changing them breaks the signature."""
    import base64
    import hashlib

    from lxml import etree

    from kyso.xmldsig import signing
    from kyso.xmldsig.policy import BASE64, DSIG

    content = "Biên bản bàn giao".encode()
    signature = etree.Element(f"{{{DSIG}}}Signature", nsmap={None: DSIG})
    signing._skeleton(signature)
    etree.SubElement(signature, f"{{{DSIG}}}Object", Id="o1").text = base64.b64encode(content).decode()
    reference = ("#o1", [BASE64], hashlib.sha256(content).digest(), None)
    signing._complete(signature, signer_for("person"), signing.Layout(), [reference])
    data = etree.tostring(signature)
    report = kyso.verify(data, trust=[pki.root_cert], revocation="off")
    assert report.indication == "TOTAL_PASSED", report.signatures[0].messages
    other = base64.b64encode(b"Bien ban gia mao").decode().encode()
    forged = data.replace(base64.b64encode(content), other)
    assert kyso.verify(forged, trust=[pki.root_cert], revocation="off").signatures[0].sub_indication == "HASH_FAILURE"
