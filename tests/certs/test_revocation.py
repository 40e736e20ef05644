"""Revocation with the session test PKI: answers cached on disk by validity window, the report's list of answers,
hard-fail, and validation in the past with a time-stamp as proof of existence."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest

import kyso
from kyso.certs.cache import AnswerCache, answer_cache
from kyso.certs.validation import clear_memory_caches
from kyso.testing.pki import TestPKI


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh revocation cache for this test."""
    directory = tmp_path / "cache"
    monkeypatch.setenv("KYSO_CACHE_DIR", str(directory))
    clear_memory_caches()  # verdicts reused from earlier tests would hide the requests counted here
    return directory


def cert_bytes(pki: TestPKI, name: str) -> bytes:
    return pki.cert(name).read_bytes()


def test_one_ocsp_request_serves_many_validations(pki: TestPKI, cache_dir: Path) -> None:
    pki.reset_request_count()
    for _ in range(20):
        report = kyso.validate_certificate(cert_bytes(pki, "person"), trust=[pki.root_cert], revocation="hard")
        assert report.indication == "TOTAL_PASSED", report.messages
    assert pki.request_count["ocsp"] == 1
    assert pki.request_count["crl"] <= 1  # the issuing CA's CRL (from the root), also cached
    assert list((cache_dir / "revocation" / "ocsp").glob("*.der"))


def test_the_disk_cache_serves_another_process(pki: TestPKI, cache_dir: Path) -> None:
    kyso.validate_certificate(cert_bytes(pki, "organisation"), trust=[pki.root_cert], revocation="hard")
    clear_memory_caches()  # as a new process would start
    pki.reset_request_count()
    report = kyso.validate_certificate(cert_bytes(pki, "organisation"), trust=[pki.root_cert], revocation="hard")
    assert report.indication == "TOTAL_PASSED"
    assert pki.request_count["ocsp"] == 0


def test_corrupt_cache_files_are_ignored(pki: TestPKI, cache_dir: Path) -> None:
    kyso.validate_certificate(cert_bytes(pki, "person"), trust=[pki.root_cert], revocation="hard")
    clear_memory_caches()
    files = list((cache_dir / "revocation").rglob("*.der"))
    assert files
    for number, file in enumerate(files):
        raw = file.read_bytes()
        # a truncated file, an expiry stamp with garbage after it, and a valid stamp with a flipped signature byte
        file.write_bytes([raw[:5], raw[:8] + b"garbage", raw[:-1] + bytes([raw[-1] ^ 0xFF])][number % 3])
    pki.reset_request_count()
    report = kyso.validate_certificate(cert_bytes(pki, "person"), trust=[pki.root_cert], revocation="hard")
    assert report.indication == "TOTAL_PASSED", report.messages
    assert pki.request_count["ocsp"] + pki.request_count["crl"] >= 1  # fetched again


def test_expired_entries_are_not_used(tmp_path: Path) -> None:
    cache = AnswerCache(tmp_path)
    key = cache.key("ocsp", "http://x", b"id")
    cache.put(key, b"blob", datetime.now(UTC) + timedelta(hours=1))
    assert cache.get(key) == b"blob"
    assert cache.get(key, now=datetime.now(UTC) + timedelta(hours=2)) is None
    cache.put(key, b"old", datetime.now(UTC) - timedelta(seconds=1))  # already expired: not stored
    assert AnswerCache(tmp_path).get(cache.key("ocsp", "http://y", b"id")) is None


