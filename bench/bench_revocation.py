"""Kyso revocation benchmark: verifying many PDFs from the same signer with revocation checking on.

Run it with the project's virtual environment::

    .venv/bin/python bench/bench_revocation.py [--documents N] [--json FILE] [--check]

Set-up (not timed): a fresh test PKI (``kyso.testing.pki.TestPKI``) served on 127.0.0.1, N different one-page PDFs
(default 100) each signed B-B by its "person" certificate, and an empty revocation cache directory
(``KYSO_CACHE_DIR``).

Timed, each over the N documents, in one process, ``kyso.verify(pdf, trust=[root], revocation=...)``:

1. ``off``: no revocation checking (the reference);
2. ``hard``, cold: the cache starts empty, so the first document fetches OCSP (signer) and the root's CRL
   (issuing CA) and later ones reuse the answers and the verdict resting on them;
3. ``hard``, warm: a second pass over the same documents;
4. ``hard``, new process: the memory caches (verdicts, parsed answers) are dropped and the first document finds
   its answers in the disk cache only.

The HTTP requests the PKI received are counted per service (``pki.request_count``) for each pass. Goals: the warm
pass costs at most 1.3x the ``off`` pass, and there is at most one OCSP request per certificate per validity
window (here: one in total, since every document has the same signer and the response is valid for a while).
It is a report: exit 0 whatever the figures, unless ``--check`` is given (then 1 when a goal is missed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def make_pdf(number: int) -> bytes:
    from kyso.testing.documents import pdf_with_pages

    return pdf_with_pages([f"BT /F1 14 Tf 72 770 Td (Document {number}) Tj ET".encode()])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--json", type=Path, help="Write the figures to this file.")
    parser.add_argument("--check", action="store_true", help="Exit 1 when a goal is missed.")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="kyso-bench-revocation-"))
    os.environ["KYSO_CACHE_DIR"] = str(work / "cache")
    os.environ["KYSO_CONFIG_DIR"] = str(work / "config")
    os.environ.pop("KYSO_TRUST", None)

    import kyso
    from kyso.certs.validation import clear_memory_caches
    from kyso.testing.pki import TestPKI

    pki = TestPKI.generate(work / "pki", label="BENCH")
    pki.start()
    try:
        signer = kyso.Pkcs12Signer.from_file(pki.p12("person"), pki.password)
        documents = [kyso.sign(make_pdf(n), signer=signer) for n in range(args.documents)]
        root = pki.root_cert.read_bytes()
        kyso.verify(documents[0], trust=[root], revocation="off")  # warm-up: imports, parsed-certificate cache

        passes: list[dict[str, object]] = []

        def run(label: str, policy: str) -> None:
            pki.reset_request_count()
            started = time.perf_counter()
            for pdf in documents:
                report = kyso.verify(pdf, trust=[root], revocation=policy)
                if report.indication != "TOTAL_PASSED":
                    raise SystemExit(f"{label}: unexpected verdict {report.indication}")
            elapsed = time.perf_counter() - started
            passes.append(
                {
                    "pass": label,
                    "revocation": policy,
                    "total_s": round(elapsed, 3),
                    "per_document_ms": round(1000 * elapsed / len(documents), 2),
                    "requests": dict(pki.request_count),
                }
            )

        run("off", "off")
        run("hard, cold cache", "hard")
        run("hard, warm cache", "hard")
        clear_memory_caches()
        run("hard, disk cache only (new process)", "hard")
        run("off (again)", "off")
    finally:
        pki.stop()

    off = min(p["total_s"] for p in passes if p["revocation"] == "off")  # type: ignore[type-var]
    warm = next(p for p in passes if p["pass"] == "hard, warm cache")
    ratio = warm["total_s"] / off  # type: ignore[operator]
    ocsp_total = sum(p["requests"]["ocsp"] for p in passes)  # type: ignore[index,misc]
    goals = {"warm <= 1.3x off": ratio <= 1.3, "at most 1 OCSP request (one signer, one window)": ocsp_total <= 1}

    print(f"{len(documents)} PDFs signed by one certificate, verified with kyso.verify in one process")
    print(f"{'pass':<40} {'total s':>8} {'ms/doc':>8}   HTTP requests (ocsp, crl, certs, other)")
    for p in passes:
        r = p["requests"]
        print(
            f"{p['pass']:<40} {p['total_s']:>8.3f} {p['per_document_ms']:>8.2f}   "
            f"{r['ocsp']}, {r['crl']}, {r['certs']}, {r['other']}"  # type: ignore[index]
        )
    print(f"warm hard / off = {ratio:.2f}x (goal <= 1.3x)")
    print(f"OCSP requests over all passes: {ocsp_total} (goal: at most 1 per certificate per validity window)")
    for goal, met in goals.items():
        print(f"  {'met ' if met else 'MISSED'}  {goal}")
    if args.json:
        args.json.write_text(json.dumps({"passes": passes, "ratio": ratio, "goals": goals}, indent=2), encoding="utf-8")
    return 0 if (all(goals.values()) or not args.check) else 1


if __name__ == "__main__":
    sys.exit(main())
