"""The shared headless Chromium renders a page served on 127.0.0.1 and runs its script."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = "<!doctype html><meta charset=utf-8><p id=t>chưa</p><script>t.textContent='Đã ký'</script>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_browser_runs_a_local_page(kyso_browser) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = kyso_browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        assert page.text_content("#t") == "Đã ký"
        page.close()
    finally:
        server.shutdown()


def test_the_browser_leaves_no_running_event_loop_in_the_test_thread(kyso_browser) -> None:
    # Playwright's sync API keeps its loop running in the thread that started it; asyncio.run (pyHanko's
    # synchronous API) then failed in every later test of the worker. The shared browser lives on its own thread.
    import asyncio

    page = kyso_browser.new_page()
    page.set_content("<p id=t>Đã ký</p>")
    assert page.text_content("#t") == "Đã ký"
    page.close()

    async def answer() -> int:
        return 42

    assert asyncio.run(answer()) == 42
