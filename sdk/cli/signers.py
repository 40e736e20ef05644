"""Signer options for ``kyso`` commands: ``--signer BACKEND`` plus the options each backend declares.

Public API for CLI plugin authors. A command that signs is a :class:`SigningCommand` decorated with
:func:`signer_options`; it receives a :class:`SignerChoice` and opens the signer when it needs it::

    import click

    from kyso.cli.signers import SignerChoice, SigningCommand, signer_options


    @click.command("push", cls=SigningCommand)
    @click.argument("path")
    @signer_options
    def push(path: str, signer_choice: SignerChoice) -> None:
        signer = signer_choice.open()  # once per run; closed when the command ends
        ...

The options are built from the signer registry (``kyso_register_signers``) when the command parses its arguments
or shows its help, so a backend that an installed plugin registers is usable with no change to Kyso. The rule
for their names, which keeps them from ever shadowing a command's own options:

- option ``name`` of backend ``b`` is ``--b-name`` (``--pkcs12-file``, ``--pkcs11-token-label``);
- once ``--signer b`` is given, the same option may be spelled without the prefix, ``--name`` (``--module``,
  ``--token-label``, ``--pin-env``), wherever the command has no option of that name (the prefixed spelling always
  works); an unprefixed option means the option of the backend chosen, so backends share the spelling;
- a secret option ``name`` is ``--b-name-env VAR`` and ``--b-name-file FILE``, or a prompt on a terminal; its
  value is never accepted on the command line;
- ``--p12 FILE`` is short for ``--signer pkcs12 --pkcs12-file FILE``, and ``--password-env`` /
  ``--password-file`` are short for ``--pkcs12-password-env`` / ``--pkcs12-password-file``;
- a backend whose options would still meet one of the command's own options (a backend named ``token`` declaring
  ``env`` against ``kyso sync --token-env``) is a broken plugin: :class:`~kyso.core.errors.PluginError`.

Nothing here imports a backend's libraries: a backend is only imported and opened by :meth:`SignerChoice.open`.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kyso.cli.options import echo_json
from kyso.core.errors import PluginError, UsageError
from kyso.text import printable

if TYPE_CHECKING:
    from kyso.core.signer import Signer, SignerBackend, SignerOption, SignerRegistry

F = TypeVar("F", bound=Callable[..., Any])

SHORT_FORMS: dict[str, str] = {
    "--p12": "--pkcs12-file",
    "--password-env": "--pkcs12-password-env",
    "--password-file": "--pkcs12-password-file",
}
"""Short forms kept from before the registry: each is exactly the long option it names (``--p12`` also selects
``--signer pkcs12``)."""


class _SignerFlag(click.Option):
    """A click option that belongs to the signer choice rather than to the command; ``backend`` is the backend it
    configures (``None`` for ``--signer`` and the short forms)."""

    def __init__(self, *args: Any, backend: str | None = None, alias: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.backend = backend
        self.alias = alias
        """An unprefixed spelling (``--module``): it means the option of the backend chosen with ``--signer``."""

    @property
    def flag(self) -> str:
        return self.opts[0]


def option_flags(backend: SignerBackend, option: SignerOption) -> tuple[str, ...]:
    """The command-line spelling of one backend option: one flag, or the ``-env`` and ``-file`` pair of a secret."""
    base = f"--{backend.name}-{option.name}"
    return (f"{base}-env", f"{base}-file") if option.secret else (base,)


def option_aliases(backend: SignerBackend, option: SignerOption) -> tuple[str, ...]:
    """The unprefixed spelling of one backend option (``--module`` for ``--pkcs11-module``), usable once
    ``--signer`` names the backend, where the command has no option of that name."""
    prefix = f"--{backend.name}-"
    return tuple("--" + flag[len(prefix) :] for flag in option_flags(backend, option))


def _alias_params(backends: list[SignerBackend], taken: set[str]) -> list[_SignerFlag]:
    """One hidden option per unprefixed spelling not ``taken`` (by the command, another backend, a short form)."""
    params: dict[str, _SignerFlag] = {}
    for backend in backends:
        for option in backend.options:
            for alias, flag in zip(option_aliases(backend, option), option_flags(backend, option), strict=True):
                if alias in taken or alias in params:
                    continue
                params[alias] = _SignerFlag(
                    [alias, "kyso_signer_alias__" + alias.lstrip("-").replace("-", "_")],
                    metavar="VAR" if flag.endswith("-env") else "FILE" if flag.endswith("-file") else "VALUE",
                    hidden=True,
                    alias=True,
                )
    return list(params.values())


def _backend_params(backend: SignerBackend) -> list[_SignerFlag]:
    types: dict[str, click.ParamType] = {"text": click.STRING, "path": click.Path(path_type=Path), "int": click.INT}
    params: list[_SignerFlag] = []
    for option in backend.options:
        required = f" Required with --signer {backend.name}." if option.required and not option.secret else ""
        default = f" Default: {option.default}." if option.default is not None else ""
        if option.secret:
            env_flag, file_flag = option_flags(backend, option)
            what = option.help.rstrip(".") + ("." if option.required else " (optional).")
            for flag, metavar, text in (
                (env_flag, "VAR", "Environment variable holding"),
                (file_flag, "FILE", "File holding"),
            ):
                params.append(
                    _SignerFlag(
                        [flag, _param_name(flag)],
                        metavar=metavar,
                        type=click.Path(path_type=Path) if metavar == "FILE" else click.STRING,
                        help=f"{backend.name}: {text} {what}",
                        backend=backend.name,
                    )
                )
        else:
            (flag,) = option_flags(backend, option)
            params.append(
                _SignerFlag(
                    [flag, _param_name(flag)],
                    metavar=option.metavar or option.type.upper(),
                    type=types[option.type],
                    help=f"{backend.name}: {option.help}{required}{default}",
                    backend=backend.name,
                )
            )
    return params


def _param_name(flag: str) -> str:
    """The name click stores a signer flag's value under: out of the way of the command's own parameters."""
    return "kyso_signer__" + flag.lstrip("-").replace("-", "_")


def _registry() -> SignerRegistry:
    from kyso.core.manager import get_plugin_manager

    return get_plugin_manager().signers


class SigningCommand(click.Command):
    """A click command whose :func:`signer_options` are completed, at parse and help time, with the options of
    every registered signer backend (placed right after ``--signer``)."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        static = [i for i, p in enumerate(params) if isinstance(p, _SignerFlag)]
        if not static:
            return params
        key = f"kyso.cli.signers:{id(self)}"
        if key not in ctx.meta:
            ctx.meta[key] = self._backend_params(params)
        at = static[-1] + 1
        return [*params[:at], *ctx.meta[key], *params[at:]]

    def _backend_params(self, params: list[click.Parameter]) -> list[_SignerFlag]:
        taken = {flag: p for p in params for flag in (*p.opts, *p.secondary_opts)}
        result: list[_SignerFlag] = []
        backends = sorted(_registry().backends.values(), key=lambda b: b.name)
        for backend in backends:
            for param in _backend_params(backend):
                if param.flag in taken:
                    raise PluginError(
                        f"signer backend {backend.name!r}: its option {param.flag} meets an option of "
                        f"'{self.name}' (rename the backend or the option)"
                    )
                taken[param.flag] = param
                result.append(param)
        return result + _alias_params(backends, set(taken))


