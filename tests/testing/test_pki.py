"""The generated test PKI (kyso.testing.pki), exercised over real HTTP on 127.0.0.1 - no mocks."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID

from kyso.core.aio import run_sync
from kyso.testing.pki import TestPKI

TIMEOUT = 5


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def load_asn1(path: Path) -> asn1_x509.Certificate:
    _, _, der = asn1_pem.unarmor(path.read_bytes())
    return asn1_x509.Certificate.load(der)


def attr(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    (value,) = cert.subject.get_attributes_for_oid(oid)
    return str(value.value)


def ocsp_query(pki: TestPKI, name: str) -> ocsp.OCSPResponse:
    builder = ocsp.OCSPRequestBuilder().add_certificate(load(pki.cert(name)), load(pki.issuing_ca_cert), hashes.SHA1())
    request = builder.add_extension(x509.OCSPNonce(b"kyso-nonce-1234"), critical=False).build()
    response = requests.post(
        pki.ocsp_url,
        data=request.public_bytes(serialization.Encoding.DER),
        headers={"Content-Type": "application/ocsp-request"},
        timeout=TIMEOUT,
    )
    response.raise_for_status()
    assert response.headers["Content-Type"] == "application/ocsp-response"
    return ocsp.load_der_ocsp_response(response.content)


def validate(pki: TestPKI, name: str, key_usage: set[str] | None = None):
    """Full PKIX validation with pyhanko-certvalidator, fetching AIA/OCSP/CRL from the server."""
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

    async def run():
        async with AIOHttpFetcherBackend() as fetchers:
            context = ValidationContext(
                trust_roots=[load_asn1(pki.root_cert)],
                allow_fetching=True,
                revocation_mode="hard-fail",
                fetchers=fetchers,
            )
            # no intermediates given: the issuing CA must come from the AIA caIssuers URL
            validator = CertificateValidator(load_asn1(pki.cert(name)), validation_context=context)
            return await validator.async_validate_usage(key_usage or {"non_repudiation"})

    return run_sync(run())  # a session Chromium (Playwright sync API) may hold a running loop


# ---------------------------------------------------------------------------- hierarchy


def test_chain_verifies_directly(kyso_pki: TestPKI):
    root, ca = load(kyso_pki.root_cert), load(kyso_pki.issuing_ca_cert)
    root.verify_directly_issued_by(root)
    ca.verify_directly_issued_by(root)
    for name in ("person", "organisation", "revoked", "expired", "not_yet_valid", "wrong_key_usage", "tsa"):
        load(kyso_pki.cert(name)).verify_directly_issued_by(ca)
    load(kyso_pki.cert("ocsp_responder")).verify_directly_issued_by(ca)

    untrusted_root = load(kyso_pki.untrusted_root_cert)
    load(kyso_pki.cert("untrusted")).verify_directly_issued_by(untrusted_root)
    with pytest.raises(ValueError):
        load(kyso_pki.cert("untrusted")).verify_directly_issued_by(ca)


def test_ca_extensions(kyso_pki: TestPKI):
    ca = load(kyso_pki.issuing_ca_cert)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    policies = ca.extensions.get_extension_for_class(x509.CertificatePolicies).value
    assert [p.policy_identifier.dotted_string for p in policies] == ["2.16.704.1.1.1.1.1"]
    aia = ca.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert [d.access_location.value for d in aia] == [f"{kyso_pki.base_url}/kyso/certs/root/ca.crt"]

    responder = load(kyso_pki.cert("ocsp_responder"))
    eku = responder.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert list(eku.value) == [ExtendedKeyUsageOID.OCSP_SIGNING]


def test_end_entity_urls_point_at_local_server(kyso_pki: TestPKI):
    assert kyso_pki.base_url == f"http://127.0.0.1:{kyso_pki.port}"
    for name in kyso_pki.names:
        cert = load(kyso_pki.cert(name))
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
        ocsp_urls = [d.access_location.value for d in aia if d.access_method == x509.AuthorityInformationAccessOID.OCSP]
        issuer_urls = [
            d.access_location.value for d in aia if d.access_method == x509.AuthorityInformationAccessOID.CA_ISSUERS
        ]
        (dp,) = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        crl_urls = [n.value for n in dp.full_name]
        assert all(u.startswith(kyso_pki.base_url + "/") for u in ocsp_urls + issuer_urls + crl_urls), name
        if name != "untrusted":
            assert ocsp_urls == [kyso_pki.ocsp_url]
            assert crl_urls == [kyso_pki.crl_url]


def test_key_usages(kyso_pki: TestPKI):
    for name in ("person", "organisation"):
        ku = load(kyso_pki.cert(name)).extensions.get_extension_for_class(x509.KeyUsage)
        assert ku.critical and ku.value.digital_signature and ku.value.content_commitment
    ku = load(kyso_pki.cert("wrong_key_usage")).extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.key_encipherment
    assert not ku.digital_signature and not ku.content_commitment

    eku = load(kyso_pki.cert("tsa")).extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]


def test_validity_dates(kyso_pki: TestPKI):
    now = datetime.now(UTC)
    for name in ("person", "organisation", "revoked", "wrong_key_usage", "untrusted", "tsa"):
        cert = load(kyso_pki.cert(name))
        assert cert.not_valid_before_utc < now < cert.not_valid_after_utc, name
    for path in (kyso_pki.root_cert, kyso_pki.issuing_ca_cert, kyso_pki.untrusted_root_cert):
        assert load(path).not_valid_after_utc > now + timedelta(days=365)

    expired = load(kyso_pki.cert("expired"))
    assert now - timedelta(days=30) < expired.not_valid_after_utc < now - timedelta(days=1)
    future = load(kyso_pki.cert("not_yet_valid"))
    assert now + timedelta(days=1) < future.not_valid_before_utc < now + timedelta(days=30)


def test_vietnamese_names(kyso_pki: TestPKI):
    person = load(kyso_pki.cert("person"))
    assert attr(person, NameOID.COMMON_NAME) == "Nguyễn Văn An"
    assert attr(person, NameOID.ORGANIZATION_NAME) == "Ủy ban nhân dân tỉnh Nghệ An"
    assert attr(person, NameOID.TITLE) == "Chủ tịch"
    assert attr(person, NameOID.COUNTRY_NAME) == "VN"

    organisation = load(kyso_pki.cert("organisation"))
    assert attr(organisation, NameOID.COMMON_NAME) == attr(organisation, NameOID.ORGANIZATION_NAME)
    assert attr(organisation, NameOID.COMMON_NAME) == "Ủy ban nhân dân tỉnh Nghệ An"

    root = load(kyso_pki.root_cert)
    assert attr(root, NameOID.COMMON_NAME) == "RootCA chuyên dùng Chính phủ G2 (TEST)"
    assert attr(root, NameOID.ORGANIZATION_NAME) == "Ban Cơ yếu Chính phủ"
    ca = load(kyso_pki.issuing_ca_cert)
    assert attr(ca, NameOID.COMMON_NAME) == "CA phục vụ các cơ quan Nhà nước G2 (TEST)"
    assert attr(load(kyso_pki.untrusted_root_cert), NameOID.COMMON_NAME) == "Untrusted Root (TEST)"

    # every subject is marked as test material, and the strings are UTF8String in the DER
    for name in (*kyso_pki.names, "root", "issuing_ca", "ocsp_responder", "untrusted_root"):
        assert "TEST" in attr(load(kyso_pki.cert(name)), NameOID.ORGANIZATIONAL_UNIT_NAME), name
    person_asn1 = load_asn1(kyso_pki.cert("person"))
    cn = next(a["value"] for rdn in person_asn1.subject.chosen for a in rdn if a["type"].native == "common_name")
    assert cn.name == "utf8_string"
    assert "Nguyễn Văn An".encode() in person_asn1.dump()


# ---------------------------------------------------------------------------- key material


def test_p12_loads_with_password_only(kyso_pki: TestPKI):
    assert kyso_pki.password == "kyso-test-pass"
    data = kyso_pki.p12("person").read_bytes()
    key, cert, chain = pkcs12.load_key_and_certificates(data, kyso_pki.password.encode())
    assert cert == load(kyso_pki.cert("person"))
    assert chain == [load(kyso_pki.issuing_ca_cert), load(kyso_pki.root_cert)]
    assert key is not None and key.key_size == 2048
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(data, b"wrong-password")

    _, _, chain = pkcs12.load_key_and_certificates(kyso_pki.p12("untrusted").read_bytes(), b"kyso-test-pass")
    assert chain == [load(kyso_pki.untrusted_root_cert)]


def test_pem_key_matches_certificate(kyso_pki: TestPKI):
    for name in ("person", "organisation", "tsa"):
        key = serialization.load_pem_private_key(kyso_pki.key(name).read_bytes(), password=None)
        assert key.public_key().public_numbers() == load(kyso_pki.cert(name)).public_key().public_numbers()


def test_unknown_names_are_rejected(kyso_pki: TestPKI):
    assert kyso_pki.names == (
        "person", "organisation", "revoked", "expired", "not_yet_valid", "wrong_key_usage", "untrusted", "tsa",
    )  # fmt: skip
    with pytest.raises(KeyError):
        kyso_pki.p12("root")
    with pytest.raises(KeyError):
        kyso_pki.cert("nobody")


# ---------------------------------------------------------------------------- services over HTTP


def test_ocsp_good_for_person(kyso_pki: TestPKI):
    before = kyso_pki.request_count["ocsp"]
    response = ocsp_query(kyso_pki, "person")
    assert kyso_pki.request_count["ocsp"] == before + 1

    assert response.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert response.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert response.serial_number == kyso_pki.serial("person")
    assert response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == b"kyso-nonce-1234"
    # real current time, signed by the delegated responder
    now = datetime.now(UTC)
    assert abs(response.produced_at_utc - now) < timedelta(minutes=1)
    assert response.next_update_utc > now
    responder = load(kyso_pki.cert("ocsp_responder"))
    assert response.certificates == [responder]
    responder.public_key().verify(
        response.signature, response.tbs_response_bytes, padding.PKCS1v15(), response.signature_hash_algorithm
    )


def test_ocsp_revoked(kyso_pki: TestPKI):
    response = ocsp_query(kyso_pki, "revoked")
    assert response.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert response.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert response.revocation_time_utc < datetime.now(UTC) - timedelta(days=1)
    assert response.revocation_reason == x509.ReasonFlags.key_compromise


def test_crl_lists_revoked(kyso_pki: TestPKI):
    before = kyso_pki.request_count["crl"]
    response = requests.get(kyso_pki.crl_url, timeout=TIMEOUT)
    response.raise_for_status()
    assert kyso_pki.request_count["crl"] == before + 1

    crl = x509.load_der_x509_crl(response.content)
    assert crl.is_signature_valid(load(kyso_pki.issuing_ca_cert).public_key())
    entry = crl.get_revoked_certificate_by_serial_number(kyso_pki.serial("revoked"))
    assert entry is not None
    assert entry.revocation_date_utc < datetime.now(UTC)
    assert crl.get_revoked_certificate_by_serial_number(kyso_pki.serial("person")) is None
    now = datetime.now(UTC)
    assert crl.last_update_utc <= now < crl.next_update_utc

    root_crl = x509.load_der_x509_crl(requests.get(kyso_pki.root_crl_url, timeout=TIMEOUT).content)
    assert root_crl.is_signature_valid(load(kyso_pki.root_cert).public_key())
    assert len(root_crl) == 0


def test_ca_issuers_download(kyso_pki: TestPKI):
    ca_der = requests.get(f"{kyso_pki.base_url}/kyso/certs/issuing_ca/ca.crt", timeout=TIMEOUT).content
    assert x509.load_der_x509_certificate(ca_der) == load(kyso_pki.issuing_ca_cert)


def test_timestamp_rfc3161(kyso_pki: TestPKI):
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko.sign.validation.status import TimestampSignatureStatus
    from pyhanko_certvalidator import ValidationContext

    digest = hashlib.sha256(b"kyso test document").digest()
    before = kyso_pki.request_count["tsa"]

    async def run():
        token = await HTTPTimeStamper(kyso_pki.tsa_url).async_timestamp(digest, "sha256")
        context = ValidationContext(trust_roots=[load_asn1(kyso_pki.root_cert)])
        status = await validate_tst_signed_data(token["content"], context, lambda _algo: digest)
        return token, status

    token, status = run_sync(run())
    assert kyso_pki.request_count["tsa"] == before + 1
    status = TimestampSignatureStatus(**status)
    assert status.intact and status.valid and status.trusted
    assert [c.subject.native["common_name"] for c in status.validation_path][-1] == (
        "Dịch vụ cấp dấu thời gian G2 (TEST)"
    )
    assert abs(status.timestamp - datetime.now(UTC)) < timedelta(minutes=1)
    signer_sid = token["content"]["signer_infos"][0]["sid"].chosen
    assert signer_sid["serial_number"].native == kyso_pki.serial("tsa")


# ---------------------------------------------------------------------------- full PKIX validation


def test_certvalidator_accepts_person_with_fetching(kyso_pki: TestPKI):
    before = dict(kyso_pki.request_count)
    path = validate(kyso_pki, "person", {"digital_signature", "non_repudiation"})
    after = kyso_pki.request_count
    assert after["certs"] > before["certs"]  # the issuing CA came from the caIssuers URL
    assert after["ocsp"] + after["crl"] > before["ocsp"] + before["crl"]  # revocation was checked online
    assert [c.subject.native["common_name"] for c in path] == [
        "RootCA chuyên dùng Chính phủ G2 (TEST)",
        "CA phục vụ các cơ quan Nhà nước G2 (TEST)",
        "Nguyễn Văn An",
    ]


def test_certvalidator_rejects_the_bad_ones(kyso_pki: TestPKI):
    from pyhanko_certvalidator.errors import (
        ExpiredError,
        InvalidCertificateError,
        NotYetValidError,
        PathBuildingError,
        RevokedError,
    )

    with pytest.raises(RevokedError):
        validate(kyso_pki, "revoked")
    with pytest.raises(ExpiredError):
        validate(kyso_pki, "expired")
    with pytest.raises(NotYetValidError):
        validate(kyso_pki, "not_yet_valid")
    with pytest.raises(InvalidCertificateError):
        validate(kyso_pki, "wrong_key_usage")
    with pytest.raises(PathBuildingError):
        validate(kyso_pki, "untrusted")


# ---------------------------------------------------------------------------- a PKI of one's own


def test_generate_with_label_and_port_then_start_stop(tmp_path: Path):
    pki = TestPKI.generate(tmp_path / "pki", label="CI")
    assert attr(load(pki.root_cert), NameOID.COMMON_NAME) == "RootCA chuyên dùng Chính phủ G2 (CI)"
    assert pki.ocsp_url.startswith(f"http://127.0.0.1:{pki.port}/")
    assert (tmp_path / "pki" / "kyso-pki.yml").is_file()

    with pytest.raises(requests.ConnectionError):
        requests.get(pki.crl_url, timeout=TIMEOUT)
    with pki.serve() as served:
        assert served is pki and pki.running
        assert requests.get(pki.crl_url, timeout=TIMEOUT).status_code == 200
        assert requests.get(f"{pki.base_url}/kyso/nothing-here", timeout=TIMEOUT).status_code == 404
    assert not pki.running
    assert pki.request_count["crl"] == 1 and pki.request_count["other"] == 1
    pki.reset_request_count()
    assert set(pki.request_count.values()) == {0}
    with pytest.raises(requests.ConnectionError):
        requests.get(pki.crl_url, timeout=TIMEOUT)

    pki.start()  # restartable on the same port
    try:
        assert requests.get(pki.crl_url, timeout=TIMEOUT).status_code == 200
    finally:
        pki.stop()
