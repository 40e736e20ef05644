"""``kyso conformance ADAPTER``: the adapter conformance suite from the command line, a thin command over
:func:`kyso.conformance.runner.run_conformance`.

Added to the ``kyso`` command by the built-in plugin :mod:`kyso.conformance.plugin` (``kyso_register_commands``).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import click

from kyso.cli.options import connection_options, connection_overrides
from kyso.core.errors import UsageError
from kyso.text import printable


@click.command("conformance")
@click.argument("adapter_name", metavar="ADAPTER")
@click.option("--report", "report_path", type=click.Path(path_type=Path), help="Write the JSON report here.")
@click.option("--html", "html_path", type=click.Path(path_type=Path), help="Write the HTML report here.")
@click.option("--check", "only", multiple=True, metavar="NAME", help="Run only this check (repeatable).")
@click.option("--user", default="kyso-conformance", show_default=True, help="Platform user (without a simulator).")
@connection_options()
def conformance_command(
    adapter_name: str,
    report_path: Path | None,
    html_path: Path | None,
    only: tuple[str, ...],
    user: str,
    **connection: Any,
) -> None:
    """Run the adapter conformance suite: against the adapter's simulator, or a staging platform with --base-url.

    Prints a pass/fail table; exit 0 when no check failed, 1 otherwise.
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
        progress=lambda result: click.echo(printable(f"  {result.outcome:<7} {result.name}"), err=True),
    )
    click.echo(report.to_table(), nl=False)
    if report_path is not None:
        write_atomically(report_path, report.to_json().encode("utf-8"))
    if html_path is not None:
        write_atomically(html_path, report.to_html().encode("utf-8"))
    sys.exit(0 if report.passed else 1)
