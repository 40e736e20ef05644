"""Hostile and broken input: each gives a clear verdict (or a clear InputError), never TOTAL_PASSED.

Responders live on a small local HTTP server (127.0.0.1); the certificates are made here with EC keys.
"""

from __future__ import annotations

import time

import pytest
from certs_helpers import MiniPKI, Route, crl_of, issue, new_key, ocsp_answer

# fixtures: importing one registers it here
from certs_helpers import hostile_server_fixture as hostile_server_fixture
from certs_helpers import mini_pki_fixture as mini_pki_fixture
from certs_helpers import trust_copies_fixture as trust_copies_fixture

import kyso
from kyso.core.errors import InputError

OCSP = "application/ocsp-response"


def validate(pki: MiniPKI, cert: bytes, **kwargs: object) -> kyso.CertificateReport:
    options = {"trust": [pki.root.pem], "intermediates": [pki.ca.pem], "revocation": "hard", "timeout": 2, **kwargs}
    return kyso.validate_certificate(cert, **options)  # type: ignore[arg-type]


def assert_try_later(report: kyso.CertificateReport, cert: bytes | None = None, pki: MiniPKI | None = None) -> None:
    assert report.indication == "INDETERMINATE", report.messages
    assert report.sub_indication == "TRY_LATER", report.messages
    assert report.messages
    if cert is not None and pki is not None:  # an unusable answer is not a missing one: soft does not pass either
        soft = validate(pki, cert, revocation="soft")
        assert (soft.indication, soft.sub_indication) == ("INDETERMINATE", "TRY_LATER"), soft.messages


def check_hostile(pki: MiniPKI, name: str, **urls: str) -> None:
    cert = pki.person(name, **urls).pem
    assert_try_later(validate(pki, cert), cert, pki)


def test_a_well_behaved_responder_passes(mini_pki: MiniPKI) -> None:
    """The control: the same fixtures with an honest responder give TOTAL_PASSED (so the others fail for the
    reason they test)."""
    mini_pki.server.routes["ocsp/good"] = Route(lambda req: ocsp_answer(req, issuer=mini_pki.ca), OCSP)
    report = validate(mini_pki, mini_pki.person("good", ocsp_url="ocsp/good").pem)
    assert report.indication == "TOTAL_PASSED", report.messages
    assert report.revocation.status == "good"
    assert report.revocation.source == "ocsp"
    assert report.revocation.url and report.revocation.url.endswith("/ocsp/good")


def test_ocsp_garbage(mini_pki: MiniPKI) -> None:
    mini_pki.server.routes["ocsp/garbage"] = Route(b"\x30\x03garbage, not DER", OCSP)
    check_hostile(mini_pki, "garbage", ocsp_url="ocsp/garbage")


def test_ocsp_unauthorized(mini_pki: MiniPKI) -> None:
    from asn1crypto import ocsp

    mini_pki.server.routes["ocsp/unauthorized"] = Route(
        ocsp.OCSPResponse({"response_status": "unauthorized"}).dump(), OCSP
    )
    check_hostile(mini_pki, "unauth", ocsp_url="ocsp/unauthorized")


def test_ocsp_signed_by_the_wrong_key(mini_pki: MiniPKI) -> None:
    intruder = new_key()
    mini_pki.server.routes["ocsp/wrong-key"] = Route(
        lambda req: ocsp_answer(req, issuer=mini_pki.ca, signing_key=intruder), OCSP
    )
    check_hostile(mini_pki, "wrongkey", ocsp_url="ocsp/wrong-key")


def test_ocsp_from_a_responder_the_ca_did_not_authorise(mini_pki: MiniPKI) -> None:
    """A responder certificate issued by another CA (or without id-kp-OCSPSigning) may not speak for this CA."""
    rogue_root = issue("Rogue Root", ca=True)
    rogue = issue("Rogue OCSP", issuer=rogue_root, key_usage="ocsp")
    not_delegated = issue("Not an OCSP responder", issuer=mini_pki.ca)  # right CA, no OCSPSigning EKU
    mini_pki.server.routes["ocsp/rogue"] = Route(lambda req: ocsp_answer(req, issuer=mini_pki.ca, signer=rogue), OCSP)
    mini_pki.server.routes["ocsp/undelegated"] = Route(
        lambda req: ocsp_answer(req, issuer=mini_pki.ca, signer=not_delegated), OCSP
    )
    check_hostile(mini_pki, "rogue", ocsp_url="ocsp/rogue")
    check_hostile(mini_pki, "undelegated", ocsp_url="ocsp/undelegated")


