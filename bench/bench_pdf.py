"""Kyso PDF benchmark: the SDK side by side with stock pyHanko, in one process, round by round.

Run it with the project's virtual environment::

    .venv/bin/python bench/bench_pdf.py [--rounds N] [--quick] [--json FILE] [--check]

It is a report, not a test: it exits 0 whatever the figures, unless ``--check`` is given (then 1 when a goal is
missed). The machine may be noisy, so every figure is the MEDIAN of N rounds, and within a round the contenders
alternate (SDK first in even rounds, the reference first in odd ones). One warm-up round, not counted, comes first
(lazy imports, first-use caches). ``ratio`` is SDK median / reference median, the figure the goals are judged on;
``paired`` is the median of the per-round ratios, for information: it is steadier when the machine's speed drifts
or switches between a fast and a slow mode during the run (seen here: two clusters of timings about 1.5x apart).

Set-up (not timed): a fresh test PKI (``kyso.testing.pki.TestPKI``) in a temporary directory; the signer is its
"person" certificate (RSA-2048) with the issuing CA in the PKCS#12 file; two PDFs made here, 1 page and 100 pages,
each page with a few lines of Helvetica text (uncompressed content streams, classic xref table).

What each side measures (per round, per document):

signing, both sides PAdES: /SubFilter /ETSI.CAdES.detached, SHA-256 digest, one invisible signature in a new field
"Signature1" written as an incremental update, RSA PKCS#1 v1.5, no time-stamp (B-B); the script checks once,
before timing, that both outputs have that subfilter and digest and that both verify TOTAL_PASSED.

- SDK: ``kyso.sign(pdf, signer=signer)`` with ``signer = kyso.Pkcs12Signer.from_file(p12, password)`` loaded once
  before the rounds. Timed: format detection, the plugin hook call, parsing the PDF, writing the signature
  (the SDK reserves the signature's space up front), returning ``bytes``.
- stock pyHanko: ``SimpleSigner.load_pkcs12(p12, passphrase=...)`` once before the rounds; timed per round:
  ``signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), PdfSignatureMetadata(field_name="Signature1",
  md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES), signer=simple_signer).getvalue()``. pyHanko's own
  defaults (no ``bytes_reserved``, so a dry-run signature to size the /Contents) are kept: that is what a plain
  pyHanko user gets. ``md_algorithm`` and ``subfilter`` are set only so that both sides produce the same kind of
  signature (pyHanko's default subfilter would be adbe.pkcs7.detached).

verification, both sides on the SAME document (the PDF signed by the SDK in set-up) with the same trust anchor
(the test root) and no network:

- SDK: ``kyso.verify(signed, trust=[root_pem_path], revocation="off")``. Timed: reading and parsing the root PEM
  file, opening the PDF, integrity (digest and signature value), coverage and difference analysis, the SDK's own
  checks (encoding, algorithms, form fields changed after signing, level, time-stamp lookup), path validation to
  the root with key usage, and building the report.
- raw pyHanko: ``validate_pdf_signature(PdfFileReader(BytesIO(signed)).embedded_signatures[0],
  ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail"))`` with ``root`` the
  asn1crypto certificate loaded once before the rounds. Timed: opening the PDF, integrity, coverage, difference
  analysis and path validation (pyHanko's default key-usage check). With no fetching and nothing embedded,
  soft-fail revocation does no network work, like the SDK's "off".

``kyso --help``: wall time of the virtual environment's ``kyso`` console script started as a subprocess (output
discarded), start to exit; the reference is ``python -c pass`` with the same interpreter, the floor any Python
command pays. The goal is absolute (< 300 ms); the ratio column is for information.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

SIGN_GOAL = 0.3  # SDK signing median <= 0.3x stock pyHanko
VERIFY_GOAL = 1.2  # SDK verification median <= 1.2x raw pyHanko validation
HELP_GOAL_MS = 300.0  # `kyso --help` wall time
DEFAULT_ROUNDS = 30
WARMUP_ROUNDS = 1
PAGE_COUNTS = (1, 100)


def make_pdf(pages: int, text: str = "Kyso benchmark document") -> bytes:
    """A valid PDF with ``pages`` A4 pages, each with a few lines of Helvetica text (same idea as the tests')."""
    from kyso.testing.documents import pdf_with_pages

    contents = []
    for number in range(1, pages + 1):
        lines = [f"{text} - page {number} of {pages}"] + [
            f"Line {n}: the quick brown fox jumps over the lazy dog, paragraph {number}.{n}" for n in range(1, 11)
        ]
        body = " ".join(f"({line}) Tj T*" for line in lines)
        contents.append(f"BT /F1 12 Tf 16 TL 72 770 Td {body} ET".encode())
    return pdf_with_pages(contents)


@dataclass
class Row:
    operation: str
    pages: int | None
    goal: str
    limit: float  # ratio limit, or milliseconds for an absolute goal
    absolute: bool = False
    sdk: list[float] = field(default_factory=list)  # milliseconds
    reference: list[float] = field(default_factory=list)
    reference_name: str = ""

    @property
    def sdk_median(self) -> float:
        return statistics.median(self.sdk)

    @property
    def reference_median(self) -> float:
        return statistics.median(self.reference)

    @property
    def ratio(self) -> float:
        return self.sdk_median / self.reference_median

    @property
    def paired_ratio(self) -> float:
        return statistics.median(a / b for a, b in zip(self.sdk, self.reference, strict=True))

    @property
    def passed(self) -> bool:
        return self.sdk_median < self.limit if self.absolute else self.ratio <= self.limit

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "pages": self.pages,
            "reference": self.reference_name,
            "sdk_median_ms": round(self.sdk_median, 3),
            "reference_median_ms": round(self.reference_median, 3),
            "ratio": round(self.ratio, 4),
            "paired_ratio": round(self.paired_ratio, 4),
            "goal": self.goal,
            "passed": self.passed,
            "sdk_ms": [round(v, 3) for v in self.sdk],
            "reference_ms": [round(v, 3) for v in self.reference],
        }


