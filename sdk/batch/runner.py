"""Running an operation over a stream of documents: in this process, in a pool of worker processes, or on Dask.

- Documents are streamed: sources are read lazily and at most ``window`` chunks of work are in flight, so memory
  stays flat whatever the archive's size (``as_completed`` with bounded in-flight futures, for both engines).
- Each item fails alone with its reason; an exception never stops the batch.
- Workers read the inputs and return results; this process alone writes outputs and the journal. A worker that
  dies (killed, out of memory) loses only work in flight: its chunk is run again (the pool is restarted, Dask
  reschedules) and each input is counted once, by its key.
- Where signing happens is decided in one place, :func:`signs_in_parallel`: a backend that declares
  ``parallel`` (PKCS#12) is opened in every worker; any other (a PKCS#11 token, a remote session) signs here, in
  the one process that holds the login, one document after the other.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kyso.batch.journal import Journal
from kyso.batch.sources import Source

Task = tuple[str, str | None, bytes | None, str]
"""One document for a worker: (key, path to read or ``None``, bytes or ``None``, name for reports)."""

CHUNK = 8
"""Documents per unit of work sent to a worker: fewer round trips on Dask, little lost when a worker dies."""
MAX_ATTEMPTS = 3
"""A chunk whose worker died this many times fails (a document that crashes its reader fails alone)."""


def signs_in_parallel(backend: Any) -> bool:
    """THE rule of where a batch signs: in every worker process when the signer backend declares ``parallel``
    (a key in a file, decrypted once per worker), else in the process running the batch, sequentially (a token
    or a remote login is one session, which cannot be shared between processes)."""
    return bool(getattr(backend, "parallel", False))


def process_chunk(operation: Any, tasks: list[Task], lang: str = "vi") -> list[dict[str, Any]]:
    """Run ``operation`` over ``tasks`` (in a worker): one result per task, each failing alone."""
    return [process_one(operation, task, lang) for task in tasks]


def process_one(operation: Any, task: Task, lang: str = "vi") -> dict[str, Any]:
    from kyso.core.errors import KysoError
    from kyso.files import read_document

    key, path, data, name = task
    started = time.perf_counter()
    result: dict[str, Any] = {"key": key, "sha256": None, "stamp": None}
    try:
        if data is None:
            assert path is not None
            info = os.stat(path)
            data = read_document(path)
            result["stamp"] = (info.st_size, info.st_mtime_ns)
        result["sha256"] = hashlib.sha256(data).hexdigest()
        result.update(operation.run(data, name))
    except KysoError as exc:
        result.update(status="failed", indication=None, reason=exc.diagnostics(lang))
    except MemoryError:
        result.update(status="failed", indication=None, reason="out of memory")
    except Exception as exc:  # a bug or a hostile document tripping a library: this item only
        result.update(status="failed", indication=None, reason=f"internal error: {exc.__class__.__name__}")
    result["seconds"] = round(time.perf_counter() - started, 4)
    return result


# ---------------------------------------------------------------------------------------------------------------
# engines
# ---------------------------------------------------------------------------------------------------------------


class Engine(Protocol):
    """Runs chunks somewhere and yields ``(chunk, results)`` as they complete, ``results`` an exception when the
    chunk could not be run at all."""

    workers: int

    def run(self, operation: Any, chunks: Iterator[list[Task]], lang: str) -> Iterator[tuple[list[Task], Any]]: ...

    def close(self) -> None: ...


class InProcess:
    """Here, one chunk after the other: the engine of a signer that cannot leave this process."""

    workers = 1

    def run(self, operation: Any, chunks: Iterator[list[Task]], lang: str) -> Iterator[tuple[list[Task], Any]]:
        for chunk in chunks:
            yield chunk, process_chunk(operation, chunk, lang)

    def close(self) -> None:
        pass


class ProcessPool:
    """A pool of ``workers`` processes (``spawn``: the same on Linux, macOS and Windows); restarted when a worker
    dies, the chunks in flight sent again."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._pool: Any = None

    def _start(self) -> Any:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def run(self, operation: Any, chunks: Iterator[list[Task]], lang: str) -> Iterator[tuple[list[Task], Any]]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        pool = self._pool or self._start()
        window = self.workers * 4
        flying: dict[Any, tuple[list[Task], int]] = {}
        retry: list[tuple[list[Task], int]] = []
        exhausted = False
        while True:
            while len(flying) < window and (retry or not exhausted):
                if retry:
                    chunk, attempt = retry.pop()
                else:
                    next_chunk = next(chunks, None)
                    if next_chunk is None:
                        exhausted = True
                        continue
                    chunk, attempt = next_chunk, 1
                flying[pool.submit(process_chunk, operation, chunk, lang)] = (chunk, attempt)
            if not flying:
                return
            done, _ = wait(flying, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                chunk, attempt = flying.pop(future)
                try:
                    yield chunk, future.result()
                except BrokenProcessPool:
                    broken = True
                    retry.append((chunk, attempt + 1))
            if broken:  # every chunk in flight is lost with the pool: start a new one, send them again
                retry.extend((chunk, attempt + 1) for chunk, attempt in flying.values())
                flying.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                pool = self._start()
                for chunk, attempt in [r for r in retry if r[1] > MAX_ATTEMPTS]:
                    retry.remove((chunk, attempt))
                    yield chunk, RuntimeError("its worker process died")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskEngine:
    """Dask distributed: a running cluster (``tcp://HOST:8786``) or a LocalCluster of ``workers`` processes.

    The scheduler reschedules the tasks of a worker that dies; a chunk whose workers keep dying ends in
    ``KilledWorker`` and its documents fail alone."""

    def __init__(self, scheduler: str, workers: int) -> None:
        from distributed import Client, LocalCluster

        self._cluster = None
        if scheduler == "local":
            self._cluster = LocalCluster(
                n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=None
            )
            self._client = Client(self._cluster)
        else:
            self._client = Client(scheduler, timeout=30)
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})) or workers)

    def run(self, operation: Any, chunks: Iterator[list[Task]], lang: str) -> Iterator[tuple[list[Task], Any]]:
        from distributed import as_completed

        window = self.workers * 4
        scattered = self._client.scatter(operation, broadcast=True)
        flying: dict[Any, list[Task]] = {}
        completed = as_completed()

        def submit(chunk: list[Task]) -> None:
            future = self._client.submit(process_chunk, scattered, chunk, lang, pure=False)
            flying[future.key] = chunk
            completed.add(future)

        for chunk in chunks:
            submit(chunk)
            if len(flying) >= window:
                break
        for future in completed:
            chunk = flying.pop(future.key)
            try:
                yield chunk, future.result()
            except Exception as exc:  # KilledWorker, a lost scheduler ...
                yield chunk, exc
            next_chunk = next(chunks, None)
            if next_chunk is not None:
                submit(next_chunk)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def engine_for(*, workers: int, scheduler: str | None) -> Engine:
    """The engine the options name: Dask with ``scheduler``, else a pool of ``workers`` processes."""
    if scheduler:
        return DaskEngine(scheduler, workers)
    return ProcessPool(workers)


