"""The public API for authors of CLI plugins: the options that Kyso's own commands use, for plugin commands to
reuse so that ``--trust``, ``--revocation``, ``--timeout`` ... mean the same thing (same type, same checks, same
default) in every ``kyso`` command.

A plugin adds its commands through the hook ``kyso_register_commands`` (see docs/cli-plugins.md)::

    import click
    from kyso.cli.options import format_option, revocation_option, timeout_option, trust_option

    @click.command("check")
    @click.argument("path", type=click.Path(path_type=Path))
    @trust_option()
    @revocation_option()
    @timeout_option()
    @format_option()
    def check_command(path, trust, revocation, timeout, output_format): ...

Each ``*_option()`` returns a click decorator; keyword arguments change only its help text (or default, where
named). The parameter names they give the command function are part of this API. Only command modules (a
package's ``cli.py``) import this module: the library itself never imports :mod:`kyso.cli`. Signer options
(``--signer``, ``--p12`` ...) live in :mod:`kyso.cli.signers`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from kyso.certs.algorithms import ALLOWABLE
from kyso.core.errors import LANGUAGES, UsageError

__all__ = [
    "SECONDS",
    "Seconds",
    "allow_weak_option",
    "at_option",
    "connection_options",
    "connection_overrides",
    "echo_json",
    "format_option",
    "LANG_ENV",
    "LANG_HELP",
    "LANG_KEY",
    "env_lang",
    "lang_option",
    "remember_lang",
    "offline_option",
    "revocation_option",
    "secret_from_env",
    "timeout_option",
    "trust_option",
    "VERBOSE_KEY",
    "remember_verbose",
]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
"""What every ``*_option()`` returns: a decorator of a click command function."""


class Seconds(click.ParamType):
    """A timeout in seconds: a finite number above zero (0, negative, nan or inf would fail deep in the HTTP
    library with a traceback)."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = math.nan
        if not (math.isfinite(seconds) and seconds > 0):
            self.fail(f"{value!r} is not a number of seconds above 0", param, ctx)
        return seconds


SECONDS = Seconds()
"""The parameter type of every timeout option (``type=SECONDS``)."""


