"""Issue 9, class 4: one algorithm policy (:mod:`kyso.certs.algorithms`) for PDF and edXML.

A SHA-1 signature or an RSA key below 2048 bits from a *trusted* signer is INDETERMINATE /
CRYPTO_CONSTRAINTS_FAILURE in both formats, unless the caller accepts it by name (``allow_weak``, CLI
``--allow-weak``). The weak files are built here: pyHanko signing with SHA-1, an edXML signature re-signed with
``rsa-sha1`` over SHA-256 digests (and the other way round), and an RSA-1024 signer in a PKCS#12 made here,
trusted by a root made here.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

import kyso
from kyso.certs import algorithms
from kyso.core.errors import UsageError
from kyso.testing.pki import TestPKI

DSIG = "http://www.w3.org/2000/09/xmldsig#"
RSA_SHA1 = DSIG + "rsa-sha1"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA1 = DSIG + "sha1"
WEAK = ("INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE")


# --------------------------------------------------------------------------------------------- the policy itself


def test_the_policy_names_what_is_weak() -> None:
    assert algorithms.digest_problem("sha1") and algorithms.digest_problem("SHA-1")
    assert algorithms.digest_problem("sha1", ("sha1",)) is None
    assert algorithms.digest_problem("md5", ("sha1", "rsa1024"))  # MD5 is never accepted
    assert algorithms.digest_problem("sha256") is None
    assert algorithms.key_problem("rsa", 1024) and algorithms.key_problem("rsa", 2047)
    assert algorithms.key_problem("rsa", 1024, ("rsa1024",)) is None
    assert algorithms.key_problem("rsa", 512, ("rsa1024",))  # below 1024 bits never
    assert algorithms.key_problem("rsa", 2048) is None and algorithms.key_problem("ec", 256) is None


def test_keys_without_a_size_rule_are_judged_by_their_digest_only() -> None:
    """EdDSA and ECDSA have no key-size rule here (asn1crypto cannot even size an Ed25519 key)."""
    from asn1crypto import algos, keys
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    public = ed25519.Ed25519PrivateKey.generate().public_key()
    info = keys.PublicKeyInfo.load(
        public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    policy = algorithms.usage_policy()
    assert policy.signature_algorithm_allowed(algos.SignedDigestAlgorithm({"algorithm": "ed25519"}), None, info)
    assert not policy.signature_algorithm_allowed(algos.SignedDigestAlgorithm({"algorithm": "sha1_ecdsa"}), None, None)


def test_unknown_names_to_allow_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="md5"):
        algorithms.allowed(["md5"])
    with pytest.raises(UsageError):
        kyso.verify(b"%PDF-1.7\n", allow_weak=["sha-1"])
    assert algorithms.allowed(["rsa1024", "sha1", "sha1"]) == ("sha1", "rsa1024")


# --------------------------------------------------------------------------------------------- weak files


def _pdf_signed_with_sha1(pki: TestPKI, pdf: bytes) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(str(pki.p12("person")), passphrase=pki.password.encode())
    out = BytesIO()
    metadata = signers.PdfSignatureMetadata(field_name="Signature1", md_algorithm="sha1")
    signers.PdfSigner(metadata, signer=signer).sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), output=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def status_packet() -> bytes:
    """A small unsigned edXML message (a status packet)."""
    from kyso_edxml import codec
    from kyso_edxml.api import status_for
    from kyso_edxml.model import Organization

    sender = Organization(organ_id="000.00.00.H41", organ_name="Văn phòng thử nghiệm")
    return codec.build(status_for("000.00.11.H53,2020/10/30,2491/STC-BCTC", "03", sender=sender))


def _resign(signed: bytes, key: Any, *, method: str | None = None, digest: tuple[str, str] | None = None) -> bytes:
    """An SDK-signed edXML message re-signed by hand with another SignatureMethod and/or DigestMethod
    (``digest`` = (URI, hashlib name)); with neither, the same algorithms (the control)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    from lxml import etree

    root = etree.fromstring(signed)
    signature = root.find(f".//{{{DSIG}}}Signature")
    signed_info = signature.find(f"{{{DSIG}}}SignedInfo")
    if digest is not None:
        reference = signed_info.find(f"{{{DSIG}}}Reference")
        reference.find(f"{{{DSIG}}}DigestMethod").set("Algorithm", digest[0])
        # the enveloped transform: the document without the Signature element (its tail text stays)
        bare = copy.deepcopy(root)
        inner = bare.find(f".//{{{DSIG}}}Signature")
        parent, previous = inner.getparent(), inner.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + (inner.tail or "")
        else:
            parent.text = (parent.text or "") + (inner.tail or "")
        parent.remove(inner)
        canonical = etree.tostring(bare, method="c14n", exclusive=True, with_comments=False)
        reference.find(f"{{{DSIG}}}DigestValue").text = base64.b64encode(hashlib.new(digest[1], canonical).digest())
    method_element = signed_info.find(f"{{{DSIG}}}SignatureMethod")
    if method is not None:
        method_element.set("Algorithm", method)
    hash_class = hashes.SHA1 if method_element.get("Algorithm").endswith("sha1") else hashes.SHA256
    value = key.sign(etree.tostring(signed_info, method="c14n", exclusive=True), padding.PKCS1v15(), hash_class())
    signature.find(f"{{{DSIG}}}SignatureValue").text = base64.b64encode(value)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


