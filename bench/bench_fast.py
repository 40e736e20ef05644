"""Kyso's fast signing path and CLI start-up beside the peers (issue 17), in one run.

Run it after the peer harness's set-up (``../shared/peers``: ``setup.sh`` builds the PDFBox classes, node-signpdf
and the shared inputs under /tmp)::

    .venv/bin/python bench/bench_fast.py [--inputs /tmp/peers-inputs] [--peers DIR] [--reps 31] [--walls 11]

It is a report, not a test: it exits 0 whatever the figures unless ``--check`` is given. Every figure is a median.
All rows use the peers' inputs: ``doc-1p.pdf`` and ``doc-100p.pdf``, ``leaf.p12`` (RSA-2048, password
``bench-pass``, the 3-certificate chain), ``root.pem`` as the trust anchor.

In process (this interpreter; 20 warm-up calls, then ``--reps`` timed ones, the collector run before each, untimed;
the contenders alternate call by call):

- **Kyso sign**: ``kyso.sign(pdf, signer=signer)``, PAdES B-B, invisible, ``signer`` a ``Pkcs12Signer`` loaded
  once; timed: format detection, the hook call, pyHanko reading the file, the fast path writing the update and the
  CMS, the bytes returned. The row beside it is the same call on pyHanko's writer (the fast path switched off):
  what Kyso cost before.
- **approval mark**: the same with ``kind="approval"``, the sample signature PNG placed with ``page=1`` and a box
  (no anchor search), divided by the invisible 1-page median (goal <= 1.3x); for information, the sample letter
  (``kyso demo``'s) signed invisibly and with the image placed by its anchor text (the page's text is read).
- **verify**: ``kyso.verify(signed, trust=[root.pem], revocation="off")`` against raw pyHanko's
  ``validate_pdf_signature`` (``ValidationContext(trust_roots=[root], allow_fetching=False)``) on the same
  Kyso-signed 1-page file (goal <= 1.0x).
- **PDFBox** (a JVM of its own, the harness's ``PdfBoxBench bench``): its warm median after 20 calls and its
  steady state after 300 more; Kyso's 1-page and 100-page medians must be below the steady state.

Process wall (start to exit, one signature, interleaved round by round, ``--walls`` rounds): ``kyso sign`` (the
venv's console script, PKCS#12 with the password from an environment variable), ``kyso verify`` (``--revocation
off``), node-signpdf's ``bench.js once`` (the harness's, without the sandbox's ``NODE_EXTRA_CA_CERTS``), the pyHanko
CLI (``pyhanko sign addsig --use-pades pkcs12``, when ``pyhanko-cli`` is in the peers' venv) and the harness's
stock pyHanko script (``py_rows.py once-pyhanko``). Each command runs once untimed first; the Python ones read
compiled bytecode from a cache of the run (``PYTHONPYCACHEPREFIX``), as after a normal install, whatever
``PYTHONDONTWRITEBYTECODE`` says (set in some sandboxes, it makes every process compile its modules again).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

WARMUP = 20
JARS = ("pdfbox2", "fontbox2", "commons-logging", "bcprov", "bcpkix", "bcutil")
PASSWORD = "bench-pass"
GOALS = {
    "sign 1p ms": 5.0,
    "sign 100p ms": 8.0,
    "mark / invisible": 1.3,
    "kyso sign process s": 0.4,
    "kyso verify process s": 0.6,
    "verify / raw pyHanko": 1.0,
}


def timed(fn: Callable[[], Any]) -> float:
    gc.collect()
    start = time.perf_counter_ns()
    fn()
    return (time.perf_counter_ns() - start) / 1e6


def alternating(contenders: dict[str, Callable[[], Any]], reps: int) -> dict[str, float]:
    """Median ms of each contender: ``WARMUP`` calls each, then ``reps`` timed calls each, in turn."""
    for fn in contenders.values():
        for _ in range(WARMUP):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for rep in range(reps):
        for name in names if rep % 2 == 0 else reversed(names):
            samples[name].append(timed(contenders[name]))
    return {name: statistics.median(values) for name, values in samples.items()}


def in_process(inputs: Path, reps: int) -> dict[str, float]:
    from io import BytesIO
    from unittest import mock

    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    import kyso
    from kyso.demo.letter import sample_letter
    from kyso.demo.marks import sample_signature_png
    from kyso.pdf import fastpath

    signer = kyso.Pkcs12Signer.from_file(inputs / "leaf.p12", PASSWORD)
    one, hundred = (inputs / "doc-1p.pdf").read_bytes(), (inputs / "doc-100p.pdf").read_bytes()
    image = sample_signature_png()
    root_path = inputs / "root.pem"
    root = load_cert_from_pemder(str(root_path))
    signed = kyso.sign(one, signer=signer)
    for document in (
        signed,
        kyso.sign(one, signer=signer, kind="approval", image=image, page=1, box=(350, 80, 520, 150)),
    ):
        report = kyso.verify(document, trust=[root_path], revocation="off")
        assert report.indication == "TOTAL_PASSED", report.to_dict()
    original = fastpath.sign_fast

    def on_pyhanko_writer(pdf: bytes) -> bytes:
        with mock.patch.object(fastpath, "sign_fast", lambda request, reader, plan: None):
            return kyso.sign(pdf, signer=signer)

    figures = alternating(
        {
            "sign 1p ms": lambda: kyso.sign(one, signer=signer),
            "sign 1p, pyHanko writer ms": lambda: on_pyhanko_writer(one),
            "sign 1p approval mark ms": lambda: kyso.sign(
                one, signer=signer, kind="approval", image=image, page=1, box=(350, 80, 520, 150)
            ),
        },
        reps,
    )
    letter = sample_letter().pdf
    figures |= alternating(
        {
            "sign sample letter ms": lambda: kyso.sign(letter, signer=signer),
            "sign sample letter, approval by anchor ms": lambda: kyso.sign(
                letter, signer=signer, kind="approval", image=image, anchor="CHỦ TỊCH"
            ),
        },
        reps,
    )
    figures |= alternating(
        {
            "sign 100p ms": lambda: kyso.sign(hundred, signer=signer),
            "sign 100p, pyHanko writer ms": lambda: on_pyhanko_writer(hundred),
        },
        reps,
    )
    assert fastpath.sign_fast is original

    def raw_verify() -> Any:
        embedded = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
        return validate_pdf_signature(embedded, ValidationContext(trust_roots=[root], allow_fetching=False))

    figures |= alternating(
        {
            "verify 1p ms": lambda: kyso.verify(signed, trust=[root_path], revocation="off"),
            "raw pyHanko validation 1p ms": raw_verify,
        },
        reps,
    )
    figures["mark / invisible"] = figures["sign 1p approval mark ms"] / figures["sign 1p ms"]
    figures["verify / raw pyHanko"] = figures["verify 1p ms"] / figures["raw pyHanko validation 1p ms"]
    return figures


def pdfbox(inputs: Path, peers: Path, out: Path, reps: int) -> dict[str, float]:
    classes = Path(os.environ.get("PEERS_JAVA", "/tmp/peers-java"))
    if shutil.which("java") is None or not (classes / "PdfBoxBench.class").is_file():
        return {}
    classpath = ":".join([str(classes), *(f"/usr/share/java/{jar}.jar" for jar in JARS)])
    figures = {}
    for case in ("1p", "100p"):
        command = ["java", "-cp", classpath, "PdfBoxBench", "bench", str(inputs), case, str(WARMUP), str(reps), "300"]
        result = subprocess.run([*command, str(out / f"pdfbox-{case}.pdf")], capture_output=True, text=True, check=True)
        row = json.loads(result.stdout.strip().splitlines()[-1])["sign"]
        figures[f"PDFBox {case} warm ms"] = row["median_ms"]
        figures[f"PDFBox {case} steady state ms"] = row["long_median_ms"]
    return figures


def process_walls(inputs: Path, peers: Path, out: Path, rounds: int) -> dict[str, float]:
    here = Path(sys.executable).parent
    kyso_script = str(here / "kyso")
    signed = out / "kyso-once.pdf"
    # every Python contender reads compiled bytecode, as after a normal install (pip compiles at install time):
    # a sandbox's PYTHONDONTWRITEBYTECODE would make each process compile every source module it imports again
    python_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    python_env["PYTHONPYCACHEPREFIX"] = str(out / "pycache")
    env = {**python_env, "KYSO_BENCH_PASSWORD": PASSWORD}
    node_env = {k: v for k, v in os.environ.items() if k != "NODE_EXTRA_CA_CERTS"}
    # the peers' defaults are where ../shared/peers/setup.sh puts them (its VENV and node folder); override both
    node_env["NODE_PATH"] = os.environ.get("PEERS_NODE", "/tmp/peers-node/node_modules")
    peers_python = os.environ.get("PEERS_PY", "/tmp/benchvenv/bin/python")
    passfile = out / "password.txt"
    passfile.write_text(PASSWORD)
    p12, source = str(inputs / "leaf.p12"), str(inputs / "doc-1p.pdf")
    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        "kyso sign process s": (
            [
                kyso_script,
                "sign",
                source,
                "-o",
                str(signed),
                "--p12",
                p12,
                "--pkcs12-password-env",
                "KYSO_BENCH_PASSWORD",
            ],
            env,
        ),
        "kyso verify process s": (
            [kyso_script, "verify", str(signed), "--trust", str(inputs / "root.pem"), "--revocation", "off"],
            env,
        ),
    }
    if shutil.which("node") and Path(node_env["NODE_PATH"]).is_dir():
        node = ["node", str(peers / "node" / "bench.js"), "once", p12, PASSWORD, source, str(out / "node.pdf")]
        commands["node-signpdf process s"] = (node, node_env)
    pyhanko_cli = Path(peers_python).parent / "pyhanko"
    if pyhanko_cli.is_file():
        cli = [str(pyhanko_cli), "sign", "addsig", "--field", "Signature1", "--use-pades", "pkcs12"]
        commands["pyHanko CLI process s"] = (
            [*cli, "--passfile", str(passfile), source, str(out / "cli.pdf"), p12],
            python_env,
        )
    if Path(peers_python).is_file():
        stock = [peers_python, str(peers / "py_rows.py"), "once-pyhanko", p12, PASSWORD, source, str(out / "ph.pdf")]
        commands["stock pyHanko script process s"] = (stock, python_env)
    subprocess.run(commands["kyso sign process s"][0], env=env, check=True, capture_output=True)
    for command, command_env in commands.values():  # one untimed run each: the bytecode cache filled
        subprocess.run(command, env=command_env, check=True, capture_output=True)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for rep in range(rounds):
        names = list(commands) if rep % 2 == 0 else list(reversed(commands))
        for name in names:
            command, command_env = commands[name]
            start = time.perf_counter()
            result = subprocess.run(command, env=command_env, capture_output=True)
            samples[name].append(time.perf_counter() - start)
            if result.returncode != 0:
                raise SystemExit(f"{name}: exit {result.returncode}: {result.stderr.decode(errors='replace')[-500:]}")
    return {name: statistics.median(values) for name, values in samples.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=Path, default=Path(os.environ.get("PEERS_INPUTS", "/tmp/peers-inputs")))
    parser.add_argument("--peers", type=Path, help="the peer harness's peers/ folder (a copy of ../shared/peers/peers)")
    parser.add_argument("--reps", type=int, default=31, help="timed calls per in-process contender")
    parser.add_argument("--walls", type=int, default=11, help="process-wall rounds")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    if not (args.inputs / "leaf.p12").is_file():
        parser.error(f"{args.inputs} has no peer inputs: run the peer harness's setup.sh first")
    peers = args.peers or Path(__file__).resolve().parents[2] / "shared" / "peers" / "peers"
    with tempfile.TemporaryDirectory(prefix="kyso-bench-fast-") as tmp:
        out = Path(tmp)
        started = time.perf_counter()
        figures = in_process(args.inputs, args.reps)
        figures |= pdfbox(args.inputs, peers, out, args.reps)
        figures |= process_walls(args.inputs, peers, out, args.walls)
        elapsed = time.perf_counter() - started
    print(
        f"kyso fast-path benchmark: {args.reps} reps, {args.walls} process rounds, {elapsed:.0f} s, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    for name, value in figures.items():
        goal = GOALS.get(name)
        print(f"  {name:<36} {value:9.3f}" + (f"   goal <= {goal}" if goal else ""))
    ratios = {
        "sign 1p / PDFBox 1p steady state": ("sign 1p ms", "PDFBox 1p steady state ms"),
        "sign 100p / PDFBox 100p steady state": ("sign 100p ms", "PDFBox 100p steady state ms"),
        "sign 1p / pyHanko writer": ("sign 1p ms", "sign 1p, pyHanko writer ms"),
        "kyso sign / node-signpdf process": ("kyso sign process s", "node-signpdf process s"),
        "kyso sign / pyHanko CLI process": ("kyso sign process s", "pyHanko CLI process s"),
    }
    missed = [name for name, goal in GOALS.items() if name in figures and figures[name] > goal]
    print("ratios (below 1.0: Kyso faster)")
    for label, (a, b) in ratios.items():
        if a in figures and b in figures:
            ratio = figures[a] / figures[b]
            print(f"  {label:<40} {ratio:6.2f}x")
            if ratio >= 1.0 and label != "sign 1p / pyHanko writer":
                missed.append(label)
    print("goals met" if not missed else f"goals missed: {', '.join(missed)}")
    if args.json:
        args.json.write_text(json.dumps({"figures": figures, "missed": missed}, indent=2) + "\n", encoding="utf-8")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
