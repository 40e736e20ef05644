"""Run the conformance suite on an adapter and write its report (JSON, HTML, a console table).

JSON report::

    {"adapter": "ioffice", "kyso_version": "0.1.0", "target": "http://127.0.0.1:8700", "simulator": true,
     "started": "2026-11-22T10:05:30+07:00", "seconds": 12.3,
     "summary": {"passed": 14, "failed": 0, "skipped": 0},
     "checks": [{"name": "round_trip[approval]", "outcome": "passed", "detail": "...", "seconds": 0.4}, ...]}

An adapter passes when no check failed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kyso.conformance.checks import CheckSkipped, Harness, all_checks
from kyso.core.adapter import AdapterConfig, AdapterInfo, Credentials
from kyso.text import printable, to_json

SIMULATOR_CREDENTIALS = Credentials("kyso", "kyso-secret")
"""The account every built-in simulator (:mod:`kyso.testing.simulators`) knows."""


@dataclass
class CheckResult:
    name: str
    outcome: str
    """``passed``, ``failed`` or ``skipped``."""
    detail: str
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "outcome": self.outcome, "detail": self.detail, "seconds": round(self.seconds, 3)}


@dataclass
class ConformanceReport:
    adapter: str
    target: str
    simulator: bool
    started: datetime
    checks: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, outcome: str) -> int:
        return sum(1 for c in self.checks if c.outcome == outcome)

    @property
    def passed(self) -> bool:
        """No check failed (skipped checks do not fail an adapter, but the report shows them)."""
        return self.count("failed") == 0

    def outcome(self, name: str) -> str:
        return next(c.outcome for c in self.checks if c.name == name)

    def to_dict(self) -> dict[str, Any]:
        from kyso import __version__

        return {
            "adapter": self.adapter,
            "kyso_version": __version__,
            "target": self.target,
            "simulator": self.simulator,
            "started": self.started.isoformat(timespec="seconds"),
            "seconds": round(self.seconds, 2),
            "summary": {o: self.count(o) for o in ("passed", "failed", "skipped")},
            "checks": [c.to_dict() for c in self.checks],
        }

    def to_json(self) -> str:
        return to_json(self.to_dict()) + "\n"

    def to_table(self) -> str:
        """The console table: one line per check, then the verdict."""
        width = max([len(c.name) for c in self.checks] + [5])
        lines = [f"{'check':<{width}}  result   detail", f"{'-' * width}  -------  {'-' * 40}"]
        for check in self.checks:
            detail = " ".join(check.detail.split())
            detail = detail if len(detail) <= 90 else detail[:87] + "..."
            lines.append(f"{check.name:<{width}}  {check.outcome.upper():<7}  {detail}")
        summary = ", ".join(f"{self.count(o)} {o}" for o in ("passed", "failed", "skipped"))
        verdict = "CONFORMS" if self.passed else "DOES NOT CONFORM"
        lines.append(f"{self.adapter}: {verdict} ({summary}, {self.seconds:.1f} s)")
        return "".join(printable(line) + "\n" for line in lines)  # details come from the platform (issue 9, class 10)

    def to_html(self) -> str:
        rows = "\n".join(
            f'<tr class="{c.outcome}"><td>{html.escape(c.name)}</td><td>{c.outcome}</td>'
            f"<td>{html.escape(c.detail)}</td><td>{c.seconds:.2f}</td></tr>"
            for c in self.checks
        )
        verdict = "CONFORMS" if self.passed else "DOES NOT CONFORM"
        summary = ", ".join(f"{self.count(o)} {o}" for o in ("passed", "failed", "skipped"))
        return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Kyso conformance: {html.escape(self.adapter)}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }} table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }}
tr.passed td:nth-child(2) {{ color: #176f2c; }} tr.failed td:nth-child(2) {{ color: #b00020; font-weight: bold; }}
tr.skipped td:nth-child(2) {{ color: #777; }}
</style></head><body>
<h1>Adapter conformance: {html.escape(self.adapter)}</h1>
<p><strong>{verdict}</strong>: {summary}. Target {html.escape(self.target)}{" (simulator)" if self.simulator else ""};
started {self.started.isoformat(timespec="seconds")}, {self.seconds:.1f} s.</p>
<table><tr><th>check</th><th>outcome</th><th>detail</th><th>seconds</th></tr>
{rows}
</table></body></html>
"""


