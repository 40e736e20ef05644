"""A SIMULATOR of MyOffice for tests and ``kyso conformance myoffice``: real HTTP on 127.0.0.1, SQLite state.

The base class (:class:`kyso.testing.simulators.Simulator`) keeps the items, the signed results, the idempotency keys
and the injected faults, and serves the control API the conformance suite uses; here only MyOffice's URL shapes.
"""

from __future__ import annotations

from typing import Any

from kyso.testing.simulators import Simulator, json_response

SIGN_TYPES = {None: "plain", "income": "income"}


class MyOfficeSimulator(Simulator):
    name = "myoffice"

    def classify(self, request: Any) -> tuple[str | None, str | None]:
        """Which operation a request is (for fault injection): pending, download, upload, download_signed ..."""
        parts = [p for p in request.path.split("/") if p]
        if parts == ["api", "documents"]:
            return "pending", None
        if len(parts) == 4 and parts[:2] == ["api", "documents"]:
            if parts[3] == "signed":
                return ("upload" if request.method == "PUT" else "download_signed"), parts[2]
            return {"content": "download", "reject": "reject", "status": "status"}.get(parts[3]), parts[2]
        return None, None

    def route(self, request: Any) -> Any:
        from werkzeug.exceptions import Conflict, NotFound
        from werkzeug.wrappers import Response

        auth = request.authorization
        if auth is None or not self.authenticate(auth.username, auth.password):
            return Response("unauthorized", 401, headers={"WWW-Authenticate": 'Basic realm="MyOffice"'})
        parts = [p for p in request.path.split("/") if p]
        if parts == ["api", "documents"]:
            rows = [
                {
                    "id": item["id"],
                    "file_name": item["name"],
                    "sign_type": SIGN_TYPES.get(item["kind"], "plain"),
                    "sha256": item["sha256"],
                    "size": len(item["content"]),
                    "info": item["metadata"],
                    "options": item["appearance"],
                }
                for item in self.pending_items(request.args.get("assignee", ""))
            ]
            return json_response({"items": rows})
        if len(parts) != 4 or parts[:2] != ["api", "documents"]:
            raise NotFound()
        item = self.item(parts[2])
        if item is None:
            raise NotFound()
        action = parts[3]
        if action == "content":
            return Response(item["content"], mimetype="application/pdf")
        if action == "signed" and request.method == "GET":
            if item["signed"] is None:
                raise NotFound()
            return Response(item["signed"], mimetype="application/pdf")
        if action == "signed" and request.method == "PUT":
            try:
                stored = self.store_signed(item["id"], request.get_data(), request.headers.get("Idempotency-Key"))
            except ValueError as exc:
                raise Conflict(str(exc)) from None
            return json_response({"ok": True, "duplicate": bool(stored and stored[1])})
        if action == "reject":
            self.reject_item(item["id"], str((request.get_json(silent=True) or {}).get("reason", "")))
            return json_response({"ok": True})
        if action == "status":
            body = request.get_json(silent=True) or {}
            self.set_status(item["id"], f"{body.get('status', '')}: {body.get('detail', '')}")
            return json_response({"ok": True})
        raise NotFound()
