"""The XML-DSig engine of the edXML plugin on third-party vectors (shared/interop/xml, see MANIFEST.md).

These files are not edXML, so they go straight to the engine (``dsig.verify_tree_report``), with a certificate
validator that accepts everything: what is judged here is canonicalization, digests, signature values and the
refusal of wrapping, not the (expired) certificates of the vectors.
"""

from __future__ import annotations

import pytest
from edxml_support import SHARED

from kyso.core.models import CertificateReport, Indication, VerifyOptions
from kyso.xmldsig import verification as dsig
from kyso.xmldsig import xmlsafe

XML = SHARED / "interop" / "xml"
pytestmark = [pytest.mark.interop, pytest.mark.skipif(not XML.is_dir(), reason="shared/interop/xml is absent")]


def _accept(certificate: bytes, options) -> CertificateReport:
    return CertificateReport(indication=Indication.TOTAL_PASSED)


def _verify(name: str):
    tree = xmlsafe.parse((XML / name).read_bytes())
    report, whole = dsig.verify_tree_report(tree, name, VerifyOptions(), _accept)
    return report, whole


def test_phaos_valid_enveloped_rsa_sha1_is_intact_but_weak() -> None:
    report, whole = _verify("w3c-phaos_signature-rsa-enveloped.xml")
    (sig,) = report.signatures
    # digest and signature value check out (C14N 1.0, URI=""), SHA-1 keeps it from passing
    assert not any("digest mismatch" in m or "does not verify" in m for m in sig.messages), sig.messages
    assert (sig.indication, sig.sub_indication) == ("INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE")
    assert sig.coverage == "ENTIRE_FILE"
    assert sig.signer.common_name == "Test Client (RSA)"  # the certificate was read: the value was really checked


def test_phaos_vector_passes_only_when_its_weak_algorithms_are_allowed_explicitly() -> None:
    """The vector is SHA-1 with a 1024-bit RSA key: the caller must name both to accept it (issue 9, class 4)."""
    from kyso.core.models import ValidationOptions

    tree = xmlsafe.parse((XML / "w3c-phaos_signature-rsa-enveloped.xml").read_bytes())
    options = VerifyOptions(validation=ValidationOptions(allow_weak=("sha1", "rsa1024")))
    report, _ = dsig.verify_tree_report(tree, "phaos", options, _accept)
    assert report.indication == "TOTAL_PASSED", report.signatures[0].messages


def test_phaos_bad_digest_fails() -> None:
    report, _ = _verify("w3c-phaos_signature-rsa-enveloped-bad-digest-val.xml")
    assert (report.indication, report.signatures[0].sub_indication) == ("TOTAL_FAILED", "HASH_FAILURE")


def test_phaos_bad_signature_fails() -> None:
    report, _ = _verify("w3c-phaos_signature-rsa-enveloped-bad-sig.xml")
    assert report.indication == "TOTAL_FAILED"


@pytest.mark.parametrize(
    "name",
    [
        "xmlcrypto_valid_saml_signature_wrapping.xml",
        "py3saml_signature_wrapping_attack.xml",
        "xmlcrypto_saml_multiple_signed_info_nodes.xml",
        "xmlcrypto_saml_wrapped_signed_info_node.xml",
    ],
)
def test_wrapping_vectors_are_refused(name: str) -> None:
    report, whole = _verify(name)
    assert report.indication == "TOTAL_FAILED" and not whole
    assert all(s.sub_indication == "FORMAT_FAILURE" for s in report.signatures)


def test_c14n_11_verifies(tmp_path) -> None:
    """Issue 13, item 1: Canonical XML 1.1 (XML-DSig 1.1 REQUIRED, signxml's default) is verified, not refused; the
    Reference names the root element by Id, with the enveloped transform: the whole document."""
    report, whole = _verify("signxml-aleksey_enveloped-sha256-rsa-sha256-test-1.xml")
    (sig,) = report.signatures
    assert (sig.indication, sig.coverage, whole) == ("TOTAL_PASSED", "ENTIRE_FILE", True), sig.messages
