"""Issue 9, class 12: credentials never follow a redirect to another origin.

The attack: the platform (or whoever sits at its address) answers ioffice's token request with ``307 Temporary
Redirect`` to another server; ``requests`` re-sends the POST body, password included. Two real HTTP servers on
127.0.0.1, on different ports (so different origins): the first redirects, the second records what reaches it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kyso.adapters.http import MAX_REDIRECTS, HttpClient
from kyso.core.adapter import AdapterConfig, Credentials, RedirectError
from kyso_ioffice.adapter import IOfficeAdapter

PASSWORD = "s3cret-password-of-the-van-thu"


@dataclass
class Server:
    """A recording HTTP server; ``redirect`` maps a path to (status, Location)."""

    redirect: dict[str, tuple[int, str]] = field(default_factory=dict)
    seen: list[dict] = field(default_factory=list)
    url: str = ""


def _serve(server: Server) -> tuple[ThreadingHTTPServer, threading.Thread]:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            server.seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body})
            path = self.path.split("?")[0]
            if path in server.redirect:
                status, location = server.redirect[path]
                self.send_response(status)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            answer = json.dumps({"access_token": "t0ken", "data": [], "path": path}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST = _handle  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return httpd, thread


@pytest.fixture(scope="module")
def _servers() -> Iterator[tuple[Server, Server]]:
    first, second = Server(), Server()
    running = [_serve(first), _serve(second)]
    yield first, second
    for httpd, thread in running:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def two_origins(_servers) -> tuple[Server, Server]:
    for server in _servers:
        server.redirect.clear()
        server.seen.clear()
    return _servers


def _config(url: str, **credentials: str | None) -> AdapterConfig:
    return AdapterConfig(url, Credentials(**credentials), timeout=2, retries=2, backoff=0.01)


def test_the_token_request_does_not_follow_a_307_to_another_origin(two_origins):
    first, second = two_origins
    first.redirect["/api/v1/auth/token"] = (307, f"{second.url}/api/v1/auth/token")
    adapter = IOfficeAdapter(_config(first.url, username="vanthu", password=PASSWORD))
    try:
        with pytest.raises(RedirectError, match="another origin .*refused: the request carries credentials"):
            adapter.pending("u")
    finally:
        adapter.close()
    assert second.seen == []  # the password never reached the second server
    assert len(first.seen) == 1  # sent once, not retried, not sent twice
    assert PASSWORD.encode() in first.seen[0]["body"]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_bearer_token_does_not_follow_a_redirect_to_another_origin(two_origins, status):
    first, second = two_origins
    first.redirect["/api/v1/users/u/tasks"] = (status, f"{second.url}/steal")
    adapter = IOfficeAdapter(_config(first.url, token="t0ken-of-the-user"))
    try:
        with pytest.raises(RedirectError):
            adapter.pending("u")
    finally:
        adapter.close()
    assert second.seen == []


def test_another_port_on_the_same_host_is_another_origin(two_origins):
    first, second = two_origins  # both on 127.0.0.1: requests would keep the Authorization header here
    assert first.url.rsplit(":", 1)[0] == second.url.rsplit(":", 1)[0]
    first.redirect["/file"] = (302, f"{second.url}/file")
    client = HttpClient(_config(first.url), platform="p")
    try:
        with pytest.raises(RedirectError):
            client.request("GET", "/file", headers={"Authorization": "Bearer x"})
    finally:
        client.close()
    assert second.seen == []


def test_a_same_origin_307_is_followed_with_its_body(two_origins):
    first, _ = two_origins
    first.redirect["/api/v1/auth/token"] = (307, "/api/v2/auth/token")
    adapter = IOfficeAdapter(_config(first.url, username="vanthu", password=PASSWORD))
    try:
        assert adapter.pending("u") == []
    finally:
        adapter.close()
    token_requests = [s for s in first.seen if "auth/token" in s["path"]]
    assert [s["path"] for s in token_requests] == ["/api/v1/auth/token", "/api/v2/auth/token"]
    assert all(s["method"] == "POST" and PASSWORD.encode() in s["body"] for s in token_requests)


def test_a_303_after_a_post_becomes_a_get_without_the_body(two_origins):
    first, _ = two_origins
    first.redirect["/form"] = (303, "/done")
    client = HttpClient(_config(first.url), platform="p")
    try:
        client.request("POST", "/form", data=b"password=" + PASSWORD.encode())
    finally:
        client.close()
    assert [(s["method"], s["path"], s["body"]) for s in first.seen][-1] == ("GET", "/done", b"")


def test_a_credential_free_get_may_follow_to_a_file_server(two_origins):
    first, second = two_origins
    first.redirect["/public/file"] = (302, f"{second.url}/cdn/file")
    client = HttpClient(_config(first.url), platform="p")
    try:
        assert client.json("GET", "/public/file")["path"] == "/cdn/file"
    finally:
        client.close()
    assert [s["path"] for s in second.seen] == ["/cdn/file"]


def test_redirects_are_bounded(two_origins):
    first, _ = two_origins
    first.redirect["/loop"] = (302, "/loop")
    client = HttpClient(_config(first.url), platform="p")
    try:
        with pytest.raises(RedirectError, match=f"more than {MAX_REDIRECTS} redirects"):
            client.request("GET", "/loop")
    finally:
        client.close()
    assert len(first.seen) == MAX_REDIRECTS + 1


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/"])
def test_a_redirect_to_another_scheme_is_refused(two_origins, location):
    first, _ = two_origins
    first.redirect["/x"] = (302, location)
    client = HttpClient(_config(first.url), platform="p")
    try:
        with pytest.raises(RedirectError, match="refused"):
            client.request("GET", "/x")
    finally:
        client.close()


def test_https_to_http_is_refused_even_on_the_same_host():
    client = HttpClient(_config("https://platform.example"), platform="p")
    try:
        with pytest.raises(RedirectError, match="refused"):
            client._check_redirect("GET", "https://platform.example/a", "http://platform.example/a", {})
        client._check_redirect("GET", "https://platform.example/a", "https://platform.example:443/b", {"json": {}})
    finally:
        client.close()


def test_session_basic_auth_does_not_follow_a_redirect_to_another_origin(two_origins):
    first, second = two_origins  # the onegate adapter keeps its account in session.auth
    first.redirect["/o/rest/v2/dossiers"] = (302, f"{second.url}/o/rest/v2/dossiers")
    client = HttpClient(_config(first.url), platform="onegate")
    client.session.auth = ("vanthu", PASSWORD)
    try:
        with pytest.raises(RedirectError, match="credentials"):
            client.json("GET", "/o/rest/v2/dossiers")
    finally:
        client.close()
    assert second.seen == []
