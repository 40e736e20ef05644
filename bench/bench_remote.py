"""Kyso remote-signing benchmark: Kyso's own time per remote signature, the simulated confirmation excluded.

Run it with the project's virtual environment::

    .venv/bin/python bench/bench_remote.py [--rounds N] [--quick] [--json FILE] [--check]

A report, not a test: exit 0 whatever the figures, unless ``--check`` (then 1 when a goal is missed). Every time
is the MEDIAN of N rounds, after one warm-up round.

Set-up (not timed): a fresh test PKI, the remote-signing simulator (:mod:`kyso.testing.simulators.remote`) on
127.0.0.1 with the phone confirming ``DELAY`` seconds after each request (``auto_after``), the SmartCA signer
opened once (certificate read once), polling every ``DELAY`` seconds.

What is timed, per round:

- ``remote 1``: ``signer.sign_digests([digest])``: the sign request, the status polls, the signature value
  verified against the certificate. Kyso's own time = wall time - the time the signer spent waiting between polls
  (``signer.waited``, the simulated confirmation) - the simulator's time answering. Goal: <= 5 ms per signature.
  Also shown: the CPU time of the signing thread (``time.thread_time``), what Kyso itself computes, without the
  localhost round trips to a thread-per-connection test server.
- ``remote 20``: the same with a batch of 20 digests: ONE transaction, ONE confirmation (checked), 20 values
  verified; Kyso's own time / 20 per signature. Goal: <= 5 ms per signature.
- Beside each, the reference the goal is counted against (``5 ms``), and the floor of the same work done locally:
  the same key signing the same digests with ``cryptography`` (prehashed), so the ratio of the remote overhead to
  a local signature shows too.
- ``pdf batch 20`` (context): ``kyso.sign_batch`` of 20 one-page PDFs through the simulator (one confirmation),
  per document, minus the wait, against ``kyso.sign`` of the same PDF with the same key from PKCS#12.

The simulator runs in this process; the time it spends answering (``simulator.handling``) is the service's, not
Kyso's, and is subtracted too (what remains: building and sending the requests, reading and checking the answers,
the polling loop, verifying every value).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOAL_MS = 5.0
DELAY = 0.05
BATCH = 20
DEFAULT_ROUNDS = 15


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument("--quick", action="store_true", help="skip the PDF batch")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)

    import hashlib

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

    import kyso
    from kyso.signers.remote.smartca import open_smartca
    from kyso.testing.documents import pdf_with_pages
    from kyso.testing.pki import TestPKI
    from kyso.testing.simulators.remote import SP_ID, SP_SECRET, RemoteSigningSimulator

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="kyso-bench-remote-") as tmp:
        pki = TestPKI.generate(Path(tmp) / "pki")
        simulator = RemoteSigningSimulator.from_pki(pki, Path(tmp) / "sim")
        with simulator.serve():
            simulator.configure(auto="confirm", auto_after=DELAY)
            signer = open_smartca(
                service_url=simulator.smartca_url,
                signer_user="079090001234",
                client_id=SP_ID,
                client_secret=SP_SECRET,
                poll_interval=DELAY,
            )
            key = serialization.load_pem_private_key(pki.key("person").read_bytes(), None)
            local = kyso.Pkcs12Signer.from_file(pki.p12("person"), pki.password)

            cpu: dict[int, list[float]] = {1: [], BATCH: []}

            def remote(count: int) -> float:
                digests = [hashlib.sha256(f"văn bản {i} {time.time_ns()}".encode()).digest() for i in range(count)]
                before, served = len(simulator.transactions()), simulator.handling
                start, start_cpu = time.perf_counter(), time.thread_time()
                signer.sign_digests(digests, "sha256")
                wall, used = time.perf_counter() - start, time.thread_time() - start_cpu
                assert len(simulator.transactions()) == before + 1, "one confirmation per batch"
                cpu[count].append(used * 1000 / count)
                return (wall - signer.waited - (simulator.handling - served)) * 1000 / count

            def floor(count: int) -> float:
                digests = [hashlib.sha256(f"{i}".encode()).digest() for i in range(count)]
                start = time.perf_counter()
                for digest in digests:
                    key.sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))  # type: ignore[union-attr]
                return (time.perf_counter() - start) * 1000 / count

            for count in (1, BATCH):
                remote(count)  # warm-up
                own = [remote(count) for _ in range(args.rounds)]
                local_ms = [floor(count) for _ in range(args.rounds)]
                rows.append(_row(f"remote {count}", own, local_ms, "local key, same digests"))
                rows[-1]["cpu_median_ms"] = round(statistics.median(cpu[count][-args.rounds :]), 3)

            if not args.quick:
                pdf = pdf_with_pages([b"BT /F1 14 Tf 72 770 Td (Kyso benchmark) Tj ET"])
                pdf_rounds = max(3, args.rounds // 5)

                def pdf_batch() -> float:
                    served = simulator.handling
                    start = time.perf_counter()
                    kyso.sign_batch([pdf] * BATCH, signer=signer)
                    wall = time.perf_counter() - start
                    return (wall - signer.waited - (simulator.handling - served)) * 1000 / BATCH

                def pdf_local() -> float:
                    start = time.perf_counter()
                    kyso.sign(pdf, signer=local)
                    return (time.perf_counter() - start) * 1000

                pdf_batch()
                rows.append(
                    _row(
                        f"pdf batch {BATCH}",
                        [pdf_batch() for _ in range(pdf_rounds)],
                        [pdf_local() for _ in range(pdf_rounds * 3)],
                        "kyso.sign, PKCS#12",
                        goal=False,
                    )
                )

    print(f"Remote signing (VNPT SmartCA shape, simulator on 127.0.0.1, confirmation after {DELAY * 1000:.0f} ms)")
    print(f"{'operation':<16}{'own ms/sig':>12}{'goal ms':>9}{'vs goal':>9}{'local ms':>10}{'vs local':>10}  reference")
    failed = False
    for row in rows:
        goal = f"{GOAL_MS:>9.1f}{row['sdk_median_ms'] / GOAL_MS:>8.2f}x" if row["goal"] else f"{'-':>9}{'-':>9}"
        print(
            f"{row['operation']:<16}{row['sdk_median_ms']:>12.2f}{goal}{row['reference_median_ms']:>10.2f}"
            f"{row['ratio']:>9.1f}x  {row['reference']}"
        )
        failed |= bool(row["goal"]) and not row["passed"]
    for row in rows:
        if "cpu_median_ms" in row:
            print(f"{row['operation']}: Kyso's CPU time in the signing thread {row['cpu_median_ms']:.2f} ms/sig")
    print(f"one confirmation per batch of {BATCH}: checked on every round")
    if args.json:
        args.json.write_text(json.dumps({"results": rows}, indent=1), encoding="utf-8")
    return 1 if args.check and failed else 0


def _row(operation: str, own: list[float], reference: list[float], name: str, *, goal: bool = True) -> dict[str, Any]:
    own_median, reference_median = statistics.median(own), statistics.median(reference)
    return {
        "operation": operation,
        "reference": name,
        "goal": f"<= {GOAL_MS} ms per signature" if goal else None,
        "passed": own_median <= GOAL_MS if goal else None,
        "sdk_median_ms": round(own_median, 3),
        "reference_median_ms": round(reference_median, 3),
        "ratio": round(own_median / reference_median, 3),
        "sdk_ms": [round(v, 3) for v in own],
        "reference_ms": [round(v, 3) for v in reference],
    }


if __name__ == "__main__":
    raise SystemExit(main())
