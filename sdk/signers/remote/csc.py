"""A Cloud Signature Consortium API client (v1 and v2), usable with any CSC service: ``--signer csc``.

Based on the CSC API specifications v1.0.4.0 and v2.0.0.2 (cloudsignatureconsortium.org), read together with
pyHanko's ``csc_signer`` and the certomancer-csc-dummy server the tests run against:

- ``--service-url`` is the base before ``/csc/v1`` or ``/csc/v2`` (``--csc-api v2``);
- authentication: a bearer token (``--oauth-token-env``), or OAuth2 client credentials (``--client-id`` and
  ``--client-secret-env``: ``POST {oauth2}/oauth2/token`` with ``grant_type=client_credentials``, the ``oauth2``
  base taken from ``info`` when the service names one);
- ``credentials/list`` (when ``--credential`` is not given: the user's only credential, ``--signer-user`` as
  ``userID``), ``credentials/info`` (``certificates: "chain"``: the certificate and its chain; a credential whose
  key is disabled or whose certificate is revoked, suspended or expired cannot sign);
- ``credentials/authorize`` with the digests (hash pinning, SCAL 2) and the PIN (``--pin-env``; v1 ``PIN``,
  v2 ``authData``) -> ``SAD``; ``signatures/signHash`` with that SAD -> one signature per digest (v1 ``hash`` /
  ``hashAlgo``, v2 ``hashes`` / ``hashAlgorithmOID``). A batch is authorised and signed in one go, up to the
  credential's ``multisign``.
"""

from __future__ import annotations

import base64
from typing import Any

from kyso.core.errors import CertificateRevokedError, SignerError, UsageError
from kyso.core.signer import SigningControl
from kyso.signers.remote.confirm import RemoteSigner
from kyso.signers.remote.http import ServiceClient, b64decode, field

HASH_OIDS = {
    "sha256": "2.16.840.1.101.3.4.2.1",
    "sha384": "2.16.840.1.101.3.4.2.2",
    "sha512": "2.16.840.1.101.3.4.2.3",
}
RSA_OID = "1.2.840.113549.1.1.1"
"""rsaEncryption: PKCS#1 v1.5 with the hash named beside it."""
ECDSA_OIDS = {"sha256": "1.2.840.10045.4.3.2", "sha384": "1.2.840.10045.4.3.3", "sha512": "1.2.840.10045.4.3.4"}
VERSIONS = ("v1", "v2")


