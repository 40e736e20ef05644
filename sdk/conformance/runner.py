"""Run the conformance suite on an adapter and write its report (JSON, HTML, a console table).

The verdict is honest (issue 16, item 2): ``CONFORMS`` only when every check of the suite ran and passed;
``DOES_NOT_CONFORM`` when one failed; ``INCOMPLETE`` when the run was filtered (``--check``, an unknown check name:
the report lists what was not run); ``NOT_ASSESSED`` when checks could not run (a staging platform without the
simulator's control API, round trips without a seeded item); ``UNREACHABLE`` when the platform did not answer.

JSON report (in Vietnamese, or English with ``lang="en"``)::

    {"verdict": "CONFORMS", "verdict_label": "ĐẠT: ...", "lang": "vi",
     "adapter": "ioffice", "adapter_version": "0.2.0", "kyso_version": "0.2.0", "os": "Linux-6.1-x86_64",
     "python": "3.11.7", "target": "http://127.0.0.1:8700", "simulator": true, "simulator_note": "...",
     "started": "...", "seconds": 12.3, "summary": {"passed": 14, "failed": 0, "skipped": 0, "not_run": 0},
     "not_run": [], "unknown_checks": [], "unreachable": null,
     "checks": [{"name": "round_trip[approval]", "outcome": "passed", "outcome_label": "đạt", "proves": "...",
                 "detail": "...", "seconds": 0.4}, ...],
     "sha256": "<SHA-256 of the canonical JSON of everything else>"}

:func:`report_digest` is that SHA-256 (keys sorted, UTF-8, no ``sha256`` field); :func:`check_report` checks a
JSON or HTML report handed over (``kyso conformance check-report FILE``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import html
import json
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from kyso.conformance.checks import Check, CheckFailed, CheckSkipped, Detail, Harness, all_checks, proof_of
from kyso.core.adapter import AdapterConfig, AdapterInfo, Credentials
from kyso.text import printable, to_json

SIMULATOR_CREDENTIALS = Credentials("kyso", "kyso-secret")
"""The account every built-in simulator (:mod:`kyso.testing.simulators`) knows."""


class Verdict(StrEnum):
    """The verdict of a conformance run on an adapter."""

    CONFORMS = "CONFORMS"
    DOES_NOT_CONFORM = "DOES_NOT_CONFORM"
    INCOMPLETE = "INCOMPLETE"
    NOT_ASSESSED = "NOT_ASSESSED"
    UNREACHABLE = "UNREACHABLE"


OUTCOMES = ("passed", "failed", "skipped", "not_run")
"""A check's outcome: it ran and passed / failed, it could not run here (skipped), it was not selected (not_run)."""

_LABELS: dict[str, dict[str, str]] = {
    "vi": {
        Verdict.CONFORMS: "ĐẠT: bộ kiểm tra đã chạy đầy đủ, mọi mục đều đạt",
        Verdict.DOES_NOT_CONFORM: "KHÔNG ĐẠT: có mục kiểm tra không đạt",
        Verdict.INCOMPLETE: "CHƯA ĐỦ: chỉ chạy một phần bộ kiểm tra, không phải kết luận",
        Verdict.NOT_ASSESSED: "CHƯA ĐÁNH GIÁ ĐƯỢC: có mục kiểm tra không chạy được",
        Verdict.UNREACHABLE: "KHÔNG KẾT NỐI ĐƯỢC nền tảng",
        "passed": "đạt",
        "failed": "không đạt",
        "skipped": "bỏ qua",
        "not_run": "không chạy",
        "title": "Kiểm tra sự phù hợp của bộ kết nối (adapter)",
        "check": "mục kiểm tra",
        "outcome": "kết quả",
        "proves": "chứng minh điều gì",
        "detail": "chi tiết",
        "seconds": "giây",
        "adapter": "bộ kết nối",
        "kyso": "phiên bản Kyso",
        "os": "hệ điều hành",
        "python": "Python",
        "target": "địa chỉ nền tảng",
        "started": "bắt đầu",
        "simulator": "CHẠY TRÊN BỘ MÔ PHỎNG đi kèm Kyso, không phải nền tảng thật",
        "staging": "chạy trên nền tảng thật / thử nghiệm (không có API điều khiển của bộ mô phỏng)",
        "not_run_list": "Mục không chạy",
        "not_selected": "không được chọn (--check)",
        "unreachable_detail": "không chạy: nền tảng không kết nối được",
        "unknown": "Tên mục kiểm tra không có trong bộ",
        "digest": "SHA-256 của báo cáo (JSON chuẩn hoá, khoá sắp xếp, UTF-8, không có trường sha256)",
        "summary": "{passed} đạt, {failed} không đạt, {skipped} bỏ qua, {not_run} không chạy",
    },
    "en": {
        Verdict.CONFORMS: "CONFORMS: the whole suite ran and every check passed",
        Verdict.DOES_NOT_CONFORM: "DOES NOT CONFORM: a check failed",
        Verdict.INCOMPLETE: "INCOMPLETE: only part of the suite ran, this is no verdict",
        Verdict.NOT_ASSESSED: "NOT ASSESSED: some checks could not run",
        Verdict.UNREACHABLE: "UNREACHABLE: the platform did not answer",
        "passed": "passed",
        "failed": "failed",
        "skipped": "skipped",
        "not_run": "not run",
        "title": "Adapter conformance",
        "check": "check",
        "outcome": "outcome",
        "proves": "what it proves",
        "detail": "detail",
        "seconds": "seconds",
        "adapter": "adapter",
        "kyso": "Kyso version",
        "os": "operating system",
        "python": "Python",
        "target": "platform URL",
        "started": "started",
        "simulator": "RUN AGAINST THE SIMULATOR bundled with Kyso, not a real platform",
        "staging": "run against a real / staging platform (no simulator control API)",
        "not_run_list": "Not run",
        "not_selected": "not selected (--check)",
        "unreachable_detail": "not run: the platform is unreachable",
        "unknown": "Check names not in the suite",
        "digest": "SHA-256 of the report (canonical JSON, sorted keys, UTF-8, without the sha256 field)",
        "summary": "{passed} passed, {failed} failed, {skipped} skipped, {not_run} not run",
    },
}


