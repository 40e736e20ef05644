"""``kyso extend IN -o OUT --level B-LT|B-LTA``: add long-term validation data to a signed PDF."""

from __future__ import annotations

from pathlib import Path

import click

from kyso.cli.options import timeout_option, trust_option


@click.command("extend")
@click.argument("input_path", metavar="IN", type=click.Path(path_type=Path))
@click.option("-o", "--output", "output_path", required=True, type=click.Path(path_type=Path), help="Extended file.")
@click.option("--level", type=click.Choice(["B-LT", "B-LTA"]), default="B-LTA", show_default=True)
@click.option("--tsa", metavar="URL", help="RFC 3161 time-stamping authority (needed for B-LTA).")
@trust_option(help="Extra trust anchor file or directory (repeatable).")
@timeout_option()
def extend_command(
    input_path: Path, output_path: Path, level: str, tsa: str | None, trust: tuple[Path, ...], timeout: float
) -> None:
    """Embed validation data (B-LT) and an archive time-stamp (B-LTA) into IN, write OUTPUT (IN is never modified).

    Extending a B-LTA document again renews its archive time-stamp."""
    from kyso.certs.loading import load_certificates
    from kyso.core.errors import UsageError
    from kyso.core.manager import get_plugin_manager
    from kyso.files import check_output, read_document, write_atomically
    from kyso.pdf.ltv import extend_pdf
    from kyso.text import printable

    if output_path.resolve() == input_path.resolve():
        raise UsageError("the output must be a different file from the input")
    data = read_document(input_path)
    if get_plugin_manager().detect_format(data).name != "pdf":
        raise UsageError("kyso extend handles PDF documents only")
    check_output(output_path)
    extended = extend_pdf(data, level=level, tsa=tsa, trust=load_certificates(trust), timeout=timeout)
    write_atomically(output_path, extended)
    click.echo(printable(f"extended to {level}: {output_path}"), err=True)
