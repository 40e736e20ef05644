"""Files of the user: reading one bounded in size, writing one all or nothing, with one clear
:class:`~kyso.core.errors.InputError` for every way it can fail. Documents, certificates and key stores are read
here; every output (signed documents, unpacked attachments, reports, the sync journal's signed files) is written
here."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kyso.core.errors import InputError

NAME_MAX = 255
"""The longest file name most file systems take, in bytes (ext4, XFS, Btrfs, APFS: 255 bytes of UTF-8)."""

MAX_DOCUMENT_SIZE = 512 * 1024 * 1024
"""Documents above this size are refused before being read (:func:`read_document`)."""


_CHUNK = 1 << 16


def _read_at_most(handle: Any, count: int, size: int) -> bytes:
    """At most ``count`` bytes of ``handle``, in reads of the size the file reported (or 64 KiB): ``read(count)``
    would allocate ``count`` bytes first (256 MiB for a document, 10 MiB for a certificate) whatever the file."""
    parts = []
    left = count
    while left > 0:
        chunk = handle.read(min(left, max(size + 1, _CHUNK)))
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def read_bounded(path: str | os.PathLike[str], *, limit: int, what: str) -> bytes:
    """The bytes of ``path``; refused before reading when larger than ``limit`` (``what`` names the file's role in
    the message, e.g. "a PKCS#12 file").

    The size is checked before reading and the read itself stops after ``limit`` bytes: a device or a pipe
    (``/dev/zero``, ``/dev/stdin``) reports a size of 0, and a file may grow between the two steps."""
    path = Path(path)
    try:
        if path.is_dir():
            raise InputError(f"{path}: is a directory", vi=f"{path}: là một thư mục, không phải tệp")
        size = path.stat().st_size
        if size > limit:
            raise InputError(
                f"{path}: too large for {what} ({size} bytes; the limit is {limit})",
                vi=f"{path}: tệp quá lớn ({size} byte; tối đa {limit})",
            )
        with path.open("rb") as handle:
            data = _read_at_most(handle, limit + 1, size)
        if len(data) > limit:
            raise InputError(
                f"{path}: too large for {what} (more than {limit} bytes)",
                vi=f"{path}: tệp quá lớn (hơn {limit} byte)",
            )
        return data
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", vi=f"{path}: không có tệp này") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory", vi=f"{path}: là một thư mục, không phải tệp") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied", vi=f"{path}: không có quyền đọc tệp") from None
    except OSError as exc:  # not a directory on the way, name too long, I/O error ...
        raise InputError(f"{path}: cannot read ({exc.strerror or exc.__class__.__name__})") from None


def read_document(path: str | os.PathLike[str]) -> bytes:
    """The bytes of the document at ``path`` (a PDF, an edXML package, a certificate, a header JSON ...), refused
    above :data:`MAX_DOCUMENT_SIZE`: the commands of Kyso and of its plugins read every user file through this."""
    return read_bounded(path, limit=MAX_DOCUMENT_SIZE, what="a document")


def check_output(path: str | os.PathLike[str]) -> None:
    """Fail early (before any signing or network call) when ``path`` cannot be an output file.

    Kyso rule (issue 9, class 11): the output is a regular file or does not exist yet. A device, FIFO or socket is
    refused, never replaced: ``os.replace`` onto ``/dev/null`` run as root would put a regular file in place of
    the device for every program on the machine; a FIFO would block or feed a reader half a document. ``-o
    /dev/null`` is refused too (there is no all-or-nothing write into a device): to discard an output, write it
    to a temporary directory."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(
            f"{directory}: output directory does not exist", vi=f"{directory}: thư mục để ghi tệp không tồn tại"
        )
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:  # a name too long, a loop of links, no permission on the way ...
        raise InputError(f"{path}: cannot write the output here ({exc.strerror or exc.__class__.__name__})") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{path}: is a directory")
    if not stat.S_ISREG(mode):
        raise InputError(f"{path}: not a regular file (a device, FIFO or socket); Kyso never writes over one")


def write_atomically(path: str | os.PathLike[str], data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` (bytes, or chunks of bytes) to a temporary file beside ``path``, flush it to disk and rename
    it into place: all or nothing.

    Kyso rule (issue 9, class 11): a write that fails midway (disk full, a generator that raises, Ctrl-C) leaves
    the old file untouched and no temporary file behind, and a reader of ``path`` never sees a partial file. The
    temporary name is short (``.kyso-XXXXXXXX.partial``), never the output's name plus a suffix, so an output
    whose name is close to :data:`NAME_MAX` bytes can still be written."""
    path = Path(path)
    check_output(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=".kyso-", suffix=".partial", dir=directory)
    except OSError as exc:
        raise InputError(f"{directory}: cannot write the output here ({exc.strerror})") from None
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes the file 0600; give it the mode open() would
        with os.fdopen(fd, "wb") as handle:
            for chunk in [data] if isinstance(data, bytes | bytearray | memoryview) else data:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        check_output(path)  # still not a device: the check before the write may be minutes old
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write the output ({exc.strerror or exc.__class__.__name__})") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_directory(directory)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (best effort: not every system can open a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def fit_name(name: str, limit: int = NAME_MAX) -> str:
    """``name`` cut to at most ``limit`` bytes of UTF-8, at a character boundary, its extension kept (issue 9,
    class 11: a 124-letter Vietnamese name is about 300 bytes, beyond what the file system takes)."""
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    suffix = f".{extension}" if dot and stem and len(extension.encode("utf-8")) <= 16 else ""
    stem = name[: len(name) - len(suffix)]
    budget = limit - len(suffix.encode("utf-8"))
    return stem.encode("utf-8")[:budget].decode("utf-8", "ignore").rstrip(" .") + suffix
