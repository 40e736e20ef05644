"""Issue 9, class 4: a time-stamp is a proof of existence only when it is trusted and belongs to the signature.

The attacks are built here: a revoked signer (the session test PKI's ``revoked``, revoked 10 days ago) back-dates
his signature with a time-stamp of his own TSA (an attacker's PKI made with ``cryptography``), or with a genuine
token of the trusted test TSA copied from another signature into the unsigned attributes (CMS surgery).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest

import kyso
from kyso.testing.pki import TestPKI


def _asn1_cert(der: bytes) -> Any:
    from asn1crypto import x509

    return x509.Certificate.load(der)


def _asn1_key(pem: bytes) -> Any:
    from asn1crypto import keys
    from asn1crypto import pem as armor

    _, _, der = armor.unarmor(pem)
    return keys.PrivateKeyInfo.load(der)


@pytest.fixture(scope="module")
def attacker_tsa() -> tuple[Any, Any]:
    """(certificate, key) of a TSA of the attacker's own PKI: well-formed, timeStamping EKU, trusted by nobody."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID

    from kyso.testing.certificates import certificate

    now = datetime.now(UTC)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa_cert = certificate(
        "Attacker TSA (test)",
        issuer="Attacker Root (test)",
        public_key=tsa_key.public_key(),
        signing_key=root_key,
        not_before=now - timedelta(days=400),
        not_after=now + timedelta(days=400),
        extensions=[(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True)],
    )
    key_pem = tsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return _asn1_cert(tsa_cert.public_bytes(serialization.Encoding.DER)), _asn1_key(key_pem)


def _trusted_tsa(pki: TestPKI) -> tuple[Any, Any]:
    from kyso.api import certificates_from_bytes

    return _asn1_cert(certificates_from_bytes(pki.cert("tsa").read_bytes())[0]), _asn1_key(pki.key("tsa").read_bytes())


