"""Reading inputs and writing outputs safely: bounded reads, atomic writes, nothing left behind on failure."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sdk.core.errors import InputError
from sdk.files import read_bounded

MAX_DOCUMENT_SIZE = 512 * 1024 * 1024
"""Documents above this size are refused before being read."""


def read_document(path: Path) -> bytes:
    """The bytes of ``path`` with a clear :class:`InputError` for every way this can fail."""
    return read_bounded(path, limit=MAX_DOCUMENT_SIZE, what="a document")


def check_output(path: Path) -> None:
    """Fail early (before any signing or network call) when ``path`` cannot be an output file."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"{directory}: output directory does not exist")
    if path.is_dir():
        raise InputError(f"{path}: is a directory")


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it into place: all or nothing."""
    check_output(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=directory)
    except OSError as exc:
        raise InputError(f"{directory}: cannot write the output here ({exc.strerror})") from None
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes the file 0600; give it the mode open() would
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write the output ({exc.strerror})") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
