"""Reading a user's file, bounded in size, with one clear :class:`~sdk.core.errors.InputError` for every way it can
fail: documents, certificates and key stores all go through here."""

from __future__ import annotations

import os
from pathlib import Path

from sdk.core.errors import InputError


def read_bounded(path: str | os.PathLike[str], *, limit: int, what: str) -> bytes:
    """The bytes of ``path``; refused before reading when larger than ``limit`` (``what`` names the file's role in
    the message, e.g. "a PKCS#12 file")."""
    path = Path(path)
    try:
        if path.is_dir():
            raise InputError(f"{path}: is a directory")
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"{path}: too large for {what} ({size} bytes; the limit is {limit})")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:  # not a directory on the way, name too long, I/O error ...
        raise InputError(f"{path}: cannot read ({exc.strerror or exc.__class__.__name__})") from None
