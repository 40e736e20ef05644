"""The ASGI application of ``kyso serve`` (Starlette), one instance per uvicorn worker process.

Every request goes through the same steps: the body limit (413 before the upload is read past the limit), then for
the API the client is identified (API key or address) and counted against its rate limit in the shared database,
the validation runs in a thread within the request time limit, and the audit table gets one row. Errors are
``{"error": CODE, "message": TEXT}`` with a 4xx status (503 only for the time limit, with ``Retry-After``); a
document that cannot be validated is a verdict in the report, never an error.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request as HttpRequest
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kyso.core.errors import InputError, KysoError, ServiceError, UnsupportedFormatError, UsageError
from kyso.service import validating
from kyso.service.config import ServiceConfig, from_environment
from kyso.service.store import AuditEntry, Store

STATIC = Path(__file__).resolve().parent / "static"
access_log = logging.getLogger("kyso.service.access")


class ApiError(Exception):
    """An answer other than a report: HTTP ``status`` with ``{"error": code, "message": message}``."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


def _kyso_error(exc: KysoError, lang: str) -> ApiError:
    """The status and code of an expected failure (the most specific class first)."""
    message = exc.diagnostics(lang)
    if isinstance(exc, UnsupportedFormatError):
        return ApiError(415, "UNSUPPORTED_FORMAT", message)
    if isinstance(exc, UsageError):
        return ApiError(400, "BAD_REQUEST", message)
    if isinstance(exc, InputError):
        return ApiError(422, "UNUSABLE_INPUT", message)
    if isinstance(exc, ServiceError):
        return ApiError(503, "SERVICE_UNAVAILABLE", message, {"Retry-After": "30"})
    return ApiError(422, "UNUSABLE_INPUT", message)


@dataclass
class Client:
    """Who is asking: an API key's name, or ``anonymous:ADDRESS``."""

    name: str
    per_minute: int


class Service:
    """The state one worker keeps: configuration, trust sets, database, the concurrency limit."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.trust = validating.TrustSets(config)
        self.store = Store(config.database_url())
        self.slots = asyncio.Semaphore(max(1, config.concurrency))

    # ------------------------------------------------------------------------------------- admission

    def admit(self, key: str | None, address: str) -> Client:
        """The client of a request, counted once against its rate limit (all workers share the count)."""
        if key:
            found = self.store.client_of(key)
            if found is None:
                raise ApiError(401, "UNAUTHORIZED", "unknown or revoked API key (X-API-Key)")
            client = Client(*found)
        elif self.config.require_api_key:
            raise ApiError(401, "UNAUTHORIZED", "this service needs an API key: send it as the X-API-Key header")
        else:
            client = Client(f"anonymous:{address}", self.config.anonymous_per_minute)
        if self.store.hit(client.name) > client.per_minute:
            raise ApiError(
                429,
                "RATE_LIMITED",
                f"more than {client.per_minute} requests in this minute for {client.name}; try again in a minute",
                {"Retry-After": str(60 - int(time.time()) % 60)},
            )
        return client

    async def run(
        self,
        http: HttpRequest,
        endpoint: str,
        work: Callable[[], tuple[Any, validating.Request | None]],
        answer: Callable[[Any], Response],
    ) -> Response:
        """Run ``work`` in a thread within the time limit (the client was admitted by :meth:`admitted`), audit,
        answer (errors as JSON)."""
        started = http.scope.get("state", {}).get("started", time.monotonic())
        lang = http.query_params.get("lang", "vi") if http.query_params.get("lang") in ("vi", "en") else "vi"
        client_name = http.scope.get("state", {}).get("client", "-")
        outcome: Any = None
        request: validating.Request | None = None
        try:
            async with self.slots:
                remaining = self.config.request_timeout - (time.monotonic() - started)
                outcome, request = await asyncio.wait_for(run_in_threadpool(_guarded, work, lang), max(remaining, 0.1))
            response = answer(outcome)
        except TimeoutError:
            response = error_response(
                503,
                "TIMEOUT",
                f"the validation took longer than {self.config.request_timeout:g} s; try again later",
                {"Retry-After": "30"},
            )
        except ApiError as exc:
            response = error_response(exc.status, exc.code, exc.message, exc.headers)
        entry = _audit_entry(client_name, endpoint, request, outcome, response.status_code, started)
        await run_in_threadpool(self.store.audit, entry)
        return response

    async def admitted(self, http: HttpRequest) -> None:
        """Identify and count the client before its body is read (401 and 429 cost the service nothing more)."""
        state = http.scope.setdefault("state", {})
        state["started"] = time.monotonic()
        address = http.client.host if http.client else "-"
        client = await run_in_threadpool(self.admit, http.headers.get("x-api-key"), address)
        state["client"] = client.name


def _guarded(work: Callable[[], tuple[Any, validating.Request | None]], lang: str) -> tuple[Any, Any]:
    """``work()``, expected failures as :class:`ApiError`; a bug is 500 with the exception's class only."""
    try:
        return work()
    except ApiError:
        raise
    except KysoError as exc:
        raise _kyso_error(exc, lang) from None
    except Exception as exc:  # a bug: never the message (it may quote the document)
        logging.getLogger("kyso.service").exception("internal error")
        raise ApiError(
            500, "INTERNAL_ERROR", f"internal error ({exc.__class__.__name__}); see the service log"
        ) from None


