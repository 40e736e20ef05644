"""HTTP for adapters: one :class:`HttpClient` per adapter, with timeouts, bounded retries and backoff, and one clear
error for every way a platform can fail (so an adapter stays a mapping and never handles ``requests`` errors).

- every answer is read whole within a bound (:meth:`HttpClient._read_body`), not only each socket read;
- 5xx answers, timeouts and connection failures are retried ``config.retries`` times, waiting ``config.backoff``
  seconds and doubling; then :class:`~sdk.core.adapter.PlatformError` says what happened and where.
- 401 / 403 raise :class:`~sdk.core.adapter.AuthenticationError` at once; other 4xx raise ``PlatformError``.
- :meth:`HttpClient.json` refuses an answer that is not JSON (an HTML login or error page, say).
"""

from __future__ import annotations

import time
from typing import Any

from sdk.core.adapter import AdapterConfig, AuthenticationError, PlatformError

MAX_BODY_IN_MESSAGE = 120
MIN_RATE = 64 * 1024
"""Bytes per second an answer must keep arriving at, on average, once the request's ``timeout`` has passed."""
MAX_BODY = 1024 * 1024 * 1024
"""The largest answer read from a platform (bytes)."""
RETRY_STATUSES = frozenset({500, 502, 503, 504})


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
                response = self.session.request(method, url, stream=True, **kwargs)
                self._read_body(response, started)
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


def _excerpt(response: Any) -> str:
    text = " ".join(response.text[:MAX_BODY_IN_MESSAGE].split())
    return f": {text!r}" if text else ""