def run_check(harness: Harness, name: str, check: Callable[[Harness], str]) -> CheckResult:
    """Run one check; whatever it raises becomes its outcome."""
    started = time.perf_counter()
    try:
        detail = check(harness)
        outcome = "passed"
    except CheckSkipped as exc:
        outcome, detail = "skipped", str(exc)
    except AssertionError as exc:
        outcome, detail = "failed", str(exc) or "assertion failed"
    except Exception as exc:  # an adapter that crashes fails the check, with what it raised
        from kyso.core.errors import KysoError

        text = exc.diagnostics() if isinstance(exc, KysoError) else str(exc)
        outcome, detail = "failed", f"{exc.__class__.__name__}: {text}"
    finally:
        if harness.control is not None:
            with contextlib.suppress(Exception):
                harness.control.clear_faults()
    return CheckResult(name, outcome, str(detail), time.perf_counter() - started)


@contextlib.contextmanager
def harness_for(
    info: AdapterInfo,
    *,
    base_url: str | None = None,
    config: AdapterConfig | None = None,
    pki: Any = None,
    workdir: Path | None = None,
    user: str = "kyso-conformance",
) -> Iterator[Harness]:
    """A :class:`Harness` for ``info``: against ``base_url`` (or ``config``), else against the adapter's simulator,
    started here on a free port of 127.0.0.1; the test PKI is generated when ``pki`` is not given."""
    from kyso.testing.simulators import SimulatorControl

    with contextlib.ExitStack() as stack:
        if workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kyso-conformance-")))
        if pki is None:
            from kyso.testing.pki import TestPKI

            pki = TestPKI.generate(workdir / "pki")
            stack.enter_context(pki.serve())
        if config is None and base_url is not None:
            # a platform given by URL: its credentials, timeouts ... come from adapters.toml and the environment
            config = AdapterConfig.load(info.name, base_url=base_url)
            if not (config.credentials.username or config.credentials.token):
                config = dataclasses.replace(config, credentials=SIMULATOR_CREDENTIALS)  # a simulator run apart
        if config is None:
            if info.simulator is None:
                from kyso.core.errors import UsageError

                raise UsageError(f"adapter {info.name!r} has no simulator: give --base-url and credentials")
            simulator = info.simulator(workdir / "simulator", 0)
            stack.enter_context(simulator.serve())
            config = AdapterConfig(simulator.url, SIMULATOR_CREDENTIALS, timeout=0.6, retries=2, backoff=0.05)
        control = SimulatorControl(config.base_url, timeout=5.0)
        stack.callback(control.close)
        yield Harness(info, config, pki, workdir, control if control.available() else None, user=user)


def run_conformance(
    info: AdapterInfo,
    *,
    harness: Harness | None = None,
    only: Iterable[str] | None = None,
    progress: Callable[[CheckResult], None] | None = None,
    **harness_options: Any,
) -> ConformanceReport:
    """Run the suite (or the checks named in ``only``) and return the report."""
    from kyso.core.models import VIETNAM_TIME

    selected = set(only) if only is not None else None
    with contextlib.ExitStack() as stack:
        if harness is None:
            harness = stack.enter_context(harness_for(info, **harness_options))
        report = ConformanceReport(
            info.name, harness.config.base_url, harness.control is not None, datetime.now(VIETNAM_TIME)
        )
        started = time.perf_counter()
        for name, check in all_checks(info):
            if selected is not None and name not in selected:
                continue
            result = run_check(harness, name, check)
            report.checks.append(result)
            if progress is not None:
                progress(result)
        report.seconds = time.perf_counter() - started
    return report


__all__ = ["CheckResult", "ConformanceReport", "harness_for", "run_check", "run_conformance"]