def _audit_entry(
    client: str, endpoint: str, request: validating.Request | None, outcome: Any, status: int, started: float
) -> AuditEntry:
    indication = sub = fmt = None
    if outcome is not None and hasattr(outcome, "indication"):
        indication = str(outcome.indication)
        sub = getattr(outcome, "sub_indication", None)
        if sub is None and getattr(outcome, "signatures", None):
            subs = [s.sub_indication for s in outcome.signatures if s.sub_indication is not None]
            sub = subs[0] if subs else None
        fmt = getattr(outcome, "format", None) or "certificate"
    return AuditEntry(
        time=datetime.now(UTC).isoformat(timespec="milliseconds"),
        client=client,
        endpoint=endpoint,
        document_sha256=request.sha256 if request is not None else None,
        format=fmt,
        indication=indication,
        sub_indication=None if sub is None else str(sub),
        status=status,
        duration_ms=int((time.monotonic() - started) * 1000),
    )


# ------------------------------------------------------------------------------------------- reading requests


async def read_document_request(http: HttpRequest, config: ServiceConfig) -> validating.Request:
    """A multipart form with ``file`` (and the options as fields), or JSON ``{"content": base64, "name", ...}``."""
    kind = http.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        try:
            form = await http.form(max_files=1, max_fields=16, max_part_size=config.max_upload)
        except BodyTooLarge:  # the body limit's own answer, 413
            raise
        except Exception as exc:  # python-multipart's and Starlette's parse errors
            if "maximum size" in str(exc):
                raise ApiError(413, "TOO_LARGE", f"the file is larger than {config.max_upload} bytes") from None
            raise ApiError(400, "MALFORMED_MULTIPART", f"the multipart body cannot be read ({_reason(exc)})") from None
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ApiError(400, "BAD_REQUEST", "the form needs a file field named 'file'")
        content = await upload.read()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        await form.close()
        return _checked(fields, content, upload.filename)
    if kind == "application/json":
        body = await _json_body(http)
        if not isinstance(body, dict):
            raise ApiError(400, "BAD_REQUEST", "the JSON body must be an object")
        content = _decoded(body.get("content"), "content")
        return _checked(body, content, body.get("name") if isinstance(body.get("name"), str) else None)
    raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "send multipart/form-data (field 'file') or application/json")


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0][:120] if str(exc) else ""
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


async def _json_body(http: HttpRequest) -> Any:
    raw = await http.body()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "MALFORMED_JSON", "the body is not valid JSON") from None