# ---------------------------------------------------------------------------------------------------------------
# the batch
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Summary:
    """Counts by status, the items that failed (the first :attr:`keep` of them) and the run's duration."""

    operation: str
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    resumed: int = 0
    seconds: float = 0.0
    keep: int = 50

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, item: dict[str, Any]) -> None:
        self.counts[item["status"]] = self.counts.get(item["status"], 0) + 1
        if item.get("resumed"):
            self.resumed += 1
        if item["status"] in FAILING and len(self.failures) < self.keep:
            self.failures.append({k: item.get(k) for k in ("input", "status", "reason")})

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "total": self.total,
            "counts": dict(self.counts),
            "resumed": self.resumed,
            "seconds": round(self.seconds, 3),
            "failures": self.failures,
        }


FAILING = frozenset({"failed", "not_passed"})
"""Statuses that make ``kyso batch`` exit 1."""


def run_batch(
    sources: Iterable[Source],
    operation: Any,
    *,
    engine: Engine,
    journal: Journal | None = None,
    output_dir: Path | None = None,
    on_item: Callable[[dict[str, Any]], None] | None = None,
    lang: str = "vi",
) -> Summary:
    """Run ``operation`` over ``sources`` on ``engine``; each item's result goes to ``on_item`` (the report, the
    progress bar) exactly once, whether it was processed now or found done in ``journal``."""
    summary = Summary(operation.name)
    started = time.perf_counter()
    relative: dict[str, tuple[str, str | None]] = {}
    claimed: set[str] = set()

    def finish(item: dict[str, Any]) -> None:
        summary.add(item)
        if on_item is not None:
            on_item(item)

    def tasks() -> Iterator[list[Task]]:
        chunk: list[Task] = []
        for source in sources:
            item = _settled(source, operation, journal, lang)
            if item is not None:
                finish(item)
                continue
            task = _task(source, lang)
            if isinstance(task, dict):
                _journal_failure(journal, operation, source, task)
                finish(task)
                continue
            if operation.writes and source.relative in claimed:
                item = _failed(source, f"another input has the same output path {source.relative}")
                finish(item)
                continue
            claimed.add(source.relative)
            relative[source.key] = (source.relative, source.path)
            chunk.append(task)
            if len(chunk) >= CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    for chunk, results in engine.run(operation, tasks(), lang):
        if isinstance(results, BaseException):
            results = [
                {
                    "key": t[0],
                    "status": "failed",
                    "indication": None,
                    "sha256": None,
                    "stamp": None,
                    "reason": f"not processed: {_reason(results)}",
                }
                for t in chunk
            ]
        with _together(journal, operation):
            for result in results:
                name, path = relative.pop(result["key"])
                finish(_settle(result, name, path, operation, journal, output_dir))
    summary.seconds = time.perf_counter() - started
    return summary


