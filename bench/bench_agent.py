"""Kyso agent benchmark: SignApproved round trips through ``kyso agent run`` against a local file server.

Run it with the project's virtual environment::

    .venv/bin/python bench/bench_agent.py [--rounds N] [--concurrent N] [--json FILE] [--check]

A report, not a test: exit 0 whatever the figures, unless ``--check`` (then 1 when a goal is missed).

Set-up (not timed): a fresh test PKI; a file server on 127.0.0.1 (one sample letter per document URL, an upload
handler that records each upload and its ``Idempotency-Key``); ``kyso agent run`` in its own process (PKCS#12,
``--no-tls``, ``--consent allowlisted``, five page origins allowlisted, the file server allowlisted for files).

What is measured:

- ``concurrent``: 50 SignApproved calls at once from 5 origins (10 each), each for its own document: none lost
  (50 replies with Status 0), none uploaded twice (50 uploads, 50 distinct documents, 50 distinct keys); the wall
  time and the p50 / p99 of the calls' round trips.
- ``sequential``: N SignApproved calls one after the other: p50 and p99 of the round trip (WebSocket connect,
  download, sign, upload, reply).
- ``in-process``: ``kyso.sign`` of the same file with the same kind options and key, N times: its p50 is the
  reference; the agent's overhead is the ratio of the p50s (goal <= 1.5x).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOAL_RATIO = 1.5
ORIGINS = [f"https://qlvb{n}.example.gov.vn" for n in range(1, 6)]


class Files(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as production web servers do: no 40 ms delayed-ACK stall per answer
    server: Any

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body = self.server.pdf
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.server.lock:
            self.server.uploads.append((self.path, self.headers.get("Idempotency-Key"), len(body)))
        answer = json.dumps({"Status": 0, "FileServer": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--concurrent", type=int, default=50)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--check", action="store_true")
    options = parser.parse_args()

    from websockets.sync.client import connect

    import kyso
    from kyso.demo.letter import sample_letter
    from kyso.demo.marks import sample_signature_png
    from kyso.testing.agent import AgentProcess
    from kyso.testing.pki import DEFAULT_PASSWORD, TestPKI

    work = Path(tempfile.mkdtemp(prefix="kyso-bench-agent-"))
    pki = TestPKI.generate(work / "pki")
    image = work / "image.png"
    image.write_bytes(sample_signature_png())
    files = ThreadingHTTPServer(("127.0.0.1", 0), Files)
    files.daemon_threads = True
    files.pdf = sample_letter().pdf  # type: ignore[attr-defined]
    files.uploads = []  # type: ignore[attr-defined]
    files.lock = threading.Lock()  # type: ignore[attr-defined]
    threading.Thread(target=files.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{files.server_port}"
    env = {**os.environ, "KYSO_CONFIG_DIR": str(work / "config"), "KYSO_BENCH_PW": DEFAULT_PASSWORD}
    args = [
        "--p12", str(pki.p12("person")), "--password-env", "KYSO_BENCH_PW", "--port", "0", "--no-tls",
        "--consent", "allowlisted", "--allow-file-origin", base, "--image", str(image), "--anchor", "CHỦ TỊCH",
    ]  # fmt: skip
    for origin in ORIGINS:
        args += ["--allow-origin", origin]
    agent = AgentProcess(args, env)
    url = agent.url

    def sign_approved(number: int, origin: str) -> tuple[float, dict[str, Any]]:
        started = time.perf_counter()
        with connect(f"{url}/SignApproved", origin=origin, open_timeout=30) as socket:
            socket.send(
                json.dumps({"FileName": f"{base}/doc/{number}.pdf", "FileUploadHandler": f"{base}/upload/{number}"})
            )
            reply = json.loads(socket.recv(timeout=300))
        return time.perf_counter() - started, reply

    try:
        sign_approved(0, ORIGINS[0])  # warm-up: imports, first signature
        files.uploads.clear()
        count = options.concurrent
        started = time.perf_counter()
        with ThreadPoolExecutor(count) as pool:
            results = list(pool.map(lambda n: sign_approved(n, ORIGINS[n % len(ORIGINS)]), range(1, count + 1)))
        wall = time.perf_counter() - started
        statuses = [reply["Status"] for _, reply in results]
        paths = [path for path, _, _ in files.uploads]
        keys = [key for _, key, _ in files.uploads]
        concurrent_times = [t for t, _ in results]
        lost = sum(1 for s in statuses if s != 0)
        twice = len(paths) - len(set(paths))
        # the two sides interleaved, round by round: the machine's load drifts the same way for both
        signer = kyso.Pkcs12Signer.from_file(pki.p12("person"), DEFAULT_PASSWORD)
        pdf, png = files.pdf, image.read_bytes()  # type: ignore[attr-defined]
        kyso.sign(pdf, signer=signer, kind="approval", image=png, anchor="CHỦ TỊCH")
        sequential, in_process = [], []
        for n in range(options.rounds):
            sequential.append(sign_approved(1000 + n, ORIGINS[n % 5])[0])
            started = time.perf_counter()
            kyso.sign(pdf, signer=signer, kind="approval", image=png, anchor="CHỦ TỊCH", name=f"{n}.pdf")
            in_process.append(time.perf_counter() - started)
    finally:
        agent.stop()
        files.shutdown()

    import sqlite3

    with sqlite3.connect(work / "config" / "agent" / "audit.sqlite3") as db:
        rows = db.execute("SELECT elapsed_ms FROM calls WHERE document LIKE '10__.pdf' ORDER BY id").fetchall()
    inside = [row[0] / 1000 for row in rows]
    p50, reference = statistics.median(sequential), statistics.median(in_process)
    figures = {
        "concurrent_calls": count,
        "origins": len(ORIGINS),
        "lost": lost,
        "uploaded_twice": twice,
        "uploads": len(paths),
        "distinct_keys": len(set(keys)),
        "concurrent_wall_s": wall,
        "concurrent_p50_ms": statistics.median(concurrent_times) * 1000,
        "concurrent_p99_ms": percentile(concurrent_times, 0.99) * 1000,
        "sequential_p50_ms": p50 * 1000,
        "sequential_p99_ms": percentile(sequential, 0.99) * 1000,
        "in_process_p50_ms": reference * 1000,
        "agent_work_p50_ms": statistics.median(inside) * 1000 if inside else None,
        "overhead_ratio_p50": p50 / reference,
        "goal_ratio": GOAL_RATIO,
    }
    print(
        f"{count} concurrent SignApproved from {len(ORIGINS)} origins: {count - lost} ok, {lost} lost, "
        f"{len(paths)} uploads, {twice} uploaded twice, {len(set(keys))} distinct keys, {wall:.2f} s wall"
    )
    print(
        f"  round trip under load   p50 {figures['concurrent_p50_ms']:8.1f} ms"
        f"   p99 {figures['concurrent_p99_ms']:8.1f} ms"
    )
    print(
        f"sequential round trip     p50 {figures['sequential_p50_ms']:8.1f} ms"
        f"   p99 {figures['sequential_p99_ms']:8.1f} ms"
    )
    if inside:
        print(f"  of which in the agent's worker (download, sign, upload): p50 {figures['agent_work_p50_ms']:8.1f} ms")
    print(f"in-process kyso.sign      p50 {figures['in_process_p50_ms']:8.1f} ms   (the reference)")
    print(f"agent / in-process at p50     {figures['overhead_ratio_p50']:8.2f}x   (goal <= {GOAL_RATIO}x)")
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2))
    missed = lost or twice or len(paths) != count or figures["overhead_ratio_p50"] > GOAL_RATIO
    return 1 if options.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