def signer_options(function: F) -> F:
    """Give a :class:`SigningCommand` the signer options and pass it ``signer_choice=`` (a :class:`SignerChoice`).

    The choice is checked before the command runs (exit 2, one line, for an unknown backend, a missing required
    option or an option of a backend that was not chosen); the signer is opened only by
    :meth:`SignerChoice.open`, so the command can first check its other input.
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        if not isinstance(ctx.command, SigningCommand):
            raise PluginError(f"command {ctx.command.name!r} uses @signer_options without cls=SigningCommand")
        flags = [p for p in ctx.command.get_params(ctx) if isinstance(p, _SignerFlag)]
        values = {p.flag: kwargs.pop(p.name) for p in flags if p.name in kwargs}
        kwargs["signer_choice"] = SignerChoice.from_flags(flags, values, ctx=ctx)
        return function(*args, **kwargs)

    for decorator in reversed(_STATIC):
        wrapper = decorator(wrapper)
    return wrapper  # type: ignore[return-value]


_SHORT_HELP = {
    "--p12": ("FILE", "PKCS#12 key store: short for --signer pkcs12 --pkcs12-file FILE."),
    "--password-env": ("VAR", "Environment variable holding the key store password (short for --pkcs12-password-env)."),
    "--password-file": ("FILE", "File holding the key store password (short for --pkcs12-password-file)."),
}

_STATIC = [
    click.option(
        "--signer",
        _param_name("--signer"),
        metavar="BACKEND",
        cls=_SignerFlag,
        help="Where the key lives: a signer backend, configured by its options below (kyso signers lists them); "
        "each may be given without the backend's prefix (--module for --pkcs11-module).",
    ),
    *(
        click.option(
            flag,
            _param_name(flag),
            metavar=metavar,
            type=click.Path(path_type=Path) if metavar == "FILE" else click.STRING,
            cls=_SignerFlag,
            help=text,
        )
        for flag, (metavar, text) in _SHORT_HELP.items()
    ),
]


def _resolve_aliases(
    backend: SignerBackend, flags: list[_SignerFlag], given: dict[str, Any], ctx: click.Context | None
) -> dict[str, str]:
    """Turn each unprefixed option in ``given`` into the chosen backend's own (``--module`` → ``--pkcs11-module``),
    converted by that option's type; returns ``{long flag: alias}`` so messages name what the user typed."""
    params = {p.flag: p for p in flags}
    aliased: dict[str, str] = {}
    for alias in [f for f in given if f in params and params[f].alias]:
        target = f"--{backend.name}-{alias[2:]}"
        if target not in params or params[target].backend != backend.name:
            raise UsageError(f"{alias} is not an option of --signer {backend.name}")
        if target in given:
            raise UsageError(f"give either {alias} or {target}, not both")
        param = params[target]
        try:
            given[target] = param.type.convert(given.pop(alias), param, ctx)
        except click.BadParameter as exc:
            raise UsageError(f"{alias}: {exc.message}") from None
        aliased[target] = alias
    return aliased


