"""``kyso audit SRC... --html FILE [--csv FILE] [--xlsx FILE] [--json FILE]``: the usage audit of a document
store, run on the batch engine (worker processes or Dask) and reduced to one report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kyso.batch.cli import pop_verification, verification_options
from kyso.cli.options import lang_option


@click.command("audit")
@click.argument("sources", metavar="SRC...", nargs=-1, required=True)
@click.option("--html", "html_path", type=click.Path(path_type=Path), required=True, help="The HTML report.")
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), help="One row per document (CSV).")
@click.option("--xlsx", "xlsx_path", type=click.Path(path_type=Path), help="The tables as a workbook (XLSX).")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Every figure as JSON.")
@click.option(
    "--expiring-within",
    "expiring_within",
    type=click.IntRange(0),
    default=30,
    show_default=True,
    metavar="DAYS",
    help="List signing certificates that expire within DAYS.",
)
@click.option(
    "--roots",
    "roots_path",
    type=click.Path(path_type=Path),
    help='JSON {"root common name": "dedicated"|"public"} added to the built-in root classes.',
)
@click.option("--workers", type=click.IntRange(1, 512), default=None, help="Worker processes [default: all cores].")
@click.option("--scheduler", metavar="tcp://HOST:8786|local", help="Run on Dask distributed.")
@verification_options
@lang_option()
def audit_command(
    sources: tuple[str, ...],
    html_path: Path,
    csv_path: Path | None,
    xlsx_path: Path | None,
    json_path: Path | None,
    expiring_within: int,
    roots_path: Path | None,
    workers: int | None,
    scheduler: str | None,
    lang: str,
    **verification: Any,
) -> None:
    """Audit SRC... (folders of PDFs, edXML packages, adapter:NAME): who signed what, per agency, month and kind;
    validity and why not; algorithms; expiring certificates; received documents without a valid signature;
    public-CA signatures where dedicated ones are expected; the figures of the directive's yearly report."""
    import os

    from kyso.audit.html import render_html
    from kyso.audit.report import AuditTally, DocumentRows, root_classes, xlsx_bytes
    from kyso.batch.cli import run_command
    from kyso.batch.operations import Audit
    from kyso.files import check_output, write_atomically
    from kyso.text import printable

    for path in (html_path, csv_path, xlsx_path, json_path):
        if path is not None:
            check_output(path)
    tally = AuditTally(roots=root_classes(roots_path), expiring_within=expiring_within)
    rows = DocumentRows(csv_path)
    operation = Audit(pop_verification(verification))
    kept = False
    try:
        run_command(
            operation,
            sources,
            output_dir=None,
            workers=workers or os.cpu_count() or 1,
            scheduler=scheduler,
            journal_path=None,
            report_path=None,
            lang=lang,
            on_item=lambda item: rows.write(tally.add(item)),
        )
        write_atomically(html_path, render_html(tally).encode("utf-8"))
        if xlsx_path is not None:
            write_atomically(xlsx_path, xlsx_bytes(tally))
        if json_path is not None:
            from kyso.text import to_json

            write_atomically(json_path, to_json(tally.to_dict()).encode("utf-8"))
        kept = True
    finally:
        rows.close(keep=kept)
    valid = tally.indications.get("TOTAL_PASSED", 0)
    click.echo(printable(f"{tally.documents} văn bản, {valid} hợp lệ: {html_path}"), err=True)
