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

    @contextlib.contextmanager
    def serve(self) -> Iterator[Self]:
        """Serve while inside the ``with`` block."""
        self.start()
        try:
            yield self
        finally:
            self.stop()
