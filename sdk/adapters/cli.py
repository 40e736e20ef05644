"""``kyso adapters | sync | conformance | simulate``: thin commands over :mod:`kyso.adapters` and
:mod:`kyso.conformance`.

Added to the ``kyso`` command by the built-in plugin :mod:`kyso.adapters.plugin` (``kyso_register_commands``).
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from kyso.core.errors import UsageError
from kyso.text import printable, to_json

_connection = [
    click.option("--base-url", metavar="URL", help="The platform's API (default: configuration, environment)."),
    click.option("--username", metavar="NAME", help="Account on the platform."),
    click.option(
        "--platform-password-env", metavar="VAR", help="Environment variable holding the platform account's password."
    ),
    click.option("--token-env", metavar="VAR", help="Environment variable holding an API token for the platform."),
    click.option("--timeout", type=float, help="Seconds per HTTP request."),
    click.option("--retries", type=int, help="Retries after a server error or timeout."),
]


def connection_options(function: Any) -> Any:
    for option in reversed(_connection):
        function = option(function)
    return function


def _secret(variable: str | None) -> str | None:
    if variable is None:
        return None
    if variable not in os.environ:
        raise UsageError(f"environment variable {variable} is not set")
    return os.environ[variable]


def _overrides(options: dict[str, Any]) -> dict[str, Any]:
    return {
        "base_url": options.get("base_url"),
        "username": options.get("username"),
        "password": _secret(options.get("platform_password_env")),
        "token": _secret(options.get("token_env")),
        "timeout": options.get("timeout"),
        "retries": options.get("retries"),
    }


@click.command("adapters")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
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
        click.echo(to_json(rows))
        return
    for row in rows:
        kinds = ", ".join(str(k or "plain") for k in row["kinds"])
        simulator = "; simulator" if row["simulator"] else ""
        click.echo(printable(f"{row['name']}  {row['description']} (kinds: {kinds}{simulator})"))


@click.command("sync")
@click.argument("adapter_name", metavar="ADAPTER")
@click.option("--user", required=True, metavar="ID", help="The platform user whose pending items are signed.")
@click.option("--p12", "p12_path", required=True, type=click.Path(path_type=Path), help="PKCS#12 key store.")
@click.option("--password-env", metavar="VAR", help="Environment variable holding the key store password.")
@click.option("--password-file", type=click.Path(path_type=Path), help="File holding the key store password.")
@click.option("--image", type=click.Path(path_type=Path), help="approval items: your handwritten signature PNG.")
@click.option("--seal", type=click.Path(path_type=Path), help="issuance items: the organisation's seal PNG.")
@click.option("--trust", multiple=True, type=click.Path(path_type=Path), help="Trust anchor to check the signer.")
@click.option("--revocation", type=click.Choice(["off", "soft", "hard"]), default="soft", show_default=True)
@click.option(
    "--journal",
    type=click.Path(path_type=Path),
    help="Journal making the run resumable (default: one per adapter and user in the Kyso configuration directory).",
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@connection_options
def sync_command(
    adapter_name: str,
    user: str,
    p12_path: Path,
    password_env: str | None,
    password_file: Path | None,
    image: Path | None,
    seal: Path | None,
    trust: tuple[Path, ...],
    revocation: str,
    journal: Path | None,
    output_format: str,
    **connection: Any,
) -> None:
    """Sign every item awaiting USER on the platform and upload the results.

    Each item fails alone, with its reason; run again after an interruption: items already submitted are skipped.
    Exit 0 when nothing failed, 1 otherwise.
    """
    import kyso
    from kyso.adapters.registry import get_adapter
    from kyso.adapters.sync import sync
    from kyso.cli.main import _password
    from kyso.core.adapter import _config_dir

    adapter = get_adapter(adapter_name, **_overrides(connection))
    signer = kyso.Pkcs12Signer.from_file(p12_path, _password(password_env, password_file))
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
            )
    finally:
        adapter.close()
    if output_format == "json":
        click.echo(to_json(summary.to_dict()))
    else:
        for result in summary.results:
            if result.outcome != "signed":
                reason = result.reason if result.reason.startswith(result.name) else f"{result.name}: {result.reason}"
                click.echo(printable(f"{result.outcome}: {reason}"))
        click.echo(f"signed: {summary.signed}, failed: {summary.failed}, skipped: {summary.skipped}")
    sys.exit(1 if summary.failed else 0)


@click.command("conformance")
@click.argument("adapter_name", metavar="ADAPTER")
@click.option("--report", "report_path", type=click.Path(path_type=Path), help="Write the JSON report here.")
@click.option("--html", "html_path", type=click.Path(path_type=Path), help="Write the HTML report here.")
@click.option("--check", "only", multiple=True, metavar="NAME", help="Run only this check (repeatable).")
@click.option("--user", default="kyso-conformance", show_default=True, help="Platform user (without a simulator).")
@connection_options
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
    from kyso.cli.files import write_atomically
    from kyso.conformance.runner import SIMULATOR_CREDENTIALS, run_conformance
    from kyso.core.adapter import AdapterConfig

    info = adapter_registry().get(adapter_name)
    for path in (report_path, html_path):
        if path is not None and not (path.parent if str(path.parent) else Path(".")).is_dir():
            raise UsageError(f"{path.parent}: output directory does not exist")
    overrides = _overrides(connection)
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
def simulate_command(adapter_name: str, port: int, directory: Path) -> None:
    """Run the platform simulator of adapter NAME on 127.0.0.1 until interrupted (account kyso / kyso-secret)."""
    import time

    from kyso.adapters.registry import adapter_registry

    info = adapter_registry().get(adapter_name)
    if info.simulator is None:
        raise UsageError(f"adapter {adapter_name!r} has no simulator")
    simulator = info.simulator(directory, port)
    simulator.start()
    click.echo(f"{adapter_name} simulator on {simulator.url} (state: {simulator.database}); Ctrl-C stops it")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()
