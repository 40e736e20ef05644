"""``kyso ioffice dispatch | receive``: the document workflow around the signing steps (signing itself is
``kyso sync ioffice``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from kyso.cli import options
from kyso.cli.options import echo_json
from kyso.cli.signers import SignerChoice, SigningCommand, signer_options
from kyso.core.errors import UsageError
from kyso.text import printable


@click.group("ioffice")
def ioffice_group() -> None:
    """iOffice-style document management: dispatch issued documents, receive edXML packages."""


def _organization(organ_id: str, name: str | None) -> Any:
    from kyso_edxml.ids import is_organ_id
    from kyso_edxml.model import Organization

    if not is_organ_id(organ_id):
        raise UsageError(f"not an agency identifier (mã định danh, e.g. 000.00.00.H41): {organ_id!r}")
    return Organization(organ_id=organ_id, organ_name=name)


def _receivers(values: tuple[str, ...]) -> list[Any]:
    receivers = []
    for value in values:
        organ_id, _, name = value.partition("=")
        receivers.append(_organization(organ_id.strip(), name.strip() or None))
    if not receivers:
        raise UsageError("give at least one receiver with --to ORGAN_ID[=NAME]")
    return receivers


_organization_options = [
    click.option("--organ-id", required=True, metavar="ID", help="Your agency identifier, e.g. 000.00.00.H41."),
    click.option("--organ-name", metavar="NAME", help="Your agency's name."),
]


def organization_options(function: Any) -> Any:
    """The organisation's key (``kyso.cli.signers``) and its agency identity."""
    for option in reversed(_organization_options):
        function = option(function)
    return signer_options(function)


@ioffice_group.command("dispatch", cls=SigningCommand)
@click.argument("document_id", metavar="DOCUMENT")
@click.option("--to", "receivers", multiple=True, metavar="ORGAN_ID[=NAME]", help="Receiving agency (repeatable).")
@organization_options
@options.connection_options()
def dispatch_command(
    document_id: str,
    receivers: tuple[str, ...],
    signer_choice: SignerChoice,
    organ_id: str,
    organ_name: str | None,
    **connection: Any,
) -> None:
    """Send the issued DOCUMENT as an edXML package signed by the organisation."""
    from kyso.adapters.registry import get_adapter
    from kyso_ioffice.workflow import dispatch

    sender = _organization(organ_id, organ_name)
    to = _receivers(receivers)
    signer = signer_choice.open()
    adapter = get_adapter("ioffice", **options.connection_overrides(connection))
    try:
        package_id, package = dispatch(adapter, document_id, signer, sender=sender, to=to)  # type: ignore[arg-type]
    finally:
        adapter.close()
    click.echo(printable(f"dispatched: {document_id} as package {package_id} ({len(package)} bytes)"))


@ioffice_group.command("receive", cls=SigningCommand)
@options.trust_option(help="Trust anchor (repeatable).")
@options.revocation_option()
@options.format_option()
@organization_options
@options.connection_options()
def receive_command(
    trust: tuple[Path, ...],
    revocation: str,
    output_format: str,
    signer_choice: SignerChoice,
    organ_id: str,
    organ_name: str | None,
    **connection: Any,
) -> None:
    """Verify every package of the inbox and answer each with a signed status packet (03 accepted, 02 rejected).

    Accepted documents become income tasks for the văn thư (sign them with ``kyso sync ioffice``). Exit 1 when a
    package was rejected.
    """
    from kyso.adapters.registry import get_adapter
    from kyso_ioffice.workflow import receive

    if not trust:
        raise UsageError("give the trust anchors with --trust: packages are verified before they are accepted")
    sender = _organization(organ_id, organ_name)
    signer = signer_choice.open()
    adapter = get_adapter("ioffice", **options.connection_overrides(connection))
    try:
        results = receive(adapter, sender=sender, trust=list(trust), revocation=revocation, signer=signer)  # type: ignore[arg-type]
    finally:
        adapter.close()
    if output_format == "json":
        echo_json([r.__dict__ for r in results])
    else:
        for result in results:
            outcome = "accepted (03)" if result.status == "03" else f"rejected (02): {result.reason}"
            click.echo(printable(f"{result.package}: {outcome}"))
        click.echo(f"received: {len(results)}, rejected: {sum(r.status != '03' for r in results)}")
    sys.exit(1 if any(r.status != "03" for r in results) else 0)
