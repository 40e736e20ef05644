"""Platform simulators: small HTTP servers (werkzeug, 127.0.0.1) that play a platform for tests, examples and the
conformance suite. A SIMULATOR, not a platform: no real users, no real security.

:class:`Simulator` keeps the state every platform has in SQLite (signing items, signed results, idempotency keys,
injected faults) and serves a control API under ``/_sim/`` that the conformance suite uses, in-process or against a
separately started ``kyso simulate NAME --port N``:

- ``POST /_sim/items`` ``{"user", "name", "kind", "metadata", "appearance", "content_b64"}`` -> ``{"id"}``
- ``GET /_sim/items/ID`` -> state, number of stored uploads, SHA-256 of the source and of the signed result
- ``GET /_sim/items/ID/signed`` -> the stored signed bytes; ``POST /_sim/items/ID/tamper`` alters them
- ``POST /_sim/faults`` ``{"fault", "operation", "item", "count", "seconds", "status"}`` / ``DELETE /_sim/faults``

Faults apply to the platform API by *operation* (``pending``, ``download``, ``upload``, ``download_signed``,
``reject``, ``status``), optionally for one item: ``error`` (HTTP 500, HTML body), ``html`` (200 with an HTML page
instead of JSON), ``slow`` (sleep ``seconds`` first), ``truncate`` (half the document, Content-Length matching),
``cut`` (half the document, then the connection closes), ``wrong_document`` (another document of the same size),
``status`` (answer ``status``).

A platform subclass implements :meth:`Simulator.route` (its own URL shapes) and :meth:`Simulator.classify`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

from kyso.testing.serving import ServedInThread

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    user TEXT NOT NULL,
    kind TEXT,
    name TEXT NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    appearance TEXT NOT NULL DEFAULT '{}',
    content BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    signed BLOB,
    uploads INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    status TEXT,
    extra TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, item TEXT NOT NULL, remote TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fault TEXT NOT NULL, operation TEXT, item TEXT, remaining INTEGER NOT NULL, seconds REAL, status INTEGER
);
"""

DECOY = b"%PDF-1.4\n% not the document the item announces\n%%EOF\n"
USERS = {"kyso": "kyso-secret"}
"""Accounts of every simulator: username -> password."""


