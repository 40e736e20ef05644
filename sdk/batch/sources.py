"""What a batch runs over: files, folders, globs, ``@list.txt`` and ``adapter:NAME``, as a stream of
:class:`Source` items (never a list: a province's archive holds millions of files).

Every way one input cannot be read becomes an item that fails alone with its reason, never an exception that
stops the batch: a dangling symlink, a symlink loop, a FIFO or device (never opened: reading a FIFO blocks), a
folder whose listing fails (permission, I/O error), a glob that matches nothing.
"""

from __future__ import annotations

import glob
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kyso.core.errors import UsageError

MAX_LIST_FILE = 64 * 1024 * 1024
"""An ``@list.txt`` larger than this is refused (one path per line: about a million paths)."""

_GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class Source:
    """One input of a batch."""

    key: str
    """Stable identity across runs (the journal's key): the absolute path, or ``adapter:NAME:ITEM-ID``."""
    relative: str
    """Where its output goes under ``-o DIR`` (POSIX separators): the path below the folder given, or the name."""
    path: str | None = None
    """The file to read (workers read it themselves: the storage reads are spread over the workers)."""
    load: Callable[[], bytes] | None = None
    """For items that are not files (an adapter's store): fetches the bytes, in the process that runs the batch."""
    problem: str | None = None
    """Why this input cannot be processed at all: the item fails with this reason and the others proceed."""


def expand(specs: Iterable[str], *, skip: Iterable[str | os.PathLike[str]] = ()) -> Iterator[Source]:
    """The items named by ``specs`` (each a file, a folder walked recursively, a glob, ``@LIST`` or
    ``adapter:NAME``), each once, in a stable order. Hidden files (``.kyso-batch.sqlite``, ``.kyso-*.partial``)
    and the paths in ``skip`` (the journal, the report) are left out of folders."""
    skipped = {os.path.abspath(p) for p in skip}
    seen: set[str] = set()
    for spec in specs:
        for source in _expand_one(spec, skipped):
            if source.key not in seen:
                seen.add(source.key)
                yield source
    seen.clear()


def _expand_one(spec: str, skipped: set[str]) -> Iterator[Source]:
    if spec.startswith("adapter:"):
        yield from _adapter_items(spec.removeprefix("adapter:"))
    elif spec.startswith("@"):
        yield from _listed(spec[1:], skipped)
    elif _GLOB_CHARACTERS & set(spec) and not os.path.lexists(spec):
        matches = sorted(glob.glob(spec, recursive=True))
        if not matches:
            yield Source(key=spec, relative=os.path.basename(spec), problem="no file matches this pattern")
        for match in matches:
            yield from _path(match, skipped, relative=os.path.basename(match))
    else:
        yield from _path(spec, skipped, relative=os.path.basename(os.path.normpath(spec)))


def _path(spec: str, skipped: set[str], *, relative: str) -> Iterator[Source]:
    absolute = os.path.abspath(spec)
    try:
        mode = os.stat(absolute).st_mode
    except OSError as exc:
        yield _unreadable(absolute, relative, exc)
        return
    if stat.S_ISDIR(mode):
        yield from _walk(absolute, skipped)
    else:
        yield _file(absolute, relative, mode)


def _walk(top: str, skipped: set[str]) -> Iterator[Source]:
    """Every non-hidden file under ``top``, relative paths kept; a sub-folder that cannot be listed is an item
    that fails (the rest of the tree is still walked). Symlinked folders are not followed (no loops)."""
    pending = [top]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            yield _unreadable(folder, _relative(folder, top) + "/", exc, what="folder")
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith(".") or entry.path in skipped:
                continue
            relative = _relative(entry.path, top)
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(entry.path)
                    continue
                mode = os.stat(entry.path).st_mode
            except OSError as exc:
                yield _unreadable(entry.path, relative, exc)
                continue
            if stat.S_ISDIR(mode):  # a symlink to a folder: not followed
                yield Source(key=entry.path, relative=relative, problem="a link to a folder (not followed)")
                continue
            yield _file(entry.path, relative, mode)
        pending.extend(reversed(subfolders))


def _relative(path: str, top: str) -> str:
    return Path(os.path.relpath(path, top)).as_posix()


def _file(path: str, relative: str, mode: int) -> Source:
    if not stat.S_ISREG(mode):
        return Source(key=path, relative=relative, problem="not a regular file (a FIFO, device or socket)")
    return Source(key=path, relative=relative, path=path)


def _unreadable(path: str, relative: str, exc: OSError, *, what: str = "file") -> Source:
    reason = exc.strerror or exc.__class__.__name__
    if isinstance(exc, FileNotFoundError) and os.path.islink(path):
        reason = "a link to nothing (dangling symlink)"
    return Source(key=path, relative=relative, problem=f"cannot read the {what}: {reason}")


def _listed(list_path: str, skipped: set[str]) -> Iterator[Source]:
    """``@list.txt``: one path (file, folder or glob) per line; blank lines and ``#`` comments skipped; relative
    paths are taken from the list file's folder."""
    from kyso.files import read_bounded

    text = read_bounded(list_path, limit=MAX_LIST_FILE, what="a list of paths").decode("utf-8", "replace")
    base = os.path.dirname(os.path.abspath(list_path))
    for line in text.splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        if entry.startswith(("@", "adapter:")):
            raise UsageError(f"{list_path}: a list holds paths only, not {entry[:40]!r}")
        yield from _expand_one(os.path.join(base, entry), skipped)


def _adapter_items(spec: str) -> Iterator[Source]:
    """``adapter:NAME[@USER]``: the items awaiting USER (default: the configured account) on an adapter's platform,
    configured as for ``kyso sync``; downloaded in this process when processed, the output named after the item."""
    from kyso.adapters.registry import get_adapter
    from kyso.core.adapter import AdapterConfig
    from kyso.files import fit_name

    name, _, user = spec.partition("@")
    config = AdapterConfig.load(name)
    adapter = get_adapter(name, config=config)
    for item in adapter.pending(user or config.credentials.username or ""):
        key = f"adapter:{name}:{item.id}"
        if item.problem:
            yield Source(key=key, relative=fit_name(item.name), problem=item.problem)
            continue
        yield Source(
            key=key, relative=fit_name(os.path.basename(item.name) or item.id), load=_downloader(adapter, item)
        )


def _downloader(adapter: object, item: object) -> Callable[[], bytes]:
    def load() -> bytes:
        return adapter.download(item)  # type: ignore[attr-defined, no-any-return]

    return load


__all__ = ["MAX_LIST_FILE", "Source", "expand"]
