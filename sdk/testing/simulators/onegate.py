"""A SIMULATOR of a one-stop-shop platform (Một cửa điện tử) shaped like OpenCPS, for tests, examples and the
conformance suite: real HTTP on 127.0.0.1, state in SQLite. Run it alone with ``kyso simulate onegate --port 8710``.

API (HTTP Basic authentication and a ``groupId`` header, as OpenCPS's REST API v2):

- ``GET /o/rest/v2/dossiers?assignee=USER&sign=pending`` -> ``{"total", "data": [dossier ...]}``; a dossier is
  ``{"dossierId", "dossierNo", "applicantName", "serviceName", "govAgencyName", "dossierFiles": [file ...]}`` and a
  file ``{"referenceUid", "displayName", "fileType": "result|receipt|copy", "checksum": "sha256:HEX", "size",
  "signOptions", "metadata"}``
- ``GET /o/rest/v2/dossiers/{id}/files/{referenceUid}`` -> the document to sign
- ``POST /o/rest/v2/dossiers/{id}/files/{referenceUid}/upload``: multipart field ``uploadfile``, as the upload handler
  (``FileUploadHandler``) used with the VGCA signing service; header ``Idempotency-Key``. Reply in the VGCA shape:
  ``{"Status": 0, "Message", "FileServer", "FileName"}``
- ``GET /o/rest/v2/dossiers/{id}/files/{referenceUid}/signed``; ``POST .../reject`` ``{"reason"}``;
  ``POST .../status`` ``{"status", "detail"}``
- ``GET /verify/{referenceUid}``: the public page the QR code of a printed result links to: it verifies the signed
  result the platform holds and says so, in Vietnamese, for a citizen.
"""

from __future__ import annotations

import html
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from kyso.testing.simulators.base import Simulator, json_response

GROUP_ID = "35417"
"""The ``groupId`` (site) of the simulated province."""
FILE_TYPE_OF_KIND = {None: "result", "copy": "copy"}