def _decoded(value: Any, field: str) -> bytes:
    try:
        return validating.decode_content(value, field)
    except UsageError as exc:
        raise ApiError(400, "BAD_REQUEST", exc.diagnostics("en")) from None


def _checked(fields: Any, content: bytes, name: str | None) -> validating.Request:
    try:
        return validating.request_from_fields(fields, content, name)
    except UsageError as exc:
        lang = "en" if fields.get("lang") == "en" else "vi"
        raise ApiError(400, "BAD_REQUEST", exc.diagnostics(lang)) from None
    except InputError as exc:
        raise ApiError(400, "EMPTY_DOCUMENT", exc.diagnostics("en")) from None


# ------------------------------------------------------------------------------------------------- handlers


def create_app(config: ServiceConfig | None = None) -> Starlette:
    """The application for ``config`` (default: what ``kyso serve`` handed the worker in the environment)."""
    config = config or from_environment()
    service = Service(config)

    def api(endpoint: str, handler: Callable[[HttpRequest], Awaitable[Response]]) -> Callable[..., Any]:
        async def endpoint_function(http: HttpRequest) -> Response:
            try:
                await service.admitted(http)
                response = await handler(http)
            except ApiError as exc:
                response = error_response(exc.status, exc.code, exc.message, exc.headers)
            except BodyTooLarge:
                response = _too_large(config.max_upload)
            response.headers["X-Kyso-Worker"] = str(os.getpid())  # which worker answered (operations, tests)
            return response

        endpoint_function.__name__ = endpoint
        return endpoint_function

    async def verify(http: HttpRequest) -> Response:
        request = await read_document_request(http, config)

        def work() -> tuple[Any, validating.Request]:
            return validating.verify(request, config, service.trust), request

        return await service.run(http, "verify", work, lambda report: _report_answer(http, report))

    async def report_pdf(http: HttpRequest) -> Response:
        request = await read_document_request(http, config)

        def work() -> tuple[Any, validating.Request]:
            from kyso.reports_pdf import render_report_pdf

            report = validating.verify(request, config, service.trust)
            pdf = render_report_pdf(report, request.content, lang=request.lang)
            return _WithBytes(report, pdf), request

        def answer(outcome: _WithBytes) -> Response:
            headers = {"Content-Disposition": 'attachment; filename="ket-qua-kiem-tra-chu-ky-so.pdf"'}
            return Response(outcome.data, media_type="application/pdf", headers=headers)

        return await service.run(http, "report", work, answer)

    async def validate_certificate(http: HttpRequest) -> Response:
        request = await read_document_request(http, config)

        def work() -> tuple[Any, validating.Request]:
            return validating.validate_certificate(request, config, service.trust), request

        return await service.run(
            http, "certificates/validate", work, lambda report: JSONResponse(report.to_standalone_dict())
        )

    async def dss_validate(http: HttpRequest) -> Response:
        from kyso.service.dss import simple_report

        if http.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "validateSignature takes application/json")
        body = await _json_body(http)
        document = body.get("signedDocument") if isinstance(body, dict) else None
        if not isinstance(document, dict):
            raise ApiError(400, "BAD_REQUEST", "the body needs signedDocument: {bytes, name}")
        content = _decoded(document.get("bytes"), "signedDocument.bytes")
        fields = {"at": body.get("validationTime")}
        request = _checked(fields, content, document.get("name") if isinstance(document.get("name"), str) else None)

        def work() -> tuple[Any, validating.Request]:
            return validating.verify(request, config, service.trust), request

        def answer(report: Any) -> Response:
            moment = request.at or datetime.now(UTC).isoformat(timespec="seconds")
            simple = simple_report(report.to_dict(), moment)
            return JSONResponse({"SimpleReport": simple, "DiagnosticData": None, "DetailedReport": None})

        return await service.run(http, "dss/validateSignature", work, answer)

    async def link(http: HttpRequest) -> Response:
        """``/api/v1/links/{id}``: the document behind a one-stop-shop QR code, fetched and verified."""
        identifier = http.path_params["id"]
        if not config.link_document_url:
            raise ApiError(404, "NOT_CONFIGURED", "this service has no one-stop-shop link configured ([links])")

        def work() -> tuple[Any, validating.Request]:
            content = _fetch_linked(config, identifier)
            request = validating.Request(content=content, name=identifier)
            return validating.verify(request, config, service.trust), request

        return await service.run(http, "links", work, lambda report: _report_answer(http, report))

    async def trust(http: HttpRequest) -> Response:
        return JSONResponse(await run_in_threadpool(service.trust.listing))

    async def words(http: HttpRequest) -> Response:
        return JSONResponse(_words(http.query_params.get("lang", "vi")))

    async def health(http: HttpRequest) -> Response:
        return JSONResponse({"status": "ok", "worker": os.getpid()})

    async def openapi(http: HttpRequest) -> Response:
        from kyso.service.openapi import document

        return JSONResponse(document())

    def page(name: str) -> Callable[[HttpRequest], Awaitable[Response]]:
        async def serve_page(http: HttpRequest) -> Response:
            return FileResponse(STATIC / name, media_type="text/html; charset=utf-8")

        return serve_page

    routes = [
        Route("/", page("index.html")),
        Route("/verify/{id:path}", page("index.html")),
        Route("/docs", page("docs.html")),
        Route("/health", health),
        Route("/favicon.ico", lambda http: Response(status_code=204)),
        Route("/openapi.json", openapi),
        Route("/api/v1/verify", api("verify", verify), methods=["POST"]),
        Route("/api/v1/report.pdf", api("report", report_pdf), methods=["POST"]),
        Route("/api/v1/certificates/validate", api("validate", validate_certificate), methods=["POST"]),
        Route("/api/v1/trust", trust),
        Route("/api/v1/words", words),
        Route("/api/v1/links/{id:path}", api("link", link)),
        Route("/services/rest/validation/validateSignature", api("dss", dss_validate), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: _not_found, 405: _not_allowed, 500: _internal})
    app.state.service = service
    limited: ASGIApp = BodyLimit(app, config.max_upload + 64 * 1024)
    _one_line_library_logs()
    if config.access_log:
        limited = AccessLog(limited)
        if not access_log.handlers:  # a worker process starts with no logging set up
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(message)s"))
            access_log.addHandler(handler)
            access_log.setLevel(logging.INFO)
            access_log.propagate = False
    return limited  # type: ignore[return-value]


