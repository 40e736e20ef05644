"""Kyso PKCS#11 benchmark: signing a PDF with a key on a SoftHSM2 token, side by side with the same key from a
PKCS#12 file, in one process, round by round (issue 11: token <= 1.3x PKCS#12 for a 1-page document).

Run it with the project's virtual environment (needs Debian's softhsm2)::

    .venv/bin/python bench/bench_pkcs11.py [--rounds N] [--quick] [--json FILE] [--check]

A report, not a test: exits 0 whatever the figures, unless ``--check`` (then 1 when the goal is missed). Every
figure is the MEDIAN of N rounds; within a round the two sides alternate (token first in even rounds, PKCS#12
first in odd ones), after one warm-up round not counted.

Set-up (not timed): a fresh test PKI (``kyso.testing.pki.TestPKI``) and a fresh SoftHSM2 token
(``kyso.testing.token.TestToken``, its own ``SOFTHSM2_CONF``) holding the PKI's "person" key (RSA-2048) and
certificate; the PKCS#12 side loads the very same key from ``person.p12``. The document is a 1-page PDF.

- ``sign 1 page``: ``kyso.sign(pdf, signer=...)``, PAdES B-B, SHA-256, RSA PKCS#1 v1.5. Token side: a
  ``Pkcs11Signer`` opened (and logged in) once before the rounds, so a round is what each document of a batch
  costs; it includes the token's C_Sign and Kyso's check of the signature against the certificate.
- ``raw C_Sign``: one ``C_Sign`` of a SHA-256 DigestInfo with ``CKM_RSA_PKCS`` on the logged-in session (python-
  pkcs11, what the token itself costs), against ``cryptography``'s RSA sign of the same digest with the PKCS#12
  key; for information.
- ``batch of 50``: opening the signer (token: load, find, C_Login; PKCS#12: read and decrypt the file), signing 50
  one-page documents, closing (token: C_Logout); the number of C_Login calls is counted through
  ``kyso.testing.token.FaultyModule`` (no fault injected) and printed: one for the batch.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SIGN_GOAL = 1.3  # token signing median <= 1.3x the same key from PKCS#12
DEFAULT_ROUNDS = 30
BATCH = 50


@dataclass
class Row:
    operation: str
    goal: float | None
    sdk_ms: list[float] = field(default_factory=list)
    """The token side."""
    reference_ms: list[float] = field(default_factory=list)
    """The PKCS#12 side."""
    note: str = ""

    @property
    def sdk_median(self) -> float:
        return statistics.median(self.sdk_ms)

    @property
    def reference_median(self) -> float:
        return statistics.median(self.reference_ms)

    @property
    def ratio(self) -> float:
        return self.sdk_median / self.reference_median

    @property
    def passed(self) -> bool:
        return self.goal is None or self.ratio <= self.goal

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "pages": 1,
            "goal": self.goal,
            "sdk_ms": [round(v, 4) for v in self.sdk_ms],
            "reference_ms": [round(v, 4) for v in self.reference_ms],
            "sdk_median_ms": round(self.sdk_median, 4),
            "reference_median_ms": round(self.reference_median, 4),
            "ratio": round(self.ratio, 4),
            "passed": self.passed,
            "note": self.note,
        }


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _pair(round_no: int, token_fn: Callable[[], Any], p12_fn: Callable[[], Any]) -> tuple[float, float]:
    if round_no % 2 == 0:
        return _timed(token_fn), _timed(p12_fn)
    p12 = _timed(p12_fn)
    return _timed(token_fn), p12