class CscClient:
    """The CSC API of one service; ``version`` ``"v1"`` or ``"v2"``."""

    def __init__(
        self,
        service_url: str,
        *,
        version: str = "v1",
        oauth_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        service: str = "CSC",
        timeout: float = 30.0,
    ) -> None:
        if version not in VERSIONS:
            raise UsageError(f"CSC API version {version!r} is not v1 or v2", parameter="api")
        self.http = ServiceClient(service_url, service=service, timeout=timeout)
        self.http.secrets.update(s for s in (client_secret,) if s)
        self.version = version
        self.service = service
        if oauth_token:
            self.http.bearer = oauth_token
        elif client_id and client_secret:
            self.http.bearer = self._client_credentials(client_id, client_secret)
        elif client_id or client_secret:
            raise UsageError(f"{service}: OAuth2 client credentials need both --client-id and --client-secret-env")

    def call(self, method: str, body: dict[str, Any]) -> Any:
        return self.http.post(f"csc/{self.version}/{method}", body)

    def _client_credentials(self, client_id: str, client_secret: str) -> str:
        info = self.call("info", {})
        base = info.get("oauth2") if isinstance(info, dict) and isinstance(info.get("oauth2"), str) else None
        token_client = ServiceClient(base, service=self.service) if base else self.http
        answer = token_client.post(
            "oauth2/token",
            form={"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret},
        )
        return str(field(answer, "access_token", service=self.service, kind=str))

    def credentials(self, user: str | None = None) -> list[str]:
        body: dict[str, Any] = {"maxResults": 100}
        if user:
            body["userID"] = user
        answer = self.call("credentials/list", body)
        return [str(c) for c in field(answer, "credentialIDs", service=self.service, kind=list)]

    def credential_info(self, credential: str) -> dict[str, Any]:
        answer = self.call("credentials/info", {"credentialID": credential, "certificates": "chain", "certInfo": False})
        return dict(field(answer, service=self.service, kind=dict))

    def authorize(self, credential: str, digests: list[bytes], digest_algorithm: str, pin: str | None) -> str:
        hashes = [_b64(d) for d in digests]
        body: dict[str, Any] = {"credentialID": credential, "numSignatures": len(digests)}
        if self.version == "v1":
            body["hash"] = hashes
            if pin:
                body["PIN"] = pin
        else:
            body.update(hashes=hashes, hashAlgorithmOID=HASH_OIDS[digest_algorithm])
            if pin:
                body["authData"] = [{"id": "PIN", "value": pin}]
        return str(field(self.call("credentials/authorize", body), "SAD", service=self.service, kind=str))

    def sign_hash(
        self, credential: str, sad: str, digests: list[bytes], digest_algorithm: str, key_algorithm: str
    ) -> list[bytes]:
        sign_algo = RSA_OID if key_algorithm == "rsa" else ECDSA_OIDS[digest_algorithm]
        hashes = [_b64(d) for d in digests]
        body: dict[str, Any] = {"credentialID": credential, "SAD": sad, "signAlgo": sign_algo}
        if self.version == "v1":
            body.update(hash=hashes, hashAlgo=HASH_OIDS[digest_algorithm])
        else:
            body.update(hashes=hashes, hashAlgorithmOID=HASH_OIDS[digest_algorithm])
        values = field(self.call("signatures/signHash", body), "signatures", service=self.service, kind=list)
        return [b64decode(v, service=self.service, what="a signature value") for v in values]


class CscSigner(RemoteSigner):
    """One credential of a CSC service: its certificate chain read once, each batch authorised and signed."""

    service = "CSC"

    def __init__(self, client: CscClient, credential: str, pin: str | None = None) -> None:
        self.client = client
        self.credential = credential
        self._pin = pin
        if pin:
            client.http.secrets.add(pin)
        info = client.credential_info(credential)
        certificate, chain = certificates_of(info, service=client.service)
        usable_or_raise(info, service=client.service)
        super().__init__(certificate, chain)
        multisign = info.get("multisign")
        self.max_batch = multisign if isinstance(multisign, int) and multisign > 0 else 1
        self.service = client.service

    def _sign(self, digests: list[bytes], digest_algorithm: str, control: SigningControl) -> list[bytes]:
        control.raise_if_cancelled()
        sad = self.client.authorize(self.credential, digests, digest_algorithm, self._pin)
        return self.client.sign_hash(self.credential, sad, digests, digest_algorithm, self.key_algorithm)

    def __repr__(self) -> str:
        return f"<CscSigner {self.client.http.base_url} credential={self.credential!r}>"


def certificates_of(info: dict[str, Any], *, service: str) -> tuple[bytes, tuple[bytes, ...]]:
    """The signing certificate and its chain from a ``credentials/info`` answer (``cert.certificates``)."""
    values = field(info, "cert", "certificates", service=service, kind=list)
    if not values:
        raise SignerError(f"{service}: the credential has no certificate")
    ders = [b64decode(v, service=service, what="a certificate") for v in values]
    return ders[0], tuple(ders[1:])


def usable_or_raise(info: dict[str, Any], *, service: str) -> None:
    """A disabled key, or a certificate the service reports revoked, suspended or expired, cannot sign."""
    key_status = str((info.get("key") or {}).get("status", "enabled")).lower()
    cert_status = str((info.get("cert") or {}).get("status", "valid")).lower()
    if cert_status in ("revoked", "suspended", "expired"):
        raise CertificateRevokedError(f"{service}: the credential's certificate is {cert_status}")
    if key_status != "enabled":
        raise SignerError(f"{service}: the credential's key is {key_status}")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def open_csc(
    *,
    service_url: str,
    credential: str | None = None,
    signer_user: str | None = None,
    oauth_token: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    pin: str | None = None,
    api: str = "v1",
    timeout: float = 30.0,
) -> CscSigner:
    """Open ``credential`` (or the user's only one) at the CSC service ``service_url``."""
    client = CscClient(
        service_url,
        version=api,
        oauth_token=oauth_token,
        client_id=client_id,
        client_secret=client_secret,
        timeout=timeout,
    )
    if credential is None:
        found = client.credentials(signer_user)
        if len(found) != 1:
            listed = ", ".join(found[:10]) or "none"
            raise UsageError(
                f"CSC: choose the credential with --credential ({len(found)} found: {listed})", parameter="credential"
            )
        credential = found[0]
    return CscSigner(client, credential, pin)


__all__ = ["CscClient", "CscSigner", "open_csc"]
