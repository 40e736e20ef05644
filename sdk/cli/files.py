"""Reading inputs and writing outputs safely for the commands: bounded reads, atomic writes, nothing left behind on
failure (the rules live in :mod:`kyso.files`)."""

from __future__ import annotations

from pathlib import Path

from kyso.files import check_output, read_bounded, write_atomically

MAX_DOCUMENT_SIZE = 512 * 1024 * 1024
"""Documents above this size are refused before being read."""


def read_document(path: Path) -> bytes:
    """The bytes of ``path`` with a clear :class:`InputError` for every way this can fail."""
    return read_bounded(path, limit=MAX_DOCUMENT_SIZE, what="a document")


__all__ = ["MAX_DOCUMENT_SIZE", "check_output", "read_document", "write_atomically"]