@pytest.fixture(scope="module")
def person_key(pki: TestPKI) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(pki.key("person").read_bytes(), None)


@pytest.fixture(scope="module")
def signed_packet(status_packet: bytes, pki: TestPKI) -> bytes:
    return kyso.sign(status_packet, signer=kyso.Pkcs12Signer.from_file(pki.p12("person"), pki.password))


@pytest.fixture(scope="module")
def rsa1024(tmp_path_factory: pytest.TempPathFactory) -> tuple[kyso.Pkcs12Signer, Path]:
    """(signer with an RSA-1024 key in a PKCS#12 made here, its root's PEM file): an otherwise valid chain."""
    from certs_helpers import issue
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    root = issue("RSA-1024 Test Root", key=rsa.generate_private_key(public_exponent=65537, key_size=2048), ca=True)
    leaf = issue(
        "Người ký RSA-1024 (test)", key=rsa.generate_private_key(public_exponent=65537, key_size=1024), issuer=root
    )
    blob = pkcs12.serialize_key_and_certificates(
        b"rsa1024", leaf.key, leaf.cert, [root.cert], serialization.BestAvailableEncryption(b"pass-1024")
    )
    root_file = tmp_path_factory.mktemp("rsa1024") / "root.pem"
    root_file.write_bytes(root.pem)
    return kyso.Pkcs12Signer.from_bytes(blob, "pass-1024"), root_file


def _verdict(data: bytes, trust: Any, **options: Any) -> tuple[str, str | None, list[str]]:
    report = kyso.verify(data, trust=[trust], revocation="off", **options)
    (signature,) = report.signatures
    return str(signature.indication), signature.sub_indication and str(signature.sub_indication), signature.messages


# --------------------------------------------------------------------------------------------- PDF


def test_pdf_sha1_from_a_trusted_signer_is_weak_unless_allowed(pki: TestPKI, unsigned_pdf: bytes) -> None:
    signed = _pdf_signed_with_sha1(pki, unsigned_pdf)
    indication, sub, messages = _verdict(signed, pki.root_cert)
    assert (indication, sub) == WEAK, messages
    assert any("SHA-1 is a weak digest algorithm" in m for m in messages), messages
    indication, _, messages = _verdict(signed, pki.root_cert, allow_weak=("sha1",))
    assert indication == "TOTAL_PASSED", messages


def test_cli_allow_weak(pki: TestPKI, unsigned_pdf: bytes, tmp_path: Path, kyso_cli) -> None:
    path = tmp_path / "sha1.pdf"
    path.write_bytes(_pdf_signed_with_sha1(pki, unsigned_pdf))
    common = ("verify", path, "--trust", pki.root_cert, "--revocation", "off", "--lang", "en")
    refused = kyso_cli(*common)
    assert refused.exit_code == 1 and "INDETERMINATE" in refused.stdout and "SHA-1" in refused.stdout
    accepted = kyso_cli(*common, "--allow-weak", "sha1")
    assert accepted.exit_code == 0, accepted.stdout
    assert kyso_cli(*common, "--allow-weak", "md5").exit_code == 2  # never accepted: not even a choice


