"""A SIMULATOR of an iOffice-style document-management platform (QLVB&ĐH), for tests, examples and the conformance
suite: real HTTP on 127.0.0.1, state in SQLite. Run it alone with ``kyso simulate ioffice --port 8700``.

API (JSON unless said; ``Authorization: Bearer TOKEN`` from ``POST /api/v1/auth/token``):

- ``POST /api/v1/auth/token`` ``{"username", "password"}`` -> ``{"access_token", "token_type": "Bearer"}``
- ``GET /api/v1/users/{user}/tasks`` -> ``{"status": 0, "data": [task ...]}``; a task is ``{"taskId", "documentId",
  "step": "approval|issuance|income|sign", "fileName", "fileHash": "sha256:HEX", "fileSize", "fields", "signOptions"}``
- ``GET /api/v1/tasks/{id}/file`` -> the document to sign; ``GET /api/v1/tasks/{id}/signed-file`` -> the signed one
- ``POST /api/v1/tasks/{id}/signed-file`` multipart field ``uploadfile`` (as the VGCA service's ``FileUploadHandler``),
  header ``Idempotency-Key`` -> ``{"status": 0, "fileId", "duplicate"}``
- ``POST /api/v1/tasks/{id}/reject`` ``{"reason"}``; ``POST /api/v1/tasks/{id}/status`` ``{"status", "detail"}``
- outgoing workflow: a draft's approval task (seeded with a ``clerk``) -> on upload the platform assigns the number
  and opens the issuance task for the clerk (văn thư) -> ``GET /api/v1/documents/{id}`` -> ``POST
  /api/v1/documents/{id}/dispatch`` (body: the signed edXML package)
- incoming: ``GET /api/v1/inbox`` -> ``{"data": [{"packageId", "clerk"}]}``; ``GET /api/v1/inbox/{id}`` -> edXML;
  ``POST /api/v1/inbox/{id}/status`` multipart ``statusfile`` (the edXML status packet) and, when accepted,
  ``uploadfile`` (the received document): opens an income task for the clerk.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from kyso.testing.simulators.base import Simulator, json_response

STEPS = {"approval": "approval", "issuance": "issuance", "income": "income", None: "sign"}
NOTATION = "UBND-VP"
_STATUS_CODE = re.compile(rb"<(?:\w+:)?StatusCode>\s*(\d+)\s*<")


class IOfficeSimulator(Simulator):
    """The iOffice-style platform (a simulator)."""

    name = "ioffice"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tokens: set[str] = set()

    def schema(self) -> str:
        return """
        CREATE TABLE IF NOT EXISTS documents (
            id TEXT PRIMARY KEY, subject TEXT, clerk TEXT, number INTEGER, notation TEXT, issued_date TEXT,
            state TEXT NOT NULL DEFAULT 'draft', issued_item TEXT, package BLOB
        );
        CREATE TABLE IF NOT EXISTS packages (
            id TEXT PRIMARY KEY, clerk TEXT NOT NULL, data BLOB NOT NULL, status_code TEXT, status BLOB
        );
        """

    # -- workflow ---------------------------------------------------------------------------------------------

    def add_draft(
        self,
        *,
        leader: str,
        clerk: str,
        name: str,
        content: bytes,
        subject: str = "",
        appearance: dict[str, Any] | None = None,
    ) -> tuple[str, str]:
        """A draft awaiting the leader's approval signature: ``(document id, approval item id)``."""
        document = uuid.uuid4().hex[:12]
        with self.db() as db:
            db.execute("INSERT INTO documents (id, subject, clerk) VALUES (?, ?, ?)", (document, subject, clerk))
        item = self.add_item(
            user=leader,
            name=name,
            content=content,
            kind="approval",
            metadata={"Trích yếu": subject} if subject else {},
            appearance=appearance,
            extra={"document": document},
        )
        return document, item

    def on_signed(self, item_id: str) -> None:
        item = self.item(item_id)
        if item is None or "document" not in item["extra"]:
            return
        document = item["extra"]["document"]
        with self.db() as db:
            row = db.execute("SELECT * FROM documents WHERE id = ?", (document,)).fetchone()
            if row is None:
                return
            if item["kind"] == "approval":
                number = (db.execute("SELECT MAX(number) FROM documents").fetchone()[0] or 0) + 1
                today = datetime.now(timezone(timedelta(hours=7))).date().isoformat()
                db.execute(
                    "UPDATE documents SET number = ?, notation = ?, issued_date = ?, state = 'approved' WHERE id = ?",
                    (number, NOTATION, today, document),
                )
                doc_number = f"{number}/{NOTATION}"
                next_item = {
                    "user": row["clerk"],
                    "name": item["name"],
                    "content": item["signed"],
                    "kind": "issuance",
                    "metadata": {**item["metadata"], "Số, ký hiệu": doc_number, "Ngày ban hành": today},
                    "appearance": {"doc_number": doc_number, "issued_date": today},
                    "extra": {"document": document},
                }
            elif item["kind"] == "issuance":
                db.execute("UPDATE documents SET state = 'issued', issued_item = ? WHERE id = ?", (item_id, document))
                return
            else:
                return
        self.add_item(**next_item)

    def document(self, document: str) -> dict[str, Any] | None:
        with self.db() as db:
            row = db.execute("SELECT * FROM documents WHERE id = ?", (document,)).fetchone()
        return dict(row) if row else None

    def add_package(self, *, clerk: str, data: bytes) -> str:
        """An edXML package received from the national exchange axis, for ``clerk``."""
        package = uuid.uuid4().hex[:12]
        with self.db() as db:
            db.execute("INSERT INTO packages (id, clerk, data) VALUES (?, ?, ?)", (package, clerk, data))
        return package

    def package(self, package: str) -> dict[str, Any] | None:
        with self.db() as db:
            row = db.execute("SELECT * FROM packages WHERE id = ?", (package,)).fetchone()
        return dict(row) if row else None

    def seed(self, body: dict[str, Any], content: bytes) -> str:
        if body.get("kind") == "approval" and body.get("clerk"):
            return self.add_draft(
                leader=str(body["user"]),
                clerk=str(body["clerk"]),
                name=str(body["name"]),
                content=content,
                subject=str((body.get("metadata") or {}).get("Trích yếu", "")),
                appearance=body.get("appearance"),
            )[1]
        return super().seed(body, content)

    def control(self, request: Any, parts: list[str]) -> Any:
        import base64

        if parts == ["inbox"] and request.method == "POST":
            body = request.get_json(force=True)
            item_id = self.add_package(clerk=body["clerk"], data=base64.b64decode(body["content_b64"]))
            return json_response({"id": item_id})
        return None

    # -- HTTP -------------------------------------------------------------------------------------------------

    def classify(self, request: Any) -> tuple[str | None, str | None]:
        parts = [p for p in request.path.split("/") if p]
        if parts[:3] == ["api", "v1", "users"] and parts[4:] == ["tasks"]:
            return "pending", None
        if parts[:3] == ["api", "v1", "tasks"] and len(parts) == 5:
            operation = {
                "file": "download",
                "signed-file": "upload" if request.method == "POST" else "download_signed",
                "reject": "reject",
                "status": "status",
            }.get(parts[4])
            return operation, parts[3]
        return None, None

    def route(self, request: Any) -> Any:
        from werkzeug.exceptions import BadRequest, Conflict, MethodNotAllowed, NotFound, Unauthorized
        from werkzeug.wrappers import Response

        parts = [p for p in request.path.split("/") if p]
        if parts[:2] != ["api", "v1"]:
            raise NotFound()
        parts = parts[2:]
        if parts == ["auth", "token"] and request.method == "POST":
            body = request.get_json(silent=True) or {}
            if not self.authenticate(body.get("username"), body.get("password")):
                raise Unauthorized("wrong username or password")
            token = secrets.token_hex(16)
            self._tokens.add(token)
            return json_response({"access_token": token, "token_type": "Bearer"})
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or header[7:] not in self._tokens:
            raise Unauthorized("missing or expired token")

        if len(parts) == 3 and parts[0] == "users" and parts[2] == "tasks":
            return json_response({"status": 0, "data": [_task(i) for i in self.pending_items(parts[1])]})
        if len(parts) == 3 and parts[0] == "tasks":
            item = self.item(parts[1])
            if item is None:
                raise NotFound(f"no task {parts[1]}")
            action = parts[2]
            if action in ("file", "signed-file") and request.method == "GET":
                return self.document_response(item, signed=action == "signed-file")
            if action == "signed-file" and request.method == "POST":
                try:
                    file_id, duplicate = self.receive_upload(request, item)
                except ValueError as exc:
                    raise Conflict(str(exc)) from None
                return json_response({"status": 0, "fileId": file_id, "duplicate": duplicate})
            if action == "reject" and request.method == "POST":
                reason = str((request.get_json(silent=True) or {}).get("reason", ""))
                if not self.reject_item(item["id"], reason):
                    raise Conflict("task is not awaiting a signature")
                return json_response({"status": 0})
            if action == "status" and request.method == "POST":
                body = request.get_json(silent=True) or {}
                self.set_status(item["id"], f"{body.get('status', '')}: {body.get('detail', '')}".strip(": "))
                return json_response({"status": 0})
            raise MethodNotAllowed()
        if len(parts) >= 2 and parts[0] == "documents":
            document = self.document(parts[1])
            if document is None:
                raise NotFound(f"no document {parts[1]}")
            if len(parts) == 2:
                issued = self.item(document["issued_item"]) if document["issued_item"] else None
                return json_response(
                    {
                        "documentId": document["id"],
                        "subject": document["subject"],
                        "state": document["state"],
                        "number": document["number"],
                        "notation": document["notation"],
                        "issuedDate": document["issued_date"],
                        "fileName": issued["name"] if issued else None,
                        "fileTaskId": issued["id"] if issued else None,
                    }
                )
            if parts[2:] == ["dispatch"] and request.method == "POST":
                if document["state"] != "issued":
                    raise Conflict(f"document is {document['state']}, not issued")
                with self.db() as db:
                    db.execute(
                        "UPDATE documents SET package = ?, state = 'dispatched' WHERE id = ?",
                        (request.get_data(), document["id"]),
                    )
                return json_response({"status": 0, "packageId": document["id"]})
        if parts == ["inbox"]:
            with self.db() as db:
                rows = db.execute("SELECT id, clerk FROM packages WHERE status_code IS NULL").fetchall()
            return json_response({"status": 0, "data": [{"packageId": r["id"], "clerk": r["clerk"]} for r in rows]})
        if len(parts) >= 2 and parts[0] == "inbox":
            package = self.package(parts[1])
            if package is None:
                raise NotFound(f"no package {parts[1]}")
            if len(parts) == 2:
                return Response(package["data"], mimetype="application/xml")
            if parts[2:] == ["status"] and request.method == "POST":
                status = request.files.get("statusfile")
                if status is None:
                    raise BadRequest("multipart field 'statusfile' is missing")
                packet = status.read()
                match = _STATUS_CODE.search(packet)
                if match is None:
                    raise BadRequest("not an edXML status packet")
                code = match.group(1).decode()
                with self.db() as db:
                    db.execute("UPDATE packages SET status_code = ?, status = ? WHERE id = ?", (code, packet, parts[1]))
                item_id = None
                upload = request.files.get("uploadfile")
                if code in ("01", "03") and upload is not None:
                    with self.db() as db:
                        received = db.execute("SELECT COUNT(*) FROM packages WHERE status_code = '03'").fetchone()[0]
                    today = datetime.now(timezone(timedelta(hours=7))).date().strftime("%d/%m/%Y")
                    meta = {"Số đến": str(received), "Ngày đến": today}
                    item_id = self.add_item(
                        user=package["clerk"],
                        name=upload.filename or f"{parts[1]}.pdf",
                        content=upload.read(),
                        kind="income",
                        metadata={**meta, "Gói tin": parts[1]},
                        appearance={"meta": meta},
                    )
                return json_response({"status": 0, "taskId": item_id})
        raise NotFound()


def _task(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "taskId": item["id"],
        "documentId": item["extra"].get("document"),
        "step": STEPS.get(item["kind"], "sign"),
        "fileName": item["name"],
        "fileHash": "sha256:" + item["sha256"],
        "fileSize": len(item["content"]),
        "fields": item["metadata"],
        "signOptions": item["appearance"],
    }


def simulator(directory: Any, port: int = 0) -> IOfficeSimulator:
    """The factory registered in :class:`~kyso.core.adapter.AdapterInfo`."""
    return IOfficeSimulator(directory, port)


__all__ = ["IOfficeSimulator", "simulator"]
