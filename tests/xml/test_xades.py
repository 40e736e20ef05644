"""Issue 13, item 3: XAdES baseline B-B, B-T (SignatureTimeStamp from the test PKI's RFC 3161 TSA) and B-LT
(CertificateValues, RevocationValues) for generic XML, and the rules that read them only when they hold."""

from __future__ import annotations

import re

import pytest
from xml_support import VOUCHER

import kyso


@pytest.fixture(scope="module")
def b_t(pki, signer_for) -> bytes:
    return kyso.sign(VOUCHER, signer=signer_for("person"), level="B-T", tsa=pki.tsa_url)


def test_b_b_has_signing_time_and_signing_certificate(pki, signer_for) -> None:
    signed = kyso.sign(VOUCHER, signer=signer_for("person"), xml_form="xades")
    assert b"SigningCertificateV2" in signed and b"IssuerSerialV2" in signed
    (signature,) = kyso.verify(signed, trust=[pki.root_cert], revocation="off").signatures
    assert (signature.indication, signature.level) == ("TOTAL_PASSED", "B-B"), signature.messages
    assert signature.signing_time is not None


def test_b_t_level_implies_xades_and_is_time_stamped(pki, b_t) -> None:
    assert b"SignatureTimeStamp" in b_t
    (signature,) = kyso.verify(b_t, trust=[pki.root_cert], revocation="off").signatures
    assert (signature.indication, signature.level) == ("TOTAL_PASSED", "B-T"), signature.messages
    assert signature.timestamp is not None and signature.timestamp.trusted


def test_a_time_stamp_of_another_signature_proves_nothing(pki, signer_for, b_t) -> None:
    """Kyso rule (XAdES, as PDF): a token whose imprint is another SignatureValue's digest is ignored."""
    other = kyso.sign(
        VOUCHER.replace(b"PC-0042", b"PC-0043"), signer=signer_for("person"), level="B-T", tsa=pki.tsa_url
    )
    token = re.search(rb"<xades:EncapsulatedTimeStamp>([^<]+)<", other).group(1)
    grafted = re.sub(rb"(<xades:EncapsulatedTimeStamp>)[^<]+<", rb"\g<1>" + token + b"<", b_t)
    (signature,) = kyso.verify(grafted, trust=[pki.root_cert], revocation="off").signatures
    assert signature.level == "B-B" and signature.timestamp is None
    assert any("another signature" in m for m in signature.messages)


def test_b_lt_embeds_validation_data_used_offline(pki, signer_for) -> None:
    signed = kyso.sign(VOUCHER, signer=signer_for("person"), level="B-LT", tsa=pki.tsa_url)
    assert b"CertificateValues" in signed and b"EncapsulatedOCSPValue" in signed
    report = kyso.verify(signed, trust=[pki.root_cert], revocation="hard", offline=True)
    (signature,) = report.signatures
    assert (signature.indication, signature.level) == ("TOTAL_PASSED", "B-LT"), signature.messages
    assert signature.certificate.revocation.status == "good"


def test_a_substituted_signing_certificate_is_indeterminate(pki, signer_for) -> None:
    """The signed SigningCertificateV2 must name the KeyInfo certificate: its digest changed, it names another."""
    # sign over a SigningCertificateV2 naming another certificate (the organisation's): the engine, patched
    from kyso.xmldsig import signing, xmlsafe
    from kyso.xmldsig import xades as xades_module

    original = xades_module.add_signed_properties

    def naming_another(signature, certificate, moment, digest="sha256"):
        return original(signature, signer_for("organisation").certificate, moment, digest)

    xades_module.add_signed_properties = naming_another
    try:
        tree = xmlsafe.parse(VOUCHER)
        forged = signing.sign_enveloped(tree, tree.getroot(), signer_for("person"), layout=signing.Layout(xades=True))
    finally:
        xades_module.add_signed_properties = original
    (signature,) = kyso.verify(forged, trust=[pki.root_cert], revocation="off").signatures
    assert (signature.indication, signature.sub_indication) == ("INDETERMINATE", "NO_SIGNING_CERTIFICATE_FOUND")
    assert "the signed SigningCertificate does not name the certificate in KeyInfo" in signature.messages
