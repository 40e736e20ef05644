"""Defaults of every ``kyso`` command from the configuration file, so a văn thư does not type ten flags.

The file is ``KYSO_CONFIG``, else ``config.toml`` in the Kyso configuration directory
(:func:`kyso.core.paths.config_file`)::

    lang = "vi"                     # --lang (KYSO_LANG in the environment wins over the file)
    tsa = "http://tsa.example.vn"   # --tsa
    level = "B-LT"                  # --level
    revocation = "soft"             # --revocation
    signer = "pkcs12"               # --signer

    [signer-options]                # the signer backend's flags, without the leading --
    pkcs12-file = "~/keys/van-thu.p12"
    pkcs12-password-env = "KYSO_P12_PASSWORD"   # secrets: only -env / -file references, never the secret

    [trust]                         # the trust store's anchors (kyso.certs.truststore), for every verification
    anchors = ["~/kyso/rootca-g2.crt"]

One mechanism for every command, built-in or a plugin's (``batch``, ``serve`` ...): the ``kyso`` group gives each
command it resolves a click ``default_map`` of the settings whose names are its parameters
(:func:`apply_defaults`). A flag on the command line wins over the file; the file over a parameter's own default.
``kyso config show`` prints the effective settings and where each came from.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from kyso.core.errors import UsageError

SETTINGS: dict[str, str] = {
    "lang": "lang",
    "tsa": "tsa",
    "level": "level",
    "revocation": "revocation",
    "signer": "kyso_signer__signer",
}
"""Top-level keys of the file and the click parameter each sets (wherever a command has it)."""

SIGNER_OPTIONS = "signer-options"
PATH_KEY = re.compile(r"(^|-)(file|p12|dir|path|module|image|seal|font)$")
"""Signer option keys whose values are paths (``~`` expanded, relative to the file's directory)."""
SECRET_WORDS = re.compile(r"password|passphrase|pin|secret|token|key-?pass", re.I)
ENVIRONMENT: dict[str, str] = {"lang": "KYSO_LANG"}
"""Settings an environment variable overrides (the environment wins over the file)."""


@dataclass(frozen=True)
class Setting:
    key: str
    value: Any
    source: str
    """``config file PATH``, ``environment VAR`` or ``default``."""


def _param_of_option(key: str) -> str:
    from kyso.cli.signers import _param_name

    return _param_name("--" + key)


def _read(path: Path) -> dict[str, Any]:
    import tomllib

    if not path.is_file():
        if os.environ.get("KYSO_CONFIG"):
            raise UsageError(f"KYSO_CONFIG names {path}, which is not a file")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: unreadable configuration ({exc})") from None
    return data


def load_settings(path: Path | None = None) -> tuple[Path, dict[str, Setting]]:
    """The configuration file and its settings by key (``signer-options.KEY`` for a signer option), checked: an
    unknown key, a wrong type or a secret written in plain text is a :class:`UsageError` naming it."""
    from kyso.core.paths import config_file

    path = path or config_file()
    data = _read(path)
    where = f"config file {path}"
    settings: dict[str, Setting] = {}
    for key, value in data.items():
        if key == "trust":
            continue  # the trust store reads [trust] itself (kyso.certs.truststore)
        if key == SIGNER_OPTIONS:
            if not isinstance(value, dict):
                raise UsageError(f"{path}: [{SIGNER_OPTIONS}] must be a table")
            for option, option_value in value.items():
                settings[f"{SIGNER_OPTIONS}.{option}"] = Setting(
                    option, _signer_option(path, option, option_value), where
                )
            continue
        if key not in SETTINGS:
            known = ", ".join([*SETTINGS, SIGNER_OPTIONS, "trust"])
            raise UsageError(f"{path}: unknown setting {key!r} (known: {known})")
        if not isinstance(value, str):
            raise UsageError(f"{path}: {key} must be a string")
        variable = ENVIRONMENT.get(key)
        if variable and os.environ.get(variable):
            settings[key] = Setting(key, os.environ[variable], f"environment {variable}")
            continue
        settings[key] = Setting(key, value, where)
    for key, variable in ENVIRONMENT.items():
        if key not in settings and os.environ.get(variable):
            settings[key] = Setting(key, os.environ[variable], f"environment {variable}")
    return path, settings


def _signer_option(path: Path, option: str, value: Any) -> Any:
    """Kyso rule: a secret is never written in the file, only the environment variable or file that holds it."""
    if SECRET_WORDS.search(option) and not option.endswith(("-env", "-file")):
        raise UsageError(
            f"{path}: [{SIGNER_OPTIONS}] {option}: a secret is never written in the configuration; "
            f"give {option}-env (an environment variable) or {option}-file (a file) instead"
        )
    if not isinstance(value, str | int):
        raise UsageError(f"{path}: [{SIGNER_OPTIONS}] {option} must be a string or a number")
    if isinstance(value, str) and PATH_KEY.search(option) and not option.endswith("-env"):
        resolved = Path(value).expanduser()
        return str(resolved if resolved.is_absolute() else path.parent / resolved)
    return value


_loaded: tuple[Any, dict[str, Any]] | None = None


def _parameter_values() -> dict[str, Any]:
    """Every setting by the click parameter it sets; read again when the file or the environment changes."""
    global _loaded
    from kyso.core.paths import config_file

    path = config_file()
    try:
        stamp: Any = (path, path.stat().st_mtime_ns, *(os.environ.get(v) for v in ENVIRONMENT.values()))
    except OSError:
        stamp = (path, None, *(os.environ.get(v) for v in ENVIRONMENT.values()))
    if _loaded is None or _loaded[0] != stamp:
        _, settings = load_settings(path)
        values: dict[str, Any] = {}
        for key, setting in settings.items():
            if key.startswith(SIGNER_OPTIONS + "."):
                values[_param_of_option(setting.key)] = setting.value
            elif setting.source.startswith("config file"):  # the environment applies by itself
                values[SETTINGS[key]] = setting.value
        _loaded = (stamp, values)
    return _loaded[1]


def defaults() -> dict[str, Any] | None:
    """The click ``default_map`` of any command: every setting of the file by the parameter it sets (a command
    takes those it has; signer flags, added at parse time, are looked up by name too); ``None`` without any."""
    return dict(_parameter_values()) or None


def apply_defaults(command: click.Command) -> None:
    """Give ``command`` (and, for a group, its sub-commands) the configuration file's settings as its default_map."""
    values = defaults()
    if values is None:
        command.context_settings.pop("default_map", None)  # a file removed since (a long-lived host, tests)
    else:
        command.context_settings["default_map"] = values
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            apply_defaults(sub)


@click.group("config")
def config_group() -> None:
    """The configuration file: defaults of every command (KYSO_CONFIG, else config.toml in the config directory)."""


@config_group.command("show")
def show_command() -> None:
    """Print the effective settings and where each comes from (a flag on the command line still wins)."""
    from kyso.core.paths import config_file

    path, settings = load_settings()
    click.echo(f"config file: {path}{'' if path.is_file() else ' (absent)'}")
    for key in SETTINGS:
        setting = settings.get(key)
        shown = f"{setting.value}  ({setting.source})" if setting else "-  (default)"
        click.echo(_line(key, shown))
    for key, setting in settings.items():
        if key.startswith(SIGNER_OPTIONS + "."):
            click.echo(_line(key, f"{setting.value}  ({setting.source})"))
    from kyso.certs import truststore

    anchors = [entry for entry in truststore.entries() if entry.source in ("config", "env", "store")]
    if not anchors:
        click.echo(_line("trust", "-  (none configured)"))
    for entry in anchors:
        source = {
            "config": f"config file {config_file()}",
            "env": "environment KYSO_TRUST",
            "store": "trust store",
        }[entry.source]
        click.echo(_line("trust", f"{entry.subject} [{entry.path or entry.name}]  ({source})"))


def _line(key: str, value: str) -> str:
    from kyso.text import printable

    return printable(f"{key:<28} {value}")


__all__ = ["SETTINGS", "Setting", "apply_defaults", "config_group", "defaults", "load_settings"]
