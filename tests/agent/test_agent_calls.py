"""The agent's VGCA endpoints, called by a real WebSocket client as pages call them (issue 12, item 1)."""

from __future__ import annotations

import base64
import json

import requests

import kyso
from kyso.agent.protocol import Status

pytest_plugins = ["agent_support"]


def test_sign_approved_then_issued_through_the_platform(agent_world, kyso_pki):
    """The workflow of an e-office page: the leader's SignApproved, then the clerk's SignIssued with the number the
    platform assigned; each signed file lands in the platform through FileUploadHandler."""
    from kyso.demo.letter import sample_letter

    world = agent_world
    fields = world.approval_task(sample_letter().pdf)
    reply = world.call("SignApproved", fields, origin=world.sim_origin)
    assert reply["Status"] == Status.OK, reply
    assert json.loads(reply["FileServer"])["status"] == 0  # the handler's answer, passed through
    tasks = requests.get(
        f"{world.sim.url}/api/v1/users/kyso/tasks", headers={"Authorization": f"Bearer {world.token}"}, timeout=10
    ).json()["data"]
    issuance = next(t for t in tasks if t["step"] == "issuance")
    number = issuance["signOptions"]["doc_number"]
    reply = world.call(
        "SignIssued",
        {**world.task_fields(issuance["taskId"]), "DocNumber": number, "IssuedDate": "01/12/2026"},
        origin=world.sim_origin,
    )
    assert reply["Status"] == Status.OK, reply
    assert (reply["DocumentNumber"], reply["DocumentDate"]) == (number, "01/12/2026")
    signed = world.sim.item(issuance["taskId"])["signed"]
    report = kyso.verify(signed, trust=[kyso_pki.root_cert], revocation="off")
    assert [s.kind for s in report.signatures] == ["approval", "issuance"]
    assert report.indication == "TOTAL_PASSED"


def test_credentials_go_with_both_legs_and_the_handler_answer_is_passed_through(agent_world):
    world = agent_world
    base = world.files_origin
    reply = world.call(
        "SignPDF",
        {
            "FileName": f"{base}/doc.pdf",
            "FileUploadHandler": f"{base}/upload/ok",
            "JWTToken": "jwt-1",
            "SessionId": "s-9",
        },
    )
    assert reply["Status"] == Status.OK, reply
    assert reply["FileServer"].startswith("/files/")  # the JSON answer's FileServer field
    get = next(h for m, p, h in reversed(world.files.seen) if m == "GET" and p == "/doc.pdf")
    post = next(h for m, p, h in reversed(world.files.seen) if m == "POST")
    for headers in (get, post):
        assert headers["Authorization"] == "Bearer jwt-1"
        assert headers["Cookie"] == "SessionId=s-9"
    path, _key, body = world.files.uploads[-1]
    assert b'name="uploadfile"' in body and b"%PDF-" in body


def test_sign_xml_returns_the_signature(agent_world):
    xml = b"<?xml version='1.0' encoding='UTF-8'?><HoSo><TieuDe>Th\xe1\xbb\xad</TieuDe></HoSo>"
    content = base64.b64encode(xml).decode()
    whole = agent_world.call("SignXML", {"Base64Content": content, "HashAlg": "SHA256"})
    assert whole["Status"] == 0 and whole["Error"] == "", whole
    signed = base64.b64decode(whole["Signature"])
    assert signed.startswith(b"<HoSo>") or b"<HoSo" in signed[:60]
    only = agent_world.call("SignXML", {"Base64Content": content, "ReturnSignatureOnly": True})
    assert base64.b64decode(only["Signature"]).startswith(b'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"')
    refused = agent_world.call("SignXML", {"Base64Content": content, "HashAlg": "SHA1"})
    assert refused["Status"] == Status.BAD_REQUEST and "SHA1" in refused["Error"]


def test_verify_pdf_answers_vgca_shape_and_kyso_report(agent_world, signed_pdf):
    world = agent_world
    world.files.pdf, saved = signed_pdf, world.files.pdf
    try:
        reply = world.call("VerifyPDF", {"FileName": f"{world.files_origin}/doc.pdf"})
    finally:
        world.files.pdf = saved
    assert reply["Status"] == 0
    assert reply["Signatures"][0]["SignerName"] and reply["Report"]["signatures"]


def test_cert_info_config_and_unsupported_endpoints(agent_world, kyso_pki):
    info = agent_world.call("GetCertInfo", {})["CertInfo"]
    assert (
        base64.b64decode(info["Base64Cert"])
        == kyso.Pkcs12Signer.from_file(kyso_pki.p12("person"), "kyso-test-pass").certificate
    )
    config = agent_world.call("Config", {})["Config"]
    assert config["Consent"] == "allowlisted" and "SignApproved" in config["Endpoints"]
    assert "kyso-test-pass" not in json.dumps(config) and "Password" not in json.dumps(config)
    for endpoint in ("SignOffice", "SignFile", "Nope"):
        assert agent_world.call(endpoint, {})["Status"] == Status.UNSUPPORTED_ENDPOINT


def test_health_and_kyso_js_on_the_same_port(agent_world):
    http = agent_world.url.replace("ws://", "http://")
    assert requests.get(f"{http}/health", timeout=5).json()["service"] == "kyso-agent"
    script = requests.get(f"{http}/kyso.js", timeout=5)
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert "vgca_sign_approved" in script.text and "export default kyso" in script.text


def test_the_audit_log_prints_each_call(agent_world, kyso_cli):
    agent_world.call("Config", {})
    result = kyso_cli("agent", "log", "--format", "json", "--limit", "500")
    entries = json.loads(result.stdout)
    assert any(e["endpoint"] == "Config" and e["status"] == 0 for e in entries)
    signed = [e for e in entries if e["endpoint"] == "SignPDF" and e["status"] == 0]
    assert all(len(e["document_sha256"]) == 64 and "Nguyễn Văn An" in e["signer"] for e in signed)
