"""Signing and verifying edXML: what must pass passes, and every way of changing, narrowing or wrapping what was
signed is refused with a reason. Cross-checked against signxml in both directions."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from edxml_support import (  # noqa: F401 - the *_fixture imports register the fixtures of this module
    DSIG,
    SAMPLES,
    full_message,
    hand_sign,
    pem_to_der,
    private_key_fixture,
    signed_edxml_fixture,
    unsigned_edxml_fixture,
)

import kyso
from kyso.core.errors import InputError, UsageError
from kyso.testing.pki import TestPKI
from kyso_edxml import codec, open_verified
from kyso_edxml.model import NAMESPACE


def verify(data: bytes, pki: TestPKI, **options) -> kyso.VerificationReport:
    options.setdefault("revocation", "off")
    return kyso.verify(data, trust=[pki.root_cert], **options)


def chain(pki: TestPKI, name: str = "person") -> list[bytes]:
    return [pem_to_der(pki.cert(name)), pem_to_der(pki.issuing_ca_cert)]


def test_signed_message_passes(signed_edxml: bytes, pki: TestPKI) -> None:
    report = verify(signed_edxml, pki)
    assert report.format == "edxml" and report.indication == "TOTAL_PASSED"
    (sig,) = report.signatures
    assert sig.coverage == "ENTIRE_FILE" and sig.signer.common_name == "Nguyễn Văn An"
    assert sig.certificate.indication == "TOTAL_PASSED" and len(sig.certificate.chain) == 3
    as_json = report.to_dict()
    assert set(as_json) == {"document", "format", "indication", "signatures"}
    assert set(as_json["signatures"][0]) == set(kyso.verify(signed_edxml).to_dict()["signatures"][0])


def test_signature_shape(signed_edxml: bytes) -> None:
    from lxml import etree

    root = etree.fromstring(signed_edxml)
    header = root.find(f"{{{NAMESPACE}}}edXMLEnvelope/{{{NAMESPACE}}}edXMLHeader")
    signature = header[-1]
    assert signature.tag == f"{{{DSIG}}}Signature"  # last child of edXMLHeader
    algorithms = [e.get("Algorithm") for e in signature.iter() if e.get("Algorithm")]
    assert algorithms == [
        "http://www.w3.org/2001/10/xml-exc-c14n#",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
        "http://www.w3.org/2001/10/xml-exc-c14n#",
        "http://www.w3.org/2001/04/xmlenc#sha256",
    ]
    assert signature.find(f".//{{{DSIG}}}Reference").get("URI") == ""
    assert len(signature.findall(f".//{{{DSIG}}}X509Certificate")) >= 2  # signer and its chain
    # the signed message still reads as the same message
    assert codec.parse(signed_edxml) == full_message()


def test_tampered_header_fails(signed_edxml: bytes, pki: TestPKI) -> None:
    tampered = signed_edxml.replace(
        "Nguyễn Văn An</edXML:FullName>".encode(), "Nguyễn Văn Ân</edXML:FullName>".encode()
    )
    assert tampered != signed_edxml
    report = verify(tampered, pki)
    assert report.indication == "TOTAL_FAILED"
    assert report.signatures[0].sub_indication == "HASH_FAILURE"
    assert any("digest mismatch" in m for m in report.signatures[0].messages)


def test_tampered_attachment_fails(signed_edxml: bytes, pki: TestPKI) -> None:
    encoded = base64.b64encode(full_message().attachments[0].data)
    forged = base64.b64encode(full_message().attachments[0].data.replace(b"van ban", b"VAN BAN"))
    tampered = signed_edxml.replace(encoded, forged)
    assert tampered != signed_edxml
    report = verify(tampered, pki)
    assert (report.indication, report.signatures[0].sub_indication) == ("TOTAL_FAILED", "HASH_FAILURE")


def test_added_trace_header_and_changed_signature_value_fail(signed_edxml: bytes, pki: TestPKI) -> None:
    added = signed_edxml.replace(
        b"<edXML:TraceHeaderList>",
        b"<edXML:TraceHeaderList><edXML:TraceHeader><edXML:OrganId>000.00.00.G99</edXML:OrganId></edXML:TraceHeader>",
    )
    assert verify(added, pki).signatures[0].sub_indication == "HASH_FAILURE"
    value = re.search(rb"<SignatureValue>([^<]+)</SignatureValue>", signed_edxml)[1]
    flipped = signed_edxml.replace(value, (b"B" if value[:1] != b"B" else b"C") + value[1:])
    report = verify(flipped, pki)
    assert (report.indication, report.signatures[0].sub_indication) == ("TOTAL_FAILED", "SIG_CRYPTO_FAILURE")


def test_whitespace_and_comments_outside_signed_content(signed_edxml: bytes, pki: TestPKI) -> None:
    # comments are not part of URI="" (XML-DSig): adding one keeps the signature valid, as in every verifier
    commented = signed_edxml.replace(b"<edXML:edXMLBody>", b"<!-- note --><edXML:edXMLBody>")
    assert verify(commented, pki).indication == "TOTAL_PASSED"
    # but whitespace in element content is content
    spaced = signed_edxml.replace(b"<edXML:edXMLBody>", b" <edXML:edXMLBody>")
    assert verify(spaced, pki).indication == "TOTAL_FAILED"


def test_partial_reference_is_never_total_passed(unsigned_edxml: bytes, pki: TestPKI, private_key) -> None:
    signed = hand_sign(
        unsigned_edxml, private_key("person"), chain(pki), uri="#hdr", target_id=("MessageHeader", "hdr")
    )
    report = verify(signed, pki)
    (sig,) = report.signatures
    assert report.indication == "TOTAL_FAILED" and sig.coverage == "PARTIAL"
    assert sig.sub_indication == "FORMAT_FAILURE"
    assert not any("digest mismatch" in m for m in sig.messages)  # its own digest is fine...
    assert any("covers only MessageHeader" in m for m in sig.messages)  # ...but it signs only the header
    # and changing the attachment, which that signature never covered, is not hidden behind a "valid" header
    assert open_verified(signed, trust=[pki.root_cert], revocation="off")[1] is None


def test_duplicate_ids_are_refused(unsigned_edxml: bytes, pki: TestPKI, private_key) -> None:
    signed = hand_sign(
        unsigned_edxml, private_key("person"), chain(pki), uri="#hdr", target_id=("MessageHeader", "hdr")
    )
    wrapped = signed.replace(b"<edXML:edXMLBody>", b'<edXML:edXMLBody><edXML:Note Id="hdr"/>', 1)
    report = verify(wrapped, pki)
    assert report.indication == "TOTAL_FAILED"
    assert any("duplicate IDs" in m for m in report.signatures[0].messages)


def test_extra_signature_is_refused(signed_edxml: bytes, pki: TestPKI) -> None:
    signature = re.search(rb"<Signature .*?</Signature>", signed_edxml, re.DOTALL)[0]
    doubled = signed_edxml.replace(b"</edXML:AttachmentEncoded>", signature + b"</edXML:AttachmentEncoded>")
    report = verify(doubled, pki)
    assert report.indication == "TOTAL_FAILED" and len(report.signatures) == 2
    assert all("signature wrapping" in s.messages[0] for s in report.signatures)


def test_multiple_signed_info_is_refused(signed_edxml: bytes, pki: TestPKI) -> None:
    signed_info = re.search(rb"<SignedInfo>.*?</SignedInfo>", signed_edxml, re.DOTALL)[0]
    wrapped = signed_edxml.replace(
        b"<edXML:edXMLBody>", b"<edXML:edXMLBody><Wrapper xmlns='%s'>" % DSIG.encode() + signed_info + b"</Wrapper>"
    )
    report = verify(wrapped, pki)
    assert report.indication == "TOTAL_FAILED"
    twice = signed_edxml.replace(signed_info, signed_info + signed_info)
    report = verify(twice, pki)
    assert report.indication == "TOTAL_FAILED"
    assert any("SignedInfo" in m for m in report.signatures[0].messages)


def test_signed_info_without_signature_is_refused(signed_edxml: bytes, pki: TestPKI) -> None:
    stripped = re.sub(rb"<Signature .*?<SignedInfo>", b"<Other xmlns='urn:x'><SignedInfo>", signed_edxml, flags=re.S)
    stripped = stripped.replace(b"</Signature>", b"</Other>")
    report = verify(stripped, pki)
    assert report.indication == "TOTAL_FAILED"


def test_external_reference_is_refused_without_fetching(unsigned_edxml: bytes, pki: TestPKI, private_key) -> None:
    signed = hand_sign(unsigned_edxml, private_key("person"), chain(pki))
    external = signed.replace(b'URI=""', b'URI="http://127.0.0.1:9/doc.xml"')
    report = verify(external, pki)
    assert report.indication == "TOTAL_FAILED"
    assert any("same-document" in m for m in report.signatures[0].messages)


def test_sha1_is_indeterminate_not_passed(unsigned_edxml: bytes, pki: TestPKI, private_key) -> None:
    signed = hand_sign(unsigned_edxml, private_key("person"), chain(pki), digest="sha1")
    report = verify(signed, pki)
    (sig,) = report.signatures
    assert report.indication == "INDETERMINATE" and sig.sub_indication == "CRYPTO_CONSTRAINTS_FAILURE"
    assert not any("digest mismatch" in m or "does not verify" in m for m in sig.messages)  # intact, yet weak


def test_signature_outside_the_dsig_namespace_is_never_passed(unsigned_edxml: bytes, pki: TestPKI, private_key) -> None:
    signed = hand_sign(unsigned_edxml, private_key("person"), chain(pki), namespace=NAMESPACE)
    report = verify(signed, pki)
    (sig,) = report.signatures
    assert report.indication == "INDETERMINATE" and sig.sub_indication == "FORMAT_FAILURE"
    assert any("not in the XML-DSig namespace" in m for m in sig.messages)


def test_truncated_certificate_is_indeterminate(signed_edxml: bytes, pki: TestPKI) -> None:
    certificates = re.findall(rb"<X509Certificate>([^<]+)</X509Certificate>", signed_edxml)
    broken = signed_edxml
    for index, certificate in enumerate(certificates):
        broken = broken.replace(certificate, certificate[:11] if index == 0 else b"")
    report = verify(broken, pki)
    (sig,) = report.signatures
    assert report.indication == "INDETERMINATE" and sig.sub_indication == "NO_SIGNING_CERTIFICATE_FOUND"
    assert any("truncated" in m for m in sig.messages)


def test_unknown_root_is_indeterminate(signed_edxml: bytes, pki: TestPKI) -> None:
    report = kyso.verify(signed_edxml, trust=[pki.untrusted_root_cert], revocation="off")
    assert report.indication == "INDETERMINATE"
    assert report.signatures[0].sub_indication == "NO_CERTIFICATE_CHAIN_FOUND"


def test_revoked_signer_is_not_passed(unsigned_edxml: bytes, signer_for: Callable, pki: TestPKI) -> None:
    signed = kyso.sign(unsigned_edxml, signer=signer_for("revoked"))
    report = verify(signed, pki, revocation="hard")
    (sig,) = report.signatures
    assert report.indication == "INDETERMINATE"  # XML-DSig has no signing time: nothing proves it predates
    assert sig.sub_indication == "REVOKED_NO_POE"
    assert sig.certificate.revocation.status == "revoked"


def test_validation_goes_through_the_hook(signed_edxml: bytes, pki: TestPKI) -> None:
    from kyso import hookimpl
    from kyso.core.manager import get_plugin_manager

    class NationalRule:
        @hookimpl(wrapper=True)
        def kyso_validate_certificate(self, certificate, options):
            report = yield
            report.messages.append("national rule applied")
            return report

    manager = get_plugin_manager()
    manager.register(NationalRule(), name="national-rule")
    try:
        report = verify(signed_edxml, pki)
    finally:
        manager.unregister("national-rule")
    assert "national rule applied" in report.signatures[0].messages


def test_any_signer_protocol_implementation_signs(unsigned_edxml: bytes, signer_for: Callable, pki: TestPKI) -> None:
    inner = signer_for("organisation")
    calls = []

    class TokenSigner:  # a token or remote signer: only sign_raw reaches the key
        certificate = inner.certificate
        chain = inner.chain
        key_algorithm = "rsa"

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            calls.append((len(data), digest_algorithm))
            return inner.sign_raw(data, digest_algorithm)

    signed = kyso.sign(unsigned_edxml, signer=TokenSigner())
    assert calls and calls[0][1] == "sha256" and calls[0][0] < 2000  # only SignedInfo, never the message
    assert verify(signed, pki).indication == "TOTAL_PASSED"


def test_ec_key_signs_and_verifies_with_signxml(unsigned_edxml: bytes, tmp_path: Path) -> None:
    from signxml import XMLVerifier

    certificate, key = _ec_identity()
    pem = _pem(certificate)

    class EcSigner:
        chain = ()
        key_algorithm = "ec"

        def __init__(self) -> None:
            self.certificate = certificate

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.asymmetric import ec

            return key.sign(data, ec.ECDSA(hashes.SHA256()))

    signed = kyso.sign(unsigned_edxml, signer=EcSigner())
    (tmp_path / "ec.pem").write_bytes(pem)
    XMLVerifier().verify(signed, x509_cert=pem.decode())
    report = kyso.verify(signed, trust=[tmp_path / "ec.pem"], revocation="off")
    assert report.signatures[0].coverage == "ENTIRE_FILE"
    assert report.signatures[0].sub_indication not in ("HASH_FAILURE", "SIG_CRYPTO_FAILURE")


def test_sign_refusals(signed_edxml: bytes, unsigned_edxml: bytes, signer_for: Callable) -> None:
    signer = signer_for("person")
    with pytest.raises(InputError, match="already signed"):
        kyso.sign(signed_edxml, signer=signer)
    with pytest.raises(UsageError, match="B-B"):
        kyso.sign(unsigned_edxml, signer=signer, level="B-T", tsa="http://127.0.0.1:9/tsa")
    with pytest.raises(UsageError, match="appearance"):
        kyso.sign(unsigned_edxml, signer=signer, page=1, box=(0, 0, 10, 10))
    with pytest.raises(UsageError, match="XML Id"):
        kyso.sign(unsigned_edxml, signer=signer, field="Chữ ký 1")
    named = kyso.sign(unsigned_edxml, signer=signer, field="SigVanThu")
    assert b'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#" Id="SigVanThu">' in named
    assert kyso.verify(named).signatures[0].id == "SigVanThu"


def test_open_verified_returns_the_signed_message_only(signed_edxml: bytes, pki: TestPKI) -> None:
    report, message = open_verified(signed_edxml, trust=[pki.root_cert], revocation="off")
    assert report.indication == "TOTAL_PASSED" and message == full_message()
    tampered = signed_edxml.replace(b"UBND-VX.pdf", b"UBND-VY.pdf")
    report, message = open_verified(tampered, trust=[pki.root_cert], revocation="off")
    assert report.indication == "TOTAL_FAILED" and message is None


# -------------------------------------------------------------------------------------------------------------
# signxml, both directions
# -------------------------------------------------------------------------------------------------------------


def test_sdk_signature_verifies_with_signxml(signed_edxml: bytes, pki: TestPKI) -> None:
    from signxml import XMLVerifier

    result = XMLVerifier().verify(signed_edxml, ca_pem_file=str(pki.root_cert))
    assert result.signed_xml.tag == f"{{{NAMESPACE}}}edXML"
    # the lxml default-namespace C14N workaround does not change the verdict here (exclusive C14N)
    verifier = XMLVerifier()
    verifier.excise_empty_xmlns_declarations = True
    verifier.verify(signed_edxml, ca_pem_file=str(pki.root_cert))


@pytest.mark.parametrize("placement", ["root", "header-default-ns", "header-ds-prefix", "header-other-prefix"])
def test_signxml_signature_verifies_with_the_sdk(unsigned_edxml: bytes, pki: TestPKI, placement: str) -> None:
    from lxml import etree
    from signxml import XMLSigner, methods

    root = etree.fromstring(unsigned_edxml)
    if placement != "root":  # signxml fills a Signature placeholder where the standard wants it
        prefix = {"header-default-ns": None, "header-ds-prefix": "ds", "header-other-prefix": "ns0"}[placement]
        header = root.find(f".//{{{NAMESPACE}}}edXMLHeader")
        etree.SubElement(header, f"{{{DSIG}}}Signature", Id="placeholder", nsmap={prefix: DSIG})
    signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm="rsa-sha256",
        digest_algorithm="sha256",
        c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#",
    )
    certificates = [pki.cert("person").read_text(), pki.issuing_ca_cert.read_text()]
    signed = etree.tostring(signer.sign(root, key=pki.key("person").read_bytes(), cert=certificates))
    report = verify(signed, pki)
    assert report.indication == "TOTAL_PASSED", report.signatures[0].messages
    assert report.signatures[0].coverage == "ENTIRE_FILE"
    tampered = signed.replace(b"UBND-VX", b"UBND-VY")
    assert verify(tampered, pki).indication == "TOTAL_FAILED"


# -------------------------------------------------------------------------------------------------------------
# interop samples
# -------------------------------------------------------------------------------------------------------------

needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/interop/edxml is absent")


@needs_samples
@pytest.mark.interop
@pytest.mark.parametrize("name", ["edoc_new.edxml", "edoc_update.edxml"])
def test_sample_signatures_are_reported_not_valid_with_reasons(name: str, pki: TestPKI) -> None:
    report = verify((SAMPLES / name).read_bytes(), pki)
    (sig,) = report.signatures
    assert report.indication == "TOTAL_FAILED" and sig.sub_indication == "HASH_FAILURE"
    text = " | ".join(sig.messages)
    assert "not in the XML-DSig namespace" in text and "SHA-1" in text and "truncated" in text


@needs_samples
@pytest.mark.interop
def test_sample_status_packet_has_no_signature(pki: TestPKI) -> None:
    report = verify((SAMPLES / "status_processing_05.edxml").read_bytes(), pki)
    assert report.indication == "NO_SIGNATURE" and report.signatures == []


def _ec_identity() -> tuple[bytes, object]:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "EC test signer")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER), key


def _pem(der: bytes) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)


# -------------------------------------------------------------------------------------------------------------
# large texts (taken out of the tree while digesting and writing)
# -------------------------------------------------------------------------------------------------------------


def test_large_attachment_and_escaped_large_text(signer_for: Callable, pki: TestPKI) -> None:
    import os

    from signxml import XMLVerifier

    from kyso.xmldsig import c14n as dsig

    message = full_message(attachment=os.urandom(3 * dsig.BIG_TEXT))
    message.header.content = ("a & b < c > d \r e " * (dsig.BIG_TEXT // 8))[: 2 * dsig.BIG_TEXT]
    unsigned = codec.build(message)
    signed = kyso.sign(unsigned, signer=signer_for("person"))
    XMLVerifier().verify(signed, ca_pem_file=str(pki.root_cert))  # an independent C14N agrees with ours
    report, opened = open_verified(signed, trust=[pki.root_cert], revocation="off")
    assert report.indication == "TOTAL_PASSED"
    assert opened == message  # the texts were put back after digesting
    assert opened.header.content.count("\r") == message.header.content.count("\r")
    position = signed.index(b"<edXML:ContentTransferEncoded>") + 5000
    flipped = signed[:position] + (b"A" if signed[position : position + 1] != b"A" else b"B") + signed[position + 1 :]
    assert verify(flipped, pki).signatures[0].sub_indication == "HASH_FAILURE"


def test_twenty_megabyte_message_signs_and_verifies_quickly(signer_for: Callable, pki: TestPKI) -> None:
    import os
    import time

    message = full_message(attachment=os.urandom(15_000_000))  # base64: a 20 MB message
    unsigned = codec.build(message)
    assert len(unsigned) > 20_000_000
    start = time.perf_counter()
    signed = kyso.sign(unsigned, signer=signer_for("person"))
    report = verify(signed, pki)
    assert time.perf_counter() - start < 5.0
    assert report.indication == "TOTAL_PASSED"


def _subject(data: bytes) -> bytes:
    return re.search(rb"<edXML:Subject>([^<]+)</edXML:Subject>", data)[1]


def test_comment_injected_into_signed_text_does_not_cut_what_is_read(signed_edxml: bytes, pki: TestPKI) -> None:
    # comments are outside C14N: one put into the Subject keeps the digest, so the reader must not stop at it
    subject = _subject(signed_edxml)
    injected = signed_edxml.replace(subject, subject[:5] + b"<!---->" + subject[5:], 1)
    report, message = open_verified(injected, trust=[pki.root_cert], revocation="off")
    assert report.indication == "TOTAL_PASSED"
    assert message is not None and message.header.subject == subject.decode()


def test_signature_moved_into_signed_text_is_refused(signed_edxml: bytes, pki: TestPKI) -> None:
    # the enveloped transform joins the Subject text around the moved Signature again: the digest holds, but a
    # reader of the Subject would see only its first characters
    signature = re.search(rb"<Signature.*</Signature>", signed_edxml, re.S)
    subject = _subject(signed_edxml)
    rest = signed_edxml[: signature.start()] + signed_edxml[signature.end() :]
    moved = rest.replace(subject, subject[:5] + signature[0] + subject[5:], 1)
    report, message = open_verified(moved, trust=[pki.root_cert], revocation="off")
    (sig,) = report.signatures
    assert (report.indication, sig.sub_indication) == ("TOTAL_FAILED", "FORMAT_FAILURE") and message is None
    assert any("inside the text of Subject" in m for m in sig.messages)
