"""MyOffice <-> Kyso. An adapter is a mapping: no cryptography here, Kyso signs and verifies.

MyOffice's API (change the paths and field names to your platform's):

- ``GET /api/documents?assignee=USER&status=pending`` -> ``{"items": [{"id", "file_name", "sign_type", "sha256",
  "size", "info": {...}, "options": {...}}]}``
- ``GET /api/documents/{id}/content`` -> the PDF to sign; ``GET /api/documents/{id}/signed`` -> the signed PDF
- ``PUT /api/documents/{id}/signed`` (body: the signed PDF, header ``Idempotency-Key``) -> ``{"ok": true, "duplicate"}``
- ``POST /api/documents/{id}/reject`` ``{"reason"}``; ``POST /api/documents/{id}/status`` ``{"status", "detail"}``
- authentication: HTTP Basic.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from kyso.core.adapter import AdapterConfig, Item, PlatformError, UploadReceipt
from kyso.core.models import SignatureKind

KINDS: dict[str, SignatureKind | None] = {"plain": None, "income": SignatureKind.INCOME}
"""MyOffice's ``sign_type`` -> the signature kind (Nghị định 30/2020)."""


class MyOfficeAdapter:
    name = "myoffice"
    kinds: tuple[SignatureKind | None, ...] = (None, SignatureKind.INCOME)

    def __init__(self, config: AdapterConfig) -> None:
        from kyso.adapters.http import HttpClient  # timeouts, retries with backoff, clear errors

        self.http = HttpClient(config, platform="myoffice")
        self.http.session.auth = (config.credentials.username or "", config.credentials.password or "")

    def _path(self, item: Item, tail: str) -> str:
        return f"/api/documents/{quote(item.id, safe='')}/{tail}"

    def pending(self, user: str) -> list[Item]:
        answer = self.http.json("GET", "/api/documents", params={"assignee": user, "status": "pending"})
        rows = answer.get("items") if isinstance(answer, dict) else None
        if not isinstance(rows, list):
            raise PlatformError("myoffice: the document list has no 'items' array")
        return [_item_or_unusable(row, user) for row in rows]

    def download(self, item: Item) -> bytes:
        data = self.http.content(self._path(item, "content"))
        item.check(data)  # truncated, or not the document the item announces: this item fails alone
        return data

    def upload(self, item: Item, signed: bytes, *, idempotency_key: str) -> UploadReceipt:
        answer = self.http.json(
            "PUT",
            self._path(item, "signed"),
            data=signed,
            headers={"Content-Type": "application/pdf", "Idempotency-Key": idempotency_key},
        )
        if not isinstance(answer, dict) or answer.get("ok") is not True:
            raise PlatformError(f"myoffice: upload of {item.name} not accepted")
        return UploadReceipt(item.id, item.id, bool(answer.get("duplicate")))

    def download_signed(self, item: Item) -> bytes:
        return self.http.content(self._path(item, "signed"))

    def reject(self, item: Item, reason: str) -> None:
        self.http.json("POST", self._path(item, "reject"), json={"reason": reason})

    def report_status(self, item: Item, status: str, detail: str = "") -> None:
        self.http.json("POST", self._path(item, "status"), json={"status": status, "detail": detail})

    def close(self) -> None:
        self.http.close()


def _item_or_unusable(row: Any, user: str) -> Item:
    """Keep this: one malformed row fails alone (its reason shown by ``kyso sync``) instead of hiding the others."""
    try:
        return _item(row, user)
    except PlatformError as exc:
        return Item.unusable(row, exc.diagnostics(), id_key="id", name_key="file_name", user=user)


def _item(row: Any, user: str) -> Item:
    if not isinstance(row, dict) or "id" not in row or "file_name" not in row:
        raise PlatformError(f"myoffice: a document lacks id or file_name: {row!r:.100}")
    sign_type = str(row.get("sign_type") or "plain")
    if sign_type not in KINDS:
        raise PlatformError(f"myoffice: document {row['id']} has an unknown sign_type {sign_type!r}")
    return Item(
        id=str(row["id"]),
        name=str(row["file_name"]),
        kind=KINDS[sign_type],
        metadata={str(k): str(v) for k, v in (row.get("info") or {}).items()},
        appearance=dict(row.get("options") or {}),
        sha256=row.get("sha256"),
        size=row.get("size"),
        user=user,
    )
