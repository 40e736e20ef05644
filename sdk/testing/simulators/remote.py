"""A remote-signing simulator: VNPT SmartCA (SP769), Viettel MySign and a CSC API v2 service on one HTTP server
(werkzeug, 127.0.0.1), with SQLite state and a control endpoint standing in for the user's phone.

A SIMULATOR, not a service: the keys are the test PKI's, the secrets are fixed test values, nothing is secure. It
plays the shapes of the public integration documents (see :mod:`kyso.signers.remote.smartca`,
:mod:`kyso.signers.remote.mysign`, :mod:`kyso.signers.remote.csc`) so that Kyso's clients run against real HTTP:

- SmartCA under ``/sca/sp769``: ``v1/credentials/get_certificate``, ``v1/signatures/sign`` (``sign_files[]``,
  hex digests) -> ``transaction_id`` + ``tran_code``, ``v1/signatures/sign/{id}/status`` (``signatures`` null while
  waiting; ``status_code`` 4001 expired, 4002 rejected, 4005 out of quota);
- MySign under ``/vtss/service``: ``ras/v1/login`` -> ``access_token``, ``certificates/info``, ``signHash``
  (``async``) -> ``transactionId``, ``requests/status`` (``status`` 4000 waiting, 6000 signing, 1 signed, 4001,
  4002, 4004, 4005);
- CSC v2 under ``/csc/v2`` (``info``, ``credentials/list|info|authorize``, ``signatures/signHash``, synchronous)
  and ``/oauth2/token`` (client credentials).

The phone (control API, :class:`RemoteSigningControl` is its client):

- ``POST /_sim/phone`` ``{"action": "confirm" | "reject" | "expire", "transaction": ID}`` (default: the latest
  waiting transaction);
- ``GET /_sim/transactions``: every transaction with its service, state, number of digests and of status polls;
- ``POST /_sim/config`` ``{"auto": "confirm" | "reject" | "expire" | "", "auto_after": seconds, "answer": "good" |
  "tamper" | "wrong_key", "quota": N (signatures left, -1 unlimited), "expires_in": seconds}``; ``POST /_sim/reset``.

Accounts (:data:`USERS`): ``079090001234`` holds the ``person`` certificate, ``079090005678`` holds ``person``
and ``organisation`` (the caller must choose), ``revoked-user`` holds the ``revoked`` one, which the service
reports revoked.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from kyso.testing.serving import ServedInThread

SP_ID = "kyso-sp"
SP_SECRET = "kyso-sp-secret"
"""The service provider's (or OAuth2 client's) id and secret every service of the simulator accepts."""
PIN = "1234"
"""The CSC credentials' PIN."""
USERS = {"079090001234": ("person",), "079090005678": ("person", "organisation"), "revoked-user": ("revoked",)}
"""Accounts -> the test PKI entities whose keys they hold."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS transactions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    service TEXT NOT NULL,
    tran_code TEXT NOT NULL,
    user TEXT NOT NULL,
    credential TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    digests TEXT NOT NULL,
    doc_ids TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'waiting',
    created REAL NOT NULL,
    expires REAL NOT NULL,
    signatures TEXT,
    polls INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS config (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, user TEXT);
CREATE TABLE IF NOT EXISTS sads (sad TEXT PRIMARY KEY, credential TEXT NOT NULL, digests TEXT NOT NULL);
"""
DEFAULTS: dict[str, Any] = {"auto": "", "auto_after": 0.0, "answer": "good", "quota": -1, "expires_in": 120.0}
_HASHES = {"2.16.840.1.101.3.4.2.1": "sha256", "2.16.840.1.101.3.4.2.2": "sha384", "2.16.840.1.101.3.4.2.3": "sha512"}


@dataclass(frozen=True)
class Credential:
    """A key the service holds for a user: its id is the certificate's serial in hex."""

    user: str
    id: str
    entity: str
    key: Any
    certificate: bytes
    chain: tuple[bytes, ...]
    status: str = "valid"