def _sign(pki: TestPKI, name: str, pdf: bytes, tsa: tuple[Any, Any], moment: datetime, **stamper: Any) -> bytes:
    """Sign as ``name`` with pyHanko, the signature time-stamp made with ``tsa``'s key and dated ``moment``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps import DummyTimeStamper

    signer = signers.SimpleSigner.load_pkcs12(str(pki.p12(name)), passphrase=pki.password.encode())
    out = BytesIO()
    signers.PdfSigner(
        signers.PdfSignatureMetadata(
            field_name="Signature1", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
        ),
        signer=signer,
        timestamper=DummyTimeStamper(tsa_cert=tsa[0], tsa_key=tsa[1], fixed_dt=moment, **stamper),
    ).sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), output=out, bytes_reserved=16384)
    return out.getvalue()


def _contents(data: bytes) -> tuple[int, int, Any]:
    """(start, end) of the hex digits of the only signature's /Contents, and its CMS ContentInfo."""
    from asn1crypto import cms

    start = data.index(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", start)
    return start, end, cms.ContentInfo.load(bytes.fromhex(data[start:end].decode()))  # the zero padding is ignored


def _token_of(data: bytes) -> Any:
    _, _, info = _contents(data)
    attrs = info["content"]["signer_infos"][0]["unsigned_attrs"]
    return next(a["values"][0] for a in attrs if a["type"].native == "signature_time_stamp_token")


def _with_token(data: bytes, token: Any) -> bytes:
    """The file with ``token`` in place of its signature time-stamp: only the unsigned attributes change, so the
    byte range, the document digest and the signature value all stay intact."""
    from asn1crypto import cms

    start, end, info = _contents(data)
    signer_info = info["content"]["signer_infos"][0]
    signer_info["unsigned_attrs"] = cms.CMSAttributes(
        [cms.CMSAttribute({"type": "signature_time_stamp_token", "values": [token]})]
    )
    blob = info.dump(force=True).hex().encode()
    assert len(blob) <= end - start, "the transplanted token does not fit the reserved /Contents"
    return data[:start] + blob.ljust(end - start, b"0") + data[end:]


@pytest.fixture(scope="module")
def verify(pki: TestPKI) -> Callable[[bytes], Any]:
    def run(data: bytes) -> Any:
        (signature,) = kyso.verify(data, trust=[pki.root_cert], revocation="hard").signatures
        return signature

    return run


def test_control_a_trusted_back_dated_stamp_is_proof_of_existence(pki: TestPKI, unsigned_pdf: bytes, verify) -> None:
    """Control: the same back-dated stamp from the *trusted* TSA rescues the revoked signer (validation in the
    past), so the attacks below fail for the reason they test."""
    signed = _sign(pki, "revoked", unsigned_pdf, _trusted_tsa(pki), datetime.now(UTC) - timedelta(days=20))
    signature = verify(signed)
    assert signature.indication == "TOTAL_PASSED", signature.messages
    assert signature.timestamp.trusted is True


def test_untrusted_back_dated_stamp_does_not_rescue_a_revoked_signer(
    pki: TestPKI, unsigned_pdf: bytes, attacker_tsa: tuple[Any, Any], verify
) -> None:
    """The attacker's TSA dates the signature 20 days ago, before the revocation: proof of nothing. The claimed
    signing time (after the revocation) stays the moment judged, so the signature is REVOKED."""
    moment = datetime.now(UTC) - timedelta(days=20)
    signed = _sign(pki, "revoked", unsigned_pdf, attacker_tsa, moment)
    signature = verify(signed)
    assert (signature.indication, signature.sub_indication) == ("TOTAL_FAILED", "REVOKED"), signature.messages
    assert signature.timestamp is not None and signature.timestamp.trusted is False
    assert abs((signature.timestamp.time - moment).total_seconds()) < 2  # reported, as what it claims
    assert any("time-stamping authority is not trusted" in m for m in signature.messages), signature.messages
    assert not any("proof of existence)" in m for m in signature.messages)


def test_untrusted_stamp_is_reported_on_a_good_signer(
    pki: TestPKI, unsigned_pdf: bytes, attacker_tsa: tuple[Any, Any], tmp_path, kyso_cli
) -> None:
    signed = _sign(pki, "person", unsigned_pdf, attacker_tsa, datetime.now(UTC) - timedelta(days=1))
    (signature,) = kyso.verify(signed, trust=[pki.root_cert], revocation="off").signatures
    assert signature.timestamp.trusted is False
    assert any("no proof of existence" in m for m in signature.messages), signature.messages
    path = tmp_path / "stamped.pdf"
    path.write_bytes(signed)
    for lang, words in (("en", "NOT a trusted time-stamping authority"), ("vi", "KHÔNG được tin cậy")):
        text = kyso_cli("verify", path, "--trust", pki.root_cert, "--revocation", "off", "--lang", lang).stdout
        stamp_line = next(line for line in text.splitlines() if "Attacker TSA" in line)
        assert words in stamp_line, text


def test_a_genuine_token_copied_from_another_signature_is_ignored(pki: TestPKI, unsigned_pdf: bytes, verify) -> None:
    """A trusted token dated before the revocation, taken from another signature (its imprint is the digest of
    that other signature value), replaces the revoked signer's own later stamp: it must not count as POE."""
    trusted = _trusted_tsa(pki)
    other = _sign(pki, "person", unsigned_pdf, trusted, datetime.now(UTC) - timedelta(days=20))
    own = _sign(pki, "revoked", unsigned_pdf, trusted, datetime.now(UTC) - timedelta(days=2))
    assert verify(own).sub_indication == "REVOKED"  # control: its own stamp is after the revocation
    forged = _with_token(own, _token_of(other))
    signature = verify(forged)
    assert signature.indication != "TOTAL_PASSED", signature.messages
    assert (signature.indication, signature.sub_indication) == ("TOTAL_FAILED", "REVOKED"), signature.messages
    assert signature.timestamp is None
    assert any("imprint is not the digest of this signature value" in m for m in signature.messages)


def test_transplanted_token_is_also_ignored_for_a_good_signer(pki: TestPKI, unsigned_pdf: bytes) -> None:
    """Without any revocation at stake the copied token still proves nothing: no time-stamp is reported."""
    trusted = _trusted_tsa(pki)
    other = _sign(pki, "organisation", unsigned_pdf, trusted, datetime.now(UTC) - timedelta(days=5))
    own = _sign(pki, "person", unsigned_pdf, trusted, datetime.now(UTC))
    (signature,) = kyso.verify(_with_token(own, _token_of(other)), trust=[pki.root_cert], revocation="off").signatures
    assert signature.timestamp is None
    assert any("time-stamp is damaged and was ignored" in m for m in signature.messages), signature.messages


def test_a_weak_stamp_of_the_trusted_tsa_is_no_proof_of_existence(pki: TestPKI, unsigned_pdf: bytes, verify) -> None:
    """The trusted TSA's key, but the token signed with SHA-1: reported, never POE (unless SHA-1 is allowed)."""
    moment = datetime.now(UTC) - timedelta(days=20)
    signed = _sign(pki, "revoked", unsigned_pdf, _trusted_tsa(pki), moment, override_md="sha1")
    signature = verify(signed)
    assert (signature.indication, signature.sub_indication) == ("TOTAL_FAILED", "REVOKED"), signature.messages
    assert signature.timestamp is not None and signature.timestamp.trusted is False
    assert any("no proof of existence: " in m and "SHA-1" in m for m in signature.messages), signature.messages
    (allowed,) = kyso.verify(signed, trust=[pki.root_cert], revocation="hard", allow_weak=["sha1"]).signatures
    assert allowed.indication == "TOTAL_PASSED", allowed.messages
