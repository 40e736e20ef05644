"""Hostile pages and faulty servers (issue 12, item 7): each refused with a clear Status, the agent still serving.

Mutations tried: the origin check made to accept any origin, and the URL check made to accept any host; the tests
below then fail."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from kyso.agent.protocol import Status

pytest_plugins = ["agent_support"]


def _ok_call(world):
    reply = world.call("Config", {})
    assert reply["Status"] == 0
    return reply


def test_a_page_of_another_origin_is_refused(agent_world):
    fields = {"FileName": f"{agent_world.files_origin}/doc.pdf", "FileUploadHandler": f"{agent_world.files_origin}/x"}
    for origin in ("http://evil.example", "null", f"http://localhost:{agent_world.files.server_port}"):
        reply = agent_world.call("SignApproved", fields, origin=origin)
        assert reply["Status"] == Status.REFUSED_ORIGIN, (origin, reply)
    _ok_call(agent_world)


def test_a_dns_rebinding_host_is_refused(agent_world):
    """A page of a rebound DNS name reaching 127.0.0.1 carries its own name in Host: refused."""
    port = agent_world.url.rsplit(":", 1)[1]
    with socket.create_connection(("127.0.0.1", int(port)), timeout=5) as raw:
        raw.sendall(b"GET /health HTTP/1.1\r\nHost: rebound.example:" + port.encode() + b"\r\n\r\n")
        assert raw.recv(100).startswith(b"HTTP/1.1 403")


@pytest.mark.parametrize(
    "file_name",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://example.org/doc.pdf",
        "http://127.0.0.1:1/doc.pdf",
        "http://user:pw@127.0.0.1/doc.pdf",
        "javascript:alert(1)",
        "/etc/passwd",
    ],
)
def test_file_name_elsewhere_is_refused_before_any_request(agent_world, file_name):
    seen = len(agent_world.files.seen)
    handler = f"{agent_world.files_origin}/upload/ok"
    reply = agent_world.call("SignApproved", {"FileName": file_name, "FileUploadHandler": handler})
    assert reply["Status"] == Status.REFUSED_URL, reply
    assert len(agent_world.files.seen) == seen


def test_an_upload_handler_on_another_host_is_refused_before_signing(agent_world):
    reply = agent_world.call(
        "SignPDF",
        {"FileName": f"{agent_world.files_origin}/doc.pdf", "FileUploadHandler": "https://collector.example/u"},
    )
    assert reply["Status"] == Status.REFUSED_URL and "FileUploadHandler" in reply["Message"]


def test_a_redirect_is_not_followed(agent_world):
    base = agent_world.files_origin
    reply = agent_world.call("SignPDF", {"FileName": f"{base}/redirect.pdf", "FileUploadHandler": f"{base}/upload/ok"})
    assert reply["Status"] == Status.DOWNLOAD_FAILED and "302" in reply["Message"]
    assert not any("redirected" in path for _m, path, _h in agent_world.files.seen)


@pytest.mark.parametrize("path", ["/huge.pdf", "/endless.pdf"])
def test_a_2_gb_download_is_cut_at_the_limit(agent_world, path):
    base = agent_world.files_origin
    started = time.monotonic()
    reply = agent_world.call("SignPDF", {"FileName": base + path, "FileUploadHandler": f"{base}/upload/ok"})
    assert reply["Status"] == Status.TOO_LARGE, reply
    assert time.monotonic() - started < 20
    _ok_call(agent_world)


def test_not_a_pdf_is_refused(agent_world):
    base = agent_world.files_origin
    reply = agent_world.call("SignPDF", {"FileName": f"{base}/not-a-pdf.pdf", "FileUploadHandler": f"{base}/up"})
    assert reply["Status"] == Status.INPUT_ERROR


@pytest.mark.parametrize("handler", ["500", "html", "nothing"])
def test_a_failing_upload_keeps_the_signed_file_and_tells_the_page(agent_world, handler):
    base = agent_world.files_origin
    reply = agent_world.call(
        "SignPDF", {"FileName": f"{base}/doc.pdf", "FileUploadHandler": f"{base}/upload/{handler}"}
    )
    assert reply["Status"] == Status.UPLOAD_FAILED, reply
    assert "giữ lại" in reply["Message"] and reply["UnsentFile"]
    kept = Path(agent_world.config_dir) / "agent" / "unsent" / reply["UnsentFile"]
    assert kept.read_bytes().startswith(b"%PDF-") and b"/ByteRange" in kept.read_bytes()


def test_bad_messages_get_a_status(agent_world):
    for message in ("not json", "[1, 2]", '{"FileName": 5.5}', '{"FileName": "x", "MetaData": "no"}', "{}"):
        assert agent_world.call("SignApproved", message)["Status"] == Status.BAD_REQUEST, message


def test_sockets_that_never_send_do_not_stop_the_service(agent_world):
    """40 raw TCP connections that never speak and 10 WebSockets that never send their message."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    port = int(agent_world.url.rsplit(":", 1)[1])
    raw = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(40)]
    idle = [connect(f"{agent_world.url}/SignPDF", origin=agent_world.files_origin).__enter__() for _ in range(10)]
    try:
        started = time.monotonic()
        _ok_call(agent_world)
        assert time.monotonic() - started < 3
        for ws in idle:  # closed by the agent after --message-timeout, nothing done
            with pytest.raises(ConnectionClosed):
                ws.recv(timeout=10)  # noqa: B018
    finally:
        for s in raw:
            s.close()
        for ws in idle:
            ws.close()
    _ok_call(agent_world)


