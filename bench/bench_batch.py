"""Kyso batch benchmark: verify many signed documents with 1 and 2 worker processes and on a Dask LocalCluster of
2 workers, side by side in one run; then the audit of a synthetic store with bounded memory.

Run it with the project's virtual environment (it needs the ``scale`` extra: Dask, matplotlib, openpyxl)::

    .venv/bin/python bench/bench_batch.py [--quick] [--documents N] [--json FILE] [--check]

A report, not a test: exit 0 whatever the figures unless ``--check`` (then 1 when a goal is missed).

Set-up (not timed): a fresh test PKI; N distinct 1-page PDFs (default 2,000), each signed B-B by the "person"
certificate (RSA-2048) in this process.

Timed, each engine over the same folder, through :func:`kyso.batch.runner.run_batch` with the ``kyso batch
verify`` operation (trust = the test root, revocation off: the machine's CPUs are measured, not a local OCSP
server; no journal): a process pool of 1 worker, of 2 workers (goal: >= 1.7x the 1-worker throughput), and a Dask
LocalCluster of 2 worker processes (goal: within 15% of the 2-worker pool). Worker start-up is inside the timing
(the pool starts with the run; the cluster is started before, as a running cluster would be, and its start is
shown apart).

Audit: a store of D distinct signed files (default 1,000) under K names each (default 100) through hard links,
D x K documents, audited with 2 worker processes (facts reduced to counters, one CSV row per document streamed
to disk); the peak resident set size of this process and of the largest worker is printed (goal: bounded, i.e.
nearly independent of D x K: the tally keeps counters and bounded example lists, the CSV is streamed; the client
remembers one key per input, a few hundred bytes each).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _signed_folder(folder: Path, count: int, pki) -> None:
    import kyso
    from kyso.testing.documents import pdf_with_pages

    signer = kyso.Pkcs12Signer.from_file(pki.p12("person"), pki.password)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        data = pdf_with_pages([f"BT /F1 14 Tf 72 770 Td (Van ban so {number}) Tj ET".encode()])
        (folder / f"{number:06d}.pdf").write_bytes(kyso.sign(data, signer=signer))


def _verify(folder: Path, engine, options) -> tuple[float, dict]:
    from kyso.batch.operations import Verify
    from kyso.batch.runner import run_batch
    from kyso.batch.sources import expand

    started = time.perf_counter()
    summary = run_batch(expand([str(folder)]), Verify(options), engine=engine)
    return time.perf_counter() - started, summary.counts


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _startup(root: Path, folder: Path, options) -> float:
    """Seconds from a new 1-worker pool to the result of one document: the fixed cost inside every timing."""
    from kyso.batch.runner import ProcessPool

    one = root / "one"
    one.mkdir()
    os.link(next(iter(sorted(folder.iterdir()))), one / "one.pdf")
    engine = ProcessPool(1)
    try:
        return _verify(one, engine, options)[0]
    finally:
        engine.close()


def _hard_linked_store(distinct: Path, store: Path, names: int) -> int:
    files = sorted(distinct.iterdir())
    for copy in range(names):
        sub = store / f"{copy:03d}"
        sub.mkdir(parents=True)
        for path in files:
            os.link(path, sub / path.name)
    return len(files) * names


def _peak_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 documents; audit 100 x 20")
    parser.add_argument("--documents", type=int)
    parser.add_argument("--distinct", type=int)
    parser.add_argument("--names", type=int)
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the verify comparison (alternating order)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    documents = args.documents or (200 if args.quick else 2000)
    distinct = args.distinct or (100 if args.quick else 1000)
    names = args.names or (20 if args.quick else 100)

    from distributed import Client, LocalCluster

    from kyso.audit.report import AuditTally, DocumentRows, root_classes
    from kyso.batch.operations import Audit, VerifyOptions
    from kyso.batch.runner import DaskEngine, ProcessPool, run_batch
    from kyso.batch.sources import expand
    from kyso.certs.loading import load_certificates
    from kyso.testing.pki import TestPKI

    with tempfile.TemporaryDirectory(prefix="kyso-bench-batch-") as temporary:
        root = Path(temporary)
        pki = TestPKI.generate(root / "pki")
        folder = root / "signed"
        t0 = time.perf_counter()
        _signed_folder(folder, documents, pki)
        print(f"set-up: {documents} signed PDFs in {time.perf_counter() - t0:.1f} s", flush=True)
        options = VerifyOptions(trust=tuple(load_certificates([pki.root_cert])), revocation="off")

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        Client(cluster).close()
        engines = {
            "pool, 1 worker": lambda: ProcessPool(1),
            "pool, 2 workers": lambda: ProcessPool(2),
            "dask, 2 workers": lambda: DaskEngine(cluster.scheduler_address, 2),
        }
        results: dict[str, list[float]] = {label: [] for label in engines}
        cpu: dict[str, list[float]] = {label: [] for label in engines if label.startswith("pool")}
        parent: dict[str, list[float]] = {label: [] for label in engines}
        # (Dask's workers are children of its nannies: their CPU time does not reach this process's rusage)
        startup = _startup(root, folder, options)
        print(
            f"verify {documents} signed documents, the same files for every engine, 1 vs 2 worker processes "
            f"({args.rounds} rounds, alternating order); worker start-up (spawn, import, first document) "
            f"{startup:.2f} s, inside each timing",
            flush=True,
        )
        print(f"load average before: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)", flush=True)
        try:
            for number in range(args.rounds):
                order = list(engines) if number % 2 == 0 else list(reversed(engines))
                for label in order:
                    before, parent_before = _cpu(resource.RUSAGE_CHILDREN), _cpu(resource.RUSAGE_SELF)
                    engine = engines[label]()
                    try:
                        seconds, counts = _verify(folder, engine, options)
                    finally:
                        engine.close()
                    worker_cpu = _cpu(resource.RUSAGE_CHILDREN) - before
                    parent_cpu = _cpu(resource.RUSAGE_SELF) - parent_before
                    results[label].append(seconds)
                    parent[label].append(parent_cpu)
                    if label in cpu:
                        cpu[label].append(worker_cpu)
                    print(
                        f"round {number + 1}: verify {documents}, {label:<16} {seconds:7.2f} s  "
                        f"{documents / seconds:7.1f} doc/s  parent CPU {1000 * parent_cpu / documents:4.2f} ms/doc  "
                        f"load {os.getloadavg()[0]:4.1f}  {counts}",
                        flush=True,
                    )
        finally:
            cluster.close()
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        median = {label: statistics.median(times) for label, times in results.items()}
        speedup = median["pool, 1 worker"] / median["pool, 2 workers"]
        dask_ratio = median["dask, 2 workers"] / median["pool, 2 workers"]
        pool1, pool2, dask2 = results["pool, 1 worker"], results["pool, 2 workers"], results["dask, 2 workers"]
        paired_speedup = statistics.median(a / b for a, b in zip(pool1, pool2, strict=True))
        paired_dask = statistics.median(a / b for a, b in zip(dask2, pool2, strict=True))
        per_core = documents / statistics.median(cpu["pool, 1 worker"])
        parent_ms = {label: 1000 * statistics.median(times) / documents for label, times in parent.items()}
        print(
            f"2 workers vs 1: {speedup:.2f}x (paired {paired_speedup:.2f}x; goal >= 1.7x); Dask vs pool: "
            f"{dask_ratio:.2f} (paired {paired_dask:.2f}; goal <= 1.15)"
        )
        print(
            f"CPU per document in the workers (1 worker): {1000 / per_core:.1f} ms = {per_core:.1f} documents/s "
            f"per busy core; 2 workers: {1000 * statistics.median(cpu['pool, 2 workers']) / documents:.1f} ms"
        )
        print(
            "CPU per document in this (the parent) process: "
            + ", ".join(f"{label} {ms:.2f} ms" for label, ms in parent_ms.items())
            + " (sources, results, summary: what competes with the workers for the cores)"
        )
        print(
            f"VERIFY {documents} DOCUMENTS: 1 worker {documents / median['pool, 1 worker']:.1f} doc/s, "
            f"2 workers {documents / median['pool, 2 workers']:.1f} doc/s = {speedup:.2f}x (goal >= 1.7x: "
            f"{'met' if speedup >= 1.7 else 'NOT met'}; load average {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} CPUs: other processes take their share of the cores)"
        )

        distinct_folder = root / "distinct"
        _signed_folder(distinct_folder, distinct, pki)
        store = root / "store"
        total = _hard_linked_store(distinct_folder, store, names)
        tally = AuditTally(roots=root_classes(None))
        rows = DocumentRows(root / "audit.csv")
        engine = ProcessPool(2)
        started = time.perf_counter()
        try:
            summary = run_batch(
                expand([str(store)]), Audit(options), engine=engine, on_item=lambda item: rows.write(tally.add(item))
            )
        finally:
            engine.close()
            rows.close(keep=True)
        audit_seconds = time.perf_counter() - started
        parent_mb, worker_mb = _peak_rss_mb(resource.RUSAGE_SELF), _peak_rss_mb(resource.RUSAGE_CHILDREN)
        print(
            f"audit of {total} documents ({distinct} distinct x {names} hard links), 2 workers: "
            f"{audit_seconds:.1f} s, {total / audit_seconds:.0f} doc/s; peak RSS: this process {parent_mb:.0f} MB, "
            f"largest worker {worker_mb:.0f} MB; {summary.counts}; CSV {(root / 'audit.csv').stat().st_size // 1024} kB"
        )
        figures = {
            "documents": documents,
            "seconds": results,
            "worker_cpu_seconds": cpu,
            "speedup_2_vs_1": speedup,
            "dask_vs_pool": dask_ratio,
            "per_core_docs_per_second": per_core,
            "parent_cpu_ms_per_document": parent_ms,
            "worker_startup_seconds": startup,
            "audit": {
                "documents": total,
                "seconds": audit_seconds,
                "parent_peak_rss_mb": parent_mb,
                "worker_peak_rss_mb": worker_mb,
            },
        }
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    if args.check and (speedup < 1.7 or dask_ratio > 1.15):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
