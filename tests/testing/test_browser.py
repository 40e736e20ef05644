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



def test_kyso_works_beside_an_attached_browser(kyso_browser, unsigned_pdf, signer_for, pki) -> None:
    """Playwright's sync API marks an event loop running in this thread; Kyso's API still works beside it."""
    import kyso

    signed = kyso.sign(unsigned_pdf, signer=signer_for("person"))
    assert kyso.verify(signed, trust=[pki.root_cert], revocation="off").indication == "TOTAL_PASSED"
