"""Fixtures of the service tests: ONE real ``kyso serve`` (uvicorn, 2 worker processes) per test session, a real
PostgreSQL server when Debian's postgresql is installed (its database), and an "outside" HTTP server in the test
process standing between the service and the test PKI (a mirror that can pass, refuse or hang) which also serves
the one-stop shop's documents for ``/verify/{id}``.

Not a ``conftest.py`` (a second one would shadow the top-level conftest other modules import by name): test modules
import the fixtures they use from here.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import requests

from kyso.testing.pki import TestPKI


class Outside(ThreadingHTTPServer):
    """The CA as the service sees it, through a mirror: ``mode`` "pass" forwards to the test PKI, "down" closes
    the connection without an answer, "hang" holds it until released; ``documents`` by id under /documents/."""

    daemon_threads = True

    def __init__(self, pki: TestPKI) -> None:
        super().__init__(("127.0.0.1", 0), _OutsideHandler)
        self.pki = pki
        self.mode = "pass"
        self.release = threading.Event()
        self.documents: dict[str, bytes] = {}
        self.revocation_requests = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _OutsideHandler(BaseHTTPRequestHandler):
    server: Outside

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path.startswith("/documents/"):
            data = self.server.documents.get(self.path.removeprefix("/documents/"))
            self._answer(200 if data is not None else 404, data or b"not found", "application/octet-stream")
            return
        self._forward(None)

    def do_POST(self) -> None:  # noqa: N802
        self._forward(self.rfile.read(int(self.headers.get("Content-Length", 0))))

    def _forward(self, body: bytes | None) -> None:
        self.server.revocation_requests += 1
        if self.server.mode == "down":
            self.close_connection = True
            return
        if self.server.mode == "hang":
            self.server.release.wait(60)
            self.close_connection = True
            return
        target = self.server.pki.base_url + self.path.removeprefix("/pki")
        answer = requests.request(
            "POST" if body is not None else "GET",
            target,
            data=body,
            headers={"Content-Type": self.headers.get("Content-Type", "")},
            timeout=10,
        )
        self._answer(answer.status_code, answer.content, answer.headers.get("Content-Type", ""))

    def _answer(self, status: int, data: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="session", name="outside")
def outside_fixture(kyso_pki: TestPKI) -> Iterator[Outside]:
    server = Outside(kyso_pki)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


# ------------------------------------------------------------------------------------------------ PostgreSQL


def _postgres_binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="session", name="database_url")
def database_url_fixture() -> Iterator[str]:
    """A real PostgreSQL server for the session when Debian's postgresql is installed (run as the ``postgres``
    user when the tests run as root), else a SQLite file."""
    binaries = _postgres_binaries()
    if binaries is None:
        directory = tempfile.mkdtemp(prefix="kyso-service-db-")
        yield f"sqlite:///{directory}/service.db"
        shutil.rmtree(directory, ignore_errors=True)
        return
    base = Path(tempfile.mkdtemp(prefix="kyso-pg-"))
    data = base / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    from kyso.testing.pki import _free_port

    port = _free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": True}
    subprocess.run([*as_user, str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"], **quiet)
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off"
    subprocess.run(
        [*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"],
        **quiet,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(base, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------- server


MAX_UPLOAD = 3 * 1024 * 1024


@dataclass
class RunningService:
    url: str
    process: subprocess.Popen[bytes]
    config: Path
    database: str
    log: Path
    keys: dict[str, str] = field(default_factory=dict)

    def client(self, **headers: str) -> httpx.Client:
        """A client that opens a new connection per request (so that both workers answer in turn)."""
        return httpx.Client(base_url=self.url, timeout=60, headers={"Connection": "close", **headers})

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kyso", "serve", "--config", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=60,
        )


@pytest.fixture(scope="session", name="service")
def service_fixture(
    kyso_pki: TestPKI, outside: Outside, database_url: str, tmp_path_factory
) -> Iterator[RunningService]:
    directory = tmp_path_factory.mktemp("kyso-service")
    config = directory / "service.toml"
    config.write_text(
        f"""
[server]
workers = 2
request_timeout = 20
max_upload = {MAX_UPLOAD}
concurrency = 4

[storage]
database = "{database_url}"
cache_dir = "{directory / "cache"}"

[trust]
default = ["{kyso_pki.root_cert}"]

[trust.sets]
other = ["{kyso_pki.untrusted_root_cert}"]

[revocation]
default = "soft"
timeout = 3
mirrors = {{ "{kyso_pki.base_url}/" = "{outside.url}/pki/" }}

[keys]
anonymous_per_minute = 100000
key_per_minute = 100000

[links]
document_url = "{outside.url}/documents/{{id}}"
""",
        encoding="utf-8",
    )
    log = directory / "service.log"
    from kyso.testing.service import serve

    with serve(config, log) as (url, process):
        running = RunningService(url, process, config, database_url, log)
        for name, per_minute in (("system-a", "100000"), ("limited", "3")):
            added = running.cli("keys", "add", name, "--per-minute", per_minute)
            assert added.returncode == 0, added.stderr
            running.keys[name] = added.stdout.strip()
        yield running