def label(key: str, lang: str = "vi") -> str:
    """The report's wording of ``key`` (a verdict, an outcome, a heading) in ``lang``."""
    return _LABELS["en" if lang == "en" else "vi"][key]


@dataclass
class CheckResult:
    name: str
    outcome: str
    """One of :data:`OUTCOMES`."""
    detail: str | Detail
    """What the check found: a :class:`~kyso.conformance.checks.Detail` (shown in the report's language), or the
    text of a failure, a skip or a third-party check."""
    seconds: float = 0.0

    def detail_text(self, lang: str) -> str:
        return self.detail.text(lang) if isinstance(self.detail, Detail) else self.detail

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        found = self.detail if isinstance(self.detail, Detail) else None
        return {
            "name": self.name,
            "outcome": self.outcome,
            "outcome_label": label(self.outcome, lang),
            "proves": proof_of(self.name, lang),
            "detail": self.detail_text(lang),
            "detail_key": found.key if found else None,
            "detail_values": dict(found.values) if found else {},
            "seconds": round(self.seconds, 3),
        }


@dataclass
class ConformanceReport:
    adapter: str
    target: str
    simulator: bool
    started: datetime
    checks: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0
    adapter_version: str | None = None
    unknown_checks: list[str] = field(default_factory=list)
    unreachable: str | None = None
    """Why the platform could not be reached (then no check ran)."""
    lang: str = "vi"

    def count(self, outcome: str) -> int:
        return sum(1 for c in self.checks if c.outcome == outcome)

    @property
    def verdict(self) -> Verdict:
        """CONFORMS only when every check of the suite ran and passed (see the module's docstring)."""
        if self.unreachable is not None:
            return Verdict.UNREACHABLE
        if self.count("failed"):
            return Verdict.DOES_NOT_CONFORM
        if self.count("not_run") or self.unknown_checks or not self.checks:
            return Verdict.INCOMPLETE
        if self.count("skipped"):
            return Verdict.NOT_ASSESSED
        return Verdict.CONFORMS

    @property
    def passed(self) -> bool:
        """The adapter conforms: the whole suite ran and passed."""
        return self.verdict == Verdict.CONFORMS

    def outcome(self, name: str) -> str:
        return next(c.outcome for c in self.checks if c.name == name)

    def not_run(self) -> list[str]:
        return [c.name for c in self.checks if c.outcome == "not_run"]

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON data, with its own SHA-256 (:func:`report_digest`)."""
        import platform

        from kyso import __version__

        lang = self.lang
        content: dict[str, Any] = {
            "verdict": str(self.verdict),
            "verdict_label": label(self.verdict, lang),
            "lang": lang,
            "adapter": self.adapter,
            "adapter_version": self.adapter_version,
            "kyso_version": __version__,
            "os": platform.platform(),
            "python": platform.python_version(),
            "target": self.target,
            "simulator": self.simulator,
            "simulator_note": label("simulator" if self.simulator else "staging", lang),
            "started": self.started.isoformat(timespec="seconds"),
            "seconds": round(self.seconds, 2),
            "summary": {o: self.count(o) for o in OUTCOMES},
            "not_run": self.not_run(),
            "unknown_checks": list(self.unknown_checks),
            "unreachable": self.unreachable,
            "checks": [c.to_dict(lang) for c in self.checks],
        }
        return {**content, "sha256": report_digest(content)}

    def to_json(self) -> str:
        return to_json(self.to_dict()) + "\n"

    def _summary(self) -> str:
        return label("summary", self.lang).format(**{o: self.count(o) for o in OUTCOMES})

    def to_table(self) -> str:
        """The console table: the verdict first, then one line per check, then what was not run."""
        lang = self.lang
        width = max([len(c.name) for c in self.checks] + [12])
        where = label("simulator" if self.simulator else "staging", lang)
        lines = [
            f"{self.adapter}: {self.verdict} ({label(self.verdict, lang)}; {self._summary()}, {self.seconds:.1f} s)",
            f"{label('target', lang)}: {self.target} ({where})",
        ]
        if self.unreachable is not None:
            lines.append(f"{label(Verdict.UNREACHABLE, lang)}: {self.unreachable}")
        lines.append(f"{label('check', lang):<{width}}  {label('outcome', lang):<10}  {label('detail', lang)}")
        lines.append(f"{'-' * width}  {'-' * 10}  {'-' * 40}")
        for check in self.checks:
            detail = " ".join(check.detail_text(lang).split())
            detail = detail if len(detail) <= 90 else detail[:87] + "..."
            lines.append(f"{check.name:<{width}}  {label(check.outcome, lang):<10}  {detail}")
        if self.not_run():
            lines.append(f"{label('not_run_list', lang)}: {', '.join(self.not_run())}")
        if self.unknown_checks:
            lines.append(f"{label('unknown', lang)}: {', '.join(self.unknown_checks)}")
        return "".join(printable(line) + "\n" for line in lines)  # details come from the platform (issue 9, class 10)

    def to_html(self) -> str:
        """The HTML report; it embeds the JSON report (``<script type="application/json" id="kyso-report">``) so
        :func:`check_report` can check a copy of the page too."""
        data = self.to_dict()
        lang = self.lang
        e = html.escape
        rows = "\n".join(
            f'<tr class="{c["outcome"]}"><td>{e(c["name"])}</td><td>{e(c["outcome_label"])}</td>'
            f"<td>{e(c['proves'])}</td><td>{e(c['detail'])}</td><td>{c['seconds']:.2f}</td></tr>"
            for c in data["checks"]
        )
        facts = [
            (label("adapter", lang), f"{data['adapter']} {data['adapter_version'] or ''}".strip()),
            (label("kyso", lang), data["kyso_version"]),
            (label("os", lang), data["os"]),
            (label("python", lang), data["python"]),
            (label("target", lang), data["target"]),
            (label("started", lang), f"{data['started']} ({data['seconds']:.1f} s)"),
        ]
        if data["not_run"]:
            facts.append((label("not_run_list", lang), ", ".join(data["not_run"])))
        if data["unknown_checks"]:
            facts.append((label("unknown", lang), ", ".join(data["unknown_checks"])))
        if data["unreachable"]:
            facts.append((label(Verdict.UNREACHABLE, lang), data["unreachable"]))
        facts.append((label("digest", lang), data["sha256"]))
        fact_rows = "\n".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in facts)
        embedded = json.dumps(data, ensure_ascii=True, sort_keys=True).replace("</", "<\\/")
        where = "simulator" if self.simulator else "staging"
        return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{e(label("title", lang))}: {e(self.adapter)}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }} table {{ border-collapse: collapse; margin-bottom: 1em; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }}
tr.passed td:nth-child(2) {{ color: #176f2c; }} tr.failed td:nth-child(2) {{ color: #b00020; font-weight: bold; }}
tr.skipped td:nth-child(2), tr.not_run td:nth-child(2) {{ color: #777; }}
.verdict {{ font-size: 1.3em; }} .simulator {{ background: #fff3cd; padding: 4px 8px; }}
</style></head><body>
<h1>{e(label("title", lang))}: {e(self.adapter)}</h1>
<p class="verdict"><strong>{e(data["verdict"])}</strong> &mdash; {e(data["verdict_label"])} ({e(self._summary())})</p>
<p class="{where}">{e(data["simulator_note"])}</p>
<table>{fact_rows}</table>
<table><tr><th>{e(label("check", lang))}</th><th>{e(label("outcome", lang))}</th><th>{e(label("proves", lang))}</th>
<th>{e(label("detail", lang))}</th><th>{e(label("seconds", lang))}</th></tr>
{rows}
</table>
<script type="application/json" id="kyso-report">{embedded}</script>
</body></html>
"""


