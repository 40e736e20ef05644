"""The HTTP API of ``kyso serve`` on a real uvicorn server with 2 worker processes, driven by a real client."""

from __future__ import annotations

import base64
import json

import pytest
from conftest import make_pdf
from service_support import database_url_fixture, outside_fixture, service_fixture  # noqa: F401 - fixtures

import kyso


@pytest.fixture(scope="module")
def pdf(signer_for) -> bytes:
    return kyso.sign(make_pdf(), signer=signer_for("person"))


def test_verify_multipart_and_json_answer_the_cli_report(service, pdf, kyso_pki):
    expected = kyso.verify(pdf, trust=[kyso_pki.root_cert], name="cv.pdf").to_dict()
    with service.client() as client:
        by_form = client.post("/api/v1/verify", files={"file": ("cv.pdf", pdf, "application/pdf")})
        by_json = client.post("/api/v1/verify", json={"content": base64.b64encode(pdf).decode(), "name": "cv.pdf"})
    for answer in (by_form, by_json):
        assert answer.status_code == 200, answer.text
        report = answer.json()
        assert report["indication"] == "TOTAL_PASSED"
        assert report.keys() == expected.keys()
        assert report["signatures"][0]["signer"] == expected["signatures"][0]["signer"]
        assert report["document"] == "cv.pdf"


def test_options_revocation_trust_and_at(service, pdf):
    with service.client() as client:
        untrusted = client.post("/api/v1/verify", files={"file": ("a.pdf", pdf)}, data={"trust": "other"})
        unknown_set = client.post("/api/v1/verify", files={"file": ("a.pdf", pdf)}, data={"trust": "nope"})
        past = client.post("/api/v1/verify", files={"file": ("a.pdf", pdf)}, data={"at": "2001-01-01T00:00:00+07:00"})
        bad = client.post("/api/v1/verify", files={"file": ("a.pdf", pdf)}, data={"revocation": "maybe"})
    assert untrusted.json()["indication"] != "TOTAL_PASSED"  # the PKI's root is not in the set "other"
    assert unknown_set.status_code == 400 and unknown_set.json()["error"] == "BAD_REQUEST"
    assert past.json()["indication"] != "TOTAL_PASSED"  # the certificate did not exist in 2001
    assert bad.status_code == 400 and set(bad.json()) == {"error", "message"}


def test_certificate_trust_health_openapi_docs(service, kyso_pki):
    with service.client() as client:
        cert = client.post(
            "/api/v1/certificates/validate", files={"file": ("c.pem", kyso_pki.cert("person").read_bytes())}
        )
        revoked = client.post(
            "/api/v1/certificates/validate",
            json={"content": base64.b64encode(kyso_pki.cert("revoked").read_bytes()).decode(), "revocation": "hard"},
        )
        trust = client.get("/api/v1/trust").json()
        health = client.get("/health").json()
        spec = client.get("/openapi.json").json()
        docs = client.get("/docs")
        script = client.get("/static/docs.js")
    assert cert.json()["indication"] == "TOTAL_PASSED"
    assert (revoked.json()["indication"], revoked.json()["sub_indication"]) == ("INDETERMINATE", "REVOKED_NO_POE")
    from kyso.certs.truststore import fingerprint

    assert trust["sets"]["default"][0]["sha256"] == fingerprint(
        kyso.certs.loading.load_certificates([kyso_pki.root_cert])[0]
    )
    assert health["status"] == "ok"
    assert {
        "/api/v1/verify",
        "/api/v1/certificates/validate",
        "/api/v1/trust",
        "/services/rest/validation/validateSignature",
    } <= set(spec["paths"])
    assert docs.status_code == 200 and "/static/docs.js" in docs.text and "http" not in docs.text.split("<body>")[1]
    assert script.status_code == 200


