"""``kyso agent run|setup|status|install|uninstall|log``: the local signing agent's commands.

Added to ``kyso`` by the built-in plugin :mod:`kyso.agent.plugin`. ``run`` needs the ``agent`` extra
(``pip install 'kyso[agent]'``: the ``websockets`` library).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from kyso.cli.options import echo_json
from kyso.cli.signers import SignerChoice, SigningCommand, signer_options
from kyso.core.errors import UsageError
from kyso.text import printable

CONSENT_MODES = ("dialog", "terminal", "allowlisted")


def _config_dir() -> Path:
    from kyso.core.paths import config_dir

    return config_dir()


def _load_config(path: Path | None) -> dict[str, Any]:
    """The agent's config file (TOML): ``allow_origins``, ``file_origins``, ``session_cookie``, limits."""
    import tomllib

    path = path or _config_dir() / "agent" / "config.toml"
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"cannot read the agent's config {path}: {exc}") from None


@click.group("agent")
def agent_group() -> None:
    """The local signing agent: a VGCA-compatible signing service for web pages (wss://127.0.0.1:8987)."""


@agent_group.command("run", cls=SigningCommand)
@signer_options
@click.option("--port", type=click.IntRange(0, 65535), default=8987, show_default=True, help="0: any free port.")
@click.option("--no-tls", is_flag=True, help="Plain ws:// (tests); by default wss:// with the CA of kyso agent setup.")
@click.option("--allow-origin", "allow_origins", multiple=True, metavar="ORIGIN", help="Page origin allowed to call.")
@click.option(
    "--allow-file-origin", "file_origins", multiple=True, metavar="ORIGIN",
    help="Origin whose files pages may name in FileName/FileUploadHandler besides their own.",
)  # fmt: skip
@click.option("--consent", "consent_mode", type=click.Choice(CONSENT_MODES), default="dialog", show_default=True)
@click.option("--image", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="SignApproved: PNG.")
@click.option("--seal", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="SignIssued: seal PNG.")
@click.option("--anchor", help="SignApproved: the title or name on the page to sign above (default: the CN).")
@click.option("--organization", help="SignCopy / SignIncome: the organisation's name.")
@click.option("--trust", multiple=True, type=click.Path(exists=True, path_type=Path), help="VerifyPDF trust anchors.")
@click.option("--session-cookie", default=None, help="Cookie name of SessionId (default SessionId).")
@click.option("--max-document-mb", type=click.FloatRange(0.01), default=None, help="Largest document (default 50).")
@click.option("--message-timeout", type=click.FloatRange(0.1), default=None, help="Seconds to send the message.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="Config file (TOML).")
def run_command(
    signer_choice: SignerChoice,
    port: int,
    no_tls: bool,
    allow_origins: tuple[str, ...],
    file_origins: tuple[str, ...],
    consent_mode: str,
    image: Path | None,
    seal: Path | None,
    anchor: str | None,
    organization: str | None,
    trust: tuple[Path, ...],
    session_cookie: str | None,
    max_document_mb: float | None,
    message_timeout: float | None,
    config_path: Path | None,
) -> None:
    """Run the agent in the foreground until interrupted."""
    import asyncio

    try:
        import websockets  # noqa: F401
    except ImportError:
        raise UsageError("kyso agent needs the websockets library: pip install 'kyso[agent]'") from None
    from kyso.agent.audit import AuditLog
    from kyso.agent.consent import asker
    from kyso.agent.policy import Policy
    from kyso.agent.service import AgentService, AgentSettings, SignerSource

    config = _load_config(config_path)
    origins = [*config.get("allow_origins", []), *allow_origins]
    if not origins:
        raise UsageError("no page may call the agent: give --allow-origin ORIGIN or allow_origins in the config")
    limits: dict[str, Any] = {}
    if max_document_mb or config.get("max_document_mb"):
        limits["max_document"] = int(float(max_document_mb or config["max_document_mb"]) * 1024 * 1024)
    if message_timeout or config.get("message_timeout"):
        limits["message_timeout"] = float(message_timeout or config["message_timeout"])
    try:
        policy = Policy.build(origins, [*config.get("file_origins", []), *file_origins], **limits)
    except ValueError as exc:
        raise UsageError(f"--allow-origin: {exc}") from None
    missing = signer_choice.missing_secret()
    if missing and consent_mode != "dialog" and consent_mode != "terminal":
        raise UsageError(f"--consent {consent_mode} asks nobody for the {missing}: give it with --{missing}-env VAR")
    if missing:
        source = SignerSource(
            signer_choice.backend.description, lambda pin: signer_choice.open_with(pin or ""), needs_pin=True
        )
    else:
        source = SignerSource(signer_choice.backend.description, lambda _pin: signer_choice.open(), needs_pin=False)
        source.open(None)  # a wrong password or an absent token shows now, not at the first call
    ssl_context = None
    if not no_tls:
        from kyso.agent.tls import server_context, tls_files

        files = tls_files(_config_dir())
        if not files.exists():
            raise UsageError("no TLS certificate yet: run kyso agent setup (or --no-tls for tests)")
        ssl_context = server_context(files)
    settings = AgentSettings(
        image=image.read_bytes() if image else None,
        seal=seal.read_bytes() if seal else None,
        anchor=anchor or config.get("anchor"),
        organization=organization or config.get("organization"),
        trust=tuple(trust),
        session_cookie=session_cookie or config.get("session_cookie", "SessionId"),
        unsent_dir=_config_dir() / "agent" / "unsent",
        tls=ssl_context is not None,
        consent_mode=consent_mode,
    )
    service = AgentService(
        source,
        policy,
        consent=asker(consent_mode),
        audit=AuditLog(_config_dir() / "agent" / "audit.sqlite3"),
        settings=settings,
        port=port,
        ssl_context=ssl_context,
    )

    def ready(running: AgentService) -> None:
        click.echo(f"Kyso agent: listening on {running.url}", err=False)
        sys.stdout.flush()

    try:
        asyncio.run(service.serve(ready))
    except KeyboardInterrupt:
        pass
    finally:
        source.close()


@agent_group.command("setup")
@click.option(
    "--nss-db", "nss_dbs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
    help="NSS database to trust the CA in (default: Chromium's ~/.pki/nssdb and Firefox profiles).",
)  # fmt: skip
def setup_command(nss_dbs: tuple[Path, ...]) -> None:
    """Make the local CA and the 127.0.0.1 certificate; trust the CA in the browsers' NSS databases."""
    from kyso.agent.tls import create, nss_databases, tls_files, trust_commands, trust_nss

    files = create(tls_files(_config_dir()))
    click.echo(printable(f"CA: {files.ca_cert} (name-constrained to localhost, 127.0.0.1)"))
    for database in nss_dbs or nss_databases():
        try:
            trust_nss(files, database)
            click.echo(printable(f"trusted in NSS database {database}"))
        except (OSError, FileNotFoundError) as exc:
            click.echo(printable(f"not trusted in {database}: {exc}"), err=True)
        except Exception as exc:  # certutil failed
            click.echo(printable(f"not trusted in {database}: {exc.__class__.__name__}"), err=True)
    for system, command in trust_commands(files).items():
        click.echo(printable(f"{system}: {command}"))


@agent_group.command("status")
@click.option("--port", type=int, default=8987, show_default=True)
@click.option("--nss-db", "nss_dbs", multiple=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def status_command(port: int, nss_dbs: tuple[Path, ...], output_format: str) -> None:
    """Say whether the agent runs, where its CA is trusted and whether it starts at login."""
    from kyso.agent.autostart import current_target, plan
    from kyso.agent.tls import nss_databases, nss_trusts, tls_files

    files = tls_files(_config_dir())
    running = _health(port)
    entry = plan(current_target(), ["kyso"], home=Path.home(), config=_config_dir())
    trusted = {str(db): nss_trusts(db) for db in (nss_dbs or nss_databases())}
    state: dict[str, Any] = {
        "running": running,
        "port": port,
        "ca": str(files.ca_cert) if files.exists() else None,
        "trusted_in": trusted,
        "autostart": str(entry.path) if entry.path.exists() else None,
    }
    if output_format == "json":
        echo_json(state)
        return
    click.echo(f"agent: {'running on port ' + str(port) if running else 'not running'}")
    click.echo(printable(f"CA: {state['ca'] or 'none (kyso agent setup)'}"))
    for database, yes in trusted.items():
        click.echo(printable(f"  {'trusted' if yes else 'not trusted'}: NSS {database}"))
    click.echo(printable(f"autostart: {state['autostart'] or 'not installed (kyso agent install)'}"))


def _health(port: int) -> bool:
    import requests

    for scheme in ("https", "http"):
        try:
            answer = requests.get(f"{scheme}://127.0.0.1:{port}/health", timeout=2, verify=False)
            return answer.ok and answer.json().get("service") == "kyso-agent"
        except Exception:
            continue
    return False


def _autostart_options(function: Any) -> Any:
    for decorator in (
        click.option("--os", "target", type=click.Choice(["linux", "macos", "windows"]), help="Default: this one."),
        click.option("--home", type=click.Path(file_okay=False, path_type=Path), help="Default: the user's home."),
        click.option("--dry-run", is_flag=True, help="Write the entry but do not run the OS's commands."),
    ):
        function = decorator(function)
    return function


@agent_group.command("install", context_settings={"ignore_unknown_options": True})
@_autostart_options
@click.argument("run_args", nargs=-1, type=click.UNPROCESSED)
def install_command(target: str | None, home: Path | None, dry_run: bool, run_args: tuple[str, ...]) -> None:
    """Start the agent at login: kyso agent install -- --p12 FILE --password-env VAR --allow-origin ORIGIN."""
    from kyso.agent.autostart import apply, current_target, plan

    target = target or current_target()
    entry = plan(
        target, [*_kyso_command(target), "agent", "run", *run_args], home=home or Path.home(), config=_config_dir()
    )
    commands = apply(entry, run=not dry_run and target == current_target() and home is None)
    click.echo(printable(f"wrote {entry.path}"))
    for command in commands:
        click.echo(printable(("to run: " if dry_run or home else "ran: ") + command))


@agent_group.command("uninstall")
@_autostart_options
def uninstall_command(target: str | None, home: Path | None, dry_run: bool) -> None:
    """Stop starting the agent at login."""
    from kyso.agent.autostart import current_target, plan, remove

    target = target or current_target()
    entry = plan(target, ["kyso"], home=home or Path.home(), config=_config_dir())
    commands = remove(entry, run=not dry_run and target == current_target() and home is None)
    click.echo(printable(f"removed {entry.path}"))
    for command in commands:
        click.echo(printable(("to run: " if dry_run or home else "ran: ") + command))


def _kyso_command(target: str) -> list[str]:
    import shutil

    if target == sys.platform or shutil.which("kyso"):
        return [shutil.which("kyso") or "kyso"]
    return ["kyso"]


@agent_group.command("log")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def log_command(limit: int, output_format: str) -> None:
    """Print the last calls of the audit log (time, origin, endpoint, document hash, signer, result)."""
    from kyso.agent.audit import AuditLog

    entries = AuditLog(_config_dir() / "agent" / "audit.sqlite3").entries(limit)
    if output_format == "json":
        echo_json(entries)
        return
    for e in entries:
        digest = (e["document_sha256"] or "")[:16]
        click.echo(
            printable(
                f"{e['time']}  {e['status']:>2}  {e['endpoint']:<12} {e['origin'] or '-'}  {e['document'] or '-'} "
                f"{digest}  {e['signer'] or '-'}  {e['message']}"
            )
        )
