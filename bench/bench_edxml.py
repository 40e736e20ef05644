"""Kyso edXML benchmark: the SDK side by side with signxml, in one process, round by round; then peak memory.

Run it with the project's virtual environment::

    .venv/bin/python bench/bench_edxml.py [--rounds N] [--quick] [--json FILE] [--check]

It is a report, not a test: it exits 0 whatever the figures, unless ``--check`` is given (then 1 when a goal is
missed). Every time is the MEDIAN of N rounds; within a round the two sides alternate (SDK first in even rounds,
signxml first in odd ones); one warm-up round is not counted. ``ratio`` = SDK median / signxml median (goal
<= 1.5x); ``paired`` = median of the per-round ratios, steadier when the machine's speed drifts.

Set-up (not timed): a fresh test PKI in a temporary directory, its "person" certificate (RSA-2048) with the issuing
CA. Two edXML messages built with ``kyso_edxml.codec``: a full header and one attachment of random
(incompressible) bytes sized so that the message is 1 MB and 20 MB; the attachment is one base64 text node.

What each side does, timed per round (bytes in, bytes out on both sides):

- sign, SDK: ``kyso.sign(message, signer=signer)`` with ``signer = kyso.Pkcs12Signer.from_file(...)`` loaded once:
  format detection, hardened parse, exclusive-C14N digest of the whole message, SignedInfo, RSA-SHA256 through the
  Signer protocol, serialization.
- sign, signxml: parse with ``lxml.etree.XMLParser(huge_tree=True)`` (signxml's own parser refuses a text node over
  10 MB), ``XMLSigner(method=enveloped, signature_algorithm="rsa-sha256", digest_algorithm="sha256",
  c14n_algorithm=exc-c14n).sign(root, key=key, cert=[person, issuing CA])`` with ``key`` a ``cryptography`` private
  key object loaded once, then ``etree.tostring``.
- verify, both on the SAME message (signed by the SDK in set-up), trust anchor = the test root, no network:
  SDK ``kyso.verify(signed, trust=[root.pem], revocation="off")`` (hardened parse, structure and wrapping checks,
  digest, signature value, path validation to the root through the ``kyso_validate_certificate`` hook, report);
  signxml ``XMLVerifier().verify(signed, ca_pem_file=root.pem, parser=huge_tree parser)`` (digest, signature value,
  chain to the root with its own X.509 verifier).

Peak memory: each (operation, size, side) runs once in a fresh child process (so that one measure does not inherit
another's peak). Reported: ``tracemalloc`` peak of Python allocations from reading the message file to the end of
the operation (input and output included; lxml's own C allocations are invisible to it), and the growth of the peak
resident set size (``resource.getrusage``: every allocation, C included) over the same span. Goal: <= 4x the
message size.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SPEED_GOAL = 1.5
MEMORY_GOAL = 4.0
SIZES_MB = (1, 20)
DEFAULT_ROUNDS = 9
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"


def make_message(size: int) -> bytes:
    """An edXML message of about ``size`` bytes: a full header and one random attachment."""
    from kyso_edxml import codec
    from kyso_edxml.model import (
        Attachment,
        Code,
        EdXMLMessage,
        MessageHeader,
        Organization,
        PromulgationInfo,
        TraceHeader,
    )

    base = 4000
    payload = os.urandom(max(0, (size - base) * 3 // 4))
    message = EdXMLMessage(
        header=MessageHeader(
            from_=Organization(organ_id="000.00.00.H41", organ_name="UBND tỉnh Nghệ An"),
            to=[Organization(organ_id="000.00.00.G22", organ_name="Văn phòng Chính phủ")],
            document_id="000.00.00.H41,2026/11/20,1234/UBND-VX",
            code=Code("1234", "UBND-VX"),
            promulgation_info=PromulgationInfo("Nghệ An", __import__("datetime").date(2026, 11, 20)),
            subject="Báo cáo tài chính (benchmark)",
        ),
        trace_headers=[TraceHeader("000.00.00.H41", __import__("datetime").datetime(2026, 11, 20, 9, 0))],
        attachments=[Attachment("cid:1", "bao-cao.zip", "Báo cáo", "application/zip", payload)],
    )
    return codec.build(message)


class Sides:
    """The two contenders, set up once."""

    def __init__(self, pki: Any) -> None:
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
        from lxml import etree
        from signxml import XMLSigner, XMLVerifier, methods

        import kyso

        self.pki = pki
        self.signer = kyso.Pkcs12Signer.from_file(pki.p12("person"), pki.password)
        self.key = load_pem_private_key(pki.key("person").read_bytes(), None)
        self.certs = [pki.cert("person").read_text(), pki.issuing_ca_cert.read_text()]
        self.root = str(pki.root_cert)
        self.parser = etree.XMLParser(huge_tree=True, resolve_entities=False)
        self.xml_signer = XMLSigner(
            method=methods.enveloped,
            signature_algorithm="rsa-sha256",
            digest_algorithm="sha256",
            c14n_algorithm=EXC_C14N,
        )
        self.xml_signer._parser = self.parser  # signxml's default parser refuses text nodes over 10 MB
        self.verifier_class = XMLVerifier

    def sdk_sign(self, message: bytes) -> bytes:
        import kyso

        return kyso.sign(message, signer=self.signer)

    def signxml_sign(self, message: bytes) -> bytes:
        from lxml import etree

        root = etree.fromstring(message, self.parser)
        return etree.tostring(self.xml_signer.sign(root, key=self.key, cert=self.certs))

    def sdk_verify(self, signed: bytes) -> Any:
        import kyso

        report = kyso.verify(signed, trust=[self.root], revocation="off")
        if report.indication != "TOTAL_PASSED":
            raise AssertionError(f"SDK verification did not pass: {report.to_dict()}")
        return report

    def signxml_verify(self, signed: bytes) -> Any:
        return self.verifier_class().verify(signed, ca_pem_file=self.root, parser=self.parser)


def timed(function: Any, argument: bytes) -> float:
    gc.collect()
    start = time.perf_counter()
    function(argument)
    return (time.perf_counter() - start) * 1000


def run_speed(sides: Any, sizes: tuple[int, ...], rounds: int, make: Any = None) -> list[dict[str, Any]]:
    """Each side's sign and verify, round by round (``make(size)``: the document; bench_xml.py passes its own)."""
    results = []
    for size_mb in sizes:
        message = (make or make_message)(size_mb * 1_000_000)
        signed = sides.sdk_sign(message)
        sides.signxml_verify(signed)  # cross-check before timing: signxml accepts what the SDK signs
        sides.sdk_verify(sides.signxml_sign(message))  # and the other way round
        for operation, ours, theirs, argument in (
            ("sign", sides.sdk_sign, sides.signxml_sign, message),
            ("verify", sides.sdk_verify, sides.signxml_verify, signed),
        ):
            sdk_ms: list[float] = []
            ref_ms: list[float] = []
            for number in range(rounds + 1):
                if number % 2 == 0:
                    a, b = timed(ours, argument), timed(theirs, argument)
                else:
                    b, a = timed(theirs, argument), timed(ours, argument)
                if number:  # round 0 is the warm-up
                    sdk_ms.append(a)
                    ref_ms.append(b)
            results.append(
                {
                    "operation": operation,
                    "size_mb": size_mb,
                    "message_bytes": len(argument),
                    "sdk_ms": sdk_ms,
                    "reference_ms": ref_ms,
                    "sdk_median_ms": statistics.median(sdk_ms),
                    "reference_median_ms": statistics.median(ref_ms),
                    "ratio": statistics.median(sdk_ms) / statistics.median(ref_ms),
                    "paired": statistics.median(a / b for a, b in zip(sdk_ms, ref_ms, strict=True)),
                }
            )
    return results


