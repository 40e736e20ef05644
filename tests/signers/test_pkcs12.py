"""The PKCS#12 signer: loads a key once, signs raw data, refuses unusable key stores with typed errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

import kyso
from kyso.core.errors import InputError, SignerError, WrongPasswordError
from kyso.core.manager import PluginManager
from kyso.core.signer import Signer
from kyso.signers.pkcs12 import Pkcs12Signer

DATA = "Công văn số 123/UBND-VP về việc triển khai chữ ký số chuyên dùng Chính phủ".encode()


def self_signed(key, common_name: str = "Kyso test key") -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, algorithm)
    )


def write_p12(path: Path, key, cert, cas=None, password: bytes = b"pw") -> Path:
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"test", key, cert, cas, encryption))
    return path


def person_cert(pki) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pki.cert("person").read_bytes())


@pytest.fixture(scope="module")
def person(pki) -> Pkcs12Signer:
    return Pkcs12Signer.from_file(pki.p12("person"), pki.password)


def test_from_file_with_str_and_bytes_password(pki, person):
    from_bytes = Pkcs12Signer.from_file(str(pki.p12("person")), pki.password.encode())
    assert from_bytes.certificate == person.certificate
    assert person.certificate == person_cert(pki).public_bytes(serialization.Encoding.DER)
    assert kyso.Pkcs12Signer is Pkcs12Signer


def test_chain_holds_the_issuing_ca(pki, person):
    chain = [x509.load_der_x509_certificate(der) for der in person.chain]
    subjects = [c.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value for c in chain]
    assert any(s.startswith("CA phục vụ các cơ quan Nhà nước G2") for s in subjects)
    assert person.certificate not in person.chain


def test_implements_the_signer_protocol(person):
    assert isinstance(person, Signer)
    assert person.key_algorithm == "rsa"


@pytest.mark.parametrize(
    ("digest", "hash_class"), [("sha256", hashes.SHA256), ("SHA384", hashes.SHA384), ("sha512", hashes.SHA512)]
)
def test_sign_raw_verifies_with_the_certificate_key(pki, person, digest, hash_class):
    signature = person.sign_raw(DATA, digest)
    public_key = person_cert(pki).public_key()
    public_key.verify(signature, DATA, padding.PKCS1v15(), hash_class())
    with pytest.raises(InvalidSignature):
        public_key.verify(signature, DATA + b".", padding.PKCS1v15(), hash_class())


@pytest.mark.parametrize("digest", ["md5", "sha1", "whirlpool"])
def test_weak_or_unknown_digest_is_refused(person, digest):
    with pytest.raises(SignerError, match=digest):
        person.sign_raw(DATA, digest)


def test_ec_key(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    signer = Pkcs12Signer.from_file(write_p12(tmp_path / "ec.p12", key, self_signed(key)), "pw")
    assert signer.key_algorithm == "ec"
    signature = signer.sign_raw(DATA, "sha256")
    key.public_key().verify(signature, DATA, ec.ECDSA(hashes.SHA256()))  # DER-encoded ECDSA


def test_repr_has_no_key_material(pki, person):
    text = repr(person) + str(person)
    assert "Pkcs12Signer" in text
    assert pki.password not in text
    key_pem = pki.key("person").read_text()
    body = "".join(key_pem.splitlines()[1:-1])
    for start in range(0, len(body) - 32, 32):
        assert body[start : start + 32] not in text
    assert "BEGIN" not in text and "PRIVATE" not in text.upper()


def test_wrong_password(pki):
    with pytest.raises(WrongPasswordError) as caught:
        Pkcs12Signer.from_file(pki.p12("person"), "not-the-password-123")
    assert "not-the-password-123" not in str(caught.value)
    assert isinstance(caught.value, SignerError)


def test_missing_password_for_a_protected_file(pki):
    with pytest.raises(WrongPasswordError):
        Pkcs12Signer.from_file(pki.p12("person"), None)


def test_no_private_key(pki, tmp_path):
    path = write_p12(tmp_path / "cert-only.p12", None, person_cert(pki))
    with pytest.raises(SignerError, match="no private key"):
        Pkcs12Signer.from_file(path, "pw")


def test_key_and_certificate_that_do_not_match(pki, tmp_path):
    """The organisation's key stored with the person's certificate: OpenSSL pairs by key, so the key is left
    without a certificate."""
    key = serialization.load_pem_private_key(pki.key("organisation").read_bytes(), None)
    path = write_p12(tmp_path / "mismatch.p12", key, None, cas=[person_cert(pki)])
    with pytest.raises(SignerError, match="certificate"):
        Pkcs12Signer.from_file(path, "pw")


def test_unsupported_key_type(tmp_path):
    key = ed25519.Ed25519PrivateKey.generate()
    path = write_p12(tmp_path / "ed25519.p12", key, self_signed(key))
    with pytest.raises(SignerError, match="unsupported key type"):
        Pkcs12Signer.from_file(path, "pw")


def test_unprotected_p12(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    path = write_p12(tmp_path / "open.p12", key, self_signed(key), password=b"")
    assert Pkcs12Signer.from_file(path, None).key_algorithm == "ec"
    assert Pkcs12Signer.from_file(path, "").key_algorithm == "ec"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"", "not a PKCS#12 file"), (b"\x30\x82\x01\x00garbage", "not a PKCS#12 file"), (b"-----BEGIN", "not a")],
)
def test_garbage_is_an_input_error(tmp_path, content, fragment):
    path = tmp_path / "garbage.p12"
    path.write_bytes(content)
    with pytest.raises(InputError, match=fragment):
        Pkcs12Signer.from_file(path, "pw")


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        Pkcs12Signer.from_file(tmp_path / "missing.p12", "pw")
    with pytest.raises(InputError, match="is a directory"):
        Pkcs12Signer.from_file(tmp_path, "pw")


def test_offered_as_a_signer_backend(pki):
    backend = PluginManager(load_entry_points=False).signers.backends["pkcs12"]
    signer = backend.open(file=pki.p12("person"), password=pki.password)
    assert isinstance(signer, Pkcs12Signer)
    person_cert(pki).public_key().verify(signer.sign_raw(DATA, "sha256"), DATA, padding.PKCS1v15(), hashes.SHA256())


def test_signed_pdf_verifies(pki, unsigned_pdf, person):
    report = kyso.verify(kyso.sign(unsigned_pdf, signer=person), trust=[pki.root_cert], revocation="off")
    assert report.indication == "TOTAL_PASSED"
    assert report.signatures[0].signer.common_name == "Nguyễn Văn An"