def test_the_token_pulled_out_gets_a_signer_error_and_the_agent_serves_on(agent_world, kyso_token, tmp_path):
    """An agent on a copy of the session's SoftHSM2 tokens (its own SOFTHSM2_CONF, its own process); the token is
    pulled out (its directory deleted, as softhsm2-util --delete-token does) between two calls."""
    import dataclasses
    import os
    import shutil

    from kyso.testing.agent import AgentProcess

    tokens = tmp_path / "tokens"
    shutil.copytree(kyso_token.directory / "tokens", tokens)
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf), "KYSO_AGENT_PIN": kyso_token.pin}
    agent = AgentProcess(
        [
            "--signer", "pkcs11", "--module", kyso_token.module, "--token-label", kyso_token.label,
            "--key-label", "person", "--pin-env", "KYSO_AGENT_PIN", "--port", "0", "--no-tls",
            "--consent", "allowlisted", "--allow-origin", agent_world.files_origin,
        ],
        env,
    )  # fmt: skip
    world = dataclasses.replace(agent_world, url=agent.url)  # the session's servers, this agent
    base = agent_world.files_origin
    fields = {"FileName": f"{base}/doc.pdf", "FileUploadHandler": f"{base}/upload/ok"}
    try:
        assert world.call("SignPDF", fields)["Status"] == Status.OK
        for token in tokens.iterdir():
            shutil.rmtree(token)
        reply = world.call("SignPDF", fields)
        assert world.call("Config", {})["Status"] == Status.OK
    finally:
        agent.stop()
    assert reply["Status"] == Status.SIGNER_ERROR, reply
    assert "rút ra" in reply["Message"] and kyso_token.pin not in str(reply)


def test_the_rate_limit_answers_busy_and_other_origins_go_on(agent_world):
    """An agent allowing 3 calls per minute per origin: the fourth of one origin is BUSY, another origin is served."""
    import json

    from websockets.sync.client import connect

    from kyso.agent.policy import Policy
    from kyso.agent.service import AgentService, SignerSource

    other = "https://second.example"
    policy = Policy.build([agent_world.files_origin, other], rate_per_minute=3)
    service = AgentService(SignerSource("none", lambda _pin: None, needs_pin=False), policy, port=0).start()

    def config(origin):
        with connect(f"{service.url}/Config", origin=origin) as ws:
            ws.send("{}")
            return json.loads(ws.recv(timeout=10))["Status"]

    try:
        statuses = [config(agent_world.files_origin) for _ in range(4)]
        assert config(other) == Status.OK
    finally:
        service.stop()
    assert statuses == [Status.OK, Status.OK, Status.OK, Status.BUSY]


def test_dialog_without_a_display_is_the_terminal_prompt(monkeypatch):
    import sys

    from kyso.agent.consent import Dialog, TerminalPrompt, asker

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    expected = Dialog if sys.platform in ("win32", "darwin") else TerminalPrompt
    assert isinstance(asker("dialog"), expected)
    monkeypatch.setenv("DISPLAY", ":0")
    assert isinstance(asker("dialog"), Dialog)