def run_memory(
    pki_dir: Path, sizes: tuple[int, ...], work: Path, make: Any = None, sides: Any = None, script: str = __file__
) -> list[dict[str, Any]]:
    """Each (operation, size, side) once in a fresh ``script --child`` process (bench_xml.py passes its own
    ``make``, ``sides`` and ``script``)."""
    results = []
    for size_mb in sizes:
        message = (make or make_message)(size_mb * 1_000_000)
        plain = work / f"message-{size_mb}.edxml"
        plain.write_bytes(message)
        signed = work / f"signed-{size_mb}.edxml"
        signed.write_bytes((sides or _sides_for(pki_dir)).sdk_sign(message))
        for operation, path in (("sign", plain), ("verify", signed)):
            for side in ("sdk", "signxml"):
                results.append(measure_in_child(script, operation, side, path, pki_dir, size_mb))
    return results


def measure_in_child(
    script: str, operation: str, side: str, path: Path, pki_dir: Path, size_mb: int, label: str | None = None
) -> dict[str, Any]:
    """The memory row of one ``script --child operation side path pki_dir`` run (``label``: the side shown)."""
    out = subprocess.run(
        [sys.executable, script, "--child", operation, side, str(path), str(pki_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    size = path.stat().st_size
    return {
        "operation": operation,
        "size_mb": size_mb,
        "side": label or side,
        "message_bytes": size,
        "tracemalloc_peak_bytes": figures["traced"],
        "rss_growth_bytes": figures["rss"],
        "tracemalloc_x": figures["traced"] / size,
        "rss_x": figures["rss"] / size,
    }


_SIDES: dict[str, Sides] = {}


def _sides_for(pki_dir: Path) -> Sides:
    if str(pki_dir) not in _SIDES:
        _SIDES[str(pki_dir)] = Sides(_load_pki(pki_dir))
    return _SIDES[str(pki_dir)]


def _load_pki(directory: Path) -> Any:
    """The file layout of ``kyso.testing.pki.TestPKI`` (no server needed: nothing is fetched)."""

    class Files:
        password = __import__("kyso.testing.pki", fromlist=["DEFAULT_PASSWORD"]).DEFAULT_PASSWORD
        root_cert = directory / "root.cert.pem"
        issuing_ca_cert = directory / "issuing_ca.cert.pem"

        @staticmethod
        def p12(name: str) -> Path:
            return directory / f"{name}.p12"

        @staticmethod
        def cert(name: str) -> Path:
            return directory / f"{name}.cert.pem"

        @staticmethod
        def key(name: str) -> Path:
            return directory / "keys" / f"{name}.key.pem"

    return Files()


def child(operation: str, side: str, path: str, pki_dir: str, make: Any = None, sides: Any = None) -> None:
    """One measured operation in a fresh process; prints {"traced": bytes, "rss": bytes}."""
    import tracemalloc

    sides = sides or _sides_for(Path(pki_dir))
    function = getattr(sides, f"{side}_{operation}")
    warm = (make or make_message)(20_000)  # load every lazy import and cache on a small message first
    function(sides.sdk_sign(warm) if operation == "verify" else warm)
    gc.collect()
    before = _reset_peak_rss()
    tracemalloc.start()
    data = Path(path).read_bytes()
    result = function(data)
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    after = _peak_rss()
    del result, data
    print(json.dumps({"traced": traced, "rss": max(0, after - before)}))


def _peak_rss() -> int:
    """Peak resident set size of this process, bytes. On Linux ``VmHWM`` of /proc/self/status: unlike
    ``ru_maxrss`` it is not inherited from the parent across fork and exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def _reset_peak_rss() -> int:
    """Reset the peak to the current resident size where the system allows it (Linux ``clear_refs``), and return
    the starting point of the measure."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass
    return _peak_rss()


def print_tables(speed: list[dict[str, Any]], memory: list[dict[str, Any]]) -> None:
    print(f"\nspeed (median of {len(speed[0]['sdk_ms'])} rounds, ms; goal: SDK <= {SPEED_GOAL}x signxml)")
    print(f"{'operation':<22}{'size':>7}{'SDK':>11}{'signxml':>11}{'ratio':>8}{'paired':>8}  goal")
    for row in speed:
        name = f"{row['operation']} (vs signxml)"
        ok = "ok" if row["ratio"] <= SPEED_GOAL else "MISSED"
        size = f"{row['size_mb']} MB"
        print(
            f"{name:<22}{size:>7}{row['sdk_median_ms']:>11.1f}{row['reference_median_ms']:>11.1f}"
            f"{row['ratio']:>7.2f}x{row['paired']:>7.2f}x  {ok}"
        )
    if not memory:
        return
    print(f"\npeak memory over the operation, x message size (goal: SDK <= {MEMORY_GOAL}x)")
    print(f"{'operation':<10}{'size':>7}{'side':>9}{'tracemalloc':>14}{'x':>7}{'RSS growth':>14}{'x':>7}  goal")
    for row in memory:
        ok = (
            ""
            if row["side"] != "sdk"
            else ("ok" if max(row["tracemalloc_x"], row["rss_x"]) <= MEMORY_GOAL else "MISSED")
        )
        print(
            f"{row['operation']:<10}{str(row['size_mb']) + ' MB':>7}{row['side']:>9}"
            f"{row['tracemalloc_peak_bytes'] / 1e6:>11.1f} MB{row['tracemalloc_x']:>6.2f}x"
            f"{row['rss_growth_bytes'] / 1e6:>11.1f} MB{row['rss_x']:>6.2f}x  {ok}"
        )


def parse_arguments(doc: str, argv: list[str] | None, rounds: int) -> argparse.Namespace:
    """The command line of this script and of ``bench_xml.py``, which runs these same runs on its own documents."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument("--quick", action="store_true", help="1 MB only, no memory measures.")
    parser.add_argument("--json", type=Path, help="Write every figure to this file.")
    parser.add_argument("--check", action="store_true", help="Exit 1 when a goal is missed.")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def exit_code(
    args: argparse.Namespace, speed: list[dict[str, Any]], memory: list[dict[str, Any]], goals: tuple[float, float]
) -> int:
    """1 with ``--check`` when a (speed ratio, memory multiple) goal is missed: this script's and ``bench_xml.py``'s
    rule, each with its own goals."""
    speed_goal, memory_goal = goals
    missed = [r for r in speed if r["ratio"] > speed_goal] + [
        r for r in memory if r["side"] == "sdk" and max(r["tracemalloc_x"], r["rss_x"]) > memory_goal
    ]
    return 1 if args.check and missed else 0


SidesT = TypeVar("SidesT", bound=Sides)


@contextlib.contextmanager
def workspace(prefix: str, make_sides: Callable[[Any], SidesT]) -> Iterator[tuple[Path, SidesT]]:
    """A temporary folder with a fresh test PKI and the two sides on it, after the machine's line: the set-up of
    this script and of ``bench_xml.py``."""
    from kyso.testing.pki import TestPKI

    with tempfile.TemporaryDirectory(prefix=prefix) as temp:
        work = Path(temp)
        sides = make_sides(TestPKI.generate(work / "pki"))
        print(f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs")
        yield work, sides


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(__doc__, argv, DEFAULT_ROUNDS)
    if args.child:
        child(*args.child)
        return 0
    sizes = (1,) if args.quick else SIZES_MB
    with workspace("kyso-bench-edxml-", Sides) as (work, sides):
        _SIDES[str(work / "pki")] = sides
        speed = run_speed(sides, sizes, args.rounds)
        memory = [] if args.quick else run_memory(work / "pki", sizes, work)
    print_tables(speed, memory)
    if args.json:
        args.json.write_text(json.dumps({"results": speed, "memory": memory}, indent=2), encoding="utf-8")
    return exit_code(args, speed, memory, (SPEED_GOAL, MEMORY_GOAL))


if __name__ == "__main__":
    sys.exit(main())