def _timed(fn: Callable[[], Any]) -> float:
    """Milliseconds taken by ``fn()``; the garbage collector runs before, untimed, so neither side pays the other's."""
    gc.collect()
    start = time.perf_counter_ns()
    fn()
    return (time.perf_counter_ns() - start) / 1e6


def _pair(round_no: int, sdk_fn: Callable[[], Any], ref_fn: Callable[[], Any]) -> tuple[float, float]:
    """Time both contenders once, alternating which goes first from one round to the next."""
    if round_no % 2 == 0:
        a = _timed(sdk_fn)
        b = _timed(ref_fn)
    else:
        b = _timed(ref_fn)
        a = _timed(sdk_fn)
    return a, b


def _kyso_script() -> str | None:
    """The ``kyso`` console script next to this interpreter (the venv's), else the one on PATH."""
    here = Path(sys.executable).parent
    for candidate in (here / "kyso", here / "kyso.exe"):
        if candidate.is_file():
            return str(candidate)
    return shutil.which("kyso")


def _run_quietly(command: list[str]) -> None:
    result = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if result.returncode != 0:
        raise SystemExit(f"{command!r} exited {result.returncode}: {result.stderr.decode(errors='replace')[-500:]}")


class Contenders:
    """Everything loaded once before the rounds: PKI, signers, documents, trust anchor."""

    def __init__(self, directory: Path, page_counts: tuple[int, ...]) -> None:
        from pyhanko.keys import load_cert_from_pemder
        from pyhanko.sign import signers

        import kyso
        from kyso.testing.pki import TestPKI

        pki = TestPKI.generate(directory)
        self.p12 = pki.p12("person")
        self.password = pki.password
        self.root_path = pki.root_cert
        self.sdk_signer = kyso.Pkcs12Signer.from_file(self.p12, self.password)
        self.simple_signer = signers.SimpleSigner.load_pkcs12(str(self.p12), passphrase=self.password.encode())
        self.root = load_cert_from_pemder(str(self.root_path))
        self.documents = {pages: make_pdf(pages) for pages in page_counts}
        self.signed = {pages: self.sdk_sign(pdf) for pages, pdf in self.documents.items()}

    # -- signing
    def sdk_sign(self, pdf: bytes) -> bytes:
        import kyso

        return kyso.sign(pdf, signer=self.sdk_signer)

    def stock_sign(self, pdf: bytes) -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers
        from pyhanko.sign.fields import SigSeedSubFilter

        metadata = signers.PdfSignatureMetadata(
            field_name="Signature1", md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES
        )
        out = signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), metadata, signer=self.simple_signer)
        return out.getvalue()

    # -- verification
    def sdk_verify(self, signed: bytes) -> Any:
        import kyso

        return kyso.verify(signed, trust=[self.root_path], revocation="off")

    def raw_verify(self, signed: bytes) -> Any:
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext

        reader = PdfFileReader(BytesIO(signed))
        context = ValidationContext(trust_roots=[self.root], allow_fetching=False, revocation_mode="soft-fail")
        return validate_pdf_signature(reader.embedded_signatures[0], context)

    def check_equivalence(self) -> list[str]:
        """Both sides produce the same kind of signature and agree that it is valid; a line per document."""
        from pyhanko.pdf_utils.reader import PdfFileReader

        lines = []
        for pages, pdf in self.documents.items():
            outputs = {"sdk": self.signed[pages], "stock": self.stock_sign(pdf)}
            described = []
            for side, signed in outputs.items():
                emb = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
                subfilter, digest = str(emb.sig_object["/SubFilter"]), emb.md_algorithm
                if (subfilter, digest) != ("/ETSI.CAdES.detached", "sha256"):
                    raise SystemExit(f"{side} signature on {pages} page(s) is {subfilter} {digest}, not PAdES sha256")
                indication = self.sdk_verify(signed).to_dict()["indication"]
                raw = self.raw_verify(signed)
                if indication != "TOTAL_PASSED" or not raw.bottom_line:
                    raise SystemExit(f"{side} signature on {pages} page(s): SDK {indication}, raw {raw.summary()}")
                described.append(f"{side} {len(signed)} bytes")
            lines.append(
                f"{pages:>3} page(s), {len(pdf)} bytes -> {', '.join(described)}: "
                "both /ETSI.CAdES.detached, sha256, valid for the SDK and raw pyHanko"
            )
        return lines


