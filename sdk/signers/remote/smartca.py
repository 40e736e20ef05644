"""VNPT SmartCA, the SP769 integration API: ``--signer smartca``.

Based on VNPT's public integration material ("Tài liệu tích hợp VNPT SmartCA", the SP769 sample clients VNPT
hands to integrators, and the return-code table of smartca.vnpt.vn/help); ``--service-url`` is the SP769 base
(VNPT's is ``https://gwsca.vnpt.vn/sca/sp769``; configuration, never built in). Every call is a JSON POST carrying
the service provider's id and secret (``--client-id``, ``--client-secret-env``: ``sp_id`` / ``sp_password``) and the
user (``--signer-user``: ``user_id``, the subscriber's identity number):

- ``v1/credentials/get_certificate`` -> ``data.user_certificates[]``: ``serial_number``, ``cert_status``,
  ``cert_data`` (base64 DER), ``chain_data.ca_cert`` / ``root_cert``; ``--credential`` picks one by serial;
- ``v1/signatures/sign`` with ``sign_files[{data_to_be_signed (hex digest), doc_id, file_type, sign_type:
  "hash"}]`` (a whole batch: one confirmation on the phone) -> ``data.transaction_id`` and ``tran_code`` (the code
  the app shows, so the user can tell this request from another);
- ``v1/signatures/sign/{transaction_id}/status`` polled until ``data.signatures[{doc_id, signature_value}]``
  (raw PKCS#1 over the digest sent).

Return codes (``status_code``; VNPT's table and the older gateway's): 200 / 0 success (no signatures yet:
waiting), 4000 waiting, 1 and 4002 rejected by the user, 4001 and 62002 expired, 4005 out of quota, 60003 and
13004 certificate status invalid (revoked, suspended, expired); anything else is a service failure. SmartCA
documents no cancel call: a cancelled request lapses on the phone.
"""

from __future__ import annotations

import uuid
from typing import Any

from kyso.core.errors import (
    CertificateRevokedError,
    QuotaExceededError,
    RemoteServiceError,
    SignerError,
    SigningExpiredError,
    SigningRejectedError,
    UsageError,
)
from kyso.core.signer import SigningControl
from kyso.signers.remote.confirm import DEFAULT_INTERVAL, DEFAULT_TIMEOUT, PhoneSigner, Poll, poll_seconds
from kyso.signers.remote.http import ServiceClient, b64decode, field

SERVICE = "VNPT SmartCA"
WAITING = {4000}
REJECTED = {1, 4002}
EXPIRED = {4001, 62002}
QUOTA = {4005}
REVOKED = {60003, 13004}
SUCCESS = {0, 200}


def raise_for_code(code: int, message: str, *, service: str) -> None:
    """The typed error of a failure code shared by SmartCA and MySign (VNPT's table, Viettel's states)."""
    said = f" ({message})" if message else ""
    if code in REJECTED:
        raise SigningRejectedError(f"{service}: the user rejected the request{said}", vi=f"{service}: người ký từ chối")
    if code in EXPIRED:
        raise SigningExpiredError(f"{service}: the request expired{said}", vi=f"{service}: yêu cầu ký đã hết hạn")
    if code in QUOTA:
        raise QuotaExceededError(f"{service}: no signatures left in the subscription{said}")
    if code in REVOKED:
        raise CertificateRevokedError(f"{service}: the certificate cannot sign{said}")
    raise RemoteServiceError(f"{service}: failed with code {code}{said}")