class RemoteSigningSimulator(ServedInThread):
    """SmartCA-, MySign- and CSC-shaped signing services over the test PKI's keys; state in SQLite."""

    name = "remote-signing"

    def __init__(self, directory: Path | str, credentials: list[Credential], port: int = 0) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.database = self.directory / "remote-signing-simulator.sqlite3"
        self.credentials = credentials
        self.host = "127.0.0.1"
        self.port = port
        self._lock = threading.RLock()
        self.handling = 0.0
        """Seconds spent answering requests (what a benchmark subtracts: the service's time, not the client's)."""
        with self.db() as db:
            db.executescript(SCHEMA)

    @classmethod
    def from_pki(cls, pki: Any, directory: Path | str) -> RemoteSigningSimulator:
        """The accounts of :data:`USERS` with the keys and certificates of the test PKI ``pki``."""
        from cryptography.hazmat.primitives import serialization

        def der(name: str) -> bytes:
            from cryptography import x509

            return x509.load_pem_x509_certificate(pki.cert(name).read_bytes()).public_bytes(serialization.Encoding.DER)

        chain = (der("issuing_ca"), der("root"))
        keys = {
            name: serialization.load_pem_private_key(pki.key(name).read_bytes(), None)
            for name in {n for names in USERS.values() for n in names}
        }
        credentials = [
            Credential(
                user=user,
                id=format(pki.serial(name), "x"),
                entity=name,
                key=keys[name],
                certificate=der(name),
                chain=chain,
                status="revoked" if name == "revoked" else "valid",
            )
            for user, names in USERS.items()
            for name in names
        ]
        return cls(directory, credentials)

    # -- state ------------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def db(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            connection = sqlite3.connect(self.database, timeout=10)
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA synchronous = OFF")  # test state: no fsync per request
            try:
                with connection:
                    yield connection
            finally:
                connection.close()

    def config(self) -> dict[str, Any]:
        with self.db() as db:
            rows = db.execute("SELECT key, value FROM config").fetchall()
        return {**DEFAULTS, **{r["key"]: json.loads(r["value"]) for r in rows}}

    def configure(self, **values: Any) -> None:
        unknown = set(values) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown setting {sorted(unknown)}")
        with self.db() as db:
            for key, value in values.items():
                db.execute("INSERT OR REPLACE INTO config (key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def reset(self) -> None:
        with self.db() as db:
            db.execute("DELETE FROM config")
            db.execute("DELETE FROM transactions")

    def transactions(self) -> list[dict[str, Any]]:
        with self.db() as db:
            rows = db.execute("SELECT * FROM transactions ORDER BY seq").fetchall()
        return [
            {k: r[k] for k in ("id", "service", "tran_code", "user", "credential", "state", "polls")}
            | {"count": len(json.loads(r["digests"]))}
            for r in rows
        ]

    def phone(self, action: str, transaction: str | None = None) -> str | None:
        """What the user does on the phone: ``confirm``, ``reject`` or ``expire`` (let it lapse) a waiting
        transaction (the latest one by default); its id, or ``None`` when none is waiting."""
        if action not in ("confirm", "reject", "expire"):
            raise ValueError(f"unknown action {action!r}")
        with self.db() as db:
            if transaction is None:
                row = db.execute("SELECT * FROM transactions WHERE state = 'waiting' ORDER BY seq DESC").fetchone()
            else:
                row = db.execute(
                    "SELECT * FROM transactions WHERE id = ? AND state = 'waiting'", (transaction,)
                ).fetchone()
            if row is None:
                return None
            if action == "confirm":
                signatures = self._signatures(row)
                db.execute(
                    "UPDATE transactions SET state = 'signed', signatures = ? WHERE id = ?",
                    (json.dumps(signatures), row["id"]),
                )
            else:
                state = "rejected" if action == "reject" else "expired"
                db.execute("UPDATE transactions SET state = ? WHERE id = ?", (state, row["id"]))
            return str(row["id"])

    def _credential(self, user: str, credential: str) -> Credential | None:
        return next((c for c in self.credentials if c.user == user and c.id == credential.lower()), None)

    def _signatures(self, row: sqlite3.Row) -> list[str]:
        """The signature values of a confirmed transaction, as configured (``good``, ``tamper``, ``wrong_key``)."""
        credential = self._credential(row["user"], row["credential"])
        assert credential is not None
        answer = self.config()["answer"]
        key = credential.key
        if answer == "wrong_key":
            key = next(c.key for c in self.credentials if c.entity != credential.entity)
        values = [_sign(key, base64.b64decode(d), row["algorithm"]) for d in json.loads(row["digests"])]
        if answer == "tamper":
            values = [v[:-1] + bytes([v[-1] ^ 1]) for v in values]
        return [base64.b64encode(v).decode("ascii") for v in values]

    def _start(
        self, service: str, user: str, credential: str, algorithm: str, digests: list[bytes], doc_ids: list[str]
    ) -> tuple[str, str]:
        config = self.config()
        transaction, code = uuid.uuid4().hex, f"{secrets.randbelow(10**6):06d}"
        now = time.time()
        with self.db() as db:
            db.execute(
                "INSERT INTO transactions (id, service, tran_code, user, credential, algorithm, digests, doc_ids,"
                " created, expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    transaction,
                    service,
                    code,
                    user,
                    credential.lower(),
                    algorithm,
                    json.dumps([base64.b64encode(d).decode("ascii") for d in digests]),
                    json.dumps(doc_ids),
                    now,
                    now + float(config["expires_in"]),
                ),
            )
        return transaction, code

    def _take_quota(self, count: int) -> bool:
        quota = int(self.config()["quota"])
        if quota < 0:
            return True
        if quota < count:
            return False
        self.configure(quota=quota - count)
        return True

    def _state(self, transaction: str) -> sqlite3.Row | None:
        """The transaction after one more status poll: auto actions and expiry applied."""
        config = self.config()
        with self.db() as db:
            row = db.execute("SELECT * FROM transactions WHERE id = ?", (transaction,)).fetchone()
            if row is None:
                return None
            db.execute("UPDATE transactions SET polls = polls + 1 WHERE id = ?", (transaction,))
        if row["state"] == "waiting":
            if config["auto"] and time.time() - row["created"] >= float(config["auto_after"]):
                self.phone(config["auto"], transaction)
            elif time.time() > row["expires"]:
                self.phone("expire", transaction)
        with self.db() as db:
            row = db.execute("SELECT * FROM transactions WHERE id = ?", (transaction,)).fetchone()
        return row

    # -- HTTP -------------------------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        started = time.perf_counter()
        try:
            return self._answer(environ, start_response)
        finally:
            with self._lock:
                self.handling += time.perf_counter() - started

    def _answer(self, environ: dict[str, Any], start_response: Any) -> Any:
        from werkzeug.exceptions import HTTPException, NotFound
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        path = request.path
        try:
            if path.startswith("/_sim/"):
                response = self._control(request, path[len("/_sim/") :])
            elif path.startswith("/sca/sp769/"):
                response = self._smartca(request, path[len("/sca/sp769/") :])
            elif path.startswith("/vtss/service/"):
                response = self._mysign(request, path[len("/vtss/service/") :])
            elif path.startswith("/csc/v2/") or path == "/oauth2/token":
                response = self._csc(request, path.removeprefix("/csc/v2/"))
            else:
                raise NotFound()
        except HTTPException as exc:
            response = exc.get_response(environ)
        except Exception as exc:  # a simulator bug: answer 500, never hang
            response = Response(f"simulator error: {exc.__class__.__name__}: {exc}", status=500)
        return response(environ, start_response)

    def _control(self, request: Any, path: str) -> Any:
        from werkzeug.exceptions import BadRequest, NotFound

        if path == "info":
            return _json({"simulator": self.name})
        if path == "transactions":
            return _json(self.transactions())
        body = request.get_json(force=True, silent=True) or {}
        try:
            if path == "phone" and request.method == "POST":
                return _json({"transaction": self.phone(str(body.get("action")), body.get("transaction"))})
            if path == "config" and request.method == "POST":
                self.configure(**body)
                return _json(self.config())
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        if path == "reset" and request.method == "POST":
            self.reset()
            return _json({"ok": True})
        raise NotFound()

    def _smartca(self, request: Any, path: str) -> Any:
        body = request.get_json(force=True, silent=True) or {}
        if body.get("sp_id") != SP_ID or body.get("sp_password") != SP_SECRET:
            return _json({"status_code": 401, "message": "Unauthorized"}, 401)
        user = str(body.get("user_id", ""))
        if path == "v1/credentials/get_certificate":
            certificates = [
                {
                    "service_type": "SMARTCA",
                    "service_name": "SmartCA PS0",
                    "cert_id": c.id,
                    "cert_status": "Đã thu hồi" if c.status == "revoked" else "Đang hoạt động",
                    "serial_number": c.id,
                    "cert_subject": c.entity,
                    "cert_data": _b64(c.certificate),
                    "chain_data": {"ca_cert": _b64(c.chain[0]), "root_cert": _b64(c.chain[1])},
                }
                for c in self.credentials
                if c.user == user
            ]
            return _json({"status_code": 200, "message": "success", "data": {"user_certificates": certificates}})
        if path == "v1/signatures/sign":
            credential = self._credential(user, str(body.get("serial_number", "")))
            if credential is None:
                return _json({"status_code": 60000, "message": "Credential not exist"})
            if credential.status == "revoked":
                return _json({"status_code": 60003, "message": "Credential status invalid"})
            files = body.get("sign_files") or []
            if not files or any(f.get("sign_type") != "hash" for f in files):
                return _json({"status_code": 62010, "message": "Signature data request invalid format"})
            digests = [bytes.fromhex(f["data_to_be_signed"]) for f in files]
            if not self._take_quota(len(digests)):
                return _json({"status_code": 4005, "message": "Out of quota"})
            algorithm = {32: "sha256", 48: "sha384", 64: "sha512"}[len(digests[0])]
            transaction, code = self._start(
                "smartca", user, credential.id, algorithm, digests, [str(f["doc_id"]) for f in files]
            )
            return _json(
                {
                    "status_code": 200,
                    "message": "WAITING_FOR_SIGNER_CONFIRM",
                    "data": {"transaction_id": transaction, "tran_code": code},
                }
            )
        parts = path.split("/")
        if len(parts) == 5 and parts[:3] == ["v1", "signatures", "sign"] and parts[4] == "status":
            row = self._state(parts[3])
            if row is None:
                return _json({"status_code": 62000, "message": "Signature transaction not found"})
            codes = {"rejected": (4002, "REJECTED"), "expired": (4001, "EXPIRED")}
            if row["state"] in codes:
                status_code, message = codes[row["state"]]
                return _json({"status_code": status_code, "message": message, "data": None})
            signatures = None
            if row["state"] == "signed":
                signatures = [
                    {"doc_id": d, "signature_value": v, "timestamp_signature": None}
                    for d, v in zip(json.loads(row["doc_ids"]), json.loads(row["signatures"]), strict=True)
                ]
            return _json(
                {
                    "status_code": 200,
                    "message": "success",
                    "data": {"transaction_id": row["id"], "signatures": signatures},
                }
            )
        return _json({"status_code": 404, "message": "not found"}, 404)

    def _token_user(self, request: Any) -> str | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        with self.db() as db:
            row = db.execute("SELECT user FROM tokens WHERE token = ?", (header[7:],)).fetchone()
        return None if row is None else str(row["user"] or "")

    def _issue_token(self, user: str | None) -> str:
        token = secrets.token_urlsafe(24)
        with self.db() as db:
            db.execute("INSERT INTO tokens (token, user) VALUES (?, ?)", (token, user))
        return token

    def _mysign(self, request: Any, path: str) -> Any:
        body = request.get_json(force=True, silent=True) or {}
        if path == "ras/v1/login":
            if body.get("client_id") != SP_ID or body.get("client_secret") != SP_SECRET:
                return _json({"error": "invalid_client", "error_description": "Bad client credentials"}, 401)
            return _json({"access_token": self._issue_token(str(body.get("user_id", ""))), "token_type": "Bearer"})
        user = self._token_user(request)
        if user is None:
            return _json({"error": "invalid_token", "error_description": "Unauthorized"}, 401)
        if path == "certificates/info":
            return _json(
                [
                    {
                        "credential_id": c.id,
                        "key": {"status": "enabled"},
                        "cert": {"status": c.status, "certificates": [_b64(c.certificate), *map(_b64, c.chain)]},
                    }
                    for c in self.credentials
                    if c.user == user
                ]
            )
        if path == "signHash":
            credential = self._credential(user, str(body.get("credentialID", "")))
            if credential is None:
                return _json({"error": "invalid_request", "error_description": "Invalid credentialID"}, 400)
            digests = [base64.b64decode(h) for h in body.get("hash") or []]
            algorithm = _HASHES.get(str(body.get("hashAlgo")))
            if not digests or algorithm is None or len(digests) != body.get("numSignatures"):
                return _json({"error": "invalid_request", "error_description": "Invalid hash"}, 400)
            transaction, _ = self._start(
                "mysign",
                user,
                credential.id,
                algorithm,
                digests,
                [str(d.get("document_id")) for d in body.get("documents") or []],
            )
            if credential.status == "revoked":
                self._finish(transaction, "revoked")
            elif not self._take_quota(len(digests)):
                self._finish(transaction, "quota")
            return _json({"transactionId": transaction})
        if path == "requests/status":
            row = self._state(str(body.get("transactionId", "")))
            if row is None:
                return _json({"error": "invalid_request", "error_description": "Unknown transaction"}, 400)
            codes = {
                "waiting": 4000,
                "signing": 6000,
                "signed": 1,
                "expired": 4001,
                "rejected": 4002,
                "failed": 4004,
                "quota": 4005,
                "revoked": 13004,
            }
            answer: dict[str, Any] = {"transactionId": row["id"], "status": codes[row["state"]]}
            if row["state"] == "signed":
                answer["signatures"] = json.loads(row["signatures"])
            return _json(answer)
        return _json({"error": "not_found"}, 404)

    def _finish(self, transaction: str, state: str) -> None:
        with self.db() as db:
            db.execute("UPDATE transactions SET state = ? WHERE id = ?", (state, transaction))

    def _csc(self, request: Any, path: str) -> Any:
        if path == "/oauth2/token":
            form = request.form
            if form.get("grant_type") != "client_credentials" or (form.get("client_id"), form.get("client_secret")) != (
                SP_ID,
                SP_SECRET,
            ):
                return _json({"error": "invalid_client"}, 401)
            return _json({"access_token": self._issue_token(None), "token_type": "Bearer", "expires_in": 3600})
        body = request.get_json(force=True, silent=True) or {}
        if path == "info":
            return _json(
                {
                    "specs": "2.0.0.2",
                    "name": "Kyso CSC v2 simulator",
                    "oauth2": self.url,
                    "methods": ["credentials/list", "credentials/info", "credentials/authorize", "signatures/signHash"],
                }
            )
        if self._token_user(request) is None:
            return _json({"error": "invalid_token", "error_description": "Unauthorized"}, 401)
        if path == "credentials/list":
            user = body.get("userID")
            return _json({"credentialIDs": [c.id for c in self.credentials if user in (None, c.user)]})
        credential = next((c for c in self.credentials if c.id == str(body.get("credentialID", ""))), None)
        if credential is None:
            return _json({"error": "invalid_request", "error_description": "Invalid credentialID"}, 400)
        if path == "credentials/info":
            return _json(
                {
                    "key": {"status": "enabled", "algo": ["1.2.840.113549.1.1.1"], "len": 2048},
                    "cert": {
                        "status": credential.status,
                        "certificates": [_b64(credential.certificate), *map(_b64, credential.chain)],
                    },
                    "authMode": "explicit",
                    "SCAL": "2",
                    "multisign": 50,
                }
            )
        if path == "credentials/authorize":
            pin = next((a.get("value") for a in body.get("authData") or [] if a.get("id") == "PIN"), None)
            if pin != PIN:
                return _json({"error": "invalid_pin", "error_description": "The PIN is invalid"}, 400)
            sad = secrets.token_urlsafe(16)
            with self.db() as db:
                db.execute(
                    "INSERT INTO sads (sad, credential, digests) VALUES (?, ?, ?)",
                    (sad, credential.id, json.dumps(sorted(body.get("hashes") or []))),
                )
            return _json({"SAD": sad, "expiresIn": 300})
        if path == "signatures/signHash":
            with self.db() as db:
                row = db.execute("SELECT * FROM sads WHERE sad = ?", (str(body.get("SAD", "")),)).fetchone()
                db.execute("DELETE FROM sads WHERE sad = ?", (str(body.get("SAD", "")),))
            hashes = body.get("hashes") or []
            if row is None or row["credential"] != credential.id or json.loads(row["digests"]) != sorted(hashes):
                return _json({"error": "invalid_request", "error_description": "Invalid SAD"}, 400)
            algorithm = _HASHES[str(body.get("hashAlgorithmOID"))]
            return _json({"signatures": [_b64(_sign(credential.key, base64.b64decode(h), algorithm)) for h in hashes]})
        return _json({"error": "not_found"}, 404)

    # -- server -----------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def smartca_url(self) -> str:
        return self.url + "/sca/sp769"

    def start(self) -> Self:
        self.port = self.serve_wsgi(self, self.host, self.port, name="remote-signing-simulator")
        return self


