"""Helpers for certificate tests: a tiny hand-made PKI (EC keys, fast) whose OCSP, CRL and AIA URLs point to a
hostile HTTP server on 127.0.0.1 that answers whatever a test asks for, and the real roots' copies."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(os.environ.get("KYSO_SHARED", Path(__file__).resolve().parents[2] / ".." / "shared")).resolve()
TRUST_COPIES = SHARED / "interop" / "trust"


@pytest.fixture(scope="session", name="trust_copies")
def trust_copies_fixture() -> Path:
    """The directory with copies of the real certificates (rootcag2.crt, cpcag2.crt, vnrca256.crt)."""
    if not all((TRUST_COPIES / n).is_file() for n in ("rootcag2.crt", "cpcag2.crt", "vnrca256.crt")):
        pytest.skip(f"copies of the real Vietnamese roots not found in {TRUST_COPIES} (set KYSO_SHARED)")
    return TRUST_COPIES


# --------------------------------------------------------------------------------------------- HTTP server


class QuietHandler(BaseHTTPRequestHandler):
    """Hands GET and POST (with the request body read) to ``_answer``, and logs nothing."""

    def _answer(self, body: bytes) -> None:
        raise NotImplementedError

    def do_GET(self) -> None:  # noqa: N802
        self._answer(b"")

    def do_POST(self) -> None:  # noqa: N802
        self._answer(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    """Serves ``handler`` on 127.0.0.1 (a free port, yielded) from a daemon thread until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Route:
    body: bytes | Callable[[bytes], bytes]
    content_type: str = "application/octet-stream"
    delay: float = 0.0


@dataclass
class HostileServer:
    """Answers GET/POST on ``/<path>`` from :attr:`routes`; counts requests per path."""

    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"


@pytest.fixture(scope="session", name="hostile_server")
def hostile_server_fixture() -> Iterator[HostileServer]:
    state = HostileServer(port=0)

    class Handler(QuietHandler):
        def _answer(self, body: bytes) -> None:
            path = self.path.lstrip("/")
            state.hits[path] = state.hits.get(path, 0) + 1
            route = state.routes.get(path)
            if route is None:
                self.send_response(404)
                self.end_headers()
                return
            if route.delay:
                time.sleep(route.delay)
            data = route.body(body) if callable(route.body) else route.body
            try:
                self.send_response(200)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (timeout test)

    with serving(Handler) as state.port:
        yield state


# --------------------------------------------------------------------------------------------- mini PKI


@dataclass
class Issued:
    cert: Any  # cryptography certificate
    key: Any

    @property
    def der(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.cert.public_bytes(serialization.Encoding.PEM)


def new_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())


def issue(
    common_name: str,
    *,
    issuer: Issued | None = None,
    key: Any = None,
    ca: bool = False,
    path_length: int | None = None,
    ocsp_url: str | None = None,
    crl_url: str | None = None,
    aia_url: str | list[str] | None = None,
    key_usage: str = "signing",
    issuer_name: str | None = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    signing_key: Any = None,
) -> Issued:
    """A certificate: self-signed when ``issuer`` is None (unless ``issuer_name`` names another subject);
    ``signing_key`` signs it instead of the issuer's key (a forgery that names the real issuer)."""
    from cryptography import x509
    from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

    from kyso.testing.certificates import certificate
    from kyso.testing.certificates import key_usage as key_usage_value

    key = key or new_key()
    now = datetime.now(UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "kyso hostile test - không có giá trị"),
                x509.NameAttribute(NameOID.COMMON_NAME, cn),
            ]
        )

    signing_key = signing_key or (issuer.key if issuer else key)
    extensions = [(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)]
    if issuer is not None:
        extensions.append((x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), False))
    if ca:
        usage = key_usage_value("key_cert_sign", "crl_sign")
    elif key_usage == "signing":
        usage = key_usage_value("digital_signature", "content_commitment")
    else:
        usage = key_usage_value(*(["key_encipherment"] if key_usage == "encryption" else []))
    extensions.append((usage, True))
    if key_usage == "ocsp":
        extensions.append((x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), True))
    access = []
    if ocsp_url:
        access.append(
            x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url))
        )
    for url in [aia_url] if isinstance(aia_url, str) else aia_url or []:
        access.append(
            x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(url))
        )
    if access:
        extensions.append((x509.AuthorityInformationAccess(access), False))
    if crl_url:
        points = [x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)]
        extensions.append((x509.CRLDistributionPoints(points), False))
    cert = certificate(
        name(common_name),
        issuer=issuer.cert.subject if issuer else name(issuer_name or common_name),
        public_key=key.public_key(),
        signing_key=signing_key,
        not_before=not_before or now - timedelta(days=30),
        not_after=not_after or now + timedelta(days=365),
        ca=ca,
        path_length=path_length if ca else None,
        extensions=extensions,
    )
    return Issued(cert, key)


