"""``kyso trust list | add | remove | fetch``: the trust anchors in use, and the real roots Kyso knows by pin."""

from __future__ import annotations

from pathlib import Path

import click

from kyso.cli.options import echo_json, format_option, timeout_option
from kyso.text import printable


@click.group("trust")
def trust_group() -> None:
    """Trust anchors: the store, the config file, KYSO_TRUST, and the real Vietnamese roots known by pin."""


@trust_group.command("list")
@format_option()
def list_command(output_format: str) -> None:
    """Show every anchor and intermediate in use (name, fingerprint, source) and the known roots not installed."""
    import dataclasses

    from kyso.certs import truststore

    found = truststore.entries()
    if output_format == "json":
        echo_json([dataclasses.asdict(e) for e in found])
        return
    for entry in found:
        role = "anchor" if entry.anchor else "intermediate"
        click.echo(printable(f"{entry.name}  {entry.subject}  [{role}, {entry.source}]"))
        click.echo(f"    SHA-256 {entry.sha256}")


@trust_group.command("add")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--name", help="Name in the store (default: the known name or the subject's common name).")
def add_command(path: Path, name: str | None) -> None:
    """Add the CA certificate(s) in PATH (PEM or DER) to the trust store."""
    from kyso.certs import truststore
    from kyso.files import read_document

    for entry in truststore.add(read_document(path), name=name, origin=str(path)):
        click.echo(printable(f"added {entry.name}: {entry.subject} (SHA-256 {entry.sha256})"))


@trust_group.command("remove")
@click.argument("name")
def remove_command(name: str) -> None:
    """Remove a store entry by name or SHA-256 fingerprint (at least 8 hex digits)."""
    from kyso.certs import truststore

    for path in truststore.remove(name):
        click.echo(printable(f"removed {path.name}"))


@trust_group.command("fetch")
@click.argument("names", nargs=-1)
@click.option("--url", help="Download from this URL instead of the official one (a mirror); the pin still applies.")
@timeout_option(default=10.0, help="Seconds for the download.")
def fetch_command(names: tuple[str, ...], url: str | None, timeout: float) -> None:
    """Download known certificates (default: all) from their official URLs; refuse any fingerprint mismatch."""
    from kyso.certs import truststore
    from kyso.core.errors import UsageError

    wanted = names or tuple(k.name for k in truststore.KNOWN)
    if url and len(wanted) != 1:
        raise UsageError("--url needs exactly one certificate name")
    for name in wanted:
        entry = truststore.fetch(name, url=url, timeout=timeout)
        click.echo(printable(f"fetched {entry.name}: {entry.subject} (SHA-256 {entry.sha256}, pin matches)"))