def report_digest(report: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of a report's canonical JSON: keys sorted, UTF-8, compact, without its ``sha256`` field.

    The same in one line of Python, for an agency checking a copy::

        python -c "import hashlib,json,sys; r=json.load(open(sys.argv[1],encoding='utf-8')); h=r.pop('sha256');
        print(h == hashlib.sha256(json.dumps(r,sort_keys=True,ensure_ascii=False,separators=(',',':'))
        .encode()).hexdigest())" report.json
    """
    content = {k: v for k, v in report.items() if k != "sha256"}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_EMBEDDED = re.compile(r'<script type="application/json" id="kyso-report">(.*?)</script>', re.S)


def check_report(data: bytes) -> tuple[bool, dict[str, Any]]:
    """Whether a JSON (or HTML) conformance report is unchanged: its ``sha256`` matches its content; and the report.

    :raises InputError: not a conformance report.
    """
    from kyso.core.errors import InputError

    text = data.decode("utf-8", errors="replace")
    match = _EMBEDDED.search(text)
    try:
        report = json.loads(match.group(1) if match else text)
    except ValueError:
        raise InputError("not a Kyso conformance report (neither its JSON nor its HTML)") from None
    if not isinstance(report, dict) or not isinstance(report.get("sha256"), str):
        raise InputError("not a Kyso conformance report: no sha256 field")
    return report["sha256"] == report_digest(report), report


def adapter_version(info: AdapterInfo) -> str | None:
    """The version of the distribution that ships the adapter (its factory's top-level package)."""
    from importlib import metadata

    top = getattr(info.factory, "__module__", "").split(".")[0]
    for distribution in metadata.packages_distributions().get(top, []):
        with contextlib.suppress(metadata.PackageNotFoundError):
            return metadata.version(distribution)
    return None


def unreachable_reason(config: AdapterConfig) -> str | None:
    """Why the platform at ``config.base_url`` does not answer at all (no connection, no HTTP answer in time), or
    ``None`` when it answers anything (even 404: then the checks tell what is wrong)."""
    import requests

    try:
        with requests.Session() as session:  # the environment's proxies (HTTPS_PROXY, NO_PROXY) apply
            session.get(config.base_url, timeout=max(config.timeout, 1.0), allow_redirects=False).close()
    except (requests.ConnectionError, requests.Timeout) as exc:
        return f"{config.base_url}: {exc.__class__.__name__}"
    except requests.RequestException:
        return None
    return None


def run_check(harness: Harness, name: str, check: Check) -> CheckResult:
    """Run one check; whatever it raises becomes its outcome."""
    started = time.perf_counter()
    try:
        detail: str | Detail = check(harness)
        outcome = "passed"
    except CheckSkipped as exc:
        outcome, detail = "skipped", exc.detail
    except AssertionError as exc:
        outcome, detail = (
            "failed",
            exc.detail if isinstance(exc, CheckFailed) else str(exc) or Detail("assertion_failed"),
        )
    except Exception as exc:  # an adapter that crashes fails the check, with what it raised
        from kyso.core.errors import KysoError

        text = exc.diagnostics() if isinstance(exc, KysoError) else str(exc)
        said = exc.diagnostics("vi") if isinstance(exc, KysoError) else text  # an adapter's own words, as said
        outcome, detail = (
            "failed",
            Detail("adapter_raised", {"error": exc.__class__.__name__, "why": text, "why_vi": said}),
        )
    finally:
        if harness.control is not None:
            with contextlib.suppress(Exception):
                harness.control.clear_faults()
    found = detail if isinstance(detail, Detail) else str(detail)
    return CheckResult(name, outcome, found, time.perf_counter() - started)


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
    lang: str = "vi",
    **harness_options: Any,
) -> ConformanceReport:
    """Run the suite (or the checks named in ``only``: the others are reported as not run, and the verdict can
    then be no better than INCOMPLETE) and return the report, in ``lang``."""
    from kyso.core.models import VIETNAM_TIME

    suite = all_checks(info)
    selected = set(only) if only is not None else None
    unknown = sorted(selected - {name for name, _ in suite}) if selected is not None else []
    with contextlib.ExitStack() as stack:
        if harness is None:
            harness = stack.enter_context(harness_for(info, **harness_options))
        report = ConformanceReport(
            info.name,
            harness.config.base_url,
            harness.control is not None,
            datetime.now(VIETNAM_TIME),
            adapter_version=adapter_version(info),
            unknown_checks=unknown,
            lang=lang,
        )
        started = time.perf_counter()
        report.unreachable = None if harness.control is not None else unreachable_reason(harness.config)
        for name, check in suite:
            if report.unreachable is not None or (selected is not None and name not in selected):
                why = "unreachable_detail" if report.unreachable is not None else "not_selected"
                result = CheckResult(name, "not_run", label(why, lang))
            else:
                result = run_check(harness, name, check)
            report.checks.append(result)
            if progress is not None:
                progress(result)
        report.seconds = time.perf_counter() - started
    return report


__all__ = [
    "CheckResult",
    "ConformanceReport",
    "Verdict",
    "check_report",
    "harness_for",
    "label",
    "report_digest",
    "run_check",
    "run_conformance",
]
