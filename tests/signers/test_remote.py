"""Remote signing (issue 11, item 2): CSC v1 against certomancer-csc-dummy, CSC v2, VNPT SmartCA and Viettel MySign
against the remote-signing simulator, each over real HTTP on 127.0.0.1; the phone is the simulator's control API."""

from __future__ import annotations

import threading
import time

import pytest

import kyso
from kyso.core.errors import (
    CertificateRevokedError,
    QuotaExceededError,
    RemoteServiceError,
    SignatureMismatchError,
    SigningCancelledError,
    SigningExpiredError,
    SigningRejectedError,
    SigningTimeoutError,
    UsageError,
)
from kyso.core.signer import SignerStatus, SigningControl, sign_many, signing_control
from kyso.signers.remote.csc import open_csc
from kyso.signers.remote.mysign import open_mysign
from kyso.signers.remote.smartca import open_smartca
from kyso.testing.simulators.remote import PIN, SP_ID, SP_SECRET, RemoteSigningControl
from tests.signers.remote_support import USER, simulator_fixture  # noqa: F401 - the fixture


@pytest.fixture
def phone(simulator) -> RemoteSigningControl:
    return RemoteSigningControl(simulator.url)


def smartca(simulator, **options):
    options = {"signer_user": USER, "client_id": SP_ID, "client_secret": SP_SECRET, "poll_interval": 0.02, **options}
    return open_smartca(service_url=simulator.smartca_url, **options)


def mysign(simulator, **options):
    options = {"signer_user": USER, "client_id": SP_ID, "client_secret": SP_SECRET, "poll_interval": 0.02, **options}
    return open_mysign(service_url=simulator.url, **options)


def passes(pki, data: bytes) -> bool:
    report = kyso.verify(data, trust=[pki.cert("root")], revocation="off")
    return report.to_dict()["indication"] == "TOTAL_PASSED"


# ------------------------------------------------------------------------------------------------------ CSC


def test_csc_v1_signs_a_pdf_at_certomancer_csc_dummy(kyso_csc_dummy, pki, unsigned_pdf):
    signer = open_csc(service_url=kyso_csc_dummy.url, credential="kyso/person", oauth_token="dummy-accepts-any")
    assert signer.certificate == pki_der(pki, "person") and signer.chain
    assert passes(pki, kyso.sign(unsigned_pdf, signer=signer))


def test_csc_v1_signs_a_batch_in_one_authorisation(kyso_csc_dummy, pki):
    signer = open_csc(service_url=kyso_csc_dummy.url, credential="kyso/person", oauth_token="t")
    items = [f"document {i}".encode() for i in range(5)]
    assert len(sign_many(signer, items, "sha256")) == 5  # each value verified against the certificate


def test_csc_v2_with_client_credentials_and_pin(simulator, pki, unsigned_pdf):
    signer = open_csc(
        service_url=simulator.url, api="v2", signer_user=USER, client_id=SP_ID, client_secret=SP_SECRET, pin=PIN
    )
    assert passes(pki, kyso.sign(unsigned_pdf, signer=signer))


def test_csc_v2_wrong_pin_and_wrong_client_secret_are_refused(simulator, unsigned_pdf):
    signer = open_csc(
        service_url=simulator.url, api="v2", signer_user=USER, client_id=SP_ID, client_secret=SP_SECRET, pin="0000"
    )
    with pytest.raises(RemoteServiceError, match="invalid_pin"):
        kyso.sign(unsigned_pdf, signer=signer)
    with pytest.raises(RemoteServiceError, match="credentials refused") as refused:
        open_csc(service_url=simulator.url, api="v2", client_id=SP_ID, client_secret="not-the-secret")
    assert "not-the-secret" not in str(refused.value)


def test_csc_credential_must_be_chosen_among_several(simulator):
    with pytest.raises(UsageError, match="choose the credential"):
        open_csc(
            service_url=simulator.url, api="v2", signer_user="079090005678", client_id=SP_ID, client_secret=SP_SECRET
        )


# ------------------------------------------------------------------------------------------------------ SmartCA


def test_smartca_pdf_confirmed_on_the_phone(simulator, phone, pki, unsigned_pdf):
    signer = smartca(simulator)
    seen: list[SignerStatus] = []
    confirming = phone.when_waiting("confirm")
    with signing_control(SigningControl(on_status=seen.append)):
        signed = kyso.sign(unsigned_pdf, signer=signer)
    confirming.join()
    assert passes(pki, signed)
    waiting = next(s for s in seen if s.state == "waiting")
    assert waiting.service == "VNPT SmartCA" and waiting.transaction and waiting.seconds_left() > 250
    assert seen[-1].state == "signed"


def test_smartca_batch_of_twenty_is_one_confirmation(simulator, pki):
    simulator.configure(auto="confirm")
    signer = smartca(simulator)
    signatures = sign_many(signer, [f"văn bản {i}".encode() for i in range(20)], "sha256")
    assert len(signatures) == 20
    (transaction,) = simulator.transactions()
    assert transaction["count"] == 20 and transaction["state"] == "signed"