def run(rounds: int, page_counts: tuple[int, ...]) -> tuple[list[Row], list[str]]:
    with tempfile.TemporaryDirectory(prefix="kyso-bench-") as tmp:
        contenders = Contenders(Path(tmp), page_counts)
        notes = contenders.check_equivalence()
        rows: list[Row] = []
        sign_rows, verify_rows = {}, {}
        for pages in page_counts:
            sign_rows[pages] = Row("sign", pages, f"<= {SIGN_GOAL}x", SIGN_GOAL, reference_name="stock pyHanko")
            verify_rows[pages] = Row("verify", pages, f"<= {VERIFY_GOAL}x", VERIFY_GOAL, reference_name="raw pyHanko")
            rows += [sign_rows[pages], verify_rows[pages]]
        kyso = _kyso_script()
        help_row = Row(
            "kyso --help",
            None,
            f"< {HELP_GOAL_MS:.0f} ms",
            HELP_GOAL_MS,
            absolute=True,
            reference_name="python -c pass",
        )
        if kyso is None:
            notes.append("no kyso console script found: the kyso --help row is skipped")
        else:
            rows.append(help_row)
        for round_no in range(-WARMUP_ROUNDS, rounds):
            for pages in page_counts:
                pdf, signed = contenders.documents[pages], contenders.signed[pages]
                a, b = _pair(
                    round_no, lambda pdf=pdf: contenders.sdk_sign(pdf), lambda pdf=pdf: contenders.stock_sign(pdf)
                )
                c, d = _pair(
                    round_no,
                    lambda signed=signed: contenders.sdk_verify(signed),
                    lambda signed=signed: contenders.raw_verify(signed),
                )
                if round_no >= 0:
                    sign_rows[pages].sdk.append(a)
                    sign_rows[pages].reference.append(b)
                    verify_rows[pages].sdk.append(c)
                    verify_rows[pages].reference.append(d)
            if kyso is not None:
                e, f = _pair(
                    round_no,
                    lambda: _run_quietly([kyso, "--help"]),
                    lambda: _run_quietly([sys.executable, "-c", "pass"]),
                )
                if round_no >= 0:
                    help_row.sdk.append(e)
                    help_row.reference.append(f)
        return rows, notes


def render(rows: list[Row]) -> str:
    header = ("operation", "pages", "SDK median ms", "reference median ms", "ratio", "paired", "goal", "result")
    body = [
        (
            f"{row.operation} (vs {row.reference_name})",
            "-" if row.pages is None else str(row.pages),
            f"{row.sdk_median:.1f}",
            f"{row.reference_median:.1f}",
            f"{row.ratio:.2f}x",
            f"{row.paired_ratio:.2f}x",
            row.goal,
            "PASS" if row.passed else "FAIL",
        )
        for row in rows
    ]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    left = {0, 6, 7}

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(header), line(tuple("-" * w for w in widths)), *map(line, body)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help=f"timed rounds (default {DEFAULT_ROUNDS})")
    parser.add_argument("--quick", action="store_true", help="the 1-page document only (smoke runs)")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write every figure to FILE as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    page_counts = (1,) if args.quick else PAGE_COUNTS

    from importlib.metadata import version

    pyhanko_version = version("pyHanko")
    started = time.perf_counter()
    rows, notes = run(args.rounds, page_counts)
    elapsed = time.perf_counter() - started
    print(
        f"kyso PDF benchmark: {args.rounds} rounds (+{WARMUP_ROUNDS} warm-up), medians; "
        f"Python {platform.python_version()}, pyHanko {pyhanko_version}, {os.cpu_count()} CPUs, {elapsed:.1f} s"
    )
    for note in notes:
        print(f"  {note}")
    print()
    print(render(rows))
    missed = [row for row in rows if not row.passed]
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "rounds": args.rounds,
                    "warmup_rounds": WARMUP_ROUNDS,
                    "python": platform.python_version(),
                    "pyhanko": pyhanko_version,
                    "cpus": os.cpu_count(),
                    "seconds": round(elapsed, 2),
                    "notes": notes,
                    "results": [row.to_dict() for row in rows],
                    "all_goals_met": not missed,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
