"""JSON over HTTP for remote signing services, within Kyso's network bounds.

Every request goes through :func:`kyso.certs.fetching.bounded_fetch`: a total deadline per call (a service
trickling its answer cannot hold the signing), a size cap, http(s) only, and **no redirect at all**: each request
carries a bearer token or the service provider's secret, and a signing API has no business sending them elsewhere.
An answer that is not JSON, an HTTP error or an unreachable service is a :class:`RemoteServiceError` (401 / 403:
credentials refused), with the service's own error text, shortened and escaped, never a secret Kyso sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from kyso.core.errors import RemoteServiceError, UsageError
from kyso.core.models import NetworkBudget

MAX_ANSWER = 4 * 1024 * 1024
"""The largest answer read (a certificate list with chains, a batch of signatures)."""
CALL_TIMEOUT = 30.0
"""Seconds one call may take, start to end."""


class ServiceClient:
    """POSTs JSON (or a form) to ``base_url`` + path and returns the decoded JSON answer."""

    def __init__(self, base_url: str, *, service: str, timeout: float = CALL_TIMEOUT) -> None:
        base_url = (base_url or "").strip().rstrip("/")
        if not base_url.startswith(("https://", "http://")):
            raise UsageError(
                f"{service}: the service URL must be an http(s) URL, not {base_url[:80]!r}", parameter="service_url"
            )
        self.base_url = base_url
        self.service = service
        self.timeout = timeout
        self.bearer: str | None = None
        self.secrets: set[str] = set()
        """Values never to show (client secret, PIN): a service may echo a request in its error text."""

    def post(
        self,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        form: Mapping[str, str] | None = None,
        accept_error: bool = False,
    ) -> Any:
        """The JSON answer of ``POST base_url/path``.

        :param form: send ``application/x-www-form-urlencoded`` instead of JSON (OAuth2 token requests).
        :param accept_error: return the JSON body of a 4xx answer instead of raising (APIs that put their error
            codes in the body: the profile maps them to typed errors).
        """
        from kyso.certs.fetching import FetchRefused, bounded_fetch

        url = f"{self.base_url}/{path.lstrip('/')}"
        headers = {"Accept": "application/json", "User-Agent": "kyso-remote-signing"}
        if form is not None:
            data = urlencode(form).encode("ascii")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(dict(body or {}), ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        if self.bearer:
            headers["Authorization"] = f"Bearer {self.bearer}"
        budget = NetworkBudget(self.timeout, max_requests=1, max_hosts=1, max_answer_bytes=MAX_ANSWER)
        try:
            answer = bounded_fetch(
                url,
                budget=budget,
                what=self.service,
                max_bytes=MAX_ANSWER,
                method="POST",
                data=data,
                headers=headers,
                error_body=True,
                max_redirects=0,
            )
        except FetchRefused as exc:
            raise RemoteServiceError(f"{self.service}: {exc}", url=url) from None
        except Exception as exc:  # connection refused, reset, DNS: say which, never the request
            raise RemoteServiceError(
                f"{self.service}: {path} failed ({exc.__class__.__name__}: {_short(str(exc))})", url=url
            ) from None
        status = answer.status_code
        decoded = _json(answer.content)
        said = self.redacted(_said(decoded))
        if status in (401, 403):
            raise RemoteServiceError(
                f"{self.service}: credentials refused (HTTP {status}) at {path}{said}",
                url=url,
                vi=f"{self.service}: dịch vụ từ chối thông tin đăng nhập (HTTP {status})",
            )
        if status >= 400 and not (accept_error and status < 500 and decoded is not None):
            raise RemoteServiceError(f"{self.service}: {path}: HTTP {status}{said}", url=url)
        if decoded is None:
            raise RemoteServiceError(f"{self.service}: {path}: the answer is not JSON", url=url)
        return decoded

    def redacted(self, text: str) -> str:
        """``text`` with every secret this client sends (token, client secret, PIN) replaced by ``***``."""
        for secret in sorted({*self.secrets, self.bearer or ""} - {""}, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


def _json(content: bytes) -> Any:
    try:
        return json.loads(content.decode("utf-8")) if content else None
    except (UnicodeDecodeError, ValueError):
        return None


def _said(decoded: Any) -> str:
    """What an error answer says (CSC ``error`` / ``error_description``, SmartCA ``message``), shortened."""
    if not isinstance(decoded, dict):
        return ""
    parts = [str(decoded[k]) for k in ("error", "error_description", "message", "status_code") if decoded.get(k)]
    return f": {_short(' '.join(parts))}" if parts else ""


def _short(text: str, limit: int = 160) -> str:
    from kyso.text import printable

    text = printable(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def field(answer: Any, *path: str | int, service: str, kind: type = object) -> Any:
    """``answer[path[0]][path[1]]...``, checked to be a ``kind``: an answer missing what its API promises is a
    :class:`RemoteServiceError`, not a ``KeyError`` deep in Kyso."""
    value = answer
    for step in path:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            where = "/".join(str(p) for p in path)
            raise RemoteServiceError(f"{service}: the answer has no {where}") from None
    if not isinstance(value, kind):
        where = "/".join(str(p) for p in path)
        raise RemoteServiceError(f"{service}: {where} in the answer is not a {kind.__name__}")
    return value


def b64decode(value: Any, *, service: str, what: str) -> bytes:
    """Strict base64 (whitespace tolerated) of one field of an answer."""
    import base64
    import binascii

    if not isinstance(value, str):
        raise RemoteServiceError(f"{service}: {what} is not a base64 text")
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise RemoteServiceError(f"{service}: {what} is not valid base64") from None


__all__ = ["CALL_TIMEOUT", "MAX_ANSWER", "ServiceClient", "b64decode", "field"]