@pytest.mark.parametrize(
    ("setting", "error"),
    [
        ({"auto": "reject"}, SigningRejectedError),
        ({"auto": "expire"}, SigningExpiredError),
        ({"quota": 0}, QuotaExceededError),
        ({"auto": "confirm", "answer": "tamper"}, SignatureMismatchError),
        ({"auto": "confirm", "answer": "wrong_key"}, SignatureMismatchError),
    ],
    ids=["rejected", "expired", "quota", "tampered-value", "other-key"],
)
def test_smartca_failures_are_typed_errors_and_nothing_is_written(simulator, unsigned_pdf, tmp_path, setting, error):
    simulator.configure(**setting)
    with pytest.raises(error):
        kyso.sign(unsigned_pdf, signer=smartca(simulator))


def test_smartca_revoked_certificate(simulator):
    with pytest.raises(CertificateRevokedError):
        smartca(simulator, signer_user="revoked-user")


def test_smartca_times_out_when_nobody_confirms(simulator):
    started = time.monotonic()
    with pytest.raises(SigningTimeoutError):
        smartca(simulator, confirm_timeout=0.3).sign_raw(b"data", "sha256")
    assert time.monotonic() - started < 3


def test_cancel_from_another_thread_stops_polling(simulator):
    signer = smartca(simulator, poll_interval=0.05)
    control = SigningControl()
    threading.Timer(0.3, control.cancel.set).start()
    with pytest.raises(SigningCancelledError):
        signer.sign_digests([b"\x00" * 32], "sha256", control=control)
    polls = simulator.transactions()[0]["polls"]
    time.sleep(0.3)
    assert simulator.transactions()[0]["polls"] == polls, "no status request after the cancel"


def test_smartca_wrong_service_provider_secret(simulator):
    with pytest.raises(RemoteServiceError, match="credentials refused"):
        smartca(simulator, client_secret="wrong")


# ------------------------------------------------------------------------------------------------------ MySign


def test_mysign_pdf_confirmed_on_the_phone(simulator, phone, pki, unsigned_pdf):
    confirming = phone.when_waiting("confirm")
    assert passes(pki, kyso.sign(unsigned_pdf, signer=mysign(simulator)))
    confirming.join()
    assert simulator.transactions()[0]["service"] == "mysign"


@pytest.mark.parametrize(
    ("setting", "user", "error"),
    [
        ({"auto": "reject"}, USER, SigningRejectedError),
        ({"auto": "expire"}, USER, SigningExpiredError),
        ({"quota": 1}, USER, QuotaExceededError),
        ({}, "revoked-user", CertificateRevokedError),
    ],
    ids=["rejected-4002", "expired-4001", "quota-4005", "revoked"],
)
def test_mysign_transaction_states(simulator, setting, user, error):
    simulator.configure(**setting)
    with pytest.raises(error):
        sign_many(mysign(simulator, signer_user=user, credential=None), [b"a", b"b"], "sha256")


def pki_der(pki, name: str) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    return x509.load_pem_x509_certificate(pki.cert(name).read_bytes()).public_bytes(serialization.Encoding.DER)


def test_a_batch_of_pdfs_is_one_confirmation_on_the_phone(simulator, phone, pki, unsigned_pdf):
    confirming = phone.when_waiting("confirm")
    signed = kyso.sign_batch([unsigned_pdf] * 3, signer=smartca(simulator), kind="attachment", doc_number="12/UBND")
    confirming.join()
    assert [passes(pki, s) for s in signed] == [True, True, True]
    (transaction,) = simulator.transactions()
    assert transaction["count"] == 3


def test_a_rejected_batch_returns_nothing(simulator, unsigned_pdf):
    simulator.configure(auto="reject")
    with pytest.raises(SigningRejectedError):
        kyso.sign_batch([unsigned_pdf] * 2, signer=smartca(simulator))


def test_a_service_echoing_the_secrets_never_shows_them(tmp_path):
    """A hostile or careless service answers its error with the request it got: the PIN, the client secret and the
    token are never repeated in Kyso's message."""
    import json as json_module
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Echo(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            if self.path.endswith("/csc/v2/info"):
                answer, status = {"specs": "2.0.0.2"}, 200
            elif self.path.endswith("oauth2/token"):
                answer, status = {"access_token": "tok-SECRET-3"}, 200
            elif self.path.endswith("credentials/info"):
                answer, status = {"error": "bad", "error_description": body + self.headers["Authorization"]}, 400
            else:
                answer, status = {"error": "bad", "error_description": body}, 400
            data = json_module.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with pytest.raises(RemoteServiceError) as caught:
            open_csc(
                service_url=url,
                api="v2",
                credential="c",
                client_id="id",
                client_secret="cs-SECRET-1",
                pin="pin-SECRET-2",
            )
        shown = caught.value.diagnostics("vi") + str(caught.value)
        assert "bad" in shown and "SECRET" not in shown
    finally:
        server.shutdown()
