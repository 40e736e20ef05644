"""``kyso adapters | sync | simulate``: thin commands over :mod:`kyso.adapters` (``kyso conformance`` lives with
the suite, in :mod:`kyso.conformance.cli`).

Added to the ``kyso`` command by the built-in plugin :mod:`kyso.adapters.plugin` (``kyso_register_commands``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click

from kyso.cli.options import (
    connection_options,
    connection_overrides,
    echo_json,
    format_option,
    revocation_option,
    trust_option,
)
from kyso.cli.signers import SignerChoice, SigningCommand, signer_options
from kyso.core.errors import UsageError
from kyso.text import printable


@click.command("adapters")
@format_option()
def adapters_command(output_format: str) -> None:
    """List the installed platform adapters, one per line, name first."""
    from kyso.adapters.registry import adapter_registry

    registry = adapter_registry()
    rows: list[dict[str, Any]] = [
        {
            "name": info.name,
            "description": info.description,
            "kinds": [getattr(k, "value", k) for k in info.kinds],
            "simulator": info.simulator is not None,
        }
        for info in sorted(registry.adapters.values(), key=lambda i: i.name)
    ]
    if output_format == "json":
        echo_json(rows)
        return
    for row in rows:
        kinds = ", ".join(str(k or "plain") for k in row["kinds"])
        simulator = "; simulator" if row["simulator"] else ""
        click.echo(printable(f"{row['name']}  {row['description']} (kinds: {kinds}{simulator})"))


@click.command("sync", cls=SigningCommand)
@click.argument("adapter_name", metavar="ADAPTER")
@click.option("--user", required=True, metavar="ID", help="The platform user whose pending items are signed.")
@signer_options
@click.option("--image", type=click.Path(path_type=Path), help="approval items: your handwritten signature PNG.")
@click.option("--seal", type=click.Path(path_type=Path), help="issuance items: the organisation's seal PNG.")
@trust_option(help="Trust anchor to check the signer.")
@revocation_option()
@click.option(
    "--journal",
    type=click.Path(path_type=Path),
    help="Journal making the run resumable (default: one per adapter and user in the Kyso configuration directory).",
)
@click.option(
    "--level",
    type=click.Choice(["B-B", "B-T", "B-LT", "B-LTA"]),
    default="B-B",
    show_default=True,
    help="Signature level of every item (B-T and above need --tsa).",
)
@click.option("--tsa", metavar="URL", help="RFC 3161 time-stamping authority (for B-T, B-LT, B-LTA).")
@format_option()
@connection_options()
def sync_command(
    adapter_name: str,
    user: str,
    signer_choice: SignerChoice,
    image: Path | None,
    seal: Path | None,
    trust: tuple[Path, ...],
    revocation: str,
    journal: Path | None,
    level: str,
    tsa: str | None,
    output_format: str,
    **connection: Any,
) -> None:
    """Sign every item awaiting USER on the platform and upload the results.

    Each item fails alone, with its reason; run again after an interruption: items already submitted are skipped.
    Exit 0 when nothing failed, 1 otherwise.
    """
    from kyso.adapters.registry import get_adapter
    from kyso.adapters.sync import sync
    from kyso.core.adapter import _config_dir

    adapter = get_adapter(adapter_name, **connection_overrides(connection))
    signer = signer_choice.open()
    if journal is None:
        safe = re.sub(r"[^\w.-]", "_", f"{adapter_name}-{user}")
        journal = _config_dir() / "sync" / f"{safe}.journal"
    try:
        items = adapter.pending(user)
        with click.progressbar(
            length=len(items), label=printable(f"{adapter_name} / {user}"), file=sys.stderr, show_pos=True
        ) as bar:
            summary = sync(
                adapter,
                user,
                signer,
                journal=journal,
                assets={"image": image, "seal": seal},
                trust=list(trust),
                revocation=revocation,
                items=items,
                progress=lambda item, result: bar.update(1),
                sign_options={"level": level, "tsa": tsa},
            )
    finally:
        adapter.close()
    if output_format == "json":
        echo_json(summary.to_dict())
    else:
        for result in summary.results:
            if result.outcome != "signed":
                reason = result.reason if result.reason.startswith(result.name) else f"{result.name}: {result.reason}"
                click.echo(printable(f"{result.outcome}: {reason}"))
        click.echo(f"signed: {summary.signed}, failed: {summary.failed}, skipped: {summary.skipped}")
    sys.exit(1 if summary.failed else 0)


@click.command("simulate")
@click.argument("adapter_name", metavar="NAME")
@click.option("--port", type=int, default=0, show_default=True, help="Port on 127.0.0.1 (0: a free one).")
@click.option(
    "--directory",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where the simulator keeps its SQLite state.",
)
@trust_option(help="Trust anchor of the simulator's verification page (onegate; repeatable).")
def simulate_command(adapter_name: str, port: int, directory: Path, trust: tuple[Path, ...]) -> None:
    """Run the platform simulator of adapter NAME on 127.0.0.1 until interrupted (account kyso / kyso-secret)."""
    import time

    from kyso.adapters.registry import adapter_registry

    info = adapter_registry().get(adapter_name)
    if info.simulator is None:
        raise UsageError(f"adapter {adapter_name!r} has no simulator")
    simulator = info.simulator(directory, port)
    if trust:
        if not hasattr(simulator, "trust"):
            raise UsageError(f"the {adapter_name} simulator verifies nothing: --trust has no use", parameter="trust")
        simulator.trust = list(trust)
    simulator.start()
    click.echo(f"{adapter_name} simulator on {simulator.url} (state: {simulator.database}); Ctrl-C stops it")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()
