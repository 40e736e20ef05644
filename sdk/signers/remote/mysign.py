"""Viettel MySign: CSC-shaped under its own base path, with asynchronous transactions: ``--signer mysign``.

Based on Viettel's public MySign integration material and the public clients that call it (``--service-url`` is
the service's base, e.g. ``https://remotesigning.viettel.vn:8773``; configuration, never built in). The calls sit
under ``/vtss/service``:

- ``ras/v1/login`` with ``client_id``, ``client_secret`` (``--client-id``, ``--client-secret-env``), ``user_id``
  (``--signer-user``) and ``profile_id`` (``--mysign-profile``) -> ``access_token`` (or ``--oauth-token-env``
  given directly), sent as a bearer token afterwards;
- ``certificates/info`` (CSC's ``credentials/info`` for every credential of the user: ``credential_id`` and
  ``cert.certificates``, the chain included); ``--credential`` picks one;
- ``signHash`` with ``credentialID``, ``numSignatures``, ``documents[{document_id, document_name}]``, ``hash``
  (base64 digests), ``hashAlgo``, ``signAlgo`` (OIDs, as CSC v1) and ``async: 2`` -> ``transactionId``; the user
  confirms on the phone;
- ``requests/status`` with ``transactionId``, polled: ``status`` 1 signed (``signatures``, one per digest, in
  order), 4000 waiting, 6000 signing, 4001 expired, 4002 rejected, 4004 failed, 4005 out of quota, 13004
  certificate expired or revoked. No cancel call is documented: a cancelled request lapses on the phone.
"""

from __future__ import annotations

import base64
from typing import Any

from kyso.core.errors import RemoteServiceError, SignerError, UsageError
from kyso.core.signer import SigningControl
from kyso.signers.remote.confirm import DEFAULT_INTERVAL, DEFAULT_TIMEOUT, PhoneSigner, Poll, poll_seconds
from kyso.signers.remote.csc import ECDSA_OIDS, HASH_OIDS, RSA_OID, certificates_of, usable_or_raise
from kyso.signers.remote.http import ServiceClient, b64decode, field
from kyso.signers.remote.smartca import raise_for_code

SERVICE = "Viettel MySign"
PREFIX = "vtss/service"
SIGNED, WAITING, SIGNING = 1, 4000, 6000


class MySignSigner(PhoneSigner):
    """One MySign credential; each batch is one asynchronous transaction confirmed once on the phone."""

    service = SERVICE

    def __init__(
        self,
        client: ServiceClient,
        *,
        client_id: str,
        client_secret: str,
        user_id: str,
        profile: str,
        credential: str | None = None,
        confirm_timeout: float = DEFAULT_TIMEOUT,
        poll_interval: float = DEFAULT_INTERVAL,
    ) -> None:
        self.client = client
        client.secrets.add(client_secret)
        self._client = {"client_id": client_id, "client_secret": client_secret}
        if client.bearer is None:
            login = client.post(f"{PREFIX}/ras/v1/login", {**self._client, "user_id": user_id, "profile_id": profile})
            client.bearer = str(field(login, "access_token", service=SERVICE, kind=str))
        listed = client.post(
            f"{PREFIX}/certificates/info",
            {
                **self._client,
                "user_id": user_id,
                "profile_id": profile,
                "certificates": "chain",
                "certInfo": True,
                "authInfo": True,
            },
        )
        entries = [e for e in (listed if isinstance(listed, list) else []) if isinstance(e, dict)]
        if credential:
            entries = [e for e in entries if str(e.get("credential_id")) == credential]
        if len(entries) != 1:
            names = ", ".join(str(e.get("credential_id")) for e in entries[:10]) or "none"
            raise UsageError(
                f"{SERVICE}: choose the credential with --credential ({len(entries)} found: {names})",
                parameter="credential",
            )
        self.credential = str(entries[0].get("credential_id"))
        usable_or_raise(entries[0], service=SERVICE)
        certificate, chain = certificates_of(entries[0], service=SERVICE)
        super().__init__(certificate, chain, confirm_timeout=confirm_timeout, poll_interval=poll_interval)

    def _call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.client.post(f"{PREFIX}/{path}", body, accept_error=True)
        if not isinstance(answer, dict):
            raise RemoteServiceError(f"{SERVICE}: {path}: the answer is not a JSON object")
        if answer.get("error"):
            said = self.client.redacted(str(answer.get("error_description") or answer["error"]))
            raise RemoteServiceError(f"{SERVICE}: {path}: {said[:120]}")
        return answer

    def _sign(self, digests: list[bytes], digest_algorithm: str, control: SigningControl) -> list[bytes]:
        sign_algo = RSA_OID if self.key_algorithm == "rsa" else ECDSA_OIDS[digest_algorithm]
        started = self._call(
            "signHash",
            {
                **self._client,
                "credentialID": self.credential,
                "numSignatures": len(digests),
                "documents": [
                    {"document_id": f"kyso-{i + 1}", "document_name": f"kyso-{i + 1}"} for i in range(len(digests))
                ],
                "hash": [base64.b64encode(d).decode("ascii") for d in digests],
                "hashAlgo": HASH_OIDS[digest_algorithm],
                "signAlgo": sign_algo,
                "async": 2,
            },
        )
        transaction = started.get("transactionId") or started.get("transaction_id")
        if not isinstance(transaction, str) or not transaction:
            raise RemoteServiceError(f"{SERVICE}: signHash answered no transactionId")

        def poll() -> Poll:
            answer = self._call("requests/status", {"transactionId": transaction})
            code = answer.get("status")
            if code == WAITING:
                return Poll("waiting")
            if code == SIGNING:
                return Poll("signing")
            if code != SIGNED:
                raise_for_code(
                    code if isinstance(code, int) else -1,
                    self.client.redacted(str(answer.get("message") or ""))[:120],
                    service=SERVICE,
                )
            values = answer.get("signatures")
            if not isinstance(values, list) or len(values) != len(digests):
                raise SignerError(f"{SERVICE}: the transaction is signed but its signatures do not match the request")
            return Poll("signed", [b64decode(v, service=SERVICE, what="a signature value") for v in values])

        return self._confirm(poll, control, count=len(digests), transaction=transaction)


def open_mysign(
    *,
    service_url: str,
    signer_user: str,
    client_id: str,
    client_secret: str,
    credential: str | None = None,
    oauth_token: str | None = None,
    profile: str = "adss:ras:profile:001",
    confirm_timeout: int = int(DEFAULT_TIMEOUT),
    poll_interval: str | float = DEFAULT_INTERVAL,
) -> MySignSigner:
    client = ServiceClient(service_url, service=SERVICE)
    client.bearer = oauth_token or None
    return MySignSigner(
        client,
        client_id=client_id,
        client_secret=client_secret,
        user_id=signer_user,
        profile=profile,
        credential=credential,
        confirm_timeout=float(confirm_timeout),
        poll_interval=poll_seconds(poll_interval),
    )


__all__ = ["SERVICE", "MySignSigner", "open_mysign"]
