"""``kyso batch sign|verify|extend SRC...``: the batch commands, thin over :func:`kyso.batch.runner.run_batch`.

Added to ``kyso`` by the built-in plugin :mod:`kyso.batch.plugin`. The signer and trust options are those of
``kyso sign`` / ``kyso verify`` (:mod:`kyso.cli.signers`, :mod:`kyso.cli.options`).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from kyso.cli.kinds import KindOptionsCommand
from kyso.cli.options import (
    allow_weak_option,
    at_option,
    lang_option,
    offline_option,
    revocation_option,
    timeout_option,
    trust_option,
)
from kyso.cli.signers import SignerChoice, SigningCommand, signer_options
from kyso.core.errors import UsageError


def engine_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """``SRC...``, ``-o DIR``, ``--workers N``, ``--scheduler``, ``--journal FILE``, ``--report FILE``."""
    for decorator in reversed(
        [
            click.argument("sources", metavar="SRC...", nargs=-1, required=True),
            click.option(
                "-o",
                "--output",
                "output_dir",
                type=click.Path(path_type=Path),
                help="Folder of the outputs (same relative paths) and of the journal.",
            ),
            click.option(
                "--workers",
                type=click.IntRange(1, 512),
                default=os.cpu_count() or 1,
                show_default=True,
                help="Worker processes (or Dask LocalCluster workers with --scheduler local).",
            ),
            click.option(
                "--scheduler",
                metavar="tcp://HOST:8786|local",
                help="Run on Dask distributed: a running scheduler, or a LocalCluster of --workers.",
            ),
            click.option(
                "--journal",
                "journal_path",
                type=click.Path(path_type=Path),
                help="Resumable journal (SQLite) [default: DIR/.kyso-batch.sqlite with -o DIR].",
            ),
            click.option(
                "--report",
                "report_path",
                type=click.Path(path_type=Path),
                help="Per-document report, FILE.json or FILE.csv.",
            ),
        ]
    ):
        function = decorator(function)
    return function


VERIFICATION_FLAGS = ("trust", "revocation", "at", "offline", "timeout", "allow_weak")
"""The parameters :func:`verification_options` gives a command, those of :func:`verify_options_from`."""


def verification_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The verification flags of ``kyso verify`` (from :mod:`kyso.cli.options`): ``--trust``, ``--revocation``,
    ``--at``, ``--offline``, ``--timeout``, ``--allow-weak``, as the keywords :data:`VERIFICATION_FLAGS`."""
    for decorator in reversed(
        [trust_option(), revocation_option(), at_option(), offline_option(), timeout_option(), allow_weak_option()]
    ):
        function = decorator(function)
    return function


def verify_options_from(
    *,
    trust: tuple[Path, ...],
    revocation: str,
    at: str | None,
    offline: bool,
    timeout: float,
    allow_weak: tuple[str, ...],
) -> Any:
    """The :class:`~kyso.batch.operations.VerifyOptions` of the verify flags (trust read here, once, as DER:
    workers on other machines need not see the files)."""
    from kyso.api import parse_moment
    from kyso.batch.operations import VerifyOptions
    from kyso.certs.algorithms import allowed
    from kyso.certs.loading import load_certificates

    moment = parse_moment(at)
    return VerifyOptions(
        trust=tuple(load_certificates(trust)),
        revocation=revocation,
        at=None if moment is None else moment.isoformat(),
        offline=offline,
        timeout=timeout,
        allow_weak=allowed(allow_weak),
    )


def pop_verification(options: dict[str, Any]) -> Any:
    """:func:`verify_options_from` of the :data:`VERIFICATION_FLAGS` taken out of a command's ``options``."""
    return verify_options_from(**{name: options.pop(name) for name in VERIFICATION_FLAGS})


def run_command(
    operation: Any,
    sources: tuple[str, ...],
    *,
    output_dir: Path | None,
    workers: int,
    scheduler: str | None,
    journal_path: Path | None,
    report_path: Path | None,
    lang: str,
    engine: Any = None,
    on_item: Callable[[dict[str, Any]], None] | None = None,
) -> Any:
    """Run one batch command: sources, engine, journal, progress, report, summary. Returns the summary."""
    from kyso.batch.journal import DEFAULT_NAME, Journal
    from kyso.batch.report import ItemReport
    from kyso.batch.runner import run_batch
    from kyso.batch.sources import expand

    if operation.writes and output_dir is None:
        raise UsageError("give the output folder: -o DIR", parameter="output")
    if output_dir is not None:
        if output_dir.exists() and not output_dir.is_dir():
            raise UsageError(f"{output_dir}: not a folder", parameter="output")
        output_dir.mkdir(parents=True, exist_ok=True)
    if journal_path is None and output_dir is not None:
        journal_path = output_dir / DEFAULT_NAME
    skip = [p for p in (journal_path, report_path) if p is not None]
    report = ItemReport(report_path)
    journal = Journal(journal_path) if journal_path is not None else None
    summary = None
    try:
        with _engine(engine, workers, scheduler) as running, _progress(sources, skip) as advance:

            def each(item: dict[str, Any]) -> None:
                report.write(item)
                advance()
                if on_item is not None:
                    on_item(item)

            summary = run_batch(
                expand(sources, skip=skip),
                operation,
                engine=running,
                journal=journal,
                output_dir=output_dir,
                on_item=each,
                lang=lang,
            )
    finally:
        report.close(None if summary is None else summary.to_dict())
        if journal is not None:
            journal.close()
    return summary


