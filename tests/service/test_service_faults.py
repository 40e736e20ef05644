"""Faults and hostile input against the real service: 4xx with a clear message or an honest verdict, never a 500,
and the workers stay up (the same two worker processes answer /health afterwards)."""

from __future__ import annotations

import concurrent.futures
import time

import httpx
import pytest
from conftest import make_pdf
from service_faults import edxml_package, pdf_forgeries, zip_bomb
from service_support import (  # noqa: F401 - the *_fixture imports register the fixtures
    MAX_UPLOAD,
    database_url_fixture,
    outside_fixture,
    service_fixture,
)

import kyso

FAULTS_SIGNER = "organisation"
"""The certificate only the CA-down and CA-hangs tests use with the service: none of its answers is cached."""


def _workers(service) -> set[int]:
    """The worker processes answering, asked over fresh connections."""
    seen: set[int] = set()
    with service.client() as client:
        for _ in range(40):
            seen.add(client.get("/health").json()["worker"])
            if len(seen) == 2:
                break
    return seen


@pytest.fixture(scope="module")
def workers_before(service) -> set[int]:
    return _workers(service)


def test_oversized_uploads_are_refused_before_reading(service, workers_before):
    big = b"%PDF-1.7\n" + bytes(MAX_UPLOAD + 1024 * 1024)
    with service.client() as client:
        declared = client.post("/api/v1/verify", files={"file": ("big.pdf", big)})

        def chunks():
            for start in range(0, len(big), 256 * 1024):
                yield big[start : start + 256 * 1024]

        chunked = client.post("/api/v1/verify", content=chunks(), headers={"Content-Type": "application/json"})
        dss = client.post(
            "/services/rest/validation/validateSignature",
            content=chunks(),
            headers={"Content-Type": "application/json"},
        )
    for answer in (declared, chunked, dss):
        assert answer.status_code == 413, answer.text
        assert answer.json()["error"] == "TOO_LARGE"


@pytest.mark.parametrize(
    "body, content_type",
    [
        (
            b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF',
            "multipart/form-data; boundary=x",
        ),
        (b"garbage without any boundary", "multipart/form-data"),
        (b"--x\r\nbroken header line\r\n\r\nvalue\r\n--x--\r\n", "multipart/form-data; boundary=x"),
        (
            b'--x\r\nContent-Disposition: form-data; name="other"\r\n\r\nv\r\n--x--\r\n',
            "multipart/form-data; boundary=x",
        ),
        (b"{not json", "application/json"),
        (b'{"content": "***not base64***"}', "application/json"),
        (b"%PDF-1.7", "application/pdf"),
    ],
)
def test_malformed_requests_are_4xx_with_a_message(service, body, content_type):
    with service.client() as client:
        answer = client.post("/api/v1/verify", content=body, headers={"Content-Type": content_type})
    assert 400 <= answer.status_code < 500, answer.text
    assert set(answer.json()) == {"error", "message"} and answer.json()["message"]


def test_zip_bomb_in_an_edxml_attachment_is_an_honest_verdict(service, signer_for):
    package = kyso.sign(edxml_package(zip_bomb(), name="bomb.zip"), signer=signer_for("person"))
    assert len(package) < MAX_UPLOAD
    started = time.monotonic()
    with service.client() as client:
        answer = client.post("/api/v1/verify", files={"file": ("bomb.xml", package)})
    assert answer.status_code == 200 and answer.json()["format"] == "edxml"
    assert answer.json()["indication"] == "TOTAL_PASSED"  # the attachment is signed bytes, never inflated
    assert time.monotonic() - started < 15


def test_pdf_attack_classes_are_never_passed(service, signer_for):
    signed = kyso.sign(make_pdf(), signer=signer_for("person"))
    with service.client() as client:
        for attack, forged in pdf_forgeries(signed).items():
            answer = client.post("/api/v1/verify", files={"file": ("forged.pdf", forged)})
            assert answer.status_code in (200, 422), (attack, answer.text)
            if answer.status_code == 200:
                assert answer.json()["indication"] != "TOTAL_PASSED", attack


