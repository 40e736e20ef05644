"""certomancer-csc-dummy (the CSC API v1 test server of pyHanko's own CSC tests) over the test PKI, on 127.0.0.1.

Test material: the dummy authenticates nobody and signs with every key of the PKI. Credential ids are
``"<arch>/<certificate label>"`` (``"kyso/person"``); hash pinning is required (SCAL 2), as at a real service.
Needs the ``certomancer-csc-dummy`` distribution (the ``test`` extra).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Self

from kyso.testing.serving import ServedInThread


class CscDummy(ServedInThread):
    """The dummy CSC server in an asyncio loop of its own, in a daemon thread; :attr:`url` is ``--service-url``."""

    def __init__(self, pki: Any, *, host: str = "127.0.0.1") -> None:
        self.pki = pki
        self.host = host
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: Any = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        from aiohttp import web
        from csc_dummy.csc_dummy_server import CSCWithCertomancer, DummyServiceParams

        app = CSCWithCertomancer(self.pki.certomancer_config, service_params=DummyServiceParams())
        app.register_routes()
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(app.app, access_log=None)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, self.host, 0)
        loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._loop, self._runner = loop, runner
        self._server = self
        self._thread = threading.Thread(target=loop.run_forever, name="csc-dummy", daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Called by :meth:`stop`: stop the loop and close the server."""
        loop, runner = self._loop, self._runner
        if loop is None:
            return
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)

    def server_close(self) -> None:
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._loop is not None and not self._loop.is_running():
            self._loop.close()
        self._loop = None