class SmartCASigner(PhoneSigner):
    """One SmartCA subscriber's certificate; each batch is one transaction confirmed once on the phone."""

    service = SERVICE

    def __init__(
        self,
        client: ServiceClient,
        *,
        sp_id: str,
        sp_password: str,
        user_id: str,
        serial: str | None = None,
        confirm_timeout: float = DEFAULT_TIMEOUT,
        poll_interval: float = DEFAULT_INTERVAL,
    ) -> None:
        self.client = client
        client.secrets.add(sp_password)
        self._auth = {"sp_id": sp_id, "sp_password": sp_password, "user_id": user_id}
        chosen = self._certificate_entry(serial)
        self.serial = str(chosen.get("serial_number") or serial or "")
        certificate = b64decode(chosen.get("cert_data"), service=SERVICE, what="cert_data")
        chain_data = chosen.get("chain_data") or {}
        chain = tuple(
            b64decode(chain_data[k], service=SERVICE, what=f"chain_data.{k}")
            for k in ("ca_cert", "root_cert")
            if isinstance(chain_data, dict) and chain_data.get(k)
        )
        super().__init__(certificate, chain, confirm_timeout=confirm_timeout, poll_interval=poll_interval)

    def _call(self, path: str, body: dict[str, Any]) -> Any:
        answer = self.client.post(path, {**self._auth, **body}, accept_error=True)
        code = answer.get("status_code") if isinstance(answer, dict) else None
        if not isinstance(code, int):
            raise RemoteServiceError(f"{SERVICE}: {path}: the answer has no status_code")
        if code not in SUCCESS and code not in WAITING:
            raise_for_code(code, self.client.redacted(str(answer.get("message") or ""))[:120], service=SERVICE)
        return answer

    def _certificate_entry(self, serial: str | None) -> dict[str, Any]:
        answer = self._call("v1/credentials/get_certificate", {"serial_number": serial or "", "transaction_id": _tid()})
        entries = [
            e for e in field(answer, "data", "user_certificates", service=SERVICE, kind=list) if isinstance(e, dict)
        ]
        if serial:
            entries = [e for e in entries if str(e.get("serial_number", "")).lower() == serial.lower()]
        if len(entries) != 1:
            listed = ", ".join(str(e.get("serial_number")) for e in entries[:10]) or "none"
            raise UsageError(
                f"{SERVICE}: choose the certificate with --credential SERIAL ({len(entries)} found: {listed})",
                parameter="credential",
            )
        status = str(entries[0].get("cert_status", "")).lower()
        if status and status not in ("active", "valid", "đang hoạt động", "0", "1"):
            raise CertificateRevokedError(f"{SERVICE}: the certificate's status is {status[:40]!r}")
        return entries[0]

    def _sign(self, digests: list[bytes], digest_algorithm: str, control: SigningControl) -> list[bytes]:
        doc_ids = [f"kyso-{i + 1}" for i in range(len(digests))]
        files = [
            {"data_to_be_signed": d.hex(), "doc_id": doc_id, "file_type": "pdf", "sign_type": "hash"}
            for d, doc_id in zip(digests, doc_ids, strict=True)
        ]
        body = {
            "serial_number": self.serial,
            "transaction_id": _tid(),
            "transaction_desc": f"Kyso: {len(digests)} văn bản",
            "sign_files": files,
        }
        started = self._call("v1/signatures/sign", body)
        transaction = str(field(started, "data", "transaction_id", service=SERVICE, kind=str))
        code = started["data"].get("tran_code")

        def poll() -> Poll:
            answer = self._call(f"v1/signatures/sign/{transaction}/status", {})
            data = answer.get("data") or {}
            values = data.get("signatures") if isinstance(data, dict) else None
            if answer["status_code"] in WAITING or not values:
                return Poll("waiting")
            by_id = {str(v.get("doc_id")): v.get("signature_value") for v in values if isinstance(v, dict)}
            missing = [d for d in doc_ids if d not in by_id]
            if missing:
                raise SignerError(f"{SERVICE}: no signature for {len(missing)} of the {len(doc_ids)} documents")
            return Poll("signed", [b64decode(by_id[d], service=SERVICE, what="signature_value") for d in doc_ids])

        return self._confirm(poll, control, count=len(digests), transaction=str(code or transaction))


def _tid() -> str:
    return uuid.uuid4().hex


def open_smartca(
    *,
    service_url: str,
    signer_user: str,
    client_id: str,
    client_secret: str,
    credential: str | None = None,
    confirm_timeout: int = int(DEFAULT_TIMEOUT),
    poll_interval: str | float = DEFAULT_INTERVAL,
) -> SmartCASigner:
    return SmartCASigner(
        ServiceClient(service_url, service=SERVICE),
        sp_id=client_id,
        sp_password=client_secret,
        user_id=signer_user,
        serial=credential,
        confirm_timeout=float(confirm_timeout),
        poll_interval=poll_seconds(poll_interval),
    )


__all__ = ["SERVICE", "SmartCASigner", "open_smartca", "raise_for_code"]
