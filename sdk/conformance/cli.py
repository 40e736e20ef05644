"""``kyso conformance ADAPTER``: the adapter conformance suite from the command line, a thin command over
:func:`kyso.conformance.runner.run_conformance`; ``kyso conformance check-report FILE`` checks that a report handed
over is unchanged (its SHA-256).

Added to the ``kyso`` command by the built-in plugin :mod:`kyso.conformance.plugin` (``kyso_register_commands``).
"""

from __future__ import annotations

import dataclasses
import functools
import sys
from pathlib import Path
from typing import Any

import click

from kyso.cli.options import connection_options, connection_overrides, lang_option
from kyso.core.errors import UsageError
from kyso.text import printable


class _RunByDefault(click.Group):
    """``kyso conformance ADAPTER ...`` runs the suite (the ``run`` sub-command); ``kyso conformance check-report``
    and ``kyso conformance run`` are the sub-commands proper."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group("conformance", cls=_RunByDefault)
def conformance_command() -> None:
    """Run the adapter conformance suite (kyso conformance ADAPTER ...), or check a report (check-report FILE).

    \b
    Verdicts: CONFORMS (the whole suite ran and passed, exit 0), DOES_NOT_CONFORM (a check failed), INCOMPLETE
    (a filtered run: --check, an unknown name), NOT_ASSESSED (checks that could not run, e.g. round trips without
    seeded items on a staging platform), UNREACHABLE (the platform did not answer): exit 1.
    """


@conformance_command.command("run")
@click.argument("adapter_name", metavar="ADAPTER")
@click.option("--report", "report_path", type=click.Path(path_type=Path), help="Write the JSON report here.")
@click.option("--html", "html_path", type=click.Path(path_type=Path), help="Write the HTML report here.")
@click.option("--check", "only", multiple=True, metavar="NAME", help="Run only this check (repeatable): INCOMPLETE.")
@click.option(
    "--user",
    default="kyso-conformance",
    show_default=True,
    help="Platform user whose seeded items the round trips sign (without the simulator: docs/conformance.md).",
)
@connection_options()
@lang_option()
def run_command(
    adapter_name: str,
    report_path: Path | None,
    html_path: Path | None,
    only: tuple[str, ...],
    user: str,
    lang: str,
    **connection: Any,
) -> None:
    """Run the suite: against the adapter's simulator, or a staging platform with --base-url.

    Prints the verdict and a table; exit 0 only for CONFORMS, 1 for any other verdict.
    """
    from kyso.adapters.registry import adapter_registry
    from kyso.conformance.runner import SIMULATOR_CREDENTIALS, run_conformance
    from kyso.core.adapter import AdapterConfig
    from kyso.files import write_atomically

    info = adapter_registry().get(adapter_name)
    for path in (report_path, html_path):
        if path is not None and not (path.parent if str(path.parent) else Path(".")).is_dir():
            raise UsageError(f"{path.parent}: output directory does not exist")
    overrides = connection_overrides(connection)
    config = None
    if overrides["base_url"]:
        config = AdapterConfig.load(adapter_name, **overrides)
        if not (config.credentials.username or config.credentials.token):  # none configured: a simulator's account
            config = dataclasses.replace(config, credentials=SIMULATOR_CREDENTIALS)
    report = run_conformance(
        info,
        config=config,
        only=only or None,
        user=user,
        lang=lang,
        progress=functools.partial(_progress, lang=lang),
    )
    click.echo(report.to_table(), nl=False)
    if report_path is not None:
        write_atomically(report_path, report.to_json().encode("utf-8"))
    if html_path is not None:
        write_atomically(html_path, report.to_html().encode("utf-8"))
    sys.exit(0 if report.passed else 1)


def _progress(result: Any, *, lang: str) -> None:
    """One stderr line per check that ran, as it ends, its outcome in the run's language."""
    from kyso.conformance.runner import label

    if result.outcome != "not_run":
        click.echo(printable(f"  {label(result.outcome, lang):<9} {result.name}"), err=True)


@conformance_command.command("check-report")
@click.argument("report_file", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_report_command(report_file: Path) -> None:
    """Check that a conformance report (JSON or HTML) is unchanged: its SHA-256 matches its content.

    Exit 0 when it matches, 1 when the report was modified.
    """
    from kyso.conformance.runner import check_report

    intact, report = check_report(report_file.read_bytes())
    summary = printable(f"{report.get('adapter')}: {report.get('verdict')} ({report.get('target')})")
    if intact:
        click.echo(f"OK: sha256 {report['sha256']} matches; {summary}")
        sys.exit(0)
    click.echo(f"MODIFIED: the content does not match its sha256 {printable(report['sha256'])}; {summary}")
    sys.exit(1)
