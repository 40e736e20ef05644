"""Shared by the agent tests, a pytest plugin (``pytest_plugins = ["agent_support"]``): one agent per test session
(``kyso agent run`` in a child process: free port, ``--no-tls``, ``--consent allowlisted``), the iOffice simulator
serving the example pages, a hostile file server, and the virtual X screen of the desktop windows' tests."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from kyso.testing.agent import AgentProcess
from kyso.testing.pki import DEFAULT_PASSWORD, TestPKI

pytest.importorskip("websockets", reason="the agent extra (websockets) is not installed")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PASSWORD_ENV = "KYSO_AGENT_TEST_PASSWORD"
USER = "kyso"


class HostileFiles(BaseHTTPRequestHandler):
    """Files and upload handlers that misbehave on purpose (see each path)."""

    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.seen.append(("GET", self.path, dict(self.headers)))
        path = self.path.split("?")[0]
        if path == "/doc.pdf":
            self._answer(200, self.server.pdf, "application/pdf")
        elif path == "/not-a-pdf.pdf":
            self._answer(200, b"<html>not a pdf</html>", "application/pdf")
        elif path == "/huge.pdf":  # announces 2 GB, then streams zeros until the client gives up
            self.send_response(200)
            self.send_header("Content-Length", str(2 * 1024**3))
            self.end_headers()
            self._stream()
        elif path == "/endless.pdf":  # no length at all: a close-delimited answer that never ends
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"%PDF-1.7\n")
            self._stream()
        elif path == "/redirect.pdf":  # to another origin (localhost is not 127.0.0.1 for a browser)
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{self.server.server_port}/doc.pdf?redirected")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._answer(404, b"no", "text/plain")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self.server.seen.append(("POST", self.path, dict(self.headers)))
        self.server.uploads.append((self.path, self.headers.get("Idempotency-Key"), body))
        if self.path == "/upload/500":
            self._answer(500, b"<html><body>Internal Server Error</body></html>", "text/html")
        elif self.path == "/upload/html":
            self._answer(200, b"<!DOCTYPE html><html><body>Dang nhap</body></html>", "text/html")
        elif self.path == "/upload/nothing":
            self.close_connection = True
            self.connection.close()
        else:
            answer = {"Status": 0, "FileName": "signed.pdf", "FileServer": f"/files/{len(self.server.uploads)}.pdf"}
            self._answer(200, json.dumps(answer).encode(), "application/json")

    def _answer(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stream(self) -> None:
        try:
            for _ in range(40_000):  # at most 2.5 GB, in practice until the agent closes the socket
                self.wfile.write(b"\0" * 65536)
        except OSError:
            pass
        self.close_connection = True


@dataclass
class AgentWorld:
    """The session's agent and what it talks to."""

    url: str
    config_dir: Path
    sim: Any
    files: ThreadingHTTPServer
    token: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    @property
    def files_origin(self) -> str:
        return f"http://127.0.0.1:{self.files.server_port}"

    @property
    def sim_origin(self) -> str:
        return self.sim.url

    def call(self, endpoint: str, params: Any, *, origin: str | None = None) -> dict[str, Any]:
        from websockets.exceptions import ConnectionClosed
        from websockets.sync.client import connect

        with connect(f"{self.url}/{endpoint}", origin=origin or self.files_origin, open_timeout=10) as socket:
            socket.send(params if isinstance(params, str) else json.dumps(params))
            try:
                return json.loads(socket.recv(timeout=60))
            except ConnectionClosed as closed:  # the agent's own output says why
                raise AssertionError(f"{closed}; the agent said: {''.join(self.output)[-2000:]}") from None

    def approval_task(self, content: bytes, name: str = "cong-van.pdf") -> dict[str, str]:
        """A draft awaiting approval on the simulator: the VGCA fields a page of the platform would send."""
        _document, item = self.sim.add_draft(leader=USER, clerk=USER, name=name, content=content, subject="Thử")
        return self.task_fields(item)

    def task_fields(self, item: str) -> dict[str, str]:
        base = f"{self.sim.url}/api/v1/tasks/{item}"
        return {
            "FileName": f"{base}/file",
            "FileUploadHandler": f"{base}/signed-file",
            "JWTToken": self.token,
            "SessionId": "",
        }


@pytest.fixture(scope="session")
def agent_world(kyso_pki: TestPKI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentWorld]:
    from kyso.demo.letter import sample_letter
    from kyso.demo.marks import sample_seal_png, sample_signature_png
    from kyso.testing.simulators.ioffice import IOfficeSimulator

    directory = tmp_path_factory.mktemp("kyso-agent")
    (directory / "image.png").write_bytes(sample_signature_png())
    (directory / "seal.png").write_bytes(sample_seal_png())
    files = ThreadingHTTPServer(("127.0.0.1", 0), HostileFiles)
    files.daemon_threads = True
    files.pdf = sample_letter().pdf  # type: ignore[attr-defined]
    files.seen = []  # type: ignore[attr-defined]
    files.uploads = []  # type: ignore[attr-defined]
    threading.Thread(target=files.serve_forever, daemon=True).start()
    sim = IOfficeSimulator(directory / "sim", pages=EXAMPLES / "web").start()
    token = requests.post(
        f"{sim.url}/api/v1/auth/token", json={"username": USER, "password": "kyso-secret"}, timeout=10
    ).json()["access_token"]
    env = {**os.environ, PASSWORD_ENV: DEFAULT_PASSWORD}
    args = [
        "--p12", str(kyso_pki.p12("person")), "--password-env", PASSWORD_ENV,
        "--port", "0", "--no-tls", "--consent", "allowlisted",
        "--allow-origin", sim.url, "--allow-origin", f"http://127.0.0.1:{files.server_port}",
        "--image", str(directory / "image.png"), "--seal", str(directory / "seal.png"),
        "--anchor", "CHỦ TỊCH", "--organization", "VĂN PHÒNG UBND TỈNH NGHỆ AN",
        "--trust", str(kyso_pki.root_cert),
        "--max-document-mb", "2", "--message-timeout", "1.5",
    ]  # fmt: skip
    agent = AgentProcess(args, env)
    world = AgentWorld(agent.url, Path(os.environ["KYSO_CONFIG_DIR"]), sim, files, token, agent.process, agent.output)
    yield world
    agent.stop()
    sim.stop()
    files.shutdown()
    files.server_close()


@pytest.fixture(scope="session")
def xvfb_display() -> Iterator[str]:
    """One virtual X screen for the session (a free display number), for the desktop windows' tests."""
    import shutil
    import time

    if shutil.which("Xvfb") is None or shutil.which("xdotool") is None:
        pytest.skip("Xvfb and xdotool are not installed (./run test installs xvfb and xdotool)")
    for number in range(90, 190):
        if Path(f"/tmp/.X{number}-lock").exists() or Path(f"/tmp/.X11-unix/X{number}").exists():
            continue
        process = subprocess.Popen(
            ["Xvfb", f":{number}", "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and process.poll() is None:
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                break
            time.sleep(0.05)
        if process.poll() is not None:
            continue  # another session took it first
        yield f":{number}"
        process.terminate()
        process.wait(5)
        return
    pytest.skip("no free X display number")


def xdotool(display: str, *args: str, timeout: float = 30) -> str:
    done = subprocess.run(
        ["xdotool", *args], env={**os.environ, "DISPLAY": display}, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def screenshot(display: str, path: Path) -> Path:
    """The whole virtual screen as PNG (Pillow's X grab: ImageMagick's ``import`` is not installed here)."""
    from PIL import ImageGrab

    ImageGrab.grab(xdisplay=display).save(path)
    return path