class OneGateSimulator(Simulator):
    """The OpenCPS-like one-stop shop (a simulator)."""

    name = "onegate"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trust: list[Any] = []
        """Trust anchors of the public verification page."""

    def schema(self) -> str:
        return """
        CREATE TABLE IF NOT EXISTS dossiers (
            id TEXT PRIMARY KEY, dossier_no TEXT NOT NULL, applicant TEXT, service TEXT, agency TEXT
        );
        """

    def add_dossier(self, *, applicant: str = "Nguyễn Văn Bình", service: str = "Cấp giấy phép xây dựng") -> str:
        dossier = uuid.uuid4().hex[:10]
        today = datetime.now(timezone(timedelta(hours=7)))
        with self.db() as db:
            count = db.execute("SELECT COUNT(*) FROM dossiers").fetchone()[0] + 1
            db.execute(
                "INSERT INTO dossiers (id, dossier_no, applicant, service, agency) VALUES (?, ?, ?, ?, ?)",
                (dossier, f"000.00.00.H41-{today:%y%m%d}-{count:04d}", applicant, service, "Sở Xây dựng tỉnh Nghệ An"),
            )
        return dossier

    def add_file(
        self,
        dossier: str,
        *,
        assignee: str,
        name: str,
        content: bytes,
        file_type: str = "result",
        kind: str | None = None,
        metadata: dict[str, str] | None = None,
        appearance: dict[str, Any] | None = None,
    ) -> str:
        """A file of ``dossier`` awaiting ``assignee``'s signature; returns its referenceUid."""
        return self.add_item(
            user=assignee,
            name=name,
            content=content,
            kind=kind,
            metadata=metadata,
            appearance=appearance,
            extra={"dossier": dossier, "fileType": file_type},
        )

    def seed(self, body: dict[str, Any], content: bytes) -> str:
        kind = body.get("kind")
        return self.add_file(
            self.add_dossier(),
            assignee=str(body["user"]),
            name=str(body["name"]),
            content=content,
            file_type=FILE_TYPE_OF_KIND.get(kind, "result"),
            kind=kind,
            metadata=body.get("metadata") or {},
            appearance=body.get("appearance") or {},
        )

    def dossier(self, dossier: str) -> dict[str, Any] | None:
        with self.db() as db:
            row = db.execute("SELECT * FROM dossiers WHERE id = ?", (dossier,)).fetchone()
        return dict(row) if row else None

    # -- HTTP -------------------------------------------------------------------------------------------------

    def classify(self, request: Any) -> tuple[str | None, str | None]:
        parts = [p for p in request.path.split("/") if p]
        if parts == ["o", "rest", "v2", "dossiers"]:
            return "pending", None
        if parts[:4] == ["o", "rest", "v2", "dossiers"] and len(parts) >= 7 and parts[5] == "files":
            action = parts[7] if len(parts) > 7 else "file"
            operation = {
                "file": "download",
                "upload": "upload",
                "signed": "download_signed",
                "reject": "reject",
                "status": "status",
            }.get(action)
            return operation, parts[6]
        return None, None

    def _authorised(self, request: Any) -> bool:
        auth = request.authorization
        if auth is None or request.headers.get("groupId") != GROUP_ID:
            return False
        return self.authenticate(auth.username, auth.password)

    def route(self, request: Any) -> Any:
        from werkzeug.exceptions import Conflict, MethodNotAllowed, NotFound
        from werkzeug.wrappers import Response

        parts = [p for p in request.path.split("/") if p]
        if parts[:1] == ["verify"] and len(parts) == 2:
            return self._verification_page(parts[1])
        if parts[:3] != ["o", "rest", "v2"]:
            raise NotFound()
        if not self._authorised(request):
            return Response(
                '{"message": "unauthorized"}',
                401,
                mimetype="application/json",
                headers={"WWW-Authenticate": 'Basic realm="OpenCPS"'},
            )
        parts = parts[3:]
        if parts == ["dossiers"]:
            assignee = request.args.get("assignee", "")
            dossiers: dict[str, dict[str, Any]] = {}
            for item in self.pending_items(assignee):
                dossier_id = item["extra"]["dossier"]
                if dossier_id not in dossiers:
                    record = self.dossier(dossier_id) or {}
                    dossiers[dossier_id] = {
                        "dossierId": dossier_id,
                        "dossierNo": record.get("dossier_no"),
                        "applicantName": record.get("applicant"),
                        "serviceName": record.get("service"),
                        "govAgencyName": record.get("agency"),
                        "dossierFiles": [],
                    }
                dossiers[dossier_id]["dossierFiles"].append(
                    {
                        "referenceUid": item["id"],
                        "displayName": item["name"],
                        "fileType": item["extra"].get("fileType", "result"),
                        "checksum": "sha256:" + item["sha256"],
                        "size": len(item["content"]),
                        "metadata": item["metadata"],
                        "signOptions": item["appearance"],
                    }
                )
            return json_response({"total": len(dossiers), "data": list(dossiers.values())})
        if len(parts) >= 4 and parts[0] == "dossiers" and parts[2] == "files":
            item = self.item(parts[3])  # type: ignore[assignment]  # (the loop above typed it)
            if item is None or item["extra"].get("dossier") != parts[1]:
                raise NotFound(f"no file {parts[3]} in dossier {parts[1]}")
            action = parts[4] if len(parts) > 4 else "file"
            if action in ("file", "signed") and request.method == "GET":
                return self.document_response(item, signed=action == "signed")
            if action == "upload" and request.method == "POST":
                try:
                    _, duplicate = self.receive_upload(request, item)
                except ValueError as exc:
                    return json_response({"Status": 1, "Message": str(exc), "FileServer": "", "FileName": ""}, 409)
                return json_response(
                    {
                        "Status": 0,
                        "Message": "duplicate" if duplicate else "",
                        "FileServer": f"{self.url}/o/rest/v2/dossiers/{parts[1]}/files/{item['id']}/signed",
                        "FileName": item["name"],
                    }
                )
            if action == "reject" and request.method == "POST":
                reason = str((request.get_json(silent=True) or {}).get("reason", ""))
                if not self.reject_item(item["id"], reason):
                    raise Conflict("file is not awaiting a signature")
                return json_response({"Status": 0})
            if action == "status" and request.method == "POST":
                body = request.get_json(silent=True) or {}
                self.set_status(item["id"], f"{body.get('status', '')}: {body.get('detail', '')}".strip(": "))
                return json_response({"Status": 0})
            raise MethodNotAllowed()
        raise NotFound()

    def _verification_page(self, reference: str) -> Any:
        """The citizen's page: a headline in plain Vietnamese (genuine, altered, or not decided and why), then what
        the page checked; no ETSI words (issue 16, item 8). Trust: :attr:`trust` (``kyso simulate onegate
        --trust FILE``) and the Kyso trust store."""
        from werkzeug.wrappers import Response

        item = self.item(reference)
        if item is None or item["signed"] is None:
            body = "<p>Không tìm thấy kết quả đã ký số với mã này.</p>"
            return Response(_page("Không tìm thấy", body), 404, mimetype="text/html")
        import kyso

        dossier = self.dossier(item["extra"].get("dossier", "")) or {}
        try:
            report = kyso.verify(item["signed"], trust=self.trust, revocation="soft", name=item["name"])
        except Exception as exc:  # an unreadable stored document: say so, never crash the page
            verdict, headline, checked = (
                "bad",
                "Không đọc được tài liệu đã ký lưu trên hệ thống.",
                [f"Tài liệu không đọc được ({exc.__class__.__name__})."],
            )
        else:
            verdict, headline, checked = citizen_verdict(report, trusted=bool(self.trust))
        body = (
            f'<p class="{verdict}"><strong>{html.escape(headline)}</strong></p>'
            f"<p>Hồ sơ: {html.escape(str(dossier.get('dossier_no', '')))}<br>"
            f"Tài liệu: {html.escape(item['name'])}</p>"
            "<h2>Trang này đã kiểm tra</h2><ul>"
            + "".join(f"<li>{html.escape(line)}</li>" for line in checked)
            + "</ul>"
        )
        return Response(_page("Tra cứu kết quả giải quyết hồ sơ", body), 200, mimetype="text/html")


