"""``kyso``: sign, verify and validate from the command line.

Exit codes (:class:`ExitCode`): 0 success or TOTAL_PASSED, 1 any other verdict, 2 unusable input or bad usage,
3 internal error (a bug in Kyso or a plugin). A :class:`~kyso.core.errors.KysoError` is printed as one line on
stderr (``kyso: error: `` then its diagnostics in the language of ``--lang``: Vietnamese by default), and so is an
internal error; ``--verbose`` adds the traceback.
"""

from __future__ import annotations

import enum
import errno
import io
import logging
import sys
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from kyso.cli.config import apply_defaults, config_group, defaults
from kyso.cli.confirmation import confirmation
from kyso.cli.formats import FormatOptionsCommand, pop_format_options
from kyso.cli.kinds import KindOptionsCommand
from kyso.cli.options import (
    LANG_HELP,
    LANG_KEY,
    VERBOSE_KEY,
    allow_weak_option,
    at_option,
    echo_json,
    env_lang,
    format_option,
    lang_option,
    offline_option,
    remember_lang,
    remember_verbose,
    revocation_option,
    timeout_option,
    trust_option,
)
from kyso.cli.signers import SignerChoice, SigningCommand, signer_options, signers_command
from kyso.core.errors import LANGUAGES, KysoError, KysoWarning, UsageError
from kyso.text import printable


class ExitCode(enum.IntEnum):
    """What ``kyso`` returns to the shell."""

    OK = 0
    """Success, or a document / certificate whose verdict is TOTAL_PASSED."""
    NOT_PASSED = 1
    """A verdict other than TOTAL_PASSED (failed, indeterminate, not signed)."""
    ERROR = 2
    """Unusable input or bad usage; nothing was written."""
    INTERNAL_ERROR = 3
    """An unexpected exception outside the checks of one signature: a bug in Kyso or a plugin, never a verdict on
    the document. One line on stderr (``kyso: internal error: ...``); ``--verbose`` shows the traceback."""