@contextmanager
def _engine(given: Any, workers: int, scheduler: str | None) -> Iterator[Any]:
    from kyso.batch.runner import engine_for

    if given is not None:
        yield given
        return
    if scheduler:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise UsageError("--scheduler needs Dask: pip install 'kyso[scale]'") from None
    engine = engine_for(workers=workers, scheduler=scheduler)
    try:
        yield engine
    finally:
        engine.close()


@contextmanager
def _progress(sources: tuple[str, ...], skip: list[Path]) -> Iterator[Callable[[], None]]:
    """A progress bar with rate and ETA on stderr when it is a terminal (the sources are counted first: a listing
    pass, no file is read); nothing otherwise."""
    if not sys.stderr.isatty():
        yield lambda: None
        return
    from kyso.batch.sources import expand

    total = sum(1 for _ in expand(sources, skip=skip))
    started = time.monotonic()
    done = 0

    def rate(_: object) -> str:
        elapsed = time.monotonic() - started
        return f"{done / elapsed:.1f}/s" if elapsed > 0 and done else ""

    with click.progressbar(length=total, file=sys.stderr, show_eta=True, show_pos=True, item_show_func=rate) as bar:

        def advance() -> None:
            nonlocal done
            done += 1
            bar.update(1, done)

        yield advance


def _finish(summary: Any, lang: str) -> None:
    from kyso.batch.report import summary_table
    from kyso.batch.runner import FAILING

    click.echo(summary_table(summary.to_dict(), lang), nl=False)
    sys.exit(1 if any(summary.counts.get(status) for status in FAILING) else 0)


@click.group("batch")
def batch_group() -> None:
    """Sign, verify or extend many documents: files, folders, globs, @list.txt, adapter:NAME.

    \b
    Resumable (a journal: run the same command again after Ctrl-C or a crash), in parallel (worker processes, or
    Dask with --scheduler), each document failing alone with its reason. Exit 0 when no document failed or
    was not valid, 1 otherwise, 2 for bad usage.
    """


@batch_group.command("verify")
@engine_options
@verification_options
@lang_option()
def batch_verify_command(sources: tuple[str, ...], lang: str, **options: Any) -> None:
    """Verify every document of SRC...; the per-document reports go to --report."""
    from kyso.batch.operations import Verify

    operation = Verify(pop_verification(options))
    _finish(run_command(operation, sources, lang=lang, **options), lang)


class _BatchSignCommand(KindOptionsCommand, SigningCommand):
    """``kyso batch sign``: the kind registry's ``--kind`` and options, and the signer registry's backends."""


@batch_group.command("sign", cls=_BatchSignCommand)
@engine_options
@signer_options
@click.option("--level", type=click.Choice(["B-B", "B-T", "B-LT", "B-LTA"]), default="B-B", show_default=True)
@click.option("--tsa", metavar="URL", help="RFC 3161 time-stamping authority (needed for B-T).")
@click.option("--reason", help="Reason for signing.")
@click.option("--location", help="Place of signing.")
@timeout_option()
@lang_option()
def batch_sign_command(
    sources: tuple[str, ...],
    signer_choice: SignerChoice,
    lang: str,
    output_dir: Path | None,
    workers: int,
    scheduler: str | None,
    journal_path: Path | None,
    report_path: Path | None,
    **options: Any,
) -> None:
    """Sign every document of SRC... into -o DIR (same relative paths; inputs are never modified).

    A signer backend that can sign in parallel (PKCS#12) is opened in every worker; any other (a token) signs
    in this process, which holds the login, one document after the other."""
    from kyso.batch.operations import Sign
    from kyso.batch.runner import InProcess, signs_in_parallel

    if output_dir is None:
        raise UsageError("give the output folder: -o DIR", parameter="output")
    sign_options = tuple(sorted((k, v) for k, v in options.items() if v is not None))
    signer = signer_choice.open()  # here first: a wrong password or a missing token stops the batch before it starts
    engine = None
    if signs_in_parallel(signer_choice.backend):
        operation = Sign(signer_choice.backend.name, tuple(sorted(signer_choice.arguments().items())), sign_options)
    else:
        operation = Sign(signer_choice.backend.name, (), sign_options, signer=signer)
        engine = InProcess()
    summary = run_command(
        operation,
        sources,
        output_dir=output_dir,
        workers=workers,
        scheduler=scheduler,
        journal_path=journal_path,
        report_path=report_path,
        lang=lang,
        engine=engine,
    )
    _finish(summary, lang)


@batch_group.command("extend")
@engine_options
@click.option("--tsa", metavar="URL", required=True, help="RFC 3161 time-stamping authority.")
@click.option(
    "--within",
    "within_days",
    type=click.IntRange(0),
    default=365,
    show_default=True,
    help="Renew an archive time-stamp whose TSA certificate expires within this many days.",
)
@trust_option(help="Extra trust anchor file or directory (repeatable).")
@timeout_option()
@lang_option()
def batch_extend_command(
    sources: tuple[str, ...],
    tsa: str,
    within_days: int,
    trust: tuple[Path, ...],
    timeout: float,
    lang: str,
    **engine: Any,
) -> None:
    """Re-time-stamp the B-LTA archives of SRC... before their time-stamps age out, into -o DIR.

    Documents not yet at B-LTA get their first archive time-stamp; those whose newest one is still far from
    expiry are reported "current" and not written."""
    from kyso.batch.operations import Extend
    from kyso.certs.loading import load_certificates

    operation = Extend(tsa=tsa, trust=tuple(load_certificates(trust)), timeout=timeout, within_days=within_days)
    _finish(run_command(operation, sources, lang=lang, **engine), lang)


__all__ = [
    "VERIFICATION_FLAGS",
    "batch_group",
    "engine_options",
    "pop_verification",
    "run_command",
    "verification_options",
    "verify_options_from",
]
