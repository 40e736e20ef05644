"""A small on-disk cache of revocation answers (OCSP responses, CRLs) and AIA certificates, by validity window.

One OCSP request then serves every document signed by the same certificate until the response's ``nextUpdate``;
a CRL serves until its ``nextUpdate``. The cache holds only signed objects: every use re-checks the signature,
the responder's authorisation and the freshness exactly as for a fresh answer, so a tampered cache file can make
an answer unusable (then it is fetched again) but never make a certificate look good.

Location: ``KYSO_CACHE_DIR`` (``off`` disables the disk cache), else the user cache directory
(``~/.cache/kyso`` on Linux, ``~/Library/Caches/kyso`` on macOS, ``%LOCALAPPDATA%\\kyso\\Cache`` on Windows).
Corrupt, truncated or unreadable entries are ignored and removed.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

CACHE_ENV = "KYSO_CACHE_DIR"
MAX_ENTRY = 16 * 1024 * 1024
"""Entries above this size (a huge CRL, garbage) are not cached."""
_STAMP = 8
"""Each file starts with its expiry as 8 big-endian bytes (POSIX seconds), then the DER."""


def default_cache_dir() -> Path | None:
    """The cache directory in use, or ``None`` when the disk cache is off."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return None if configured.strip().lower() == "off" else Path(configured)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "kyso" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "kyso"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kyso"


class AnswerCache:
    """DER blobs by key, each valid until its own expiry; a memory layer in front of the directory."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._memory: dict[str, tuple[datetime, bytes]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(kind: str, *parts: bytes | str) -> str:
        digest = hashlib.sha256(kind.encode())
        for part in parts:
            digest.update(b"\0" + (part.encode() if isinstance(part, str) else part))
        return f"{kind}-{digest.hexdigest()[:40]}"

    def get(self, key: str, now: datetime | None = None) -> bytes | None:
        """The blob stored under ``key`` if it has not expired; ``None`` otherwise (corrupt files are removed)."""
        now = now or datetime.now(UTC)
        with self._lock:
            hit = self._memory.get(key)
        if hit is not None:
            if hit[0] > now:
                return hit[1]
            with self._lock:
                self._memory.pop(key, None)
        path = self._path(key)
        if path is None:
            return None
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        if len(raw) <= _STAMP or len(raw) > MAX_ENTRY + _STAMP:
            self._discard(path)
            return None
        expiry = datetime.fromtimestamp(int.from_bytes(raw[:_STAMP], "big"), UTC)
        if expiry <= now:
            self._discard(path)
            return None
        with self._lock:
            self._memory[key] = (expiry, raw[_STAMP:])
        return raw[_STAMP:]

    def put(self, key: str, blob: bytes, expiry: datetime) -> None:
        """Keep ``blob`` until ``expiry``; writing is atomic and failures are silent (a cache is optional)."""
        if expiry <= datetime.now(UTC) or len(blob) > MAX_ENTRY:
            return
        with self._lock:
            self._memory[key] = (expiry, blob)
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=".", suffix=".partial", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(int(expiry.timestamp()).to_bytes(_STAMP, "big") + blob)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            return

    def forget(self, key: str) -> None:
        """Drop an entry that turned out to be unusable."""
        with self._lock:
            self._memory.pop(key, None)
        path = self._path(key)
        if path is not None:
            self._discard(path)

    def clear_memory(self) -> None:
        with self._lock:
            self._memory.clear()

    def _path(self, key: str) -> Path | None:
        if self.directory is None:
            return None
        kind = key.split("-", 1)[0]
        return self.directory / "revocation" / kind / f"{key}.der"

    @staticmethod
    def _discard(path: Path) -> None:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


_caches: dict[Path | None, AnswerCache] = {}
_caches_lock = threading.Lock()


def answer_cache() -> AnswerCache:
    """The process-wide cache for the configured directory (re-read from the environment on every call)."""
    directory = default_cache_dir()
    with _caches_lock:
        cache = _caches.get(directory)
        if cache is None:
            cache = _caches[directory] = AnswerCache(directory)
        return cache


DEFAULT_WINDOW = timedelta(minutes=5)
"""How long an OCSP response without ``nextUpdate`` is reused."""