class Simulator(ServedInThread):
    """Base of the platform simulators: SQLite state, fault injection, the ``/_sim/`` control API, a server thread."""

    name = "platform"

    def __init__(
        self,
        directory: Path | str,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        control_api: bool = True,
        pages: Path | None = None,
    ) -> None:
        """``control_api=False``: no ``/_sim/`` API, as a staging platform (items seeded in-process only);
        ``pages``: a folder served as static files under ``/web/`` (the e-office pages of ``examples/web/``)."""
        self.directory = Path(directory)
        self.control_api = control_api
        self.pages = pages
        self.directory.mkdir(parents=True, exist_ok=True)
        self.database = self.directory / f"{self.name}-simulator.sqlite3"
        self.host = host
        self.port = port
        self._lock = threading.RLock()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        with self.db() as db:
            db.executescript(SCHEMA + self.schema())

    # -- state ------------------------------------------------------------------------------------------------

    def schema(self) -> str:
        """Extra tables of a platform."""
        return ""

    @contextlib.contextmanager
    def db(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            connection = sqlite3.connect(self.database, timeout=10)
            connection.row_factory = sqlite3.Row
            try:
                with connection:
                    yield connection
            finally:
                connection.close()

    def add_item(
        self,
        *,
        user: str,
        name: str,
        content: bytes,
        kind: str | None = None,
        metadata: dict[str, str] | None = None,
        appearance: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
        item_id: str | None = None,
    ) -> str:
        item_id = item_id or uuid.uuid4().hex[:16]
        with self.db() as db:
            db.execute(
                "INSERT INTO items (id, user, kind, name, metadata, appearance, content, sha256, extra)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    item_id,
                    user,
                    kind,
                    name,
                    json.dumps(metadata or {}, ensure_ascii=False),
                    json.dumps(appearance or {}, ensure_ascii=False),
                    content,
                    hashlib.sha256(content).hexdigest(),
                    json.dumps(extra or {}, ensure_ascii=False),
                ),
            )
        return item_id

    def item(self, item_id: str) -> dict[str, Any] | None:
        with self.db() as db:
            row = db.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
        return _row(row) if row else None

    def pending_items(self, user: str) -> list[dict[str, Any]]:
        with self.db() as db:
            rows = db.execute("SELECT * FROM items WHERE user = ? AND state = 'pending' ORDER BY seq", (user,))
            return [_row(r) for r in rows.fetchall()]

    def store_signed(self, item_id: str, data: bytes, key: str | None) -> tuple[str, bool] | None:
        """Keep a signed result: ``(remote id, duplicate)``; ``None`` when the item does not exist.

        :raises ValueError: when the item is no longer awaiting a signature (and the key is a new one).
        """
        with self.db() as db:
            if key:
                known = db.execute("SELECT item, remote FROM idempotency WHERE key = ?", (key,)).fetchone()
                if known is not None:
                    return known["remote"], True
            row = db.execute("SELECT state FROM items WHERE id = ?", (item_id,)).fetchone()
            if row is None:
                return None
            if row["state"] != "pending":
                raise ValueError(f"item {item_id} is {row['state']}")
            remote = f"{item_id}-signed"
            db.execute(
                "UPDATE items SET signed = ?, state = 'signed', uploads = uploads + 1 WHERE id = ?", (data, item_id)
            )
            if key:
                db.execute("INSERT INTO idempotency (key, item, remote) VALUES (?, ?, ?)", (key, item_id, remote))
        self.on_signed(item_id)
        return remote, False

    def document_response(self, item: dict[str, Any], *, signed: bool) -> Any:
        """The item's document (or its signed result) as an HTTP response; 404 while it is not signed yet."""
        from urllib.parse import quote

        from werkzeug.exceptions import NotFound
        from werkzeug.wrappers import Response

        data = item["signed"] if signed else item["content"]
        if data is None:
            raise NotFound("not signed yet")
        disposition = f"attachment; filename*=UTF-8''{quote(item['name'])}"  # the name a signing service shows
        return Response(data, mimetype="application/pdf", headers={"Content-Disposition": disposition})

    def receive_upload(self, request: Any, item: dict[str, Any]) -> tuple[str, bool]:
        """Store the multipart field ``uploadfile`` (the VGCA signing service's name) as the item's signed result:
        ``(remote id, duplicate)``. Raises ``BadRequest`` without the field, ``ValueError`` when the item is no
        longer awaiting a signature."""
        from werkzeug.exceptions import BadRequest

        upload = request.files.get("uploadfile")
        if upload is None:
            raise BadRequest("multipart field 'uploadfile' is missing")
        stored = self.store_signed(item["id"], upload.read(), request.headers.get("Idempotency-Key"))
        assert stored is not None  # the item exists: the caller looked it up
        return stored

    def on_signed(self, item_id: str) -> None:
        """Platform workflow after a signed result is stored (number assignment, next step ...)."""

    def reject_item(self, item_id: str, reason: str) -> bool:
        with self.db() as db:
            cursor = db.execute(
                "UPDATE items SET state = 'rejected', reason = ? WHERE id = ? AND state = 'pending'", (reason, item_id)
            )
            return cursor.rowcount == 1

    def set_status(self, item_id: str, status: str) -> bool:
        with self.db() as db:
            return db.execute("UPDATE items SET status = ? WHERE id = ?", (status, item_id)).rowcount == 1

    def authenticate(self, username: str | None, password: str | None) -> bool:
        return username in USERS and USERS[username] == password

    # -- faults -----------------------------------------------------------------------------------------------

    def add_fault(
        self,
        fault: str,
        *,
        operation: str | None = None,
        item: str | None = None,
        count: int = 1,
        seconds: float = 0.0,
        status: int = 500,
    ) -> None:
        if fault not in ("error", "html", "slow", "truncate", "cut", "wrong_document", "status"):
            raise ValueError(f"unknown fault {fault!r}")
        with self.db() as db:
            db.execute(
                "INSERT INTO faults (fault, operation, item, remaining, seconds, status) VALUES (?, ?, ?, ?, ?, ?)",
                (fault, operation, item, count, seconds, status),
            )

    def clear_faults(self) -> None:
        with self.db() as db:
            db.execute("DELETE FROM faults")

    def _take_fault(self, operation: str | None, item: str | None) -> dict[str, Any] | None:
        if operation is None:
            return None
        with self.db() as db:
            for row in db.execute("SELECT * FROM faults WHERE remaining > 0 ORDER BY id").fetchall():
                if row["operation"] not in (None, operation) or row["item"] not in (None, item):
                    continue
                db.execute("UPDATE faults SET remaining = remaining - 1 WHERE id = ?", (row["id"],))
                return dict(row)
        return None

    # -- HTTP -------------------------------------------------------------------------------------------------

    def classify(self, request: Any) -> tuple[str | None, str | None]:
        """``(operation, item id)`` of a platform API request, for fault injection."""
        return None, None

    def route(self, request: Any) -> Any:
        """Answer a platform API request (a werkzeug ``Response``)."""
        from werkzeug.exceptions import NotFound

        raise NotFound()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        from werkzeug.exceptions import HTTPException
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        try:
            if request.path.startswith("/_sim/") and self.control_api:
                response = self._control(request)
            elif self.pages is not None and request.path.startswith("/web/"):
                response = self._page(request.path[len("/web/") :] or "index.html")
            else:
                response = self._platform(request)
        except HTTPException as exc:
            response = exc.get_response(environ)
        except Exception as exc:  # a simulator bug: answer 500 so the client sees it, never hang
            response = Response(f"simulator error: {exc.__class__.__name__}: {exc}", status=500)
        return response(environ, start_response)

    def _page(self, name: str) -> Any:
        import mimetypes

        from werkzeug.exceptions import NotFound
        from werkzeug.security import safe_join
        from werkzeug.wrappers import Response

        assert self.pages is not None
        path = safe_join(str(self.pages), name)
        if path is None or not Path(path).is_file():
            raise NotFound()
        kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if path.endswith(".js"):  # an ES module must be served as JavaScript
            kind = "text/javascript"
        return Response(Path(path).read_bytes(), mimetype=kind, headers={"Cache-Control": "no-cache"})

    def _platform(self, request: Any) -> Any:
        from werkzeug.wrappers import Response

        operation, item = self.classify(request)
        fault = self._take_fault(operation, item)
        if fault is None:
            return self.route(request)
        kind = fault["fault"]
        if kind == "slow":
            time.sleep(fault["seconds"] or 1.0)
            return self.route(request)
        if kind == "error":
            return Response("<html><body><h1>500 Internal Server Error</h1></body></html>", 500, mimetype="text/html")
        if kind == "status":
            return Response(f"<html><body>HTTP {fault['status']}</body></html>", fault["status"], mimetype="text/html")
        if kind == "html":
            return Response("<!DOCTYPE html><html><body>Đăng nhập hệ thống</body></html>", 200, mimetype="text/html")
        response = self.route(request)
        body = response.get_data()
        if kind == "truncate":
            response.set_data(body[: len(body) // 2])
        elif kind == "cut":  # the connection drops mid-answer: fewer bytes than the Content-Length announced
            response = Response(
                [body[: len(body) // 2]],
                status=response.status_code,
                headers={"Content-Length": str(len(body)), "Connection": "close"},
                mimetype=response.mimetype,
            )
            response.automatically_set_content_length = False
        elif kind == "wrong_document":
            response.set_data((DECOY * (len(body) // len(DECOY) + 1))[: len(body)])  # same size, other content
        return response

    def _control(self, request: Any) -> Any:
        from werkzeug.exceptions import BadRequest, NotFound
        from werkzeug.wrappers import Response

        parts = [p for p in request.path.split("/") if p][1:]
        if parts == ["items"] and request.method == "POST":
            body = request.get_json(force=True)
            try:
                content = base64.b64decode(body["content_b64"])
                item_id = self.seed(body, content)
            except (KeyError, TypeError, ValueError) as exc:
                raise BadRequest(f"bad item: {exc}") from None
            return json_response({"id": item_id})
        if len(parts) >= 2 and parts[0] == "items":
            item = self.item(parts[1])
            if item is None:
                raise NotFound()
            if len(parts) == 2:
                return json_response({k: v for k, v in item.items() if k not in ("content", "signed")})
            if parts[2:] == ["signed"] and item["signed"] is not None:
                return Response(item["signed"], mimetype="application/octet-stream")
            if parts[2:] == ["tamper"] and request.method == "POST" and item["signed"] is not None:
                with self.db() as db:
                    db.execute("UPDATE items SET signed = ? WHERE id = ?", (_tamper(item["signed"]), item["id"]))
                return json_response({"tampered": item["id"]})
        if parts == ["faults"] and request.method == "POST":
            body = request.get_json(force=True)
            try:
                self.add_fault(
                    body["fault"],
                    operation=body.get("operation"),
                    item=body.get("item"),
                    count=int(body.get("count", 1)),
                    seconds=float(body.get("seconds", 0.0)),
                    status=int(body.get("status", 500)),
                )
            except (KeyError, ValueError) as exc:
                raise BadRequest(f"bad fault: {exc}") from None
            return json_response({"ok": True})
        if parts == ["faults"] and request.method == "DELETE":
            self.clear_faults()
            return json_response({"ok": True})
        if parts == ["info"]:
            return json_response({"simulator": self.name})
        answer = self.control(request, parts)
        if answer is None:
            raise NotFound()
        return answer

    def control(self, request: Any, parts: list[str]) -> Any:
        """Platform-specific control endpoints (``/_sim/<parts>``); ``None`` when unknown."""
        return None

    def seed(self, body: dict[str, Any], content: bytes) -> str:
        """Add an item from the control API (a platform may turn it into its own records)."""
        return self.add_item(
            user=str(body["user"]),
            name=str(body["name"]),
            content=content,
            kind=body.get("kind"),
            metadata=body.get("metadata") or {},
            appearance=body.get("appearance") or {},
        )

    # -- server -----------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        self.port = self.serve_wsgi(self, self.host, self.port, name=f"{self.name}-simulator")
        return self


class SimulatorControl:
    """Client of the ``/_sim/`` control API of a running simulator (in this process or another)."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        import requests

        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def available(self) -> bool:
        import requests

        try:
            response = self.session.get(self.base_url + "/_sim/info", timeout=self.timeout)
        except requests.RequestException:
            return False
        return response.status_code == 200 and "simulator" in response.text

    def add_item(
        self,
        *,
        user: str,
        name: str,
        content: bytes,
        kind: str | None = None,
        metadata: dict[str, str] | None = None,
        appearance: dict[str, Any] | None = None,
    ) -> str:
        body = {
            "user": user,
            "name": name,
            "kind": kind,
            "metadata": metadata or {},
            "appearance": appearance or {},
            "content_b64": base64.b64encode(content).decode(),
        }
        response = self.session.post(self.base_url + "/_sim/items", json=body, timeout=self.timeout)
        response.raise_for_status()
        return str(response.json()["id"])

    def item(self, item_id: str) -> dict[str, Any]:
        response = self.session.get(f"{self.base_url}/_sim/items/{item_id}", timeout=self.timeout)
        response.raise_for_status()
        return dict(response.json())

    def signed(self, item_id: str) -> bytes:
        response = self.session.get(f"{self.base_url}/_sim/items/{item_id}/signed", timeout=self.timeout)
        response.raise_for_status()
        return response.content

    def tamper(self, item_id: str) -> None:
        self.session.post(f"{self.base_url}/_sim/items/{item_id}/tamper", timeout=self.timeout).raise_for_status()

    def fault(self, fault: str, **options: Any) -> None:
        response = self.session.post(self.base_url + "/_sim/faults", json={"fault": fault, **options}, timeout=10)
        response.raise_for_status()

    def clear_faults(self) -> None:
        self.session.delete(self.base_url + "/_sim/faults", timeout=self.timeout).raise_for_status()

    def close(self) -> None:
        self.session.close()


def _row(row: sqlite3.Row) -> dict[str, Any]:
    item = dict(row)
    for key in ("metadata", "appearance", "extra"):
        item[key] = json.loads(item[key] or "{}")
    return item


def json_response(value: Any, status: int = 200) -> Any:
    """A JSON answer as platforms send it (UTF-8, Vietnamese unescaped): what a simulator's ``route`` returns."""
    from werkzeug.wrappers import Response

    return Response(json.dumps(value, ensure_ascii=False), status=status, mimetype="application/json")


def _tamper(data: bytes) -> bytes:
    """Change a few bytes in the middle of a document, as a careless or malicious edit on the platform would."""
    middle = len(data) // 2
    return data[:middle] + bytes(b ^ 0x20 for b in data[middle : middle + 8]) + data[middle + 8 :]