class _OneLine(logging.Formatter):
    """Library warnings (pyHanko logs some with a traceback) as one printable line: the verdict already says what
    was wrong with the document, and a traceback in the log would hide the real bugs (logged by ``_guarded``)."""

    def format(self, record: logging.LogRecord) -> str:
        from kyso.text import printable

        if record.name.startswith("kyso.service") and record.exc_info:
            return super().format(record)
        return printable(f"{record.levelname} {record.name}: {record.getMessage()}")


def _one_line_library_logs() -> None:
    root = logging.getLogger()
    if not root.handlers:  # a worker process starts with none; a host application keeps its own
        handler = logging.StreamHandler()
        handler.setFormatter(_OneLine())
        root.addHandler(handler)
        root.setLevel(logging.WARNING)


class _WithBytes:
    """A report and the bytes made from it (the audit reads the report's verdict)."""

    def __init__(self, report: Any, data: bytes) -> None:
        self.report, self.data = report, data
        self.indication, self.format = report.indication, report.format
        self.signatures = report.signatures


def _report_answer(http: HttpRequest, report: Any) -> JSONResponse:
    """The report (``kyso verify --format json``); asked with ``?display=1`` (the page), also its moments as the
    text report shows them (:func:`kyso.reports.moment_text`, the one formatter), in both languages: the page
    switches language without asking again."""
    answer = report.to_dict()
    if http.query_params.get("display") == "1":
        answer["display"] = {lang: [_moments(sig, lang) for sig in answer["signatures"]] for lang in ("vi", "en")}
    return JSONResponse(answer)


