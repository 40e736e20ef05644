"""Who may call the agent and what a call may touch: no open signing oracle (docs/agent.md, "Rules").

- a call comes from an allowlisted origin (``--allow-origin``, ``allow_origins`` in the config file), checked on the
  WebSocket handshake's ``Origin`` header; the ``Host`` header must name this machine (no DNS rebinding);
- ``FileName`` and ``FileUploadHandler`` are http(s) URLs, without user information, of the page's own origin or of
  an origin allowlisted for files (``--allow-file-origin``): never ``file://``, never another host;
- limits: document size, calls at once, calls per minute per origin.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from kyso.agent.protocol import CallRefused, Status

DEFAULT_PORT = 8987
_DEFAULT_PORTS = {"http": 80, "https": 443}
_URL_STRIP = "".join(chr(c) for c in range(0x21))  # the WHATWG URL parser strips C0 controls and spaces


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an http(s) URL, lower-case, default port left out; ``ValueError`` otherwise."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {scheme or 'no scheme'}")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValueError("a URL with user information")
    host = (parts.hostname or "").lower()
    if not host or "\\" in parts.netloc:
        raise ValueError("no host")
    port = parts.port
    shown_host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown_host}" + (f":{port}" if port and port != _DEFAULT_PORTS[scheme] else "")


def normal_origin(origin: str) -> str:
    """An origin as configured or sent in ``Origin`` (``https://eoffice.gov.vn``), normalised like :func:`origin_of`."""
    text = origin.strip().rstrip("/")
    value = origin_of(text)
    if value != text.lower() and value + "/" != text.lower() and urlsplit(text).path not in ("", "/"):
        raise ValueError(f"an origin has no path: {origin!r}")
    return value


@dataclass
class Policy:
    """The rules of one agent; :meth:`check_origin` and :meth:`check_url` raise :class:`CallRefused`."""

    allow_origins: frozenset[str] = frozenset()
    file_origins: frozenset[str] = frozenset()
    max_document: int = 50 * 1024 * 1024
    max_concurrent: int = 8
    rate_per_minute: int = 120
    message_timeout: float = 10.0
    """Seconds a client has after the handshake to send its one message (a socket that never sends is closed)."""
    network_timeout: float = 60.0
    """Seconds of one download or upload."""
    _calls: dict[str, deque[float]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def build(cls, allow_origins: list[str], file_origins: list[str] = (), **limits: float) -> Policy:  # type: ignore[assignment]
        return cls(
            allow_origins=frozenset(normal_origin(o) for o in allow_origins),
            file_origins=frozenset(normal_origin(o) for o in file_origins),
            **limits,  # type: ignore[arg-type]
        )

    def check_origin(self, origin: str | None) -> str:
        """The normalised origin of an allowlisted page; refused otherwise (a missing ``Origin`` too)."""
        if not origin:
            raise CallRefused(Status.REFUSED_ORIGIN, "the call carries no Origin")
        try:
            value = normal_origin(origin)
        except ValueError:
            raise CallRefused(Status.REFUSED_ORIGIN, f"origin {origin[:80]!r} is not an http(s) origin") from None
        if value not in self.allow_origins:
            raise CallRefused(Status.REFUSED_ORIGIN, f"origin {value} is not allowlisted")
        return value

    def check_url(self, url: str, origin: str, what: str) -> str:
        """``url`` (``FileName``, ``FileUploadHandler``) if it may be used by a page of ``origin``; never rewritten
        beyond the leading and trailing spaces a browser strips too."""
        text = url.strip(_URL_STRIP)
        try:
            target = origin_of(text)
        except ValueError as exc:
            raise CallRefused(Status.REFUSED_URL, f"{what} refused: {exc}") from None
        if target != origin and target not in self.file_origins:
            raise CallRefused(Status.REFUSED_URL, f"{what} refused: {target} is not the page's origin {origin}")
        return text

    def admit(self, origin: str) -> None:
        """Count one call of ``origin`` against the rate limit (calls in the last 60 s)."""
        now = time.monotonic()
        with self._lock:
            calls = self._calls.setdefault(origin, deque())
            while calls and now - calls[0] > 60:
                calls.popleft()
            if len(calls) >= self.rate_per_minute:
                raise CallRefused(Status.BUSY, f"more than {self.rate_per_minute} calls per minute from {origin}")
            calls.append(now)


def local_host(host_header: str | None, port: int) -> bool:
    """Whether a request's ``Host`` names this service (``127.0.0.1:PORT`` or ``localhost:PORT``): a page of a
    rebound DNS name reaching 127.0.0.1 carries its own name there."""
    if not host_header:
        return False
    host = host_header.strip().lower()
    return host in {f"127.0.0.1:{port}", f"localhost:{port}"} or (
        port in (80, 443) and host in {"127.0.0.1", "localhost"}
    )


__all__ = ["DEFAULT_PORT", "Policy", "local_host", "normal_origin", "origin_of"]
