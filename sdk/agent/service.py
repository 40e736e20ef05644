"""The agent's server: VGCA Sign Service calls over WebSocket, plus ``GET /kyso.js`` and ``GET /health`` on the
same port (the ``websockets`` library's ``process_request`` hook answers plain HTTP).

A call: the handshake's ``Host`` must name this machine and its ``Origin`` be allowlisted; the client has
:attr:`Policy.message_timeout` seconds to send its one message; the work (download, consent, signing, upload) runs
in a worker thread, at most :attr:`Policy.max_concurrent` at once; one reply, then the socket closes. Every call is
written to the audit log.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kyso.agent import transfer
from kyso.agent.audit import AuditLog
from kyso.agent.consent import Allowlisted, Asker, ConsentRequest
from kyso.agent.policy import Policy, local_host
from kyso.agent.protocol import (
    ENDPOINTS,
    KNOWN_VGCA_ENDPOINTS,
    SIGN_ENDPOINTS,
    CallRefused,
    SignReply,
    Status,
    message,
    parse_object,
    refused_reply,
    sign_call,
    xml_call,
)
from kyso.core.errors import (
    InputError,
    KysoError,
    SignerError,
    UsageError,
    WrongPasswordError,
)
from kyso.core.signer import Signer

KYSO_JS = Path(__file__).with_name("kyso.js")
KIND_LABELS = {
    "approval": "Ký duyệt",
    "issuance": "Ký phát hành",
    "income": "Ký văn bản đến",
    "copy": "Ký bản sao",
    "attachment": "Ký văn bản kèm theo",
    None: "Ký số PDF",
    "xml": "Ký số XML",
}


class SignerSource:
    """Where the agent's signer comes from. With the secret (PIN, password) given at start (``--pin-env`` ...), the
    signer is opened once; without it, ``needs_pin`` is true and each call opens it with the PIN typed in the
    consent dialog (and closes it after)."""

    def __init__(self, description: str, open_signer: Callable[[str | None], Signer], *, needs_pin: bool) -> None:
        self.description = description
        self.needs_pin = needs_pin
        self._open = open_signer
        self._signer: Signer | None = None
        self._lock = threading.Lock()
        self.certificate: bytes | None = None
        """The certificate, once a signer was opened."""

    def open(self, pin: str | None) -> Signer:
        if not self.needs_pin:
            with self._lock:
                if self._signer is None:
                    self._signer = self._open(None)
                    self.certificate = self._signer.certificate
                return self._signer
        signer = self._open(pin)
        self.certificate = signer.certificate
        return signer

    def release(self, signer: Signer) -> None:
        if self.needs_pin:
            close = getattr(signer, "close", None)
            if callable(close):
                close()

    def close(self) -> None:
        if self._signer is not None:
            close = getattr(self._signer, "close", None)
            if callable(close):
                close()
            self._signer = None

    def shown(self, *, common_name: bool = False) -> str:
        """The certificate's subject (or only its common name) for the consent dialog and ``Config``, or the
        backend's description before a signer was opened."""
        if self.certificate is None:
            return self.description
        info = certificate_info(self.certificate)
        return info["SubjectCN"] if common_name else info["Subject"]


@functools.lru_cache(maxsize=16)
def certificate_info(der: bytes) -> dict[str, str]:
    """A certificate as ``GetCertInfo`` answers it (cached: the audit log names the signer on every call)."""
    from cryptography import x509

    cert = x509.load_der_x509_certificate(der)
    names = cert.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    return {
        "SubjectCN": str(names[0].value) if names else "",
        "Subject": cert.subject.rfc4514_string(),
        "Issuer": cert.issuer.rfc4514_string(),
        "SerialNumber": format(cert.serial_number, "X"),
        "NotBefore": cert.not_valid_before_utc.isoformat(),
        "NotAfter": cert.not_valid_after_utc.isoformat(),
        "Base64Cert": base64.b64encode(der).decode(),
    }


