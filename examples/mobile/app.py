"""Kyso mobile signing example: a phone-sized page that signs with remote signing (VNPT SmartCA-style).

The key is on the signing service; the user confirms on the phone. The platform's server does the two steps with
Kyso's public API: ``kyso.prepare`` (the digest to sign), the remote signer's ``sign_digests`` (the request; the
phone's confirmation; a :class:`~kyso.core.signer.SigningControl` reports "waiting"), then ``kyso.finish``. The page
only asks and polls: "Vui lòng xác nhận trên điện thoại", then the verdict.

    python examples/mobile/app.py --service-url https://.../sca/sp769 --user ID --client-id SP --client-secret-env VAR

(without ``--service-url``: Kyso's remote-signing simulator with a test PKI, confirmed from its control endpoint).
API of the server (JSON): ``GET /api/documents``; ``POST /api/documents/ID/sign`` -> ``{"job"}``;
``GET /api/jobs/ID`` -> ``{"state": "preparing|waiting|signed|failed", "service", "transaction", "seconds_left",
"message", "verdict"}``; ``GET /api/jobs/ID/signed`` -> the signed PDF.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import kyso
from kyso.core.errors import KysoError
from kyso.core.signer import SignerStatus, SigningControl

PAGE = Path(__file__).with_name("index.html")


class MobileSigningApp:
    """A WSGI app (werkzeug): the page, the documents to sign, one job per signing."""

    def __init__(self, signer: Any, documents: dict[str, tuple[str, bytes]], *, trust: list[Any] = ()) -> None:
        self.signer = signer
        """A remote signer (``sign_digests``), opened once: its certificate is read at start."""
        self.documents = documents
        self.trust = list(trust)
        self.jobs: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def _update(self, job: str, **values: Any) -> None:
        with self._lock:
            self.jobs[job].update(values)

    def _sign(self, job: str, name: str, data: bytes) -> None:
        def on_status(status: SignerStatus) -> None:
            self._update(
                job, state="waiting", service=status.service, transaction=status.transaction, deadline=status.deadline
            )

        try:
            prepared = kyso.prepare(data, certificate=self.signer.certificate, chain=self.signer.chain, name=name)
            control = SigningControl(on_status=on_status)
            [signature] = self.signer.sign_digests([prepared.digest], prepared.digest_algorithm, control=control)
            signed = kyso.finish(prepared, signature)
            report = kyso.verify(signed, trust=self.trust, revocation="off")
            verdict = {"TOTAL_PASSED": "Chữ ký hợp lệ", "TOTAL_FAILED": "Chữ ký không hợp lệ"}.get(
                str(report.indication), "Chưa xác định được chữ ký"
            )
            signer_name = report.signatures[0].signer.common_name if report.signatures else ""
            self._update(job, state="signed", signed=signed, verdict=verdict, signer=signer_name)
        except KysoError as error:
            self._update(job, state="failed", message=error.diagnostics("vi"))

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        from werkzeug.exceptions import HTTPException, NotFound
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        parts = [p for p in request.path.split("/") if p]
        try:
            if parts in ([], ["index.html"]):
                response = Response(PAGE.read_bytes(), mimetype="text/html")
            elif parts == ["api", "documents"]:
                response = _json([{"id": k, "name": v[0]} for k, v in self.documents.items()])
            elif len(parts) == 4 and parts[:2] == ["api", "documents"] and parts[3] == "sign":
                if request.method != "POST" or parts[2] not in self.documents:
                    raise NotFound()
                job = uuid.uuid4().hex[:12]
                name, data = self.documents[parts[2]]
                self.jobs[job] = {"state": "preparing", "name": name}
                threading.Thread(target=self._sign, args=(job, name, data), daemon=True).start()
                response = _json({"job": job})
            elif len(parts) >= 3 and parts[:2] == ["api", "jobs"] and parts[2] in self.jobs:
                with self._lock:
                    job = dict(self.jobs[parts[2]])
                if parts[3:] == ["signed"] and job.get("signed"):
                    response = Response(job["signed"], mimetype="application/pdf")
                else:
                    deadline = job.pop("deadline", None)
                    job.pop("signed", None)
                    job["seconds_left"] = None if deadline is None else max(0, round(deadline - time.time()))
                    response = _json(job)
            else:
                raise NotFound()
        except HTTPException as exc:
            response = exc.get_response(environ)
        return response(environ, start_response)


def _json(value: Any) -> Any:
    from werkzeug.wrappers import Response

    return Response(json.dumps(value, ensure_ascii=False), mimetype="application/json")


def serve(app: MobileSigningApp, port: int = 0) -> Any:
    """Serve ``app`` on 127.0.0.1 in a daemon thread; the server (``server_port``, ``shutdown()``)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    import argparse
    import os
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--service-url")
    parser.add_argument("--user")
    parser.add_argument("--client-id")
    parser.add_argument("--client-secret-env")
    arguments = parser.parse_args()
    from kyso.demo.letter import sample_letter
    from kyso.signers.remote.smartca import open_smartca

    trust: list[Any] = []
    if arguments.service_url:
        signer = open_smartca(
            service_url=arguments.service_url,
            signer_user=arguments.user,
            client_id=arguments.client_id,
            client_secret=os.environ[arguments.client_secret_env],
        )
    else:
        from kyso.testing.pki import TestPKI
        from kyso.testing.simulators.remote import SP_ID, SP_SECRET, RemoteSigningSimulator

        work = Path(tempfile.mkdtemp(prefix="kyso-mobile-"))
        pki = TestPKI.generate(work / "pki")
        simulator = RemoteSigningSimulator.from_pki(pki, work / "remote").start()
        print(f'remote-signing SIMULATOR: confirm with POST {simulator.url}/_sim/phone {{"action": "confirm"}}')
        signer = open_smartca(
            service_url=simulator.smartca_url, signer_user="079090001234", client_id=SP_ID, client_secret=SP_SECRET
        )
        trust = [pki.root_cert]
    app = MobileSigningApp(signer, {"cv-123": ("cong-van-123.pdf", sample_letter().pdf)}, trust=trust)
    server = serve(app, arguments.port)
    print(f"open http://127.0.0.1:{server.server_port}/ on a phone-sized window")
    threading.Event().wait()


if __name__ == "__main__":
    main()