def test_ocsp_nonce_mismatch(mini_pki: MiniPKI) -> None:
    mini_pki.server.routes["ocsp/nonce"] = Route(
        lambda req: ocsp_answer(req, issuer=mini_pki.ca, nonce=b"replayed-nonce-123"), OCSP
    )
    check_hostile(mini_pki, "nonce", ocsp_url="ocsp/nonce")


def test_ocsp_revoked_is_a_verdict(mini_pki: MiniPKI) -> None:
    mini_pki.server.routes["ocsp/revoked"] = Route(lambda req: ocsp_answer(req, issuer=mini_pki.ca, revoked=True), OCSP)
    report = validate(mini_pki, mini_pki.person("revoked", ocsp_url="ocsp/revoked").pem)
    assert report.indication == "INDETERMINATE"
    assert report.sub_indication == "REVOKED_NO_POE"
    assert report.revocation.status == "revoked"


def test_responder_slower_than_the_timeout(mini_pki: MiniPKI) -> None:
    mini_pki.server.routes["ocsp/slow"] = Route(lambda req: ocsp_answer(req, issuer=mini_pki.ca), OCSP, delay=2.5)
    started = time.perf_counter()
    report = validate(mini_pki, mini_pki.person("slow", ocsp_url="ocsp/slow").pem, timeout=1)
    assert time.perf_counter() - started < 2.4, "the timeout was not applied"
    assert_try_later(report)


def test_unreachable_responder_soft_and_hard(mini_pki: MiniPKI) -> None:
    cert = issue("Người thử unreachable", issuer=mini_pki.ca, ocsp_url="http://127.0.0.1:9/ocsp").pem
    assert_try_later(validate(mini_pki, cert))
    soft = validate(mini_pki, cert, revocation="soft")
    assert soft.indication == "TOTAL_PASSED"  # soft: a missing answer is accepted ...
    assert soft.revocation.status == "unknown"  # ... and said so


def test_crl_with_a_bad_signature(mini_pki: MiniPKI) -> None:
    mini_pki.server.routes["crl/bad-signature"] = Route(
        crl_of(mini_pki.ca, signing_key=new_key()), "application/pkix-crl"
    )
    check_hostile(mini_pki, "badcrl", crl_url="crl/bad-signature")


def test_crl_from_another_issuer(mini_pki: MiniPKI) -> None:
    other = issue("Another CA", issuer=mini_pki.root, ca=True)
    mini_pki.server.routes["crl/other-issuer"] = Route(crl_of(other), "application/pkix-crl")
    check_hostile(mini_pki, "othercrl", crl_url="crl/other-issuer")


def test_crl_good_and_revoked(mini_pki: MiniPKI) -> None:
    person = mini_pki.person("crl", crl_url="crl/good")
    mini_pki.server.routes["crl/good"] = Route(crl_of(mini_pki.ca), "application/pkix-crl")
    report = validate(mini_pki, person.pem)
    assert report.indication == "TOTAL_PASSED", report.messages
    assert (report.revocation.status, report.revocation.source) == ("good", "crl")
    revoked = mini_pki.person("crl-revoked", crl_url="crl/revoked")
    mini_pki.server.routes["crl/revoked"] = Route(
        crl_of(mini_pki.ca, revoked=(revoked.cert.serial_number,)), "application/pkix-crl"
    )
    report = validate(mini_pki, revoked.pem)
    assert report.sub_indication == "REVOKED_NO_POE"
    assert (report.revocation.status, report.revocation.source) == ("revoked", "crl")


def test_aia_fetches_a_missing_intermediate_once(mini_pki: MiniPKI) -> None:
    server = mini_pki.server
    server.routes["aia/ca.crt"] = Route(mini_pki.ca.der, "application/pkix-cert")
    person = mini_pki.person("aia", aia_url="aia/ca.crt")
    for _ in range(3):
        report = kyso.validate_certificate(person.pem, trust=[mini_pki.root.pem], revocation="soft")
        assert report.indication == "TOTAL_PASSED", report.messages
        assert len(report.chain) == 3
    assert server.hits["aia/ca.crt"] == 1  # cached by its validity window


