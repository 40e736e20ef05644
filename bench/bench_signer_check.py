"""The cost of the signer-certificate rule of ``kyso.sign`` (issue 16, item 8): signing with the check (the
default) against signing with ``force=True`` (no check), side by side in one process, alternating, medians of N
rounds. The check is offline (dates and key usage read from the certificate), so the ratio should be ~1.00.

    .venv/bin/python bench/bench_signer_check.py [--rounds N]

A report, not a test: it exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=41)
    rounds = parser.parse_args().rounds

    import kyso
    from kyso.certs.signing_certificate import check_signing_certificate
    from kyso.conformance.checks import sample_pdf
    from kyso.testing.pki import TestPKI

    with tempfile.TemporaryDirectory() as directory:
        pki = TestPKI.generate(Path(directory) / "pki")
        signer = kyso.Pkcs12Signer.from_file(pki.p12("person"), pki.password)
        pdf = sample_pdf("bench")
        kyso.sign(pdf, signer=signer)  # warm-up
        kyso.sign(pdf, signer=signer, force=True)
        checked, forced, rule = [], [], []
        for n in range(rounds):
            order = (False, True) if n % 2 == 0 else (True, False)
            for force in order:
                started = time.perf_counter()
                kyso.sign(pdf, signer=signer, force=force)
                (forced if force else checked).append(time.perf_counter() - started)
            started = time.perf_counter()
            check_signing_certificate(signer.certificate)
            rule.append(time.perf_counter() - started)
    a, b = statistics.median(checked), statistics.median(forced)
    print(f"rounds: {rounds}")
    print(f"kyso.sign (checks the signer, default): {a * 1000:8.2f} ms")
    print(f"kyso.sign(force=True) (no check):       {b * 1000:8.2f} ms")
    print(f"the check alone:                        {statistics.median(rule) * 1e6:8.1f} us")
    print(f"ratio checked / forced:                 {a / b:8.3f}")


if __name__ == "__main__":
    main()