def test_cache_can_be_switched_off(pki: TestPKI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KYSO_CACHE_DIR", "off")
    assert answer_cache().directory is None
    report = kyso.validate_certificate(cert_bytes(pki, "person"), trust=[pki.root_cert], revocation="hard")
    assert report.indication == "TOTAL_PASSED"


def test_report_lists_every_answer_with_source_and_time(pki: TestPKI, cache_dir: Path, kyso_cli) -> None:
    result = kyso_cli(
        "cert", "validate", pki.cert("person"), "--trust", pki.root_cert, "--revocation", "hard", "--format", "json"
    )
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["revocation"] == {"status": "good", "source": "ocsp"}
    sources = {(a["source"], a["status"]) for a in report["revocations"]}
    assert ("ocsp", "good") in sources
    assert ("crl", "good") in sources  # the issuing CA, by the root's CRL
    for answer in report["revocations"]:
        assert answer["time"].endswith("+07:00")
        assert answer["url"].startswith(pki.base_url)
    assert report["validation_time"].endswith("+07:00")
    text = kyso_cli(
        "cert", "validate", pki.cert("person"), "--trust", pki.root_cert, "--revocation", "hard", "--lang", "en"
    ).stdout
    assert "Nguyễn Văn An: good (ocsp, " in text
    assert "CA phục vụ các cơ quan Nhà nước G2 (TEST): good (crl, " in text
    assert "Validated at: " in text


def test_hard_fail_with_the_pki_stopped_is_try_later(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> None:
    stopped = TestPKI.generate(tmp_path_factory.mktemp("stopped-pki"), label="STOPPED")
    report = kyso.validate_certificate(
        stopped.cert("person").read_bytes(),
        trust=[stopped.root_cert],
        intermediates=[stopped.issuing_ca_cert],
        revocation="hard",
        timeout=1,
    )
    assert report.indication == "INDETERMINATE"
    assert report.sub_indication == "TRY_LATER"
    assert report.revocation.status == "unknown"


# ------------------------------------------------------------------------------ validation in the past (POE)


def sign_with_timestamp_at(pki: TestPKI, name: str, moment: datetime, pdf: bytes) -> bytes:
    """Sign with pyHanko directly, with a time-stamp from the test TSA's key dated ``moment``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from kyso.certs.parsing import parse_certificate

    signer = signers.SimpleSigner.load_pkcs12(str(pki.p12(name)), passphrase=pki.password.encode())
    tsa_cert = parse_certificate(kyso.api.certificates_from_bytes(pki.cert("tsa").read_bytes())[0])
    from asn1crypto import keys, pem

    _, _, key_der = pem.unarmor(pki.key("tsa").read_bytes())
    stamper = DummyTimeStamper(
        tsa_cert=tsa_cert,
        tsa_key=keys.PrivateKeyInfo.load(key_der),
        certs_to_embed=SimpleCertificateStore.from_certs(
            [parse_certificate(kyso.api.certificates_from_bytes(pki.issuing_ca_cert.read_bytes())[0])]
        ),
        fixed_dt=moment,
    )
    out = BytesIO()
    signers.PdfSigner(
        signers.PdfSignatureMetadata(
            field_name="Signature1", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
        ),
        signer=signer,
        timestamper=stamper,
    ).sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), output=out)
    return out.getvalue()


def test_revoked_after_the_time_stamp_stays_valid(pki: TestPKI, unsigned_pdf: bytes) -> None:
    """`revoked` was revoked 10 days ago; a time-stamp 20 days ago proves the signature existed before."""
    signed = sign_with_timestamp_at(pki, "revoked", datetime.now(UTC) - timedelta(days=20), unsigned_pdf)
    report = kyso.verify(signed, trust=[pki.root_cert], revocation="hard")
    signature = report.signatures[0]
    assert signature.indication == "TOTAL_PASSED", signature.messages
    assert any("proof of existence" in m for m in signature.messages)
    assert any("revoked later" in m for m in signature.messages)


def test_revoked_before_the_time_stamp_is_revoked(pki: TestPKI, unsigned_pdf: bytes) -> None:
    signed = sign_with_timestamp_at(pki, "revoked", datetime.now(UTC) - timedelta(days=2), unsigned_pdf)
    signature = kyso.verify(signed, trust=[pki.root_cert], revocation="hard").signatures[0]
    assert (signature.indication, signature.sub_indication) == ("TOTAL_FAILED", "REVOKED")


def test_revoked_without_proof_of_existence(pki: TestPKI, signer_for, unsigned_pdf: bytes) -> None:
    """No time-stamp: the claimed signing time (now) is after the revocation."""
    signed = kyso.sign(unsigned_pdf, signer=signer_for("revoked"))
    signature = kyso.verify(signed, trust=[pki.root_cert], revocation="hard").signatures[0]
    assert signature.indication != "TOTAL_PASSED"
    assert signature.sub_indication in ("REVOKED", "REVOKED_NO_POE")


def test_a_service_certificate_does_not_sign_documents(pki: TestPKI) -> None:
    """The TSA certificate has digitalSignature, but its extended key usage is timeStamping only."""
    common = {"trust": [pki.root_cert], "intermediates": [pki.issuing_ca_cert], "revocation": "off"}
    as_signer = kyso.validate_certificate(cert_bytes(pki, "tsa"), **common)
    assert (as_signer.indication, as_signer.sub_indication) == ("INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE")
    assert "extended key usage" in " ".join(as_signer.messages)
    as_tsa = kyso.validate_certificate(cert_bytes(pki, "tsa"), purpose="timestamping", **common)
    assert as_tsa.indication == "TOTAL_PASSED", as_tsa.messages