def test_aia_loop_ends_with_no_chain(mini_pki: MiniPKI) -> None:
    server = mini_pki.server
    key_a, key_b = new_key(), new_key()
    # A is issued by B and points to B; B is issued by A and points to A: a loop that never reaches a root
    a = issue("Loop CA A", key=key_a, ca=True, issuer_name="Loop CA B", aia_url=server.url("aia/loop-b.crt"))
    b = issue("Loop CA B", key=key_b, ca=True, issuer_name="Loop CA A", aia_url=server.url("aia/loop-a.crt"))
    server.routes["aia/loop-a.crt"] = Route(a.der, "application/pkix-cert")
    server.routes["aia/loop-b.crt"] = Route(b.der, "application/pkix-cert")
    person = issue("Người thử loop", issuer=a, aia_url=server.url("aia/loop-a.crt"))
    started = time.perf_counter()
    report = kyso.validate_certificate(person.pem, trust=[mini_pki.root.pem], revocation="soft", timeout=1)
    assert time.perf_counter() - started < 5
    assert report.indication == "INDETERMINATE"
    assert report.sub_indication == "NO_CERTIFICATE_CHAIN_FOUND"
    assert server.hits.get("aia/loop-a.crt", 0) <= 2 and server.hits.get("aia/loop-b.crt", 0) <= 2


def test_aia_answering_garbage(mini_pki: MiniPKI) -> None:
    mini_pki.server.routes["aia/garbage.crt"] = Route(b"<html>not a certificate</html>", "application/pkix-cert")
    person = mini_pki.person("aia-garbage", aia_url="aia/garbage.crt")
    report = kyso.validate_certificate(person.pem, trust=[mini_pki.root.pem], revocation="soft", timeout=1)
    assert report.indication == "INDETERMINATE"
    assert report.sub_indication == "NO_CERTIFICATE_CHAIN_FOUND"


# --------------------------------------------------------------------------------------------- malformed input


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"garbage that is no certificate",
        b"\x30\x82\x01\x00" + b"\x00" * 20,  # a truncated DER SEQUENCE
        b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",  # PEM of garbage
        b"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",  # PEM, but a key, not a certificate
    ],
    ids=["empty", "text", "truncated-der", "pem-of-garbage", "pem-key"],
)
def test_malformed_certificates_are_input_errors(data: bytes) -> None:
    with pytest.raises(InputError):
        kyso.validate_certificate(data, revocation="off")


def test_pem_and_der_are_both_accepted_whatever_the_file_name(mini_pki: MiniPKI, tmp_path, kyso_cli) -> None:
    person = mini_pki.person("formats")
    (tmp_path / "person.pem").write_bytes(person.der)  # DER in a .pem file
    (tmp_path / "root.der").write_bytes(mini_pki.root.pem)  # PEM in a .der file
    (tmp_path / "chain.crt").write_bytes(person.pem + mini_pki.ca.pem)  # a PEM bundle: the first one is validated
    for cert in ("person.pem", "chain.crt"):
        args = ["cert", "validate", tmp_path / cert, "--trust", tmp_path / "root.der", "--revocation", "off"]
        if cert == "person.pem":
            (tmp_path / "ca.cer").write_bytes(mini_pki.ca.der)
            args += ["--intermediate", tmp_path / "ca.cer"]
        result = kyso_cli(*args, "--lang", "en")
        assert result.exit_code == 0, result.stdout + result.stderr
        assert "Người thử formats" in result.stdout


def test_garbage_trust_anchor_file_is_a_usage_failure(tmp_path, kyso_cli, mini_pki: MiniPKI) -> None:
    (tmp_path / "person.pem").write_bytes(mini_pki.person("x").pem)
    (tmp_path / "root.pem").write_bytes(b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n")
    result = kyso_cli("cert", "validate", tmp_path / "person.pem", "--trust", tmp_path / "root.pem")
    assert result.exit_code == 2
    assert result.stderr.startswith("kyso: error: ")
