"""Two-step external signing (issue 11, item 3): ``kyso.prepare`` -> sign the digest elsewhere (here: the test
PKI's key with ``cryptography``, prehashed) -> ``kyso.finish``; PDF and edXML, in-process and through the CLI, and
every way the state or the signature can be wrong."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

import kyso
from kyso.core.errors import PreparedExpiredError, PreparedStateError, SignatureMismatchError
from tests.edxml.edxml_support import unsigned_edxml_fixture  # noqa: F401 - the fixture


@pytest.fixture(scope="module")
def key_of(pki):
    cache = {}

    def load(name):
        if name not in cache:
            cache[name] = serialization.load_pem_private_key(pki.key(name).read_bytes(), None)
        return cache[name]

    return load


def sign_digest(key, prepared) -> bytes:
    """What a phone, an HSM or a browser does with the digest: sign it as already hashed."""
    assert prepared.signature_algorithm == "rsa-pkcs1v15" and prepared.digest_algorithm == "sha256"
    return key.sign(prepared.digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))


def prepare(pki, data, **options):
    return kyso.prepare(
        data, certificate=pki.cert("person"), chain=[pki.cert("issuing_ca"), pki.cert("root")], **options
    )


def indication(pki, data) -> str:
    return kyso.verify(data, trust=[pki.cert("root")], revocation="off").to_dict()["indication"]


@pytest.mark.parametrize("level", ["B-B", "B-T", "B-LT"])
def test_pdf_prepare_sign_finish(pki, key_of, unsigned_pdf, level):
    prepared = prepare(pki, unsigned_pdf, level=level, tsa=pki.tsa_url)
    state = prepared.to_json()  # crosses a process boundary as JSON
    signed = kyso.finish(state, sign_digest(key_of("person"), prepared))
    report = kyso.verify(signed, trust=[pki.cert("root")], revocation="soft")
    assert report.to_dict()["indication"] == "TOTAL_PASSED"
    assert report.signatures[0].level == level


def test_pdf_finished_verifies_with_stock_pyhanko(pki, key_of, unsigned_pdf):
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from kyso.certs.parsing import parse_certificate

    prepared = prepare(pki, unsigned_pdf, kind="copy", copy_form="SAO Y", organization="Văn phòng UBND tỉnh")
    signed = kyso.finish(prepared, sign_digest(key_of("person"), prepared))
    root = parse_certificate(base64.b64decode(prepared.state["chain"][-1]))
    status = validate_pdf_signature(
        PdfFileReader(BytesIO(signed)).embedded_signatures[0], ValidationContext(trust_roots=[root])
    )
    assert status.intact and status.valid and status.trusted
    assert kyso.verify(signed, trust=[pki.cert("root")], revocation="off").signatures[0].kind == "copy"


def test_edxml_prepare_sign_finish_verifies_with_signxml(pki, key_of, unsigned_edxml):
    from signxml import XMLVerifier

    prepared = prepare(pki, unsigned_edxml)
    signed = kyso.finish(prepared.to_json(), sign_digest(key_of("person"), prepared))
    assert indication(pki, signed) == "TOTAL_PASSED"
    XMLVerifier().verify(signed, ca_pem_file=str(pki.root_cert))


def test_signature_from_another_key_is_refused(pki, key_of, unsigned_pdf):
    prepared = prepare(pki, unsigned_pdf)
    with pytest.raises(SignatureMismatchError):
        kyso.finish(prepared, sign_digest(key_of("organisation"), prepared))


def test_signature_for_another_digest_is_refused(pki, key_of, unsigned_pdf):
    first, second = prepare(pki, unsigned_pdf), prepare(pki, unsigned_pdf, reason="another")
    with pytest.raises(SignatureMismatchError):
        kyso.finish(second, sign_digest(key_of("person"), first))


def test_expired_state_is_refused(pki, key_of, unsigned_pdf):
    prepared = prepare(pki, unsigned_pdf, expires_in=60)
    signature = sign_digest(key_of("person"), prepared)
    with pytest.raises(PreparedExpiredError):
        kyso.finish(prepared, signature, now=datetime.now(UTC) + timedelta(seconds=61))
    assert kyso.finish(prepared, signature, now=datetime.now(UTC) + timedelta(seconds=59))


def altered_document(state):
    """Another document in the state, its hash recomputed: what an attacker who can edit the file does."""
    document = bytearray(base64.b64decode(state["document"]))
    at = document.index(b"Kyso test document")
    document[at : at + 4] = b"KYSO"
    import hashlib

    state["document"] = base64.b64encode(bytes(document)).decode()
    state["document_sha256"] = hashlib.sha256(bytes(document)).hexdigest()


def altered_hash_only(state):
    state["document"] = base64.b64encode(base64.b64decode(state["document"]) + b"\n%x\n").decode()


def altered_digest(state):
    state["digest"] = base64.b64encode(b"\x00" * 32).decode()


def altered_region(state):
    state["pdf"]["reserved_region_start"] -= 10


@pytest.mark.parametrize(
    "alter", [altered_document, altered_hash_only, altered_digest, altered_region], ids=lambda f: f.__name__
)
def test_tampered_state_is_refused(pki, key_of, unsigned_pdf, alter):
    prepared = prepare(pki, unsigned_pdf)
    signature = sign_digest(key_of("person"), prepared)
    state = json.loads(prepared.to_json())
    alter(state)
    with pytest.raises((PreparedStateError, SignatureMismatchError)):
        kyso.finish(json.dumps(state), signature)


def test_tampered_edxml_state_is_refused(pki, key_of, unsigned_edxml):
    import hashlib

    prepared = prepare(pki, unsigned_edxml)
    signature = sign_digest(key_of("person"), prepared)
    state = json.loads(prepared.to_json())
    document = base64.b64decode(state["document"]).replace(b"UBND-VX.pdf", b"UBND-VY.pdf")
    state["document"], state["document_sha256"] = (
        base64.b64encode(document).decode(),
        hashlib.sha256(document).hexdigest(),
    )
    with pytest.raises(PreparedStateError, match="does not verify"):
        kyso.finish(state, signature)


def test_not_a_state(unsigned_pdf):
    for junk in (b"not json", b"{}", json.dumps({"kyso_prepared": 1}).encode()):
        with pytest.raises(PreparedStateError):
            kyso.finish(junk, b"sig")


def test_cli_prepare_and_finish(kyso_cli, pki, key_of, unsigned_pdf, tmp_path, files_unchanged):
    document = tmp_path / "to-trinh.pdf"
    document.write_bytes(unsigned_pdf)
    files_unchanged(document)
    state_path, signature_path, output = tmp_path / "state.json", tmp_path / "sig.bin", tmp_path / "signed.pdf"
    result = kyso_cli(
        "prepare", document, "--cert", pki.cert("person"), "--chain", pki.cert("issuing_ca"), "--chain",
        pki.cert("root"), "--level", "B-T", "--tsa", pki.tsa_url, "--expires-in", "120", "-o", state_path,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    state = json.loads(state_path.read_text())
    assert state["digest_algorithm"] == "sha256" and state["signature_algorithm"] == "rsa-pkcs1v15"
    expires = datetime.fromisoformat(state["expires"])
    assert timedelta(seconds=110) < expires - datetime.now(UTC) <= timedelta(seconds=120)
    digest = base64.b64decode(state["digest"])
    signature_path.write_bytes(key_of("person").sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256())))
    result = kyso_cli("finish", state_path, "--signature-file", signature_path, "-o", output)
    assert result.exit_code == 0, result.stderr
    assert indication(pki, output.read_bytes()) == "TOTAL_PASSED"


def test_cli_finish_with_a_wrong_signature_writes_nothing(kyso_cli, pki, key_of, unsigned_pdf, tmp_path):
    prepared = prepare(pki, unsigned_pdf)
    (tmp_path / "state.json").write_text(prepared.to_json())
    (tmp_path / "sig.bin").write_bytes(sign_digest(key_of("organisation"), prepared))
    result = kyso_cli(
        "finish", tmp_path / "state.json", "--signature-file", tmp_path / "sig.bin", "-o", tmp_path / "out.pdf"
    )
    assert result.exit_code == 2
    assert "Chữ ký nhận được không khớp" in result.stderr
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize("document", ["pdf", "edxml"])
def test_ec_key_two_step(unsigned_pdf, unsigned_edxml, document):
    """ECDSA: the DER value given to finish (XML-DSig writes it as r || s); a self-issued P-256 certificate."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from kyso.testing.certificates import certificate, key_usage

    key = ec.generate_private_key(ec.SECP256R1())
    cert = certificate(
        "EC người ký",
        public_key=key.public_key(),
        signing_key=key,
        ca=True,
        extensions=[(key_usage("digital_signature", "content_commitment", "key_cert_sign"), True)],
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    data = unsigned_pdf if document == "pdf" else unsigned_edxml
    prepared = kyso.prepare(data, certificate=der)
    assert prepared.signature_algorithm == "ecdsa"
    signed = kyso.finish(prepared, key.sign(prepared.digest, ec.ECDSA(Prehashed(hashes.SHA256()))))
    report = kyso.verify(signed, trust=[der], revocation="off")
    assert report.signatures[0].sub_indication not in ("HASH_FAILURE", "SIG_CRYPTO_FAILURE")
    assert report.to_dict()["indication"] == "TOTAL_PASSED", report.to_dict()