def _moments(signature: dict[str, Any], lang: str) -> dict[str, str | None]:
    from kyso.reports import moment_text

    certificate = signature.get("certificate") or {}
    moments = {
        "signing_time": signature.get("signing_time"),
        "timestamp": (signature.get("timestamp") or {}).get("time"),
        "not_before": certificate.get("not_before"),
        "not_after": certificate.get("not_after"),
    }
    return {key: moment_text(value, lang) if value else None for key, value in moments.items()}


def _words(lang: str) -> dict[str, Any]:
    """The page's words from the one place the text reports take them (:mod:`kyso.reports`)."""
    from kyso.core.manager import get_plugin_manager
    from kyso.reports import _LABELS, _REVOCATION, _VERDICT, _WHY

    lang = lang if lang in ("vi", "en") else "vi"
    kinds = get_plugin_manager().kinds
    return {
        "verdict": {str(k): v for k, v in _VERDICT[lang].items()},
        "why": {str(k): v for k, v in _WHY[lang].items()},
        "labels": _LABELS[lang],
        "revocation": _REVOCATION[lang],
        "kinds": {name: kinds.label(name, lang) for name in kinds.names()},
    }


def _fetch_linked(config: ServiceConfig, identifier: str) -> bytes:
    from urllib.parse import quote

    from kyso.certs.fetching import FetchRefused, bounded_fetch
    from kyso.core.models import NetworkBudget

    url = config.link_document_url.replace("{id}", quote(identifier, safe=""))
    try:
        answer = bounded_fetch(
            url, budget=NetworkBudget(config.network_timeout), what="linked document", max_bytes=config.max_upload
        )
    except FetchRefused as exc:
        raise ApiError(502, "LINK_UNAVAILABLE", str(exc)) from None
    except Exception as exc:
        raise ApiError(404, "NOT_FOUND", f"the document {identifier!r} cannot be fetched ({_reason(exc)})") from None
    return answer.content


async def _not_found(http: HttpRequest, exc: Exception) -> Response:
    return error_response(404, "NOT_FOUND", f"no such resource: {http.url.path}")


async def _not_allowed(http: HttpRequest, exc: Exception) -> Response:
    return error_response(405, "METHOD_NOT_ALLOWED", f"{http.method} is not allowed on {http.url.path}")


async def _internal(http: HttpRequest, exc: Exception) -> Response:
    return error_response(500, "INTERNAL_ERROR", f"internal error ({exc.__class__.__name__}); see the service log")


# ----------------------------------------------------------------------------------------------- middleware


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """413 for a body above ``limit`` bytes: refused from ``Content-Length`` before reading, and cut off while
    streaming when the length is not announced (chunked uploads)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(self.limit)(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge()
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched_send)
        except BodyTooLarge:
            if not started:
                await _too_large(self.limit)(scope, receive, send)


def _too_large(limit: int) -> Response:
    return error_response(413, "TOO_LARGE", f"the request is larger than {limit} bytes", {"Connection": "close"})


class AccessLog:
    """One JSON line per request (logger ``kyso.service.access``): time, worker, client, method, path, status,
    bytes and milliseconds; never a header value, a key or the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = 0
        sent = 0

        async def watched(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            client = scope.get("client") or ("-", 0)
            line = {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "worker": os.getpid(),
                "client": scope.get("state", {}).get("client") or f"anonymous:{client[0]}",
                "method": scope.get("method"),
                "path": scope.get("path"),
                "status": status,
                "bytes": sent,
                "ms": int((time.monotonic() - started) * 1000),
            }
            access_log.info(json.dumps(line, ensure_ascii=False))