class _Cli(click.Group):
    """Turns :class:`KysoError` into one stderr line and exit code 2, and any other exception into one stderr line
    and exit code 3 (issue 9, class 6: a bug is never a traceback with exit 1, which a script would read as "the
    document is not valid")."""

    _plugin_commands_added = False

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and not self._plugin_commands_added:
            self.add_plugin_commands()  # not one of Kyso's own commands: maybe a plugin's
            command = super().get_command(ctx, cmd_name)
        if command is not None:
            _accept_verbose(command)
            apply_defaults(command)  # the configuration file's defaults, for every command (plugins' included)
        return command

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        if "default_map" not in extra:  # the group's own --lang from the configuration file
            try:
                extra["default_map"] = defaults()
            except KysoError:
                pass  # reported when the sub-command is resolved, as one error line
        return super().make_context(info_name, args, parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self.add_plugin_commands()  # ``kyso --help`` lists them all
        return super().list_commands(ctx)

    def add_plugin_commands(self) -> None:
        """Let the plugins add their commands (``kyso_register_commands``), once, and only when a command that
        is not built in is asked for or the commands are listed: ``kyso sign`` and ``kyso verify`` never import
        another package's command module, whatever that module imports (docs/cli-plugins.md)."""
        if self._plugin_commands_added:
            return
        self._plugin_commands_added = True
        verbose = "--verbose" in sys.argv
        try:
            from kyso.core.manager import get_plugin_manager

            get_plugin_manager().register_commands(self)
        except KysoError as exc:
            _fail(exc, verbose=verbose)
        except Exception as exc:  # a plugin that breaks while adding its commands
            _internal_error(exc, verbose=verbose)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KysoError as exc:
            verbose = bool(ctx.meta.get(VERBOSE_KEY))
            _fail(exc, verbose=verbose, lang=ctx.meta.get(LANG_KEY))
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # usage errors (exit 2), --help, Ctrl-C: click's own
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise  # stdout closed early (``kyso verify ... | head``): click handles it
            _internal_error(exc, verbose=bool(ctx.meta.get(VERBOSE_KEY)))
        except Exception as exc:
            _internal_error(exc, verbose=bool(ctx.meta.get(VERBOSE_KEY)))


def _verbose(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    verbose = remember_verbose(ctx, param, value)
    _configure_logging(verbose)
    return verbose


def _verbose_option(*, hidden: bool) -> click.Option:
    """``--verbose``, the one option behind the group's flag and the hidden copy every sub-command accepts."""
    return click.Option(
        ["--verbose"],
        is_flag=True,
        hidden=hidden,
        expose_value=False,
        is_eager=True,
        callback=_verbose,
        help="Show the traceback of errors.",
    )


def _accept_verbose(command: click.Command) -> None:
    """Let ``command`` (and, for a group, its sub-commands) take ``--verbose`` after its name, as the group does."""
    if not any(param.name == "verbose" for param in command.params):
        command.params.append(_verbose_option(hidden=True))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _accept_verbose(sub)


def _fail(exc: KysoError, *, verbose: bool, lang: str | None = None) -> NoReturn:
    """``kyso: error: `` (a fixed tag scripts can look for) and the error's diagnostics in ``lang``, its parameter
    spelled as the command's flag."""
    if verbose:
        traceback.print_exc()
    click.echo(printable(f"kyso: error: {exc.diagnostics(lang or env_lang(), spell=flag)}"), err=True)
    sys.exit(ExitCode.ERROR)


_ARGUMENTS = {"data": "IN", "certificate": "CERT"}
"""API keywords that the commands take as arguments rather than options."""


def flag(keyword: str) -> str:
    """The command-line spelling of an API keyword (``doc_number`` → ``--doc-number``): the one mapping from a
    :attr:`KysoError.parameter <kyso.core.errors.KysoError.parameter>` to what the user typed."""
    return _ARGUMENTS.get(keyword) or "--" + keyword.replace("_", "-")


# ---------------------------------------------------------------------------------------------------------------
# language: --lang before or after the sub-command, else KYSO_LANG, else Vietnamese
# ---------------------------------------------------------------------------------------------------------------


def _internal_error(exc: BaseException, *, verbose: bool) -> NoReturn:
    """One line naming the exception's class only: its message may quote document bytes or a secret."""
    if verbose:
        traceback.print_exc()
        hint = ""
    else:
        hint = " (rerun with --verbose for the traceback, and report it)"
    click.echo(f"kyso: internal error: {exc.__class__.__name__}{hint}", err=True)
    sys.exit(ExitCode.INTERNAL_ERROR)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(None, "--version", package_name="kyso", prog_name="kyso")  # read only for --version
@click.option("--lang", type=click.Choice(LANGUAGES), callback=remember_lang, expose_value=False, help=LANG_HELP)
def cli() -> None:
    """Kyso: sign and verify documents with Vietnamese Government (Ban Cơ yếu Chính phủ) and public-CA digital
    signatures.

    \b
    Exit codes: 0 success or TOTAL_PASSED, 1 any other verdict, 2 unusable input or bad usage,
    3 internal error (a bug: rerun with --verbose and report it).
    """


cli.params.insert(0, _verbose_option(hidden=False))


def _configure_logging(verbose: bool) -> None:
    """Keep library log records (pyHanko logs warnings with tracebacks) off the terminal: a failure is reported
    once, as one line. ``--verbose`` shows them. Left alone when the host program has configured logging."""
    root = logging.getLogger()
    ours = [added for added in root.handlers if getattr(added, _OWN_HANDLER, False)]
    if root.handlers and not ours:
        return
    for added in ours:  # set by an earlier --verbose callback (the group's): the sub-command's replaces it
        root.removeHandler(added)
    handler: logging.Handler
    if verbose:
        handler = logging.StreamHandler()
        handler.setFormatter(_PrintableFormatter("kyso: %(levelname)s: %(name)s: %(message)s"))
        root.setLevel(logging.WARNING)
    else:
        handler = logging.NullHandler()
    setattr(handler, _OWN_HANDLER, True)
    root.addHandler(handler)


_OWN_HANDLER = "_kyso_cli"
"""Marks the log handler the CLI added (and may replace), as opposed to one of a host program."""


class _PrintableFormatter(logging.Formatter):
    """Log lines made :func:`~kyso.text.printable`: library messages quote names from documents and certificates
    (issue 9, class 10). A traceback, added after the line, keeps its own line breaks."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        return printable(super().formatMessage(record))


# ---------------------------------------------------------------------------------------------------------------
# plugins
# ---------------------------------------------------------------------------------------------------------------


@cli.command("plugins")
@format_option()
def plugins_command(output_format: str) -> None:
    """List registered plugins: name, version, hooks."""
    from kyso.core.manager import get_plugin_manager

    listing = get_plugin_manager().list_plugins()
    if output_format == "json":
        echo_json(listing)
        return
    for plugin in listing:
        version = f"{plugin['distribution']} {plugin['version']}" if plugin["distribution"] else "-"
        click.echo(printable(f"{plugin['name']}  ({version})  hooks: {', '.join(plugin['hooks'])}"))
    for name, why in get_plugin_manager().disabled.items():
        click.echo(printable(f"{name}  DISABLED: {why}"))


cli.add_command(signers_command)
cli.add_command(config_group)

# ---------------------------------------------------------------------------------------------------------------
# sign
# ---------------------------------------------------------------------------------------------------------------


def _box(value: str | None) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    try:
        x1, y1, x2, y2 = (float(v) for v in value.split(","))
    except ValueError:
        raise UsageError(f"--box must be x1,y1,x2,y2 in PDF points, got {value!r}") from None
    return (x1, y1, x2, y2)


class _SignCommand(KindOptionsCommand, FormatOptionsCommand, SigningCommand):
    """``kyso sign``: the kind registry's ``--kind`` and options, the formats' options, and the signer registry's
    backends."""


class _VerifyCommand(FormatOptionsCommand):
    """``kyso verify``: the formats' options (``--trust-key`` ...)."""

    which = "verify"


def _how_to_sign(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options of *how* to sign, shared by ``kyso sign`` and ``kyso prepare``."""
    decorators: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
        click.option("--level", type=click.Choice(["B-B", "B-T", "B-LT", "B-LTA"]), default="B-B", show_default=True),
        click.option("--tsa", metavar="URL", help="RFC 3161 time-stamping authority (needed for B-T)."),
        click.option("--field", metavar="NAME", help="Signature field name (default: the next free SignatureN)."),
        click.option("--page", type=int, help="Page of a visible signature (1 = first page)."),
        click.option(
            "--box", metavar="x1,y1,x2,y2", help="Rectangle of a visible signature, PDF points, origin bottom-left."
        ),
        click.option("--reason", help="Reason for signing."),
        click.option("--location", help="Place of signing."),
        timeout_option(),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


@cli.command("sign", cls=_SignCommand)
@click.argument("input_path", metavar="IN", type=click.Path(path_type=Path))
@click.option("-o", "--output", "output_path", required=True, type=click.Path(path_type=Path), help="Signed file.")
@signer_options
@_how_to_sign
@click.option(
    "--force",
    is_flag=True,
    help="Sign even with a certificate that cannot sign (expired, not yet valid, revoked, key usage).",
)
@click.option(
    "--check-revocation", is_flag=True, help="Ask the CA whether the signer is revoked (always at B-LT, B-LTA)."
)
def sign_command(
    input_path: Path,
    output_path: Path,
    signer_choice: SignerChoice,
    **options: Any,
) -> None:
    """Sign IN and write the signed document to OUTPUT (IN is never modified)."""
    import kyso
    from kyso.files import check_output, read_document, write_atomically

    if output_path.resolve() == input_path.resolve():
        raise UsageError("the output must be a different file from the input")
    data = read_document(input_path)
    check_output(output_path)
    format_options = pop_format_options("sign", options)
    signer = signer_choice.open()
    options["box"] = _box(options["box"])
    with (
        warnings.catch_warnings(record=True) as notes,
        confirmation(click.get_current_context().meta.get(LANG_KEY) or env_lang()) as control,
    ):
        warnings.simplefilter("always", KysoWarning)
        signed = kyso.sign(data, signer=signer, name=input_path.name, format_options=format_options, **options)
    control.raise_if_cancelled()  # Ctrl-C during a local signing: nothing written either
    write_atomically(output_path, signed)
    for note in notes:  # done, but not all of it (an issuance whose document has no place for its number)
        if issubclass(note.category, KysoWarning):
            click.echo(note_line(note.message), err=True)
    click.echo(printable(f"signed: {output_path}"), err=True)


# ---------------------------------------------------------------------------------------------------------------
# prepare, finish: two-step (external) signing
# ---------------------------------------------------------------------------------------------------------------


@cli.command("prepare", cls=KindOptionsCommand)
@click.argument("input_path", metavar="IN", type=click.Path(path_type=Path))
@click.option("--cert", "cert_path", required=True, type=click.Path(path_type=Path), help="Signer's certificate.")
@click.option("--chain", multiple=True, type=click.Path(path_type=Path), help="Issuing CA certificate (repeat).")
@click.option("-o", "--output", "output_path", required=True, type=click.Path(path_type=Path), help="State (JSON).")
@click.option(
    "--expires-in",
    type=click.IntRange(1, 7 * 24 * 3600),
    default=600,
    show_default=True,
    metavar="SECONDS",
    help="Lifetime of the state.",
)
@_how_to_sign
def prepare_command(
    input_path: Path, cert_path: Path, chain: tuple[Path, ...], output_path: Path, expires_in: int, **options: Any
) -> None:
    """Prepare IN for an external signer: write STATE.json with the digest to sign (base64, already hashed),
    digest_algorithm, signature_algorithm and expires; then kyso finish."""
    import kyso
    from kyso.files import check_output, read_bounded, read_document, write_atomically

    data = read_document(input_path)
    check_output(output_path)
    certificate = read_bounded(cert_path, limit=1024 * 1024, what="a certificate")
    options["box"] = _box(options["box"])
    prepared = kyso.prepare(
        data, certificate=certificate, chain=list(chain), name=input_path.name, expires_in=expires_in, **options
    )
    write_atomically(output_path, prepared.to_json().encode("utf-8"))
    click.echo(
        printable(
            f"prepared: {output_path} (sign the {prepared.digest_algorithm} digest, "
            f"{prepared.signature_algorithm}, before {prepared.expires.isoformat()})"
        ),
        err=True,
    )


@cli.command("finish")
@click.argument("state_path", metavar="STATE.json", type=click.Path(path_type=Path))
@click.option(
    "--signature-file",
    required=True,
    type=click.Path(path_type=Path),
    help="The raw signature value: PKCS#1 v1.5 (RSA) or DER (ECDSA).",
)
@click.option("-o", "--output", "output_path", required=True, type=click.Path(path_type=Path), help="Signed file.")
def finish_command(state_path: Path, signature_file: Path, output_path: Path) -> None:
    """Put the external signature into the document prepared in STATE.json and write the signed document."""
    import kyso
    from kyso.external import MAX_STATE
    from kyso.files import check_output, read_bounded, write_atomically

    state = read_bounded(state_path, limit=MAX_STATE, what="a signing state")
    signature = read_bounded(signature_file, limit=64 * 1024, what="a signature value")
    check_output(output_path)
    write_atomically(output_path, kyso.finish(state, signature))
    click.echo(printable(f"signed: {output_path}"), err=True)


# ---------------------------------------------------------------------------------------------------------------
# verify, cert validate
# ---------------------------------------------------------------------------------------------------------------


@cli.command("verify", cls=_VerifyCommand)
@click.argument("inputs", metavar="IN...", nargs=-1, required=True)
@trust_option()
@revocation_option()
@at_option()
@offline_option()
@timeout_option()
@allow_weak_option()
@format_option()
@lang_option()
@click.option(
    "--report-pdf",
    "report_pdf",
    type=click.Path(path_type=Path),
    help='Also write the printable report "Kết quả kiểm tra chữ ký số" (PDF) to this file.',
)
def verify_command(
    inputs: tuple[str, ...],
    trust: tuple[Path, ...],
    revocation: str,
    at: str | None,
    offline: bool,
    timeout: float,
    allow_weak: tuple[str, ...],
    output_format: str,
    lang: str,
    report_pdf: Path | None,
    **options: Any,
) -> None:
    """Verify every signature of IN. Several inputs (files, folders): one report per document, JSON
    {"documents": [...]}. Exit 0 only when every document is TOTAL_PASSED."""
    import kyso
    from kyso.files import check_output, read_document, write_atomically
    from kyso.reports import render_verification

    format_options = pop_format_options("verify", options)
    input_path = Path(inputs[0])
    if len(inputs) > 1:  # one input stays exactly as before (a folder alone is "is a directory": kyso batch verify)
        from kyso.batch.cli import verify_options_from
        from kyso.batch.several import render_several, verify_several

        if report_pdf is not None or format_options:
            raise UsageError("--report-pdf and format options take one input (kyso batch verify for several)")
        several = verify_options_from(
            trust=trust, revocation=revocation, at=at, offline=offline, timeout=timeout, allow_weak=allow_weak
        )
        documents, passed = verify_several(inputs, several, lang=lang)
        verdict = "TOTAL_PASSED" if passed else "NOT_PASSED"
        text = lambda: render_several(documents, lang)  # noqa: E731
        _print_verdict(output_format, lambda: {"documents": documents}, text, verdict)
    data = read_document(input_path)
    if report_pdf is not None:
        check_output(report_pdf)
    report = kyso.verify(
        data,
        trust=trust,
        revocation=revocation,
        at=at,
        offline=offline,
        timeout=timeout,
        name=input_path.name,
        allow_weak=allow_weak,
        format_options=format_options,
    )
    if report_pdf is not None:
        from kyso.reports_pdf import render_report_pdf

        write_atomically(report_pdf, render_report_pdf(report, data, lang=lang))
    verbose = bool(click.get_current_context().meta.get(VERBOSE_KEY))
    _print_verdict(
        output_format, report.to_dict, lambda: render_verification(report, lang, verbose=verbose), report.indication
    )


def _print_verdict(
    output_format: str, as_dict: Callable[[], Any], as_text: Callable[[], str], indication: Any
) -> NoReturn:
    """Print a report (JSON exact, or the text report) and exit 0 only for TOTAL_PASSED, 1 for any other verdict."""
    from kyso.core.models import Indication

    if output_format == "json":
        echo_json(as_dict())
    else:
        click.echo(as_text(), nl=False)
    sys.exit(ExitCode.OK if indication == Indication.TOTAL_PASSED else ExitCode.NOT_PASSED)


@cli.group("cert")
def cert_group() -> None:
    """Certificate commands."""


@cert_group.command("validate")
@click.argument("cert_path", metavar="CERT", type=click.Path(path_type=Path))
@trust_option()
@click.option("--intermediate", multiple=True, type=click.Path(path_type=Path), help="Extra intermediate CA file.")
@at_option()
@revocation_option()
@timeout_option()
@format_option()
@lang_option()
def cert_validate_command(
    cert_path: Path,
    trust: tuple[Path, ...],
    intermediate: tuple[Path, ...],
    at: str | None,
    revocation: str,
    timeout: float,
    output_format: str,
    lang: str,
) -> None:
    """Validate CERT: chain to a trust anchor, validity, key usage, revocation."""
    import kyso
    from kyso.files import read_document
    from kyso.reports import render_certificate

    report = kyso.validate_certificate(
        read_document(cert_path),
        trust=trust,
        intermediates=intermediate,
        at=at,
        revocation=revocation,
        timeout=timeout,
    )
    _print_verdict(
        output_format,
        report.to_standalone_dict,
        lambda: render_certificate(report, lang, verbose=bool(click.get_current_context().meta.get(VERBOSE_KEY))),
        report.indication,
    )


# ---------------------------------------------------------------------------------------------------------------
# demo
# ---------------------------------------------------------------------------------------------------------------


@cli.command("demo")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("kyso-demo"), show_default=True)
@lang_option()
def demo_command(out_dir: Path, lang: str) -> None:
    """Generate a demo PKI (test material), sign a sample official letter, verify it and print the report."""
    from kyso.demo.run import demo_step, run_demo
    from kyso.reports import render_verification

    result = run_demo(out_dir, echo=lambda line: click.echo(printable(line), err=True), lang=lang)
    click.echo(render_verification(result.report, lang), nl=False)
    click.echo("\n" + printable(demo_step(5, lang)), err=True)
    for command in result.commands:
        click.echo(printable(f"  {command}"), err=True)
    sys.exit(ExitCode.OK if result.report.indication == "TOTAL_PASSED" else ExitCode.NOT_PASSED)


def tolerant_output() -> None:
    """Text output never fails on a narrow encoding (a cp1252 Windows console or pipe, ``PYTHONIOENCODING=ascii``):
    what the encoding cannot show is written as a backslash escape (``H\\u1ee2P L\\u1ec6``), on stdout as Python
    already does on stderr. UTF-8 output is unchanged; JSON is written as UTF-8 bytes anyway (:func:`echo_json`)."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> None:
    """Console entry point: built-in commands plus those plugins add through ``kyso_register_commands``.

    Kyso's own commands defined in this module are found without asking the plugins; a plugin's command (and
    every command that another package adds through the hook) is loaded only when it is asked for or the commands
    are listed (``kyso --help``)."""
    tolerant_output()
    _warnings_on_one_line()
    cli.main(args=argv, prog_name="kyso")  # plugins add their commands when one is asked for (_Cli.get_command)


def note_line(message: object) -> str:
    """A :class:`KysoWarning` as the one stderr line a user reads, in the run's language: ``kyso: note: ...``."""
    text, ctx = str(message), click.get_current_context(silent=True)
    if ((ctx.meta.get(LANG_KEY) if ctx else None) or env_lang()) == "vi":
        from kyso.reasons import explain

        text = explain(text) or text
    return printable(f"kyso: note: {text}")


def _warnings_on_one_line() -> None:
    """Kyso's warnings on one stderr line each, never Python's ``file:line: Warning`` form: a plugin that failed to
    load (disabled alone, said once: ``kyso: warning: ...``), something done but not all of it (``kyso: note:``,
    from any command: sign, sync, batch, the agent, conformance)."""
    import warnings

    from kyso.core.errors import KysoWarning, PluginWarning

    shown = warnings.showwarning

    def show(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
        if isinstance(category, type) and issubclass(category, PluginWarning):
            click.echo(printable(f"kyso: warning: {message}"), err=True)
        elif isinstance(category, type) and issubclass(category, KysoWarning):
            click.echo(note_line(message), err=True)
        else:
            shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show