@dataclass
class AgentSettings:
    """What the service signs with besides the signer: the kinds' images and texts, the trust of VerifyPDF."""

    image: bytes | None = None
    """The handwritten signature (PNG) of SignApproved."""
    seal: bytes | None = None
    """The organisation's seal (PNG) of SignIssued."""
    anchor: str | None = None
    """SignApproved: the signer's title or name printed on the page, the image goes above it (default: the
    certificate's common name)."""
    organization: str | None = None
    copy_form: str = "SAO Y"
    trust: tuple[Path, ...] = ()
    session_cookie: str = "SessionId"
    unsent_dir: Path | None = None
    """Where a signed file whose upload failed is kept for retry."""
    tls: bool = False
    consent_mode: str = "allowlisted"
    extra: dict[str, Any] = field(default_factory=dict)

    def appearance(self, kind: str | None, call: Any) -> dict[str, Any]:
        """The kind options of ``kyso.sign`` for one call (SignIssued: the page's DocNumber and IssuedDate)."""
        options: dict[str, Any]
        if kind == "approval":
            options = {"image": self.image} if self.image else {}
            if self.anchor:
                options["anchor"] = self.anchor
            return options
        if kind == "issuance":
            options = {"seal": self.seal} if self.seal else {}
            if call.doc_number:
                options["doc_number"] = call.doc_number
            if call.issued_date:
                options["issued_date"] = call.issued_date.isoformat()
            return options
        if kind == "attachment":
            options = {"doc_number": call.doc_number} if call.doc_number else {}
            if call.issued_date:
                options["issued_date"] = call.issued_date.isoformat()
            return options
        if kind == "copy":
            return {"copy_form": self.copy_form, "organization": self.organization or ""}
        if kind == "income":
            options = {"meta": [f"{k}={v}" for k, v in call.metadata]} if call.metadata else {}
            if self.organization:
                options["organization"] = self.organization
            return options
        return {}