def ocsp_answer(
    request: bytes,
    *,
    issuer: Issued,
    signer: Issued | None = None,
    signing_key: Any = None,
    revoked: bool = False,
    nonce: bytes | None | str = "echo",
    valid_for: timedelta = timedelta(hours=1),
) -> bytes:
    """A signed OCSP response for the request: by ``issuer`` itself, a delegated ``signer``, or a wrong key."""
    from asn1crypto import core, ocsp
    from asn1crypto import x509 as ax
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    parsed = ocsp.OCSPRequest.load(request)
    cert_id = parsed["tbs_request"]["request_list"][0]["req_cert"]
    now = datetime.now(UTC).replace(microsecond=0)
    responder = signer or issuer
    status = (
        ocsp.CertStatus(
            {"revoked": {"revocation_time": now - timedelta(days=1), "revocation_reason": "key_compromise"}}
        )
        if revoked
        else ocsp.CertStatus({"good": core.Null()})
    )
    extensions = []
    value = parsed.nonce_value.native if nonce == "echo" and parsed.nonce_value else nonce
    if value:
        extensions.append({"extn_id": "nonce", "critical": False, "extn_value": value})
    data = ocsp.ResponseData(
        {
            "responder_id": ocsp.ResponderId({"by_key": ax.Certificate.load(responder.der).public_key.sha1}),
            "produced_at": now,
            "responses": [
                {
                    "cert_id": cert_id,
                    "cert_status": status,
                    "this_update": now,
                    "next_update": now + valid_for,
                }
            ],
            "response_extensions": extensions or None,
        }
    )
    key = signing_key or responder.key
    signature = key.sign(data.dump(), ec.ECDSA(hashes.SHA256()))
    basic = ocsp.BasicOCSPResponse(
        {
            "tbs_response_data": data,
            "signature_algorithm": {"algorithm": "sha256_ecdsa"},
            "signature": signature,
            "certs": [ax.Certificate.load(signer.der)] if signer else None,
        }
    )
    return ocsp.OCSPResponse(
        {
            "response_status": "successful",
            "response_bytes": {"response_type": "basic_ocsp_response", "response": basic},
        }
    ).dump()


def crl_of(issuer: Issued, *, signing_key: Any = None, revoked: tuple[int, ...] = ()) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    now = datetime.now(UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(now - timedelta(minutes=5))
        .next_update(now + timedelta(hours=1))
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    )
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now - timedelta(days=1)).build()
        )
    return builder.sign(signing_key or issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


@dataclass
class MiniPKI:
    root: Issued
    ca: Issued
    server: HostileServer

    def person(self, name: str, **urls: str) -> Issued:
        """An end entity of ``ca`` whose service URLs are paths on the hostile server."""
        return issue(
            f"Người thử {name}",
            issuer=self.ca,
            **{k: self.server.url(v) for k, v in urls.items()},
        )


@pytest.fixture(scope="session", name="mini_pki")
def mini_pki_fixture(hostile_server: HostileServer) -> MiniPKI:
    root = issue("Hostile Test Root", ca=True)
    ca = issue("Hostile Test CA", issuer=root, ca=True, path_length=0)
    return MiniPKI(root=root, ca=ca, server=hostile_server)
