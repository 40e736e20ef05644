"""Kyso validation service benchmark: ``kyso serve`` under load, side by side with in-process ``kyso.verify``.

Run it with the project's virtual environment::

    .venv/bin/python bench/bench_service.py [--seconds 60] [--clients 50] [--workers 2] [--quick] [--json FILE]

A report, not a test: it exits 0 whatever the figures (``--check`` exits 1 when a goal is missed).

Set-up (not timed): a fresh test PKI served on 127.0.0.1 (OCSP, CRL), three documents signed by its "person"
certificate: a 1-page PDF, a 100-page PDF (a few lines of Helvetica per page) and an edXML package (one
attachment); ``kyso serve`` started as a subprocess with ``--workers`` worker processes, the PKI root as its trust
anchor, soft revocation (answers fetched from the PKI once, then from the shared disk cache), SQLite database,
audit and access log on (as deployed).

Reference, in this process, before the load: ``kyso.verify(document, trust=[root DER], revocation="soft")`` on the
same three documents in turn, for a third of the load's duration: documents per second of one process.

Load: ``--clients`` threads, each with its own keep-alive HTTP connection, post the three documents in turn
(multipart, ``/api/v1/verify``) for ``--seconds`` seconds. Counted: requests, errors (any status but 200, or a
verdict other than TOTAL_PASSED), latency p50 / p99, throughput; throughput per worker process = throughput /
workers, compared with the in-process reference (goal: >= 0.8x). The load generator runs on the same machine and
takes some of its cores: the ratio is a lower bound of what the service does on its own.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path


def documents(pki) -> dict[str, bytes]:
    import kyso
    from kyso.testing.documents import pdf_with_pages
    from kyso_edxml import codec
    from kyso_edxml.model import Attachment, EdXMLMessage, MessageHeader, Organization

    signer = kyso.Pkcs12Signer.from_file(pki.p12("person"), pki.password)
    page = b"BT /F1 12 Tf 72 770 Td (Kyso benchmark page) Tj 0 -16 Td (Cong van so 123/UBND-VX) Tj ET"
    package = codec.build(
        EdXMLMessage(
            header=MessageHeader(
                from_=Organization(organ_id="000.00.00.H41", organ_name="UBND tỉnh Nghệ An"),
                to=[Organization(organ_id="000.00.00.G22", organ_name="Văn phòng Chính phủ")],
                subject="V/v benchmark",
            ),
            attachments=[
                Attachment(
                    content_id="cid:1",
                    attachment_name="a.pdf",
                    content_type="application/pdf",
                    data=pdf_with_pages([page]),
                )
            ],
        )
    )
    return {
        "pdf-1-page": kyso.sign(pdf_with_pages([page]), signer=signer),
        "pdf-100-pages": kyso.sign(pdf_with_pages([page] * 100), signer=signer),
        "edxml": kyso.sign(package, signer=signer),
    }


def in_process(docs: dict[str, bytes], root: bytes, seconds: float) -> tuple[float, int]:
    import kyso

    items = list(docs.values())
    for data in items:  # warm-up: imports, caches, revocation answers
        assert kyso.verify(data, trust=[root]).indication == "TOTAL_PASSED"
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds or count % len(items):
        kyso.verify(items[count % len(items)], trust=[root])
        count += 1
    return count / (time.perf_counter() - started), count


def load(url: str, docs: dict[str, bytes], clients: int, seconds: float) -> dict[str, object]:
    import httpx

    items = list(docs.items())
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(number: int) -> None:
        with httpx.Client(base_url=url, timeout=120) as http:
            turn = number
            while time.perf_counter() < stop:
                name, data = items[turn % len(items)]
                turn += 1
                began = time.perf_counter()
                try:
                    answer = http.post("/api/v1/verify", files={"file": (name, data)})
                    ok = answer.status_code == 200 and answer.json()["indication"] == "TOTAL_PASSED"
                    problem = None if ok else f"{answer.status_code} {answer.text[:100]}"
                except httpx.HTTPError as exc:
                    problem = exc.__class__.__name__
                elapsed = time.perf_counter() - began
                with lock:
                    latencies.append(elapsed)
                    if problem:
                        errors.append(problem)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "throughput": len(latencies) / wall,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="10 s of load, 10 clients")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.clients = min(args.seconds, 10.0), min(args.clients, 10)

    from kyso.certs.loading import load_certificates
    from kyso.testing.pki import TestPKI
    from kyso.testing.service import serve

    with tempfile.TemporaryDirectory(prefix="kyso-bench-service-") as temporary:
        base = Path(temporary)
        import os

        os.environ["KYSO_CONFIG_DIR"] = str(base / "config")  # the developer's trust store and cache stay out
        os.environ["KYSO_CACHE_DIR"] = str(base / "cache")
        pki = TestPKI.generate(base / "pki")
        with pki.serve():
            docs = documents(pki)
            root = load_certificates([pki.root_cert])[0]
            reference, verified = in_process(docs, root, max(args.seconds / 3, 3.0))
            config = base / "service.toml"
            config.write_text(
                f"[server]\nworkers = {args.workers}\nrequest_timeout = 120\n"
                f'[storage]\ndatabase = "sqlite:///{base / "service.db"}"\ncache_dir = "{base / "cache"}"\n'
                f'[trust]\ndefault = ["{pki.root_cert}"]\n'
                f"[keys]\nanonymous_per_minute = 10000000\n",
                encoding="utf-8",
            )
            with serve(config, base / "service.log") as (url, _process):
                load(url, docs, min(args.clients, 4), 2.0)  # warm-up: every worker imports and caches
                figures = load(url, docs, args.clients, args.seconds)
    per_worker = figures["throughput"] / args.workers  # type: ignore[operator]
    ratio = per_worker / reference
    sizes = ", ".join(f"{name} {len(data) // 1024} KiB" for name, data in docs.items())
    print(f"documents: {sizes}")
    print(f"in-process kyso.verify: {reference:.1f} documents/s ({verified} verified)")
    print(
        f"kyso serve, {args.workers} workers, {args.clients} clients, {args.seconds:g} s: "
        f"{figures['requests']} requests, {figures['errors']} errors, "
        f"p50 {figures['p50_ms']:.0f} ms, p99 {figures['p99_ms']:.0f} ms, "
        f"{figures['throughput']:.1f} requests/s = {per_worker:.1f} per worker"
    )
    print(f"throughput per worker / in-process: {ratio:.2f}x (goal >= 0.8x)")
    if figures["errors"]:
        print(f"error samples: {figures['error_samples']}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"reference_per_s": reference, "per_worker_per_s": per_worker, "ratio": ratio, **figures}, indent=2
            ),
            encoding="utf-8",
        )
    return 1 if args.check and (ratio < 0.8 or figures["errors"]) else 0


if __name__ == "__main__":
    sys.exit(main())
