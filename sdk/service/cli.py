"""``kyso serve``: run the validation service; ``kyso serve keys add | list | revoke``: its API keys."""

from __future__ import annotations

from pathlib import Path

import click

from kyso.cli.options import echo_json, format_option
from kyso.text import printable

_CONFIG_HELP = "TOML configuration file (docs/service.md)."


def _config(config_path: Path | None, database: str | None = None):  # -> ServiceConfig
    from kyso.service.config import load

    return load(config_path).replace(database=database)


@click.group("serve", invoke_without_command=True)
@click.option("--host", help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default 8080; 0 picks a free one).")
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes (default 2).")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help=_CONFIG_HELP)
@click.option(
    "--trust",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Trust anchor file or directory of the default trust set, on top of the trust store (repeatable).",
)
@click.option("--database", help="sqlite:///PATH or postgresql://... (default: service.db in the Kyso config dir).")
@click.pass_context
def serve_group(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    workers: int | None,
    config_path: Path | None,
    trust: tuple[Path, ...],
    database: str | None,
) -> None:
    """Run the validation service (HTTP API, DSS-compatible endpoint, page for people) on uvicorn."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"config_path": config_path, "database": database}
        return
    from kyso.service.server import run

    config = _config(config_path, database).replace(host=host, port=port, workers=workers)
    if trust:
        config = config.replace(trust=config.trust + tuple(str(p.resolve()) for p in trust))
    run(config, announce=lambda line: click.echo(printable(line), err=True))


@serve_group.group("keys")
def keys_group() -> None:
    """API keys of the service (stored hashed in its database)."""


def _store(ctx: click.Context):  # -> Store
    from kyso.service.store import Store

    return Store(_config(ctx.obj["config_path"], ctx.obj["database"]).database_url())


@keys_group.command("add")
@click.argument("name")
@click.option("--per-minute", type=int, help="Requests per minute allowed to this key (default from the config).")
@click.pass_context
def add_command(ctx: click.Context, name: str, per_minute: int | None) -> None:
    """Create the key NAME and print it (shown this once: only its hash is kept)."""
    config = _config(ctx.obj["config_path"], ctx.obj["database"])
    key = _store(ctx).add_key(name, per_minute or config.key_per_minute)
    click.echo(key)
    click.echo(printable(f"key {name!r} created; it is shown only now: keep it in the client's secret store"), err=True)


@keys_group.command("list")
@format_option()
@click.pass_context
def list_command(ctx: click.Context, output_format: str) -> None:
    """The keys: name, first characters, rate limit, created, revoked."""
    import dataclasses

    keys = _store(ctx).keys()
    if output_format == "json":
        echo_json([dataclasses.asdict(k) for k in keys])
        return
    for key in keys:
        state = f"revoked {key.revoked}" if key.revoked else "active"
        click.echo(printable(f"{key.name}  {key.shown}  {key.per_minute}/min  created {key.created}  {state}"))


@keys_group.command("revoke")
@click.argument("name")
@click.pass_context
def revoke_command(ctx: click.Context, name: str) -> None:
    """Revoke the key NAME: refused from the next request on, by every worker."""
    _store(ctx).revoke_key(name)
    click.echo(printable(f"key {name!r} revoked"), err=True)