@pytest.mark.parametrize("document", ["unsigned_pdf", "status_packet"])
def test_rsa_1024_is_weak_unless_allowed(
    document: str, rsa1024: tuple[kyso.Pkcs12Signer, Path], request: pytest.FixtureRequest
) -> None:
    """For PDF and edXML alike: one algorithm policy."""
    signer, root = rsa1024
    signed = kyso.sign(request.getfixturevalue(document), signer=signer)
    indication, sub, messages = _verdict(signed, root)
    assert (indication, sub) == WEAK, messages
    assert any("1024-bit RSA key is too small" in m for m in messages), messages
    assert _verdict(signed, root, allow_weak=("sha1",))[0] != "TOTAL_PASSED"  # allowing SHA-1 allows no small key
    assert _verdict(signed, root, allow_weak=("rsa1024",))[0] == "TOTAL_PASSED"


# --------------------------------------------------------------------------------------------- edXML


def test_edxml_control_resigned_with_the_same_algorithms_passes(
    signed_packet: bytes, person_key: Any, pki: TestPKI
) -> None:
    assert _verdict(_resign(signed_packet, person_key), pki.root_cert)[0] == "TOTAL_PASSED"


def test_edxml_rsa_sha1_signature_method_over_sha256_digests_is_weak(
    signed_packet: bytes, person_key: Any, pki: TestPKI
) -> None:
    """Only the SignatureMethod is SHA-1: the digests are SHA-256, the value verifies, the signer is trusted."""
    weak = _resign(signed_packet, person_key, method=RSA_SHA1)
    assert b"xmlenc#sha256" in weak and b"rsa-sha1" in weak
    indication, sub, messages = _verdict(weak, pki.root_cert)
    assert (indication, sub) == WEAK, messages
    assert any("signature method is not accepted: SHA-1" in m for m in messages), messages
    assert not any("does not verify" in m or "digest mismatch" in m for m in messages)  # intact, yet weak
    assert _verdict(weak, pki.root_cert, allow_weak=("sha1",))[0] == "TOTAL_PASSED"


def test_edxml_sha1_digest_method_under_rsa_sha256_is_weak(signed_packet: bytes, person_key: Any, pki: TestPKI) -> None:
    weak = _resign(signed_packet, person_key, digest=(SHA1, "sha1"))
    assert RSA_SHA256.encode() in weak
    indication, sub, messages = _verdict(weak, pki.root_cert)
    assert (indication, sub) == WEAK, messages
    assert any("Reference 0 is not accepted: SHA-1" in m for m in messages), messages
    assert _verdict(weak, pki.root_cert, allow_weak=("sha1",))[0] == "TOTAL_PASSED"


def test_edxml_open_verified_and_unpack_honour_allow_weak(
    signed_packet: bytes, person_key: Any, pki: TestPKI, tmp_path: Path, kyso_cli
) -> None:
    from kyso_edxml.api import open_verified

    weak = _resign(signed_packet, person_key, method=RSA_SHA1)
    assert open_verified(weak, trust=[pki.root_cert], revocation="off")[1] is None
    assert open_verified(weak, trust=[pki.root_cert], revocation="off", allow_weak=["sha1"])[1] is not None
    path = tmp_path / "weak.edxml"
    path.write_bytes(weak)
    common = ("edxml", "unpack", path, "--verify", "--trust", pki.root_cert, "--revocation", "off")
    assert kyso_cli(*common, "-d", tmp_path / "refused").exit_code == 1
    assert kyso_cli(*common, "-d", tmp_path / "accepted", "--allow-weak", "sha1").exit_code == 0


# --------------------------------------------------------------------------------------------- one place


def test_what_is_weak_is_decided_in_one_place_for_both_formats(
    pki: TestPKI, unsigned_pdf: bytes, signed_packet: bytes, person_key: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Taking SHA-1 out of ``algorithms.WEAK_DIGESTS`` (the one line) accepts it in PDF and edXML alike."""
    pdf = _pdf_signed_with_sha1(pki, unsigned_pdf)
    packet = _resign(signed_packet, person_key, method=RSA_SHA1)
    assert _verdict(pdf, pki.root_cert)[:2] == WEAK and _verdict(packet, pki.root_cert)[:2] == WEAK
    monkeypatch.setattr(algorithms, "WEAK_DIGESTS", algorithms.WEAK_DIGESTS - {"sha1"})
    algorithms._usage_policy.cache_clear()
    try:
        assert _verdict(pdf, pki.root_cert)[0] == "TOTAL_PASSED"
        assert _verdict(packet, pki.root_cert)[0] == "TOTAL_PASSED"
    finally:
        algorithms._usage_policy.cache_clear()