def test_unreachable_ca_is_try_later_under_hard_never_passed(service, outside, signer_for):
    """Revocation goes through the configured mirror; with the mirror down, hard says TRY_LATER (not a 500, not
    PASSED). The ``organisation`` certificate is kept for these fault tests (:data:`FAULTS_SIGNER`): no answer
    about it is cached when the mirror goes down."""
    signed = kyso.sign(make_pdf(text="CA down"), signer=signer_for(FAULTS_SIGNER))
    chain = outside.pki.issuing_ca_cert.read_bytes()  # with its CA: no AIA fetch, the revocation check is what fails
    outside.mode = "down"
    try:
        with service.client() as client:
            hard = client.post("/api/v1/verify", files={"file": ("a.pdf", signed)}, data={"revocation": "hard"})
            certificate = client.post(
                "/api/v1/certificates/validate",
                files={"file": ("c.pem", outside.pki.cert(FAULTS_SIGNER).read_bytes() + chain)},
                data={"revocation": "hard"},
            )
    finally:
        outside.mode = "pass"
    signature = hard.json()["signatures"][0]
    assert (signature["indication"], signature["sub_indication"]) == ("INDETERMINATE", "TRY_LATER"), hard.text
    assert certificate.json()["indication"] == "INDETERMINATE", certificate.text
    assert certificate.json()["sub_indication"] == "TRY_LATER", certificate.text


def test_hanging_responder_during_load(service, outside, signer_for):
    """Eight requests while the CA hangs: each an honest TRY_LATER within the network budget (3 s), /health
    answering meanwhile, and the same workers up after."""
    signed = kyso.sign(make_pdf(text="CA hangs"), signer=signer_for(FAULTS_SIGNER))
    outside.release.clear()
    outside.mode = "hang"

    def verify() -> httpx.Response:
        with service.client() as client:
            return client.post("/api/v1/verify", files={"file": ("a.pdf", signed)}, data={"revocation": "hard"})

    try:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(verify) for _ in range(8)]
            time.sleep(0.5)
            with service.client() as client:
                started = time.monotonic()
                assert client.get("/health").status_code == 200
                assert time.monotonic() - started < 2
            answers = [f.result() for f in futures]
    finally:
        outside.mode = "pass"
        outside.release.set()
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert answer.json()["signatures"][0]["sub_indication"] == "TRY_LATER"


def test_workers_stayed_up(service, workers_before):
    assert len(workers_before) == 2
    assert _workers(service) == workers_before
    assert service.process.poll() is None
    assert "Traceback" not in service.log.read_text(errors="replace")


def test_revocation_answers_are_shared_by_the_workers(service, outside):
    """One OCSP/CRL fetch serves both workers: the disk cache of ``cache_dir`` is shared. The time-stamping
    authority's certificate is asked for by no other service test, so nothing of it is cached before."""
    tsa = outside.pki.cert("tsa").read_bytes()
    seen: set[int] = set()
    with service.client() as client:
        before = outside.revocation_requests
        first = client.post(
            "/api/v1/certificates/validate", files={"file": ("tsa.pem", tsa)}, data={"revocation": "hard"}
        )
        seen.add(int(first.headers["x-kyso-worker"]))
        fetched = outside.revocation_requests
        for _ in range(40):
            answer = client.post(
                "/api/v1/certificates/validate", files={"file": ("tsa.pem", tsa)}, data={"revocation": "hard"}
            )
            assert answer.json()["revocation"]["source"] == "ocsp"
            if int(answer.headers["x-kyso-worker"]) not in seen:
                break
        seen.add(int(answer.headers["x-kyso-worker"]))
    assert first.json()["revocation"] == {"status": "good", "source": "ocsp"}
    assert fetched > before, "the first validation fetched nothing: the test proves nothing"
    assert len(seen) == 2, "only one worker answered"
    assert outside.revocation_requests == fetched, "the second worker fetched again instead of using the cache"