_ALTERED = {"HASH_FAILURE", "SIG_CRYPTO_FAILURE", "FORMAT_FAILURE", "SIGNED_DATA_NOT_FOUND"}
_WHY = {
    "REVOKED": "chứng thư số của cơ quan ký đã bị thu hồi trước khi ký",
    "NOT_YET_VALID": "chứng thư số của cơ quan ký chưa có hiệu lực lúc ký",
    "EXPIRED": "chứng thư số của cơ quan ký đã hết hạn lúc ký",
    "OUT_OF_BOUNDS_NO_POE": "chứng thư số của cơ quan ký đã hết hạn",
    "NO_CERTIFICATE_CHAIN_FOUND": "không xác định được chứng thư số của cơ quan ký do tổ chức tin cậy cấp",
    "TRY_LATER": "chưa kiểm tra được chứng thư số có bị thu hồi hay không (máy chủ kiểm tra không trả lời)",
    "REVOKED_NO_POE": "chứng thư số của cơ quan ký đã bị thu hồi",
    "CHAIN_CONSTRAINTS_FAILURE": "chứng thư số của cơ quan ký không được phép dùng để ký",
}


def citizen_verdict(report: Any, *, trusted: bool) -> tuple[str, str, list[str]]:
    """(css class, headline, what was checked) of a verification report, in words a citizen reads."""
    signatures = list(report.signatures)
    if not signatures:
        return "bad", "Tài liệu không có chữ ký số.", ["Không tìm thấy chữ ký số nào trong tài liệu."]
    last = signatures[-1]
    indication, sub = str(report.indication), str(last.sub_indication or "")
    from kyso.core.models import VIETNAM_TIME

    who = last.signer.organization or last.signer.common_name or "không rõ"
    moment = last.signing_time.astimezone(VIETNAM_TIME) if last.signing_time else None
    when = f"{moment:%H:%M:%S ngày %d/%m/%Y} (giờ Việt Nam)" if moment else "không rõ thời điểm"
    names = dict.fromkeys(filter(None, (last.signer.common_name, last.signer.organization)))
    issuer = (last.signer.issuer or "").partition("Common Name: ")[2].split(";")[0] or last.signer.issuer
    altered = indication == "TOTAL_FAILED" and sub in _ALTERED
    checked = [
        "Nội dung tài liệu: đã bị thay đổi sau khi ký."
        if altered
        else "Nội dung tài liệu: không bị thay đổi sau khi ký.",
        f"Người ký: {', '.join(names) or 'không rõ'}; ký lúc {when}.",
        "Chứng thư số của người ký do tổ chức tin cậy cấp: "
        + ("có" if indication == "TOTAL_PASSED" else "chưa xác định được" if indication != "TOTAL_FAILED" else "không")
        + (f" (tổ chức cấp: {issuer})." if issuer else "."),
    ]
    revocation = getattr(getattr(last.certificate, "revocation", None), "status", None)
    checked.append(
        {
            "good": "Chứng thư số không bị thu hồi (đã hỏi tổ chức cấp).",
            "revoked": "Chứng thư số đã bị thu hồi.",
        }.get(str(revocation), "Chưa kiểm tra được chứng thư số có bị thu hồi hay không.")
    )
    if not trusted:
        checked.append("Trang tra cứu chưa được cấu hình danh sách tổ chức cấp chứng thư số tin cậy.")
    if indication == "TOTAL_PASSED":
        return "ok", f"Tài liệu hợp lệ: đúng là bản do {who} ký số, nội dung không bị thay đổi.", checked
    if altered:
        return "bad", "Tài liệu KHÔNG hợp lệ: nội dung đã bị thay đổi sau khi ký.", checked
    reason = _WHY.get(sub, "chữ ký không kiểm tra được đầy đủ")
    if indication == "TOTAL_FAILED":
        return "bad", f"Tài liệu KHÔNG hợp lệ: {reason}.", checked
    return "unknown", f"Chưa xác định được tài liệu có hợp lệ hay không: {reason}.", checked


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )


def simulator(directory: Any, port: int = 0) -> OneGateSimulator:
    return OneGateSimulator(directory, port)


__all__ = ["GROUP_ID", "OneGateSimulator", "citizen_verdict", "simulator"]