def test_dss_validate_signature_simple_report(service, pdf, signer_for):
    tampered = pdf.replace(b"Kyso test document", b"Kyso TEST document")
    answers = []
    with service.client() as client:
        for data in (pdf, tampered, make_pdf()):
            body = {
                "signedDocument": {"bytes": base64.b64encode(data).decode(), "name": "x.pdf"},
                "validationTime": None,
            }
            answers.append(client.post("/services/rest/validation/validateSignature", json=body))
        garbage = client.post("/services/rest/validation/validateSignature", json={"signedDocument": 3})
    good, bad, unsigned = (a.json()["SimpleReport"] for a in answers)
    signature = good["signatureOrTimestampOrEvidenceRecord"][0]["Signature"]
    assert signature["Indication"] == "TOTAL_PASSED" and signature["SignedBy"] == "Nguyễn Văn An"
    assert signature["SignatureFormat"] == "PAdES_BASELINE_B"
    assert (good["ValidSignaturesCount"], good["SignaturesCount"]) == (1, 1)
    failed = bad["signatureOrTimestampOrEvidenceRecord"][0]["Signature"]
    assert failed["Indication"] == "TOTAL_FAILED" and failed["SubIndication"] == "HASH_FAILURE" and failed["Errors"]
    assert (bad["ValidSignaturesCount"], bad["SignaturesCount"]) == (0, 1)
    assert unsigned["SignaturesCount"] == 0
    assert garbage.status_code == 400 and garbage.json()["error"] == "BAD_REQUEST"


def test_edxml_and_unknown_formats(service, signer_for):
    from service_faults import edxml_package

    signed = kyso.sign(edxml_package(), signer=signer_for("person"))
    with service.client() as client:
        xml = client.post("/api/v1/verify", files={"file": ("goi-tin.xml", signed, "text/xml")})
        other = client.post("/api/v1/verify", files={"file": ("a.txt", b"just text, not a document")})
    assert xml.json()["format"] == "edxml" and xml.json()["indication"] == "TOTAL_PASSED", xml.text
    assert other.status_code == 415 and other.json()["error"] == "UNSUPPORTED_FORMAT"


def test_api_keys_rate_limits_and_audit(service, pdf):
    import hashlib
    import time

    if time.time() % 60 > 45:  # the five requests must fall in one rate window (minute)
        time.sleep(61 - time.time() % 60)
    limited = service.keys["limited"]
    with service.client(**{"X-API-Key": limited}) as client:
        statuses = [client.post("/api/v1/verify", files={"file": ("a.pdf", pdf)}).status_code for _ in range(5)]
    with service.client(**{"X-API-Key": "kyso_not-a-key"}) as client:
        wrong = client.post("/api/v1/verify", files={"file": ("a.pdf", pdf)})
    assert statuses.count(200) == 3 and statuses[3:] == [429, 429]  # counted across both workers
    assert wrong.status_code == 401 and wrong.json()["error"] == "UNAUTHORIZED"

    listing = service.cli("keys", "list", "--format", "json")
    keys = {k["name"]: k for k in json.loads(listing.stdout)}
    assert keys["limited"]["per_minute"] == 3 and limited not in listing.stdout  # only its first characters
    assert service.cli("keys", "add", "throwaway").returncode == 0
    throwaway = service.cli("keys", "list").stdout
    assert "throwaway" in throwaway
    assert service.cli("keys", "revoke", "system-a").returncode == 0
    with service.client(**{"X-API-Key": service.keys["system-a"]}) as client:
        assert client.post("/api/v1/verify", files={"file": ("a.pdf", pdf)}).status_code == 401

    from kyso.service.store import Store, hash_key

    store = Store(service.database)
    entries = store.audit_entries(200)
    digest = hashlib.sha256(pdf).hexdigest()
    mine = [e for e in entries if e.client == "limited"]
    assert len(mine) == 3 and all(e.document_sha256 == digest and e.indication == "TOTAL_PASSED" for e in mine)
    assert all(e.format == "pdf" for e in mine)
    rows = store._run("SELECT key_hash FROM api_keys WHERE name = ?", ("limited",))
    assert rows[0][0] == hash_key(limited) and limited not in str(store._run("SELECT * FROM api_keys"))
    store.close()


def test_access_log_is_structured(service):
    with service.client() as client:
        client.get("/health")
    lines = [line for line in service.log.read_text(errors="replace").splitlines() if line.startswith("{")]
    entry = json.loads(lines[-1])
    assert {"time", "worker", "client", "method", "path", "status", "ms"} <= set(entry)
