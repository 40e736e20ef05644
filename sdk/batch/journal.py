"""The resumable journal of a batch: SQLite, one row per (operation, input), keyed by the input's path and the
SHA-256 of the content that was processed.

Kyso rule (issue 15): after Ctrl-C, a crash or a killed worker the same command continues where it stopped;
nothing is signed twice, nothing is lost, an input that changed since is redone:

- an input whose row is ``done`` with the same content hash is skipped, and its recorded result is reported as
  in the first run (the stat shortcut: the same size and mtime as recorded means the same content, else the
  content is hashed again);
- only the process running the batch writes outputs and this journal (workers return results), so a worker that
  dies has written nothing and its item is simply run again;
- signing writes the signed bytes' hash here (``signed``) *before* the output is renamed into place, and ``done``
  after: a crash between the two finds the output on disk with that hash and only marks it done, it never signs
  that input again.

Every change is committed at once (WAL mode, ``synchronous=FULL``): a row on disk is true of the files on disk.
The one exception, :meth:`Journal.together`, groups the rows of results that can simply be redone (a verification,
an audit: no output written) into one commit per chunk; a crash before that commit only redoes those items.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kyso.core.errors import InputError

DEFAULT_NAME = ".kyso-batch.sqlite"
"""The journal's file name in the output folder (hidden: a later batch over that folder leaves it out)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    operation TEXT NOT NULL,
    key TEXT NOT NULL,
    sha256 TEXT,
    size INTEGER,
    mtime_ns INTEGER,
    state TEXT NOT NULL,
    output TEXT,
    output_sha256 TEXT,
    result TEXT,
    updated REAL NOT NULL,
    PRIMARY KEY (operation, key)
)
"""


@dataclass(frozen=True)
class Entry:
    """A row of the journal."""

    state: str
    """``signed`` (output hash recorded, rename pending), ``done`` or ``failed``."""
    sha256: str | None
    size: int | None
    mtime_ns: int | None
    output: str | None
    output_sha256: str | None
    result: dict[str, Any] | None


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def file_stamp(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """``(size, mtime_ns)`` of a file, ``None`` when it cannot be read."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


class Journal:
    """One SQLite journal; used by the one process that runs the batch."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise InputError(
                f"{self.path}: cannot use this file as the batch journal ({exc})",
                vi=f"{self.path}: không dùng được tệp này làm nhật ký của lô ({exc})",
            ) from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def together(self) -> Iterator[None]:
        """Rows recorded inside are committed at the end, in one transaction (one sync instead of one per row),
        and committed too when the block ends by an exception (Ctrl-C): they are true of what was done. Only for
        results that can be redone; a ``signed`` row must be committed alone, before its output is renamed."""
        self._db.execute("BEGIN")
        try:
            yield
        finally:
            self._db.execute("COMMIT")

    def get(self, operation: str, key: str) -> Entry | None:
        row = self._db.execute(
            "SELECT state, sha256, size, mtime_ns, output, output_sha256, result FROM items"
            " WHERE operation = ? AND key = ?",
            (operation, key),
        ).fetchone()
        if row is None:
            return None
        state, sha256, size, mtime_ns, output, output_sha256, result = row
        return Entry(state, sha256, size, mtime_ns, output, output_sha256, json.loads(result) if result else None)

    def finished(self, operation: str, key: str, path: str | None) -> dict[str, Any] | None:
        """The recorded result when ``key`` was done before on the same content (nothing to redo), else ``None``.
        A ``signed`` row whose output is on disk with the recorded hash is completed here (crash after the
        write, before the journal said ``done``)."""
        entry = self.get(operation, key)
        if entry is None or entry.state == "failed" or entry.result is None:
            return None
        if path is not None and not self._same_content(entry, path):
            return None
        if entry.state == "signed":
            if entry.output is None or not os.path.isfile(entry.output):
                return None
            if file_sha256(entry.output) != entry.output_sha256:
                return None
            self._set_state(operation, key, "done")
        return entry.result

    def _same_content(self, entry: Entry, path: str) -> bool:
        stamp = file_stamp(path)
        if stamp is None:
            return False
        if entry.size is not None and (entry.size, entry.mtime_ns) == stamp:
            return True
        try:
            return file_sha256(path) == entry.sha256
        except OSError:
            return False

    def record(
        self,
        operation: str,
        key: str,
        *,
        state: str,
        sha256: str | None,
        stamp: tuple[int, int] | None,
        result: dict[str, Any],
        output: str | None = None,
        output_sha256: str | None = None,
    ) -> None:
        """Write the row of ``key`` (replacing an earlier one), committed before returning. ``stamp`` is the
        ``(size, mtime_ns)`` the worker saw before reading the content whose hash is ``sha256``."""
        size, mtime_ns = stamp if stamp and sha256 is not None else (None, None)
        self._db.execute(
            "INSERT OR REPLACE INTO items (operation, key, sha256, size, mtime_ns, state, output, output_sha256,"
            " result, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (operation, key, sha256, size, mtime_ns, state, output, output_sha256, json.dumps(result), time.time()),
        )

    def _set_state(self, operation: str, key: str, state: str) -> None:
        self._db.execute(
            "UPDATE items SET state = ?, updated = ? WHERE operation = ? AND key = ?",
            (state, time.time(), operation, key),
        )

    def mark_done(self, operation: str, key: str) -> None:
        self._set_state(operation, key, "done")

    def rows(self, operation: str) -> Iterator[tuple[str, str]]:
        """``(key, state)`` of every row of ``operation``."""
        yield from self._db.execute("SELECT key, state FROM items WHERE operation = ? ORDER BY key", (operation,))


__all__ = ["DEFAULT_NAME", "Entry", "Journal", "file_sha256", "file_stamp"]
