"""HTTP for adapters: one :class:`HttpClient` per adapter, with timeouts, bounded retries and backoff, and one clear
error for every way a platform can fail (so an adapter stays a mapping and never handles ``requests`` errors).

- every answer is read whole within a bound (:meth:`HttpClient._read_body`), not only each socket read;
- 5xx answers, timeouts and connection failures are retried ``config.retries`` times, waiting ``config.backoff``
  seconds and doubling; then :class:`~kyso.core.adapter.PlatformError` says what happened and where.
- 401 / 403 raise :class:`~kyso.core.adapter.AuthenticationError` at once; other 4xx raise ``PlatformError``.
- :meth:`HttpClient.json` refuses an answer that is not JSON (an HTML login or error page, say).
- redirects are followed by Kyso, not by ``requests`` (:meth:`HttpClient._send`): see :data:`MAX_REDIRECTS` and
  :meth:`HttpClient._check_redirect`.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urljoin, urlsplit

from kyso.core.adapter import AdapterConfig
from kyso.core.errors import AuthenticationError, PlatformError, RedirectError

MAX_BODY_IN_MESSAGE = 120
MIN_RATE = 64 * 1024
"""Bytes per second an answer must keep arriving at, on average, once the request's ``timeout`` has passed."""
MAX_BODY = 1024 * 1024 * 1024
"""The largest answer read from a platform (bytes)."""
RETRY_STATUSES = frozenset({500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
"""Redirects followed for one request, at most."""
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
BODY_ARGUMENTS = ("data", "json", "files")


class _TooSlow(Exception):
    """The answer did not arrive within its bound."""


class HttpClient:
    """A ``requests`` session bound to a platform's base URL and its :class:`AdapterConfig`."""

    def __init__(self, config: AdapterConfig, *, platform: str = "platform") -> None:
        import requests

        self.config = config
        self.platform = platform
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "kyso-adapter"
        self.sleep = time.sleep

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.config.base_url + "/" + path.lstrip("/")

    def request(self, method: str, path: str, *, retry: bool = True, **kwargs: Any) -> Any:
        """Send a request; return the ``requests.Response`` of a 2xx answer, or raise a clear error."""
        import requests
        import urllib3

        url = self.url(path)
        kwargs.setdefault("timeout", self.config.timeout)
        attempts = 1 + (max(0, self.config.retries) if retry else 0)
        delay = self.config.backoff
        problem = ""
        for attempt in range(attempts):
            if attempt:
                self.sleep(delay)
                delay *= 2
            started = time.monotonic()
            try:
                response = self._send(method, url, kwargs, started)
            except _TooSlow:
                problem = f"answer too slow (not complete within {time.monotonic() - started:.1f} s)"
                continue
            except (requests.Timeout, urllib3.exceptions.TimeoutError):
                problem = f"no answer within {self.config.timeout:g} s"
                continue
            except urllib3.exceptions.HTTPError:  # the body, read by urllib3 itself: cut, or not decodable
                problem = "answer cut short"
                continue
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
                problem = "answer cut short"
                continue
            except requests.ConnectionError as exc:
                problem = "answer cut short" if "IncompleteRead" in str(exc) else "connection failed"
                continue
            except requests.RequestException as exc:
                raise PlatformError(f"{self.platform}: {method} {url}: {exc.__class__.__name__}", url=url) from None
            if response.status_code in RETRY_STATUSES:
                problem = f"HTTP {response.status_code}"
                continue
            if response.status_code in (401, 403):
                raise AuthenticationError(
                    f"{self.platform}: credentials refused (HTTP {response.status_code}) at {url}", url=url
                )
            if response.status_code >= 400:
                raise PlatformError(
                    f"{self.platform}: {method} {url}: HTTP {response.status_code}{_excerpt(response)}", url=url
                )
            return response
        tries = f"{attempts} attempt{'s' if attempts > 1 else ''}"
        raise PlatformError(f"{self.platform}: {method} {url}: {problem} ({tries})", url=url)

    def _send(self, method: str, url: str, kwargs: dict[str, Any], started: float) -> Any:
        """One request and the redirects it may follow (:meth:`_check_redirect`), its final answer read whole."""
        kwargs = {**kwargs, "allow_redirects": False}
        for _ in range(MAX_REDIRECTS + 1):
            response = self.session.request(method, url, stream=True, **kwargs)
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                self._read_body(response, started)
                return response
            response.close()
            target = urljoin(response.url or url, location)
            self._check_redirect(method, url, target, kwargs)
            if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                method = "GET"  # what browsers and requests do: the body is not sent again
                kwargs = {k: v for k, v in kwargs.items() if k not in BODY_ARGUMENTS}
                headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() != "content-type"}
                kwargs["headers"] = headers
            url = target
        raise RedirectError(f"{self.platform}: {method} {url}: more than {MAX_REDIRECTS} redirects", url=url)

    def _check_redirect(self, method: str, url: str, target: str, kwargs: dict[str, Any]) -> None:
        """Kyso rule (issue 9, class 12: ioffice's token request followed a 307 to another server and sent the
        password there): a redirect to another origin (scheme, host, port) is refused with :class:`RedirectError`
        when the request carries credentials (an Authorization, Proxy-Authorization or Cookie header, ``auth``,
        cookies, a user name in the URL) or a body (a 307 / 308 re-sends it, password included). A credential-free
        GET may follow one to a file server. A redirect to another scheme than http(s), or from https to http, is
        always refused. ``requests`` itself strips Authorization on a change of host, but re-sends the body and
        keeps it on a change of port."""
        here, there = urlsplit(url), urlsplit(target)
        where = f"{there.scheme}://{there.netloc.rpartition('@')[2]}"
        if there.scheme not in ("http", "https") or (here.scheme == "https" and there.scheme == "http"):
            raise RedirectError(f"{self.platform}: {method} {url}: redirect to {where} refused", url=url)
        if _origin(here) != _origin(there) and self._carries_credentials(url, kwargs):
            raise RedirectError(
                f"{self.platform}: {method} {url}: redirect to another origin ({where}) refused: the request carries "
                "credentials",
                url=url,
            )

    def _carries_credentials(self, url: str, kwargs: dict[str, Any]) -> bool:
        headers = {**self.session.headers, **(kwargs.get("headers") or {})}
        return (
            any(name.lower() in CREDENTIAL_HEADERS for name in headers)
            or any(kwargs.get(name) is not None for name in BODY_ARGUMENTS)
            or kwargs.get("auth") is not None
            or self.session.auth is not None
            or bool(kwargs.get("cookies"))
            or len(self.session.cookies) > 0
            or urlsplit(url).username is not None
        )

    def _read_body(self, response: Any, started: float) -> None:
        """Read the whole body now, within a bound: ``requests`` applies the timeout to each socket read only, so a
        platform that trickles its answer a byte at a time would otherwise hold the run forever. After the first
        ``timeout`` seconds the body must keep arriving at :data:`MIN_RATE` bytes per second on average, and it may
        not exceed :data:`MAX_BODY` bytes."""
        chunks: list[bytes] = []
        size = 0
        read1 = getattr(response.raw, "read1", None)  # urllib3 2: returns what has arrived (read() waits for all)
        pieces = iter(lambda: read1(1 << 16, decode_content=True), b"") if read1 else response.iter_content(1 << 16)
        try:
            for chunk in pieces:
                size += len(chunk)
                if size > MAX_BODY:
                    raise PlatformError(
                        f"{self.platform}: {response.request.method} {response.url}: answer larger than {MAX_BODY} "
                        "bytes",
                        url=response.url,
                    )
                if time.monotonic() - started > self.config.timeout + size / MIN_RATE:
                    raise _TooSlow
                chunks.append(chunk)
        except BaseException:
            response.close()
            raise
        response._content = b"".join(chunks)
        response._content_consumed = True
        response.close()

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON body of a 2xx answer; :class:`PlatformError` when the body is not JSON."""
        response = self.request(method, path, **kwargs)
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        try:
            if media_type and "json" not in media_type:
                raise ValueError(media_type)
            return response.json()
        except ValueError:
            shown = media_type or "an unknown type"
            raise PlatformError(
                f"{self.platform}: {method} {response.url}: expected JSON, got {shown}{_excerpt(response)}",
                url=response.url,
            ) from None

    def content(self, path: str, **kwargs: Any) -> bytes:
        """The bytes of a 2xx answer to a GET (urllib3 refuses a body shorter than its ``Content-Length``); an HTML
        page (a login or error page served with 200) is refused."""
        response = self.request("GET", path, **kwargs)
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media_type == "text/html":
            raise PlatformError(
                f"{self.platform}: GET {response.url}: expected a document, got an HTML page{_excerpt(response)}",
                url=response.url,
            )
        return bytes(response.content)

    def close(self) -> None:
        self.session.close()


def _origin(parts: Any) -> tuple[str, str, int | None]:
    """Scheme, host and port (the default one when absent) of a split URL."""
    try:
        port = parts.port
    except ValueError:
        port = -1
    return parts.scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(parts.scheme)


def _excerpt(response: Any) -> str:
    text = " ".join(response.text[:MAX_BODY_IN_MESSAGE].split())
    return f": {text!r}" if text else ""


__all__ = ["MAX_BODY", "MAX_REDIRECTS", "MIN_RATE", "RETRY_STATUSES", "HttpClient"]