class RemoteSigningControl:
    """Client of the simulator's ``/_sim/`` API: the phone, for tests and examples in this or another process."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        import requests

        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        response = self.session.post(f"{self.base_url}/_sim/{path}", json=body, timeout=self.timeout)
        response.raise_for_status()
        return response.json()

    def phone(self, action: str, transaction: str | None = None) -> str | None:
        return self._post("phone", {"action": action, "transaction": transaction})["transaction"]

    def configure(self, **values: Any) -> dict[str, Any]:
        return dict(self._post("config", values))

    def reset(self) -> None:
        self._post("reset", {})

    def transactions(self) -> list[dict[str, Any]]:
        response = self.session.get(f"{self.base_url}/_sim/transactions", timeout=self.timeout)
        response.raise_for_status()
        return list(response.json())

    def when_waiting(self, action: str = "confirm", *, timeout: float = 20.0, count: int = 1) -> threading.Thread:
        """A started thread that does ``action`` on the phone for the next ``count`` transactions, as soon as each
        is waiting (the user picking up the phone)."""
        known = {t["id"] for t in self.transactions()}

        def act() -> None:
            deadline = time.monotonic() + timeout
            done = 0
            while done < count and time.monotonic() < deadline:
                fresh = [t for t in self.transactions() if t["id"] not in known and t["state"] == "waiting"]
                for transaction in fresh:
                    self.phone(action, transaction["id"])
                    known.add(transaction["id"])
                    done += 1
                time.sleep(0.02)

        thread = threading.Thread(target=act, name="kyso-test-phone", daemon=True)
        thread.start()
        return thread


def _sign(key: Any, digest: bytes, algorithm: str) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

    algorithms: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
        "sha256": hashes.SHA256,
        "sha384": hashes.SHA384,
        "sha512": hashes.SHA512,
    }
    prehashed = Prehashed(algorithms[algorithm]())
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return bytes(key.sign(digest, ec.ECDSA(prehashed)))
    return bytes(key.sign(digest, padding.PKCS1v15(), prehashed))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _json(value: Any, status: int = 200) -> Any:
    from kyso.testing.simulators.base import json_response

    return json_response(value, status)


__all__ = ["PIN", "SP_ID", "SP_SECRET", "USERS", "Credential", "RemoteSigningControl", "RemoteSigningSimulator"]
