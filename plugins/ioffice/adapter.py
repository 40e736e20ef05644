"""The iOffice-style adapter: a mapping between the platform's REST API and :mod:`kyso.core.adapter`. No crypto here.

Platform field -> SDK:

============================  ==========================================
task ``taskId``               :attr:`Item.id`
task ``fileName``             :attr:`Item.name`
task ``step``                 :attr:`Item.kind` (``sign`` -> ``None``)
task ``fields``               :attr:`Item.metadata`
task ``signOptions``          :attr:`Item.appearance` (``doc_number`` ...)
task ``fileHash`` / ``fileSize``  :attr:`Item.sha256` / :attr:`Item.size`
============================  ==========================================

Copy this file to write an adapter for another platform: change the paths and the field names, keep the shape.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from kyso.core.adapter import AdapterConfig, AuthenticationError, Item, PlatformError, UploadReceipt
from kyso.core.models import SignatureKind

KIND_OF_STEP: dict[str, SignatureKind | None] = {
    "approval": SignatureKind.APPROVAL,
    "issuance": SignatureKind.ISSUANCE,
    "income": SignatureKind.INCOME,
    "sign": None,
}


class IOfficeAdapter:
    """Adapter for an iOffice-style QLVB&ĐH platform (see :mod:`kyso.testing.simulators.ioffice` for the API)."""

    name = "ioffice"
    kinds: tuple[SignatureKind | None, ...] = (SignatureKind.APPROVAL, SignatureKind.ISSUANCE, SignatureKind.INCOME)

    def __init__(self, config: AdapterConfig) -> None:
        from kyso.adapters.http import HttpClient

        self.config = config
        self.http = HttpClient(config, platform="ioffice")
        self._token: str | None = config.credentials.token

    # -- plumbing ---------------------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        if self._token is None:
            credentials = self.config.credentials
            answer = self.http.json(
                "POST",
                "/api/v1/auth/token",
                json={"username": credentials.username, "password": credentials.password},
            )
            token = answer.get("access_token") if isinstance(answer, dict) else None
            if not isinstance(token, str):
                raise PlatformError("ioffice: the token answer has no access_token")
            self._token = token
        return {"Authorization": f"Bearer {self._token}"}

    def _call(self, method: str, path: str, *, raw: bool = False, **kwargs: Any) -> Any:
        """One API call; a refused token is renewed once (tokens expire)."""
        extra = kwargs.pop("headers", {})
        for attempt in (1, 2):
            try:
                headers = {**extra, **self._headers()}
                if raw:
                    return self.http.content(path, headers=headers, **kwargs)
                return self.http.json(method, path, headers=headers, **kwargs)
            except AuthenticationError:
                if attempt == 2 or self.config.credentials.token is not None:
                    raise
                self._token = None
        raise AssertionError("unreachable")

    # -- the contract -----------------------------------------------------------------------------------------

    def pending(self, user: str) -> list[Item]:
        answer = self._call("GET", f"/api/v1/users/{quote(user, safe='')}/tasks")
        tasks = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(tasks, list):
            raise PlatformError("ioffice: the task list has no 'data' array")
        return [_item_or_unusable(task, user) for task in tasks]

    def download(self, item: Item) -> bytes:
        data = self._call("GET", f"/api/v1/tasks/{quote(item.id, safe='')}/file", raw=True)
        item.check(data)
        return bytes(data)

    def upload(self, item: Item, signed: bytes, *, idempotency_key: str) -> UploadReceipt:
        answer = self._call(
            "POST",
            f"/api/v1/tasks/{quote(item.id, safe='')}/signed-file",
            files={"uploadfile": (item.name, signed, item.media_type)},
            headers={"Idempotency-Key": idempotency_key},
        )
        if not isinstance(answer, dict) or answer.get("status") != 0:
            raise PlatformError(f"ioffice: upload of {item.name} not accepted: {answer!r:.120}")
        return UploadReceipt(item.id, str(answer.get("fileId")), bool(answer.get("duplicate")))

    def download_signed(self, item: Item) -> bytes:
        return bytes(self._call("GET", f"/api/v1/tasks/{quote(item.id, safe='')}/signed-file", raw=True))

    def reject(self, item: Item, reason: str) -> None:
        self._call("POST", f"/api/v1/tasks/{quote(item.id, safe='')}/reject", json={"reason": reason})

    def report_status(self, item: Item, status: str, detail: str = "") -> None:
        self._call("POST", f"/api/v1/tasks/{quote(item.id, safe='')}/status", json={"status": status, "detail": detail})

    def close(self) -> None:
        self.http.close()

    # -- the document workflow (outgoing dispatch, incoming packages) -----------------------------------------

    def document(self, document_id: str) -> dict[str, Any]:
        """The platform's record of an outgoing document (number, notation, issued date, issued file's task)."""
        answer = self._call("GET", f"/api/v1/documents/{quote(document_id, safe='')}")
        if not isinstance(answer, dict):
            raise PlatformError("ioffice: the document answer is not an object")
        return answer

    def issued_file(self, document: dict[str, Any]) -> bytes:
        task = document.get("fileTaskId")
        if not task:
            raise PlatformError(f"ioffice: document {document.get('documentId')} is not issued yet")
        return bytes(self._call("GET", f"/api/v1/tasks/{quote(str(task), safe='')}/signed-file", raw=True))

    def dispatch(self, document_id: str, package: bytes) -> str:
        answer = self._call(
            "POST",
            f"/api/v1/documents/{quote(document_id, safe='')}/dispatch",
            data=package,
            headers={"Content-Type": "application/edxml+xml"},
        )
        return str(answer.get("packageId"))

    def inbox(self) -> list[dict[str, Any]]:
        answer = self._call("GET", "/api/v1/inbox")
        packages = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(packages, list):
            raise PlatformError("ioffice: the inbox answer has no 'data' array")
        return packages

    def package(self, package_id: str) -> bytes:
        return bytes(self._call("GET", f"/api/v1/inbox/{quote(package_id, safe='')}", raw=True))

    def answer_package(self, package_id: str, status: bytes, document: tuple[str, bytes] | None = None) -> str | None:
        files: dict[str, Any] = {"statusfile": ("status.edxml", status, "application/edxml+xml")}
        if document is not None:
            files["uploadfile"] = (document[0], document[1], "application/pdf")
        answer = self._call("POST", f"/api/v1/inbox/{quote(package_id, safe='')}/status", files=files)
        return answer.get("taskId") if isinstance(answer, dict) else None


def _item_or_unusable(task: Any, user: str) -> Item:
    """One malformed task fails alone (its reason reported by ``kyso sync``) instead of hiding the others."""
    try:
        return _item(task, user)
    except PlatformError as exc:
        return Item.unusable(task, exc.diagnostics(), id_key="taskId", name_key="fileName", user=user)


def _item(task: Any, user: str) -> Item:
    if not isinstance(task, dict) or "taskId" not in task or "fileName" not in task:
        raise PlatformError(f"ioffice: a task lacks taskId or fileName: {task!r:.120}")
    step = task.get("step") or "sign"
    if step not in KIND_OF_STEP:
        raise PlatformError(f"ioffice: task {task['taskId']} has an unknown step {step!r}")
    digest = str(task.get("fileHash") or "")
    return Item(
        id=str(task["taskId"]),
        name=str(task["fileName"]),
        kind=KIND_OF_STEP[step],
        metadata={str(k): str(v) for k, v in (task.get("fields") or {}).items()},
        appearance=dict(task.get("signOptions") or {}),
        sha256=digest.removeprefix("sha256:") or None,
        size=task.get("fileSize"),
        user=user,
    )


def factory(config: AdapterConfig) -> IOfficeAdapter:
    return IOfficeAdapter(config)


__all__ = ["IOfficeAdapter", "factory"]
