"""What the test servers (the test PKI, the platform simulators) share: stopping the server thread and the
``with server.serve():`` block around ``start()``."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any, Self


class ServedInThread:
    """A server that ``start()`` (the subclass's) runs in a daemon thread, kept in ``_server`` and ``_thread``."""

    _server: Any = None
    _thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        """Stop the server thread (no-op when not running)."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def serve_wsgi(self, app: Any, host: str, port: int, *, name: str) -> int:
        """Serve the WSGI ``app`` on ``host:port`` (0: a free port) in a daemon thread, requests unlogged; the
        port bound. What a simulator's ``start()`` does."""
        from werkzeug.serving import WSGIRequestHandler, make_server

        class _Quiet(WSGIRequestHandler):
            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                pass

        self._server = make_server(host, port, app, threaded=True, request_handler=_Quiet)
        self._thread = threading.Thread(target=self._server.serve_forever, name=name, daemon=True)
        self._thread.start()
        return int(self._server.server_port)

    @contextlib.contextmanager
    def serve(self) -> Iterator[Self]:
        """Serve while inside the ``with`` block."""
        self.start()
        try:
            yield self
        finally:
            self.stop()
