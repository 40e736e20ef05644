"""A small forwarding HTTP proxy on 127.0.0.1 that counts what goes through it, to test that Kyso honours
``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``NO_PROXY`` (agencies' networks reach OCSP, CRL, AIA, TSA and platforms only
through one)::

    with CountingProxy().serve() as proxy:
        os.environ["HTTP_PROXY"] = proxy.url
        ...
        assert proxy.count("ocsp") > 0   # requests whose path contains "ocsp"

Plain-HTTP forwarding only (absolute-URI requests, RFC 9112 section 3.2.2; no CONNECT): the test servers are
plain HTTP. Test infrastructure, not runtime.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import urlsplit

from kyso.testing.serving import ServedInThread

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer", "upgrade"}


class CountingProxy(ServedInThread):
    """A forwarding proxy; :attr:`requests` lists ``(method, absolute URL)`` of every request it forwarded."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def count(self, part: str = "") -> int:
        """Requests forwarded whose URL contains ``part`` (all of them for ``""``)."""
        with self._lock:
            return sum(1 for _, url in self.requests if part in url)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()

    def start(self) -> Self:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
                pass

            def _forward(self) -> None:
                target = urlsplit(self.path)
                if target.scheme != "http" or not target.hostname:
                    self.send_error(400, "absolute http:// URL expected")
                    return
                with proxy._lock:
                    proxy.requests.append((self.command, self.path))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=30)
                try:
                    path = target.path + (f"?{target.query}" if target.query else "")
                    upstream.request(self.command, path or "/", body=body, headers=headers)
                    answer = upstream.getresponse()
                    content = answer.read()
                except OSError:
                    self.send_error(502, "upstream unreachable")
                    return
                finally:
                    upstream.close()
                self.send_response(answer.status, answer.reason)
                for key, value in answer.getheaders():
                    if key.lower() not in HOP_BY_HOP | {"content-length", "transfer-encoding"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward  # noqa: N815 - http.server's names

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="kyso-proxy", daemon=True)
        self._thread.start()
        return self


__all__ = ["CountingProxy"]
