"""The agent's audit log: one SQLite row per call (time, origin, endpoint, document hash, signer, result), printed by
``kyso agent log``. It holds no document and no secret."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL, origin TEXT, endpoint TEXT NOT NULL, document_sha256 TEXT, document TEXT,
    signer TEXT, status INTEGER NOT NULL, message TEXT, elapsed_ms REAL
)
"""


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")  # a row per call, written while other calls run
            db.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=10)
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, no fsync per call
        return connection

    def record(
        self,
        *,
        origin: str | None,
        endpoint: str,
        status: int,
        message: str,
        document_sha256: str | None = None,
        document: str | None = None,
        signer: str | None = None,
        elapsed_ms: float | None = None,
    ) -> None:
        row = (datetime.now(UTC).isoformat(timespec="seconds"), origin, endpoint, document_sha256, document, signer)
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO calls (time, origin, endpoint, document_sha256, document, signer, status, message,"
                " elapsed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*row, int(status), message[:500], elapsed_ms),
            )

    def entries(self, limit: int = 50) -> list[dict[str, Any]]:
        """The last ``limit`` calls, oldest first."""
        with self._connect() as db:
            rows = db.execute("SELECT * FROM calls ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [dict(r) for r in reversed(rows)]


__all__ = ["AuditLog"]