class SignerChoice:
    """The signer backend chosen on the command line and its options, checked but not opened yet.

    :meth:`open` opens the signer once (a PKCS#11 session, a remote login ...) and returns the same object on
    every later call, so a whole batch signs with one session; a signer with a ``close()`` method is closed when
    the click context ends.
    """

    def __init__(
        self,
        backend: SignerBackend,
        values: dict[str, Any],
        secrets: dict[str, tuple[SignerOption, str | None, Path | None, str, str]],
        *,
        ctx: click.Context | None = None,
    ) -> None:
        self.backend = backend
        self._values = values
        self._secrets = secrets
        self._ctx = ctx
        self._signer: Signer | None = None
        self._arguments: dict[str, Any] | None = None

    @classmethod
    def from_flags(
        cls, flags: list[_SignerFlag], given: dict[str, Any], *, ctx: click.Context | None = None
    ) -> SignerChoice:
        """Check the parsed signer flags (``flag -> value``, ``None`` when absent) and resolve the short forms."""
        owners = {p.flag: p.backend for p in flags}
        given = {flag: value for flag, value in given.items() if value is not None}
        short = {s for s in SHORT_FORMS if s in given}  # messages then name the short forms the user knows
        for flag in short:
            if SHORT_FORMS[flag] in given:
                raise UsageError(f"give either {flag} or {SHORT_FORMS[flag]}, not both")
            given[SHORT_FORMS[flag]] = given.pop(flag)
        name = given.pop("--signer", None)
        if name is None and "--p12" in short:
            name = "pkcs12"
        registry = _registry()
        if name is None:
            known = ", ".join(sorted(registry.backends)) or "none"
            raise UsageError(f"choose a signer: --p12 FILE or --signer BACKEND (known: {known})")
        backend = registry.get(name)
        aliased = _resolve_aliases(backend, flags, given, ctx)

        unprefixed = {p.flag for p in flags if p.alias}
        prefix = f"--{backend.name}-"

        def spelled(flag: str) -> str:
            if flag in aliased:
                return aliased[flag]
            if aliased and flag.startswith(prefix) and "--" + flag[len(prefix) :] in unprefixed:
                return "--" + flag[len(prefix) :]  # the user writes this backend's options without the prefix
            return next((s for s, long in SHORT_FORMS.items() if long == flag and short), flag)

        for flag in given:
            if owners.get(flag) != backend.name:
                raise UsageError(
                    f"{spelled(flag)} is an option of --signer {owners.get(flag)}, not of --signer {backend.name}"
                )
        values: dict[str, Any] = {}
        secrets: dict[str, tuple[SignerOption, str | None, Path | None, str, str]] = {}
        for option in backend.options:
            if option.secret:
                env_flag, file_flag = option_flags(backend, option)
                secrets[option.keyword] = (
                    option,
                    given.get(env_flag),
                    given.get(file_flag),
                    spelled(env_flag),
                    spelled(file_flag),
                )
                continue
            (flag,) = option_flags(backend, option)
            if flag in given:
                values[option.keyword] = given[flag]
            elif option.required:
                raise UsageError(f"--signer {backend.name} needs {spelled(flag)}")
            elif option.default is not None:
                values[option.keyword] = option.default
        return cls(backend, values, secrets, ctx=ctx)

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments of the backend's ``open``, secrets read (environment, file or prompt) once: what
        ``kyso batch sign`` hands to worker processes for a backend that signs in parallel."""
        if self._arguments is None:
            arguments = dict(self._values)
            for keyword, (option, env_var, path, env_flag, file_flag) in self._secrets.items():
                secret = read_secret(
                    env_var,
                    path,
                    env_flag=env_flag,
                    file_flag=file_flag,
                    what=option.name,
                    prompt=self._prompt(option) if option.required else None,
                )
                if secret is not None:
                    arguments[keyword] = secret
            self._arguments = arguments
        return dict(self._arguments)

    def _prompt(self, option: SignerOption) -> str:
        """The hidden prompt of a secret, in the run's language (Vietnamese unless ``--lang en`` / ``KYSO_LANG``):
        what a văn thư reads when the token asks for its PIN."""
        from kyso.cli.options import LANG_KEY, env_lang

        ctx = self._ctx or click.get_current_context(silent=True)
        lang = (ctx.meta.get(LANG_KEY) if ctx is not None else None) or env_lang()
        if lang == "en":
            return f"{self.backend.name} {option.name}"
        return f"{_SECRET_WORDS_VI.get(option.name, option.name)} ({self.backend.name})"

    def open(self) -> Signer:
        """The signer: secrets are read and the backend opened, on the first call."""
        if self._signer is None:
            self._signer = self.backend.open(**self.arguments())
            close = getattr(self._signer, "close", None)
            if callable(close) and self._ctx is not None:
                self._ctx.call_on_close(close)
        return self._signer

    def missing_secret(self) -> str | None:
        """The required secret given by neither ``-env`` nor ``-file`` (a PIN that ``kyso agent`` asks for in its
        consent dialog, call by call), or ``None``."""
        for option, env_var, path, _env_flag, _file_flag in self._secrets.values():
            if option.required and not env_var and not path:
                return option.name
        return None

    def open_with(self, secret: str) -> Signer:
        """A new signer (not kept: the caller closes it), :meth:`missing_secret` given as ``secret``."""
        arguments = dict(self._values)
        for keyword, (option, env_var, path, env_flag, file_flag) in self._secrets.items():
            if option.required and not env_var and not path:
                arguments[keyword] = secret
                continue
            value = read_secret(env_var, path, env_flag=env_flag, file_flag=file_flag, what=option.name, prompt=None)
            if value is not None:
                arguments[keyword] = value
        return self.backend.open(**arguments)

    def __repr__(self) -> str:  # never show a secret's source values beyond their names
        return f"<SignerChoice backend={self.backend.name!r}>"


_SECRET_WORDS_VI: dict[str, str] = {
    "pin": "Mã PIN",
    "password": "Mật khẩu",
    "passphrase": "Mật khẩu",
    "client-secret": "Khóa bí mật của ứng dụng (client secret)",
    "oauth-token": "Mã truy cập (OAuth2)",
}
"""The Vietnamese name of a secret in a prompt, by option name (another backend's secret is shown by its name)."""


def read_secret(
    env_var: str | None,
    path: Path | None,
    *,
    env_flag: str = "--password-env",
    file_flag: str = "--password-file",
    what: str = "password",
    prompt: str | None = "PKCS#12 password",
) -> str | None:
    """A password, PIN or passphrase from an environment variable or a file, or a hidden prompt on a terminal;
    never from the command line. ``None`` when none is given and ``prompt`` is ``None`` (an optional secret).

    The flags name the options in messages; a message never quotes the secret, nor a byte of the file.
    """
    if env_var and path:
        raise UsageError(f"give either {env_flag} or {file_flag}, not both")
    if env_var:
        if env_var not in os.environ:
            raise UsageError(f"environment variable {env_var} is not set")
        return os.environ[env_var]
    if path:
        try:
            return path.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise UsageError(f"cannot read {file_flag} {path}: {exc.strerror}") from None
        except UnicodeDecodeError:  # its message would quote a byte of the secret
            raise UsageError(f"{file_flag} {path} is not UTF-8 text") from None
    if prompt is None:
        return None
    if sys.stdin.isatty():
        return str(click.prompt(prompt, hide_input=True))
    raise UsageError(f"no {what}: use {env_flag} VAR or {file_flag} FILE")


# ---------------------------------------------------------------------------------------------------------------
# kyso signers
# ---------------------------------------------------------------------------------------------------------------


def describe(backend: SignerBackend) -> dict[str, Any]:
    """A backend as ``kyso signers --format json`` shows it: its declaration plus each option's flags."""
    described = backend.to_dict()
    for option, row in zip(backend.options, described["options"], strict=True):
        row["flags"] = list(option_flags(backend, option))
        row["aliases"] = list(option_aliases(backend, option))
    return described


@click.command("signers")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def signers_command(output_format: str) -> None:
    """List the signer backends (for --signer) with their options."""
    backends = [describe(b) for b in sorted(_registry().backends.values(), key=lambda b: b.name)]
    if output_format == "json":
        echo_json(backends)
        return
    for backend in backends:
        click.echo(printable(f"{backend['name']}  {backend['description']}"))
        for option in backend["options"]:
            metavars = ["VAR", "FILE"] if option["secret"] else [option["metavar"] or option["type"].upper()]
            flags = " / ".join(f"{flag} {metavar}" for flag, metavar in zip(option["flags"], metavars, strict=True))
            notes = [n for n, on in (("secret", option["secret"]), ("required", option["required"])) if on]
            if option["default"] is not None:
                notes.append(f"default: {option['default']}")
            notes.append("also " + " / ".join(option["aliases"]))
            suffix = f" ({', '.join(notes)})"
            click.echo(printable(f"    {flags}  {option['help'].rstrip('.')}{suffix}"))


__all__ = [
    "SHORT_FORMS",
    "SignerChoice",
    "SigningCommand",
    "option_aliases",
    "option_flags",
    "read_secret",
    "signer_options",
]
