"""Issue 10, item 6: the XML-DSig engine (``kyso.xmldsig``) on its own, on an XML document that is not edXML: the
generic XML format will reuse it with its own :class:`~kyso.xmldsig.policy.Profile`."""

from __future__ import annotations

from kyso.core.models import CertificateReport, Indication, VerifyOptions
from kyso.xmldsig import c14n, xmlsafe
from kyso.xmldsig.policy import Profile
from kyso.xmldsig.signing import sign_enveloped
from kyso.xmldsig.verification import find_signatures, verify_signature, verify_tree_report

BIG = "QUJD" * (c14n.BIG_TEXT // 2)
DOCUMENT = f'<invoice xmlns="urn:example:invoice"><total>1.000.000 VND</total><scan>{BIG}</scan></invoice>'.encode()


def _accept(certificate: bytes, options) -> CertificateReport:
    return CertificateReport(indication=Indication.TOTAL_PASSED)


def _signed(signer) -> bytes:
    tree = xmlsafe.parse(DOCUMENT)
    return sign_enveloped(tree, tree.getroot(), signer, signature_id="Sig1")


def test_a_plain_xml_document_signs_and_verifies(signer_for) -> None:
    signed = _signed(signer_for("organisation"))
    report, whole = verify_tree_report(xmlsafe.parse(signed), "invoice.xml", VerifyOptions(), _accept)
    assert whole and report.format == "xml" and report.indication == "TOTAL_PASSED"
    (signature,) = report.signatures
    assert (signature.id, signature.coverage) == ("Sig1", "ENTIRE_FILE")
    assert not any("not in" in m for m in signature.messages)  # the default profile has no home for signatures


def test_a_changed_document_fails_and_a_profile_names_the_home(signer_for) -> None:
    signed = _signed(signer_for("organisation")).replace(b"1.000.000", b"9.000.000")
    profile = Profile(format="invoice", document="invoice", home="header", home_rule="the invoice rules")
    report, whole = verify_tree_report(xmlsafe.parse(signed), None, VerifyOptions(), _accept, profile=profile)
    assert not whole and report.format == "invoice"
    (signature,) = report.signatures
    assert (signature.indication, signature.sub_indication) == ("TOTAL_FAILED", "HASH_FAILURE")
    assert "the Signature is not in header, where the invoice rules places it" in signature.messages
    assert any("(the whole invoice): digest mismatch" in m for m in signature.messages)


def test_verifying_one_signature_leaves_the_tree_as_it_was(signer_for) -> None:
    tree = xmlsafe.parse(_signed(signer_for("organisation")))
    (signature,) = find_signatures(tree.getroot())
    report = verify_signature(tree, signature, VerifyOptions(), _accept)
    assert report.indication == "TOTAL_PASSED"
    assert tree.getroot()[1].text == BIG  # the big text taken out for the digest is back
