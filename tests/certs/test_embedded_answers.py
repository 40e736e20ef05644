"""Revocation answers a document embeds are reported only when they carry the issuer's signature: a forged "good"
answer must neither show as ``good`` nor hide an unusable answer from the responder under the soft policy."""

from __future__ import annotations

from certs_helpers import MiniPKI, Route, issue, new_key, ocsp_answer

# fixtures: importing one registers it here
from certs_helpers import hostile_server_fixture as hostile_server_fixture
from certs_helpers import mini_pki_fixture as mini_pki_fixture
from certs_helpers import trust_copies_fixture as trust_copies_fixture

from kyso.core.manager import get_plugin_manager
from kyso.core.models import RevocationPolicy, ValidationOptions


def ocsp_request_for(cert, issuer) -> bytes:  # noqa: ANN001
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509 import ocsp

    builder = ocsp.OCSPRequestBuilder().add_certificate(
        x509.load_der_x509_certificate(cert.der), x509.load_der_x509_certificate(issuer.der), hashes.SHA1()
    )
    return builder.build().public_bytes(serialization.Encoding.DER)


def validate(pki: MiniPKI, cert, policy: RevocationPolicy, embedded: tuple[bytes, ...]):  # noqa: ANN001
    options = ValidationOptions(
        trust=(pki.root.der,), intermediates=(pki.ca.der,), revocation=policy, timeout=2, embedded_ocsps=embedded
    )
    return get_plugin_manager().validate_certificate(cert.der, options)


def test_forged_embedded_ocsp_is_not_reported_good(mini_pki: MiniPKI) -> None:
    cert = issue("Forged embedded", issuer=mini_pki.ca, ocsp_url="http://127.0.0.1:9/ocsp")
    forged = ocsp_answer(ocsp_request_for(cert, mini_pki.ca), issuer=mini_pki.ca, signing_key=new_key(), nonce=None)
    hard = validate(mini_pki, cert, RevocationPolicy.HARD, (forged,))
    assert (hard.indication, hard.sub_indication) == ("INDETERMINATE", "TRY_LATER")
    assert hard.revocation.status == "unknown", hard.revocation
    soft = validate(mini_pki, cert, RevocationPolicy.SOFT, (forged,))
    assert soft.revocation.status == "unknown" and soft.revocation.source == "none", soft.revocation


def test_forged_embedded_ocsp_does_not_hide_a_garbage_answer(mini_pki: MiniPKI) -> None:
    mini_pki.server.routes["ocsp/garbage-embedded"] = Route(b"\x30\x03garbage, not DER", "application/ocsp-response")
    cert = mini_pki.person("garbage-embedded", ocsp_url="ocsp/garbage-embedded")
    forged = ocsp_answer(ocsp_request_for(cert, mini_pki.ca), issuer=mini_pki.ca, signing_key=new_key(), nonce=None)
    soft = validate(mini_pki, cert, RevocationPolicy.SOFT, (forged,))
    assert (soft.indication, soft.sub_indication) == ("INDETERMINATE", "TRY_LATER"), soft.messages


def test_genuine_embedded_ocsp_is_reported(mini_pki: MiniPKI) -> None:
    cert = issue("Genuine embedded", issuer=mini_pki.ca, ocsp_url="http://127.0.0.1:9/ocsp")
    genuine = ocsp_answer(ocsp_request_for(cert, mini_pki.ca), issuer=mini_pki.ca, nonce=None)
    report = validate(mini_pki, cert, RevocationPolicy.SOFT, (genuine,))
    assert (report.revocation.status, report.revocation.source) == ("good", "embedded")


def test_a_document_proving_revocation_is_not_passed_when_the_responder_is_down(mini_pki: MiniPKI) -> None:
    """Online, the validator ignores embedded answers; "soft" with the responder unreachable must still not pass a
    certificate whose issuer-signed answer, carried by the document, says revoked."""
    cert = issue("Revoked embedded", issuer=mini_pki.ca, ocsp_url="http://127.0.0.1:9/ocsp")
    revoked = ocsp_answer(ocsp_request_for(cert, mini_pki.ca), issuer=mini_pki.ca, revoked=True, nonce=None)
    soft = validate(mini_pki, cert, RevocationPolicy.SOFT, (revoked,))
    assert soft.revocation.status == "revoked"
    assert (soft.indication, soft.sub_indication) == ("INDETERMINATE", "REVOKED_NO_POE"), soft.messages