def _together(*decorators: Decorator) -> Decorator:
    """One decorator applying ``decorators`` so that the options show in ``--help`` in the order given."""

    def apply(function: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


# ---------------------------------------------------------------------------------------------------------------
# verification: trust, revocation, time, network, weak algorithms
# ---------------------------------------------------------------------------------------------------------------


def trust_option(help: str = "Trust anchor file or directory (repeatable).") -> Decorator:  # noqa: A002
    """``--trust PATH`` (repeatable) → ``trust: tuple[Path, ...]``: certificates to trust besides the trust store;
    pass it on as ``trust=`` of :func:`kyso.verify` / :func:`kyso.validate_certificate`."""
    return click.option("--trust", multiple=True, type=click.Path(path_type=Path), help=help)


def revocation_option() -> Decorator:
    """``--revocation off|soft|hard`` (default soft) → ``revocation: str``, the ``revocation=`` of the API."""
    return click.option("--revocation", type=click.Choice(["off", "soft", "hard"]), default="soft", show_default=True)


def at_option() -> Decorator:
    """``--at ISO-8601`` → ``at: str | None``: validate as of this moment, the ``at=`` of the API."""
    return click.option("--at", metavar="ISO-8601", help="Validate as of this moment (default: now).")


def offline_option(help: str = "Never fetch OCSP, CRL or certificates.") -> Decorator:  # noqa: A002
    """``--offline`` → ``offline: bool``, the ``offline=`` of :func:`kyso.verify`."""
    return click.option("--offline", is_flag=True, help=help)


def timeout_option(
    default: float = 30.0,
    help: str = "Seconds for all network calls together.",  # noqa: A002
) -> Decorator:
    """``--timeout SECONDS`` → ``timeout: float`` (checked by :data:`SECONDS`), the ``timeout=`` of the API."""
    return click.option("--timeout", type=SECONDS, default=default, show_default=True, help=help)


def allow_weak_option() -> Decorator:
    """``--allow-weak NAME`` (repeatable) → ``allow_weak: tuple[str, ...]``: the weak algorithms the user accepts
    by name (:data:`kyso.certs.algorithms.ALLOWABLE`), the ``allow_weak=`` of the API."""
    return click.option(
        "--allow-weak",
        multiple=True,
        type=click.Choice(list(ALLOWABLE)),
        help="Accept this weak algorithm (old archives, interop vectors); repeatable. Default: weak is INDETERMINATE.",
    )


# ---------------------------------------------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------------------------------------------


def format_option() -> Decorator:
    """``--format text|json`` (default text) → ``output_format: str``. JSON output goes through
    :func:`kyso.text.to_json`; text output through :func:`kyso.text.printable` (outside text is never echoed raw)."""
    return click.option(
        "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
    )


def echo_json(value: Any) -> None:
    """Print ``value`` as :func:`kyso.text.to_json` on stdout, as UTF-8 bytes whatever the terminal's or pipe's
    encoding (``kyso verify x.pdf --format json > out.json`` on a cp1252 Windows console): JSON is UTF-8."""
    from kyso.text import to_json

    click.echo(to_json(value).encode("utf-8"))  # bytes: click writes them to the binary stream under stdout


VERBOSE_KEY = "kyso.verbose"
"""Where ``--verbose`` is kept in ``click.Context.meta`` (given before or after the sub-command)."""


def remember_verbose(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    """``--verbose`` anywhere on the line (before or after the sub-command) makes the whole run verbose: every
    ``kyso`` command accepts it (the ``kyso`` group adds it, hidden, to sub-commands, plugin ones included)."""
    verbose = bool(value or ctx.meta.get(VERBOSE_KEY))
    ctx.meta[VERBOSE_KEY] = verbose
    return verbose


LANG_ENV = "KYSO_LANG"
LANG_KEY = "kyso.lang"
"""Where the run's language is kept in ``click.Context.meta`` (shared by the group and its sub-commands)."""
LANG_HELP = f"Language of reports and error messages [default: vi, or ${LANG_ENV}]."


def env_lang() -> str:
    """``KYSO_LANG`` when it names a language of the reports, else Vietnamese."""
    value = os.environ.get(LANG_ENV, "").strip().lower()
    return value if value in LANGUAGES else "vi"


def remember_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """The language of this run: this ``--lang``, else one given before the sub-command, else ``KYSO_LANG``, else
    ``vi``; kept in ``ctx.meta`` for the error line, so reports and errors speak the same language."""
    if ctx.get_parameter_source(param.name or "lang") == click.core.ParameterSource.DEFAULT_MAP:
        value = ctx.meta.get(LANG_KEY) or value  # the config file's: a --lang before the sub-command wins
    lang = value or ctx.meta.get(LANG_KEY) or env_lang()
    ctx.meta[LANG_KEY] = lang
    return lang


def lang_option() -> Decorator:
    """``--lang vi|en`` → ``lang: str``, the language of :mod:`kyso.reports` and of the error line (default: a
    ``--lang`` given before the sub-command, else ``KYSO_LANG``, else ``vi``)."""
    return click.option("--lang", type=click.Choice(list(LANGUAGES)), callback=remember_lang, help=LANG_HELP)


# ---------------------------------------------------------------------------------------------------------------
# secrets: never on the command line
# ---------------------------------------------------------------------------------------------------------------


def secret_from_env(variable: str | None) -> str | None:
    """The value of the environment variable named ``variable`` (a ``--...-env VAR`` option), ``None`` when no
    variable was named; a :class:`~kyso.core.errors.UsageError` when it is not set."""
    if variable is None:
        return None
    if variable not in os.environ:
        raise UsageError(f"environment variable {variable} is not set")
    return os.environ[variable]


# ---------------------------------------------------------------------------------------------------------------
# a platform: connection of an adapter
# ---------------------------------------------------------------------------------------------------------------


def connection_options() -> Decorator:
    """``--base-url``, ``--username``, ``--platform-password-env``, ``--token-env``, ``--timeout``, ``--retries``:
    how to reach an adapter's platform, each overriding the adapter's configuration. Collect them with
    ``**connection`` and pass :func:`connection_overrides` of them to :func:`kyso.adapters.registry.get_adapter`."""
    return _together(
        click.option("--base-url", metavar="URL", help="The platform's API (default: configuration, environment)."),
        click.option("--username", metavar="NAME", help="Account on the platform."),
        click.option(
            "--platform-password-env",
            metavar="VAR",
            help="Environment variable holding the platform account's password.",
        ),
        click.option("--token-env", metavar="VAR", help="Environment variable holding an API token for the platform."),
        click.option("--timeout", type=SECONDS, help="Seconds per HTTP request."),
        click.option("--retries", type=int, help="Retries after a server error or timeout."),
    )


def connection_overrides(connection: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of :class:`kyso.core.adapter.AdapterConfig` from the values of
    :func:`connection_options` (secrets read from the environment variables they name)."""
    return {
        "base_url": connection.get("base_url"),
        "username": connection.get("username"),
        "password": secret_from_env(connection.get("platform_password_env")),
        "token": secret_from_env(connection.get("token_env")),
        "timeout": connection.get("timeout"),
        "retries": connection.get("retries"),
    }