class AgentService:
    """One agent: policy, signer, consent, audit; :meth:`serve` runs it, :meth:`start` runs it in a thread."""

    def __init__(
        self,
        signer: SignerSource,
        policy: Policy,
        *,
        consent: Asker | None = None,
        audit: AuditLog | None = None,
        settings: AgentSettings | None = None,
        host: str = "127.0.0.1",
        port: int = 8987,
        ssl_context: Any = None,
    ) -> None:
        self.signer = signer
        self.policy = policy
        self.consent = consent or Allowlisted()
        self.audit = audit
        self.settings = settings or AgentSettings()
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Future[None] | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()

    @property
    def url(self) -> str:
        return f"{'wss' if self.ssl_context else 'ws'}://127.0.0.1:{self.port}"

    # -- the server -------------------------------------------------------------------------------------------

    async def serve(self, ready: Callable[[AgentService], None] | None = None) -> None:
        """Serve until :meth:`stop`; ``ready`` is called once the port is bound (``self.port`` then the real one)."""
        from websockets.asyncio.server import serve

        self._loop = asyncio.get_running_loop()
        self._stop = self._loop.create_future()
        self._semaphore = asyncio.Semaphore(self.policy.max_concurrent)
        async with serve(
            self._connection,
            self.host,
            self.port,
            ssl=self.ssl_context,
            process_request=self._http,
            max_size=16 * 1024 * 1024,  # SignXML's Base64Content; PDF calls carry URLs only
            open_timeout=self.policy.message_timeout,
            close_timeout=2,
            server_header="kyso-agent",
        ) as server:
            self.port = next(iter(server.sockets)).getsockname()[1]
            if ready is not None:
                ready(self)
            self._started.set()
            await self._stop

    def start(self) -> AgentService:
        """Serve in a daemon thread (tests, examples); returns once the port is bound."""
        self._thread = threading.Thread(target=lambda: asyncio.run(self.serve()), name="kyso-agent", daemon=True)
        self._thread.start()
        if not self._started.wait(15):
            raise RuntimeError("the agent did not start")
        return self

    def stop(self) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(lambda: None if stop.done() else stop.set_result(None))
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.signer.close()

    def _http(self, connection: Any, request: Any) -> Any:
        """Plain HTTP on the WebSocket port: ``/kyso.js``, ``/health``; a WebSocket handshake goes on (None)."""
        from http import HTTPStatus

        if not local_host(request.headers.get("Host"), self.port):
            return connection.respond(HTTPStatus.FORBIDDEN, "Host is not this machine\n")
        path = request.path.split("?", 1)[0]
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return None
        if path == "/health":
            body = json.dumps({"status": "ok", "service": "kyso-agent"}) + "\n"
            return _typed(connection.respond(HTTPStatus.OK, body), "application/json")
        if path == "/kyso.js":
            response = _typed(connection.respond(HTTPStatus.OK, KYSO_JS.read_text("utf-8")), "text/javascript")
            response.headers["Cache-Control"] = "no-cache"
            return response
        return connection.respond(HTTPStatus.NOT_FOUND, "Not found\n")

    async def _connection(self, websocket: Any) -> None:
        endpoint = websocket.request.path.split("?", 1)[0].strip("/")
        raw_origin = websocket.request.headers.get("Origin")
        try:
            text = await asyncio.wait_for(websocket.recv(), self.policy.message_timeout)
        except (TimeoutError, Exception):
            return  # no message in time (or the client left): the socket closes, nothing was done
        try:
            origin = self.policy.check_origin(raw_origin)
        except CallRefused as refusal:  # the message is taken (one message, one reply) and never read
            self._record(raw_origin, endpoint, refusal.status, message(refusal.status, refusal.detail))
            await websocket.send(json.dumps(refused_reply(endpoint, refusal), ensure_ascii=False))
            return
        reply = await self.call(endpoint, text, origin)
        await websocket.send(json.dumps(reply, ensure_ascii=False))

    async def call(self, endpoint: str, text: str | bytes, origin: str) -> dict[str, Any]:
        """Answer one call of an allowlisted ``origin`` (the WebSocket layer already checked it)."""
        assert self._semaphore is not None
        try:
            self.policy.admit(origin)
            if self._semaphore.locked() and len(getattr(self._semaphore, "_waiters", None) or ()) > 64:
                raise CallRefused(Status.BUSY, "too many calls waiting")
            async with self._semaphore:
                return await asyncio.to_thread(self._answer, endpoint, text, origin)
        except CallRefused as refusal:
            self._record(origin, endpoint, refusal.status, message(refusal.status, refusal.detail))
            return refused_reply(endpoint, refusal)

    # -- the work (worker threads) ----------------------------------------------------------------------------

    def _answer(self, endpoint: str, text: str | bytes, origin: str) -> dict[str, Any]:
        audit: dict[str, Any] = {"started": time.perf_counter()}
        try:
            reply = self._dispatch(endpoint, parse_object(text), origin, audit)
            status = Status(reply.get("Status", 0))
            self._record(origin, endpoint, status, str(reply.get("Message") or reply.get("Error") or ""), **audit)
            return reply
        except CallRefused as refusal:
            self._record(origin, endpoint, refusal.status, message(refusal.status, refusal.detail), **audit)
            return refused_reply(endpoint, refusal)
        except Exception as exc:  # a bug: the page gets a status, the audit log the exception's class
            bug = CallRefused(Status.INTERNAL_ERROR, exc.__class__.__name__)
            self._record(origin, endpoint, bug.status, message(bug.status, bug.detail), **audit)
            return refused_reply(endpoint, bug)

    def _dispatch(self, endpoint: str, fields: dict[str, Any], origin: str, audit: dict[str, Any]) -> dict[str, Any]:
        if endpoint in SIGN_ENDPOINTS:
            return self._sign_pdf(endpoint, fields, origin, audit)
        if endpoint == "VerifyPDF":
            return self._verify_pdf(fields, origin, audit)
        if endpoint == "SignXML":
            return self._sign_xml(fields, origin, audit)
        if endpoint == "VerifyXML":
            return self._verify_xml(fields, audit)
        if endpoint == "GetCertInfo":
            return self._cert_info()
        if endpoint == "Config":
            return self._config()
        known = "an endpoint of the VGCA service" if endpoint in KNOWN_VGCA_ENDPOINTS else "an unknown endpoint"
        raise CallRefused(Status.UNSUPPORTED_ENDPOINT, f"{endpoint[:60]!r} is {known} that Kyso does not offer")

    def _signed_with(self, request: ConsentRequest, work: Callable[[Signer], bytes], audit: dict[str, Any]) -> bytes:
        """Ask the user, open the signer (with the PIN typed), run ``work``; errors become statuses."""
        consent = self.consent.ask(request)
        if not consent.approved:
            raise CallRefused(Status.CONSENT_DENIED)
        if self.signer.needs_pin and not consent.pin:
            raise CallRefused(Status.WRONG_PIN, "no PIN was typed")
        try:
            signer = self.signer.open(consent.pin)
        except WrongPasswordError:
            raise CallRefused(Status.WRONG_PIN) from None
        except KysoError as exc:
            raise CallRefused(Status.SIGNER_ERROR, exc.diagnostics("vi")) from None
        audit["signer"] = certificate_info(signer.certificate)["Subject"]
        try:
            return work(signer)
        except WrongPasswordError:
            raise CallRefused(Status.WRONG_PIN) from None
        except SignerError as exc:
            raise CallRefused(Status.SIGNER_ERROR, exc.diagnostics("vi")) from None
        except (InputError, UsageError) as exc:
            raise CallRefused(Status.INPUT_ERROR, exc.diagnostics("vi")) from None
        except KysoError as exc:
            raise CallRefused(Status.SIGNER_ERROR, exc.diagnostics("vi")) from None
        finally:
            self.signer.release(signer)

    def _download(self, call: Any, origin: str, audit: dict[str, Any]) -> transfer.Downloaded:
        source = self.policy.check_url(call.file_name, origin, "FileName")
        document = transfer.download(
            source,
            call,
            max_bytes=self.policy.max_document,
            timeout=self.policy.network_timeout,
            cookie_name=self.settings.session_cookie,
        )
        audit["document_sha256"] = hashlib.sha256(document.data).hexdigest()
        audit["document"] = document.name
        return document

    def _sign_pdf(self, endpoint: str, fields: dict[str, Any], origin: str, audit: dict[str, Any]) -> dict[str, Any]:
        import kyso

        call = sign_call(fields)
        handler = self.policy.check_url(call.upload_handler, origin, "FileUploadHandler")
        document = self._download(call, origin, audit)
        if document.data[:5] != b"%PDF-":
            raise CallRefused(Status.INPUT_ERROR, f"{document.name} is not a PDF")
        if not document.name.lower().endswith(".pdf"):  # a download URL without the file's name (.../file)
            document = transfer.Downloaded(document.data, document.name + ".pdf")
        kind = SIGN_ENDPOINTS[endpoint]
        options = self.settings.appearance(kind, call)
        request = ConsentRequest(
            origin=origin,
            endpoint=endpoint,
            document=document.name,
            kind=KIND_LABELS[kind],
            certificate=self.signer.shown(),
            needs_pin=self.signer.needs_pin,
        )

        def sign(signer: Signer) -> bytes:
            if kind == "approval" and "anchor" not in options:
                options["anchor"] = certificate_info(signer.certificate)["SubjectCN"]
            return kyso.sign(document.data, signer=signer, kind=kind, name=document.name, **options)

        signed = self._signed_with(request, sign, audit)
        number = call.doc_number if kind in ("issuance", "attachment") else ""
        when = call.issued_date.strftime("%d/%m/%Y") if call.issued_date and kind == "issuance" else ""
        key = str(uuid.uuid4())
        try:
            uploaded = transfer.upload(
                handler,
                signed,
                document.name,
                call,
                timeout=self.policy.network_timeout,
                cookie_name=self.settings.session_cookie,
                idempotency_key=key,
            )
        except CallRefused as refusal:
            kept = self._keep_unsent(key, document.name, signed)
            refusal.extra.update({"FileName": document.name, "UnsentFile": kept, "IdempotencyKey": key})
            refusal.detail += f"; bản đã ký được giữ lại để gửi lại ({kept})"
            raise
        return SignReply(
            Status.OK,
            message(Status.OK),
            file_name=document.name,
            file_server=uploaded.file_server,
            document_number=number,
            document_date=when,
        ).to_json()

    def _keep_unsent(self, key: str, name: str, data: bytes) -> str:
        directory = self.settings.unsent_dir
        if directory is None:
            return ""
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = directory / f"{key}-{name}"
        path.write_bytes(data)
        return path.name

    def _verify_pdf(self, fields: dict[str, Any], origin: str, audit: dict[str, Any]) -> dict[str, Any]:
        import kyso

        call = sign_call(fields, upload=False)
        document = self._download(call, origin, audit)
        try:
            report = kyso.verify(document.data, trust=self.settings.trust, name=document.name)
        except KysoError as exc:
            raise CallRefused(Status.INPUT_ERROR, exc.diagnostics("vi")) from None
        return _verification_reply(report, file_name=document.name)

    def _sign_xml(self, fields: dict[str, Any], origin: str, audit: dict[str, Any]) -> dict[str, Any]:
        call = xml_call(fields)
        if call.hash_alg and call.hash_alg.replace("-", "").lower() not in ("sha256",):
            raise CallRefused(Status.BAD_REQUEST, f"HashAlg {call.hash_alg[:20]!r}: only SHA256 is signed")
        if call.dsig_form and call.dsig_form.lower() not in ("0", "enveloped"):
            raise CallRefused(Status.BAD_REQUEST, f"XmlDsigForm {call.dsig_form[:20]!r}: only enveloped signatures")
        if len(call.content) > self.policy.max_document:
            raise CallRefused(Status.TOO_LARGE)
        audit["document_sha256"] = hashlib.sha256(call.content).hexdigest()
        from kyso.xmldsig.xmlsafe import parse

        try:
            tree = parse(call.content)
        except KysoError as exc:
            raise CallRefused(Status.INPUT_ERROR, exc.diagnostics("vi")) from None
        request = ConsentRequest(
            origin=origin,
            endpoint="SignXML",
            document=f"XML {tree.getroot().tag.rsplit('}', 1)[-1]} ({len(call.content)} byte)",
            kind=KIND_LABELS["xml"],
            certificate=self.signer.shown(),
            needs_pin=self.signer.needs_pin,
        )
        from kyso.xmldsig.signing import sign_enveloped

        signed = self._signed_with(request, lambda s: sign_enveloped(tree, tree.getroot(), s), audit)
        if call.signature_only:
            from lxml import etree

            from kyso.xmldsig.policy import DSIG

            signature = tree.getroot().findall(f"{{{DSIG}}}Signature")[-1]
            signed = etree.tostring(signature)
        return {"Status": 0, "Signature": base64.b64encode(signed).decode(), "Error": ""}

    def _verify_xml(self, fields: dict[str, Any], audit: dict[str, Any]) -> dict[str, Any]:
        import kyso

        call = xml_call(fields)
        audit["document_sha256"] = hashlib.sha256(call.content).hexdigest()
        try:
            report = kyso.verify(call.content, trust=self.settings.trust)
        except KysoError as exc:
            raise CallRefused(Status.INPUT_ERROR, exc.diagnostics("vi")) from None
        return _verification_reply(report)

    def _cert_info(self) -> dict[str, Any]:
        certificate = self.signer.certificate
        if certificate is None and not self.signer.needs_pin:
            certificate = self.signer.open(None).certificate
        if certificate is None:
            raise CallRefused(Status.SIGNER_ERROR, "the certificate is read from the token at the first signature")
        return {"Status": 0, "Message": message(Status.OK), "CertInfo": certificate_info(certificate)}

    def _config(self) -> dict[str, Any]:
        from kyso import __version__

        return {
            "Status": 0,
            "Message": message(Status.OK),
            "Config": {
                "Service": "kyso-agent",
                "Version": __version__,
                "Endpoints": list(ENDPOINTS),
                "Consent": self.settings.consent_mode,
                "Signer": self.signer.shown(common_name=True),
                "TLS": self.ssl_context is not None,
                "MaxDocumentBytes": self.policy.max_document,
                "SessionCookie": self.settings.session_cookie,
            },
        }

    def _record(
        self, origin: str | None, endpoint: str, status: Status, text: str, started: float | None = None, **audit: Any
    ) -> None:
        if self.audit is not None:
            elapsed = None if started is None else (time.perf_counter() - started) * 1000
            self.audit.record(
                origin=origin, endpoint=endpoint[:60], status=int(status), message=text, elapsed_ms=elapsed, **audit
            )


def _typed(response: Any, media_type: str) -> Any:
    """``response`` with one ``Content-Type`` (``respond`` sets text/plain; websockets' headers are a multi-dict)."""
    del response.headers["Content-Type"]
    response.headers["Content-Type"] = f"{media_type}; charset=utf-8"
    return response


def _verification_reply(report: Any, *, file_name: str = "") -> dict[str, Any]:
    """VGCA's verify shape (``Status``, ``Message``, one entry per signature) plus Kyso's whole report."""
    data = report.to_dict()
    signatures = [
        {
            "SignerName": (s.get("signer") or {}).get("common_name") or "",
            "SigningTime": s.get("signing_time") or "",
            "Valid": s.get("indication") == "TOTAL_PASSED",
            "Indication": s.get("indication"),
        }
        for s in data.get("signatures", [])
    ]
    valid = bool(signatures) and all(s["Valid"] for s in signatures)
    return {
        "Status": 0,
        "Message": "Chữ ký số hợp lệ" if valid else "Không có chữ ký hợp lệ hoặc chưa xác định được",
        "FileName": file_name,
        "Signatures": signatures,
        "Report": data,
    }


__all__ = ["AgentService", "AgentSettings", "SignerSource", "certificate_info"]