def _together(journal: Journal | None, operation: Any) -> AbstractContextManager[None]:
    """One journal commit per chunk for an operation that writes no output (redoing one of its items after a
    crash is harmless); an operation that writes commits each row alone (nothing signed twice)."""
    if journal is None or operation.writes:
        return nullcontext()
    return journal.together()


def _failed(source: Source, reason: str) -> dict[str, Any]:
    """The result of an input that fails before any worker sees it (unreadable, fetch failed, output path taken):
    one shape for the report and the journal, whichever check refused it."""
    return {
        "key": source.key,
        "input": source.key,
        "relative": source.relative,
        "status": "failed",
        "indication": None,
        "reason": reason,
    }


def _settled(source: Source, operation: Any, journal: Journal | None, lang: str) -> dict[str, Any] | None:
    """The item's result without running it: its problem, or what the journal recorded for the same content."""
    if source.problem is not None:
        return _failed(source, source.problem)
    if journal is not None:
        recorded = journal.finished(operation.name, source.key, source.path)
        if recorded is not None:
            return {**recorded, "resumed": True}
    return None


def _task(source: Source, lang: str) -> Task | dict[str, Any]:
    """The worker's task for ``source``: its path, or the bytes fetched here (an adapter's item)."""
    if source.path is not None:
        return (source.key, source.path, None, os.path.basename(source.relative))
    assert source.load is not None
    from kyso.core.errors import KysoError

    try:
        return (source.key, None, source.load(), os.path.basename(source.relative))
    except KysoError as exc:
        return _failed(source, exc.diagnostics(lang))


def _settle(
    result: dict[str, Any],
    relative: str,
    path: str | None,
    operation: Any,
    journal: Journal | None,
    output_dir: Path | None,
) -> dict[str, Any]:
    """Write the item's output (atomically) and journal it; what the report shows of the item."""
    from kyso.core.errors import KysoError
    from kyso.files import write_atomically

    output = result.pop("output", None)
    stamp = result.pop("stamp", None)
    item = {**result, "input": result["key"], "relative": relative}
    digest = None
    if output is not None and output_dir is not None:
        target = output_dir / relative
        item["output"] = str(target)
        if path is not None and os.path.realpath(target) == os.path.realpath(path):
            item.update(
                status="failed", reason="the output would replace the input (choose another -o DIR)", output=None
            )
            output = None
    if output is not None and output_dir is not None:
        digest = hashlib.sha256(output).hexdigest()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if journal is not None:
                journal.record(
                    operation.name,
                    result["key"],
                    state="signed",
                    sha256=result["sha256"],
                    stamp=stamp,
                    result=item,
                    output=str(target),
                    output_sha256=digest,
                )
            write_atomically(target, output)
        except (KysoError, OSError) as exc:
            item.update(status="failed", reason=f"output not written: {_reason(exc)}", output=None)
    if journal is not None:
        state = "failed" if item["status"] == "failed" else "done"
        journal.record(
            operation.name,
            result["key"],
            state=state,
            sha256=result["sha256"],
            stamp=stamp,
            result=item,
            output=item.get("output"),
            output_sha256=digest,
        )
    return item


def _journal_failure(journal: Journal | None, operation: Any, source: Source, item: dict[str, Any]) -> None:
    if journal is not None:
        journal.record(operation.name, source.key, state="failed", sha256=None, stamp=None, result=item)


def _reason(exc: BaseException) -> str:
    from kyso.core.errors import KysoError

    if isinstance(exc, KysoError):
        return exc.diagnostics()
    if isinstance(exc, OSError):
        return exc.strerror or exc.__class__.__name__
    text = str(exc).splitlines()[0][:160] if str(exc) else ""
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


__all__ = [
    "CHUNK",
    "DaskEngine",
    "Engine",
    "FAILING",
    "InProcess",
    "ProcessPool",
    "Summary",
    "Task",
    "engine_for",
    "process_chunk",
    "run_batch",
    "signs_in_parallel",
]
