"""The one-stop-shop adapter (OpenCPS-like REST API): a mapping between dossier files and :mod:`kyso.core.adapter`.

Platform field -> SDK:

=====================================  ==============================================
file ``referenceUid``                  :attr:`Item.id`
dossier ``dossierId``                  :attr:`Item.locator` ``["dossierId"]``
file ``displayName``                   :attr:`Item.name`
file ``fileType``                      :attr:`Item.kind`: ``result`` / ``receipt`` -> plain, ``copy`` -> copy
dossier ``dossierNo``, applicant ...   :attr:`Item.metadata` (with the file's own metadata)
file ``checksum`` / ``size``           :attr:`Item.sha256` / :attr:`Item.size`
=====================================  ==============================================

Results get the QR code of the platform's verification page before they are signed (:meth:`OneGateAdapter.prepare`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from kyso.core.adapter import AdapterConfig, Item, PlatformError, UploadReceipt
from kyso.core.models import SignatureKind

KIND_OF_FILE_TYPE: dict[str, SignatureKind | None] = {
    "result": None,
    "receipt": None,
    "copy": SignatureKind.COPY,
}
DEFAULT_GROUP_ID = "35417"


class OneGateAdapter:
    """Adapter for an OpenCPS-like one-stop shop (see :mod:`kyso.testing.simulators.onegate` for the API)."""

    name = "onegate"
    kinds: tuple[SignatureKind | None, ...] = (None, SignatureKind.COPY)

    def __init__(self, config: AdapterConfig) -> None:
        from kyso.adapters.http import HttpClient

        self.config = config
        self.http = HttpClient(config, platform="onegate")
        credentials = config.credentials
        self.http.session.auth = (credentials.username or "", credentials.password or "")
        self.http.session.headers["groupId"] = str(config.options.get("group_id", DEFAULT_GROUP_ID))
        if credentials.token:
            self.http.session.auth = None
            self.http.session.headers["Authorization"] = f"Bearer {credentials.token}"

    def _file_path(self, item: Item, suffix: str = "") -> str:
        dossier = item.locator.get("dossierId")
        if not dossier:
            raise PlatformError(f"onegate: item {item.id} has no dossier id")
        return f"/o/rest/v2/dossiers/{quote(dossier, safe='')}/files/{quote(item.id, safe='')}{suffix}"

    def pending(self, user: str) -> list[Item]:
        answer = self.http.json("GET", "/o/rest/v2/dossiers", params={"assignee": user, "sign": "pending"})
        dossiers = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(dossiers, list):
            raise PlatformError("onegate: the dossier list has no 'data' array")
        return [_item_or_unusable(dossier, file, user) for dossier in dossiers for file in _files(dossier)]

    def download(self, item: Item) -> bytes:
        data = self.http.content(self._file_path(item))
        item.check(data)
        return data

    def prepare(self, item: Item, data: bytes) -> bytes:
        """Results carry the QR code of the public verification page, drawn before the agency signs."""
        if item.locator.get("fileType") != "result":
            return data
        from kyso_onegate.qr import add_verification_mark

        return add_verification_mark(data, self.verification_url(item))

    def verification_url(self, item: Item) -> str:
        public = str(self.config.options.get("public_url") or self.config.base_url).rstrip("/")
        return f"{public}/verify/{quote(item.id, safe='')}"

    def upload(self, item: Item, signed: bytes, *, idempotency_key: str) -> UploadReceipt:
        answer = self.http.json(
            "POST",
            self._file_path(item, "/upload"),
            files={"uploadfile": (item.name, signed, item.media_type)},
            headers={"Idempotency-Key": idempotency_key},
        )
        if not isinstance(answer, dict) or answer.get("Status") != 0:
            message = answer.get("Message") if isinstance(answer, dict) else answer
            raise PlatformError(f"onegate: upload of {item.name} not accepted: {message!r:.120}")
        return UploadReceipt(item.id, str(answer.get("FileServer") or ""), answer.get("Message") == "duplicate")

    def download_signed(self, item: Item) -> bytes:
        return self.http.content(self._file_path(item, "/signed"))

    def reject(self, item: Item, reason: str) -> None:
        self.http.json("POST", self._file_path(item, "/reject"), json={"reason": reason})

    def report_status(self, item: Item, status: str, detail: str = "") -> None:
        self.http.json("POST", self._file_path(item, "/status"), json={"status": status, "detail": detail})

    def close(self) -> None:
        self.http.close()


def _files(dossier: Any) -> list[Any]:
    if not isinstance(dossier, dict) or not isinstance(dossier.get("dossierFiles"), list):
        raise PlatformError(f"onegate: a dossier lacks dossierFiles: {dossier!r:.120}")
    return list(dossier["dossierFiles"])


def _item_or_unusable(dossier: dict[str, Any], file: Any, user: str) -> Item:
    """One malformed dossier file fails alone (its reason reported by ``kyso sync``) instead of hiding the others."""
    try:
        return _item(dossier, file, user)
    except PlatformError as exc:
        return Item.unusable(file, exc.diagnostics(), id_key="referenceUid", name_key="displayName", user=user)


def _item(dossier: dict[str, Any], file: Any, user: str) -> Item:
    if not isinstance(file, dict) or "referenceUid" not in file or "displayName" not in file:
        raise PlatformError(f"onegate: a dossier file lacks referenceUid or displayName: {file!r:.120}")
    file_type = str(file.get("fileType") or "result")
    if file_type not in KIND_OF_FILE_TYPE:
        raise PlatformError(f"onegate: file {file['referenceUid']} has an unknown fileType {file_type!r}")
    metadata = {
        "Mã hồ sơ": str(dossier.get("dossierNo") or ""),
        "Người nộp": str(dossier.get("applicantName") or ""),
        "Thủ tục": str(dossier.get("serviceName") or ""),
        **{str(k): str(v) for k, v in (file.get("metadata") or {}).items()},
    }
    return Item(
        id=str(file["referenceUid"]),
        name=str(file["displayName"]),
        kind=KIND_OF_FILE_TYPE[file_type],
        metadata=metadata,
        appearance=dict(file.get("signOptions") or {}),
        sha256=str(file.get("checksum") or "").removeprefix("sha256:") or None,
        size=file.get("size"),
        user=user,
        locator={"dossierId": str(dossier.get("dossierId")), "fileType": file_type},
    )


__all__ = ["OneGateAdapter"]