def run(rounds: int, directory: Path, batch_size: int = BATCH) -> tuple[list[Row], list[str]]:
    import hashlib

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    from pkcs11 import Mechanism

    import kyso
    from kyso.signers.pkcs11.signer import _digest_info
    from kyso.testing.documents import pdf_with_pages
    from kyso.testing.pki import TestPKI
    from kyso.testing.token import TestToken, injected, softhsm_module

    if softhsm_module() is None:
        raise SystemExit("SoftHSM2 is not installed (Debian: apt-get install softhsm2)")
    pki = TestPKI.generate(directory / "pki")
    token = TestToken.provision(directory / "token", pki)
    pdf = pdf_with_pages([b"BT /F1 14 Tf 72 770 Td (Kyso PKCS#11 benchmark - page 1) Tj ET"])
    p12 = kyso.Pkcs12Signer.from_file(pki.p12("person"), pki.password)
    notes: list[str] = []
    with token.signer("person") as on_token:
        for signed in (kyso.sign(pdf, signer=on_token), kyso.sign(pdf, signer=p12)):
            indication = kyso.verify(signed, trust=[pki.root_cert], revocation="off").indication
            assert indication == "TOTAL_PASSED", indication
        sign = Row("sign 1 page (token vs PKCS#12)", SIGN_GOAL)
        raw = Row("raw C_Sign (token vs in-memory RSA)", None, note="the token's own cost per signature")
        digest_info = _digest_info("sha256", hashlib.sha256(b"signed attributes").digest())
        session_key = on_token._key
        p12_key = p12._key
        for round_no in range(-1, rounds):  # round -1: warm-up
            t, r = _pair(round_no, lambda: kyso.sign(pdf, signer=on_token), lambda: kyso.sign(pdf, signer=p12))
            c, k = _pair(
                round_no,
                lambda: session_key.sign(digest_info, mechanism=Mechanism.RSA_PKCS),
                lambda: p12_key.sign(b"signed attributes", padding.PKCS1v15(), hashes.SHA256()),
            )
            if round_no >= 0:
                sign.sdk_ms.append(t), sign.reference_ms.append(r)
                raw.sdk_ms.append(c), raw.reference_ms.append(k)
    batch = Row(f"batch of {batch_size}: open, sign, close", None)
    logins: list[int] = []
    for round_no in range(max(1, rounds // 10)):

        def on_token_batch() -> None:
            with injected(token.module) as module, token.signer("person") as signer:
                for _ in range(batch_size):
                    kyso.sign(pdf, signer=signer)
            logins.append(module.logins)

        def p12_batch() -> None:
            signer = kyso.Pkcs12Signer.from_file(pki.p12("person"), pki.password)
            for _ in range(batch_size):
                kyso.sign(pdf, signer=signer)

        t, r = _pair(round_no, on_token_batch, p12_batch)
        batch.sdk_ms.append(t), batch.reference_ms.append(r)
    batch.note = f"C_Login calls per batch: {sorted(set(logins))}"
    notes.append(batch.note)
    token.close()
    return [sign, raw, batch], notes


def render(rows: list[Row]) -> str:
    header = ("operation", "token median ms", "PKCS#12 median ms", "ratio", "goal", "result")
    table = [header]
    for row in rows:
        table.append(
            (
                row.operation,
                f"{row.sdk_median:.3f}",
                f"{row.reference_median:.3f}",
                f"{row.ratio:.2f}x",
                f"<= {row.goal}x" if row.goal else "-",
                ("ok" if row.passed else "MISSED") if row.goal else "info",
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(r, widths, strict=True)) for r in table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument("--quick", action="store_true", help="a smoke run: one round, a batch of 5")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write every figure to FILE as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when the goal is missed")
    args = parser.parse_args(argv)
    rounds = 1 if args.quick and args.rounds == DEFAULT_ROUNDS else args.rounds
    with tempfile.TemporaryDirectory(prefix="kyso-bench-pkcs11-") as tmp:
        rows, notes = run(rounds, Path(tmp), batch_size=5 if args.quick else BATCH)
    print(f"Kyso PKCS#11 benchmark: SoftHSM2 token vs PKCS#12, {rounds} rounds, medians")
    print(f"Python {platform.python_version()} on {platform.machine()}")
    for note in notes:
        print(f"  {note}")
    print()
    print(render(rows))
    if args.json is not None:
        args.json.write_text(json.dumps({"results": [r.to_dict() for r in rows]}, indent=2), encoding="utf-8")
    return 1 if args.check and not all(r.passed for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
