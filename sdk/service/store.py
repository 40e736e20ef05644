"""The service's database: API keys (hashed), rate-limit windows shared by every worker, and the audit table.

SQLite by default (one file, WAL mode, safe for the workers of one machine); PostgreSQL by URL
(``postgresql://...``, through psycopg 3) for a deployment shared by several machines. The audit table keeps, for
every validation, the time, the client, the document's SHA-256, the format and the verdict; never the document.

API keys are random 256-bit tokens shown once, when created; the database keeps their SHA-256 only (a key is as
strong as a password hash needs to be: nobody can guess 256 random bits, so a slow hash would add nothing).
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kyso.core.errors import UsageError

KEY_PREFIX = "kyso_"

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS api_keys (
        name TEXT PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE, shown TEXT NOT NULL, per_minute INTEGER NOT NULL,
        created TEXT NOT NULL, revoked TEXT)""",
    """CREATE TABLE IF NOT EXISTS rate_windows (
        client TEXT NOT NULL, window_start BIGINT NOT NULL, hits INTEGER NOT NULL,
        PRIMARY KEY (client, window_start))""",
    """CREATE TABLE IF NOT EXISTS audit (
        id {serial} PRIMARY KEY, time TEXT NOT NULL, client TEXT NOT NULL, endpoint TEXT NOT NULL,
        document_sha256 TEXT, format TEXT, indication TEXT, sub_indication TEXT, status INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL)""",
)


@dataclass(frozen=True)
class ApiKey:
    """A key as listed: never the key itself, only its first characters (``shown``)."""

    name: str
    shown: str
    per_minute: int
    created: str
    revoked: str | None


@dataclass(frozen=True)
class AuditEntry:
    time: str
    client: str
    endpoint: str
    document_sha256: str | None
    format: str | None
    indication: str | None
    sub_indication: str | None
    status: int
    duration_ms: int


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Store:
    """One connection per process, used under a lock (requests run in threads)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = url.startswith(("postgresql://", "postgres://"))
        self._lock = threading.Lock()
        self._connection: Any = None
        self._sweeps = 0

    # ---------------------------------------------------------------------------------------- connection

    def _connect(self) -> Any:
        if self._connection is not None:
            return self._connection
        if self.postgres:
            try:
                import psycopg
            except ImportError:
                raise UsageError("a PostgreSQL database needs psycopg: pip install 'kyso[serve]'") from None
            connection: Any = psycopg.connect(self.url, autocommit=True)
            serial = "BIGSERIAL"
        else:
            if not self.url.startswith("sqlite:///"):
                raise UsageError(f"database URL {self.url!r}: expected sqlite:///PATH or postgresql://...")
            path = Path(self.url.removeprefix("sqlite:///"))
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            serial = "INTEGER"
        for statement in _SCHEMA:
            connection.execute(statement.format(serial=serial))
        self._connection = connection
        return connection

    def _run(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.postgres:
            sql = sql.replace("?", "%s")
        with self._lock:
            connection = self._connect()
            cursor = connection.execute(sql, tuple(parameters))
            rows = cursor.fetchall() if cursor.description else []
            return [tuple(row) for row in rows]

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    # ------------------------------------------------------------------------------------------ API keys

    def add_key(self, name: str, per_minute: int) -> str:
        """Create a key named ``name``; returns the key itself, which is shown this once and never stored."""
        if not name or len(name) > 64 or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
            raise UsageError("a key name is 1-64 letters, digits, '-', '_' or '.'", parameter="name")
        if per_minute < 1:
            raise UsageError("--per-minute must be at least 1", parameter="per_minute")
        if self._run("SELECT name FROM api_keys WHERE name = ?", (name,)):
            raise UsageError(f"a key named {name!r} exists already (revoke it first, or choose another name)")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        self._run(
            "INSERT INTO api_keys (name, key_hash, shown, per_minute, created) VALUES (?, ?, ?, ?, ?)",
            (name, hash_key(key), key[: len(KEY_PREFIX) + 4] + "...", per_minute, _now()),
        )
        return key

    def keys(self) -> list[ApiKey]:
        rows = self._run("SELECT name, shown, per_minute, created, revoked FROM api_keys ORDER BY created, name")
        return [ApiKey(*row) for row in rows]

    def revoke_key(self, name: str) -> None:
        if not self._run("SELECT name FROM api_keys WHERE name = ? AND revoked IS NULL", (name,)):
            raise UsageError(f"no active key named {name!r}")
        self._run("UPDATE api_keys SET revoked = ? WHERE name = ?", (_now(), name))

    def client_of(self, key: str) -> tuple[str, int] | None:
        """``(name, requests per minute)`` of a valid, unrevoked key; ``None`` for any other value."""
        rows = self._run(
            "SELECT name, per_minute FROM api_keys WHERE key_hash = ? AND revoked IS NULL", (hash_key(key),)
        )
        return (rows[0][0], int(rows[0][1])) if rows else None

    # --------------------------------------------------------------------------------------- rate limits

    def hit(self, client: str, window_seconds: int = 60) -> int:
        """Count one request of ``client`` in the current window; returns the count so far (all workers)."""
        window = int(time.time()) // window_seconds * window_seconds
        rows = self._run(
            "INSERT INTO rate_windows (client, window_start, hits) VALUES (?, ?, 1) "
            "ON CONFLICT (client, window_start) DO UPDATE SET hits = rate_windows.hits + 1 RETURNING hits",
            (client, window),
        )
        self._sweeps += 1
        if self._sweeps % 500 == 0:
            self._run("DELETE FROM rate_windows WHERE window_start < ?", (window - window_seconds,))
        return int(rows[0][0])

    # --------------------------------------------------------------------------------------------- audit

    def audit(self, entry: AuditEntry) -> None:
        self._run(
            "INSERT INTO audit (time, client, endpoint, document_sha256, format, indication, sub_indication, "
            "status, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.time,
                entry.client,
                entry.endpoint,
                entry.document_sha256,
                entry.format,
                entry.indication,
                entry.sub_indication,
                entry.status,
                entry.duration_ms,
            ),
        )

    def audit_entries(self, limit: int = 100) -> list[AuditEntry]:
        rows = self._run(
            "SELECT time, client, endpoint, document_sha256, format, indication, sub_indication, status, "
            "duration_ms FROM audit ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [AuditEntry(*row) for row in rows]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
