"""The adapters' HTTP client on a platform that misbehaves below the HTTP layer."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from kyso.adapters.http import HttpClient
from kyso.core.adapter import AdapterConfig, PlatformError

HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: 1200\r\n\r\n"


@pytest.fixture
def trickling_server():
    """A server that sends its headers at once, then its body one byte every 50 ms, for a minute."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                connection.recv(65536)
                try:
                    connection.sendall(HEADERS)
                    for _ in range(1200):
                        if stop.is_set():
                            break
                        connection.sendall(b"x")
                        time.sleep(0.05)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(5)
    listener.close()


def test_a_trickled_answer_is_bounded_in_total(trickling_server):
    # each socket read gets a byte well within the timeout: only a bound on the whole answer stops it
    client = HttpClient(AdapterConfig(trickling_server, timeout=0.5, retries=1, backoff=0.01), platform="slowpoke")
    started = time.monotonic()
    try:
        with pytest.raises(PlatformError, match="too slow"):
            client.content("/file")
    finally:
        client.close()
    assert time.monotonic() - started < 5
