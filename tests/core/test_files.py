"""``kyso.files.read_bounded``: a file is read in what it holds, never in what its limit allows."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from kyso.core.errors import InputError
from kyso.files import read_bounded


def test_a_small_file_costs_its_size_not_its_limit(tmp_path: Path) -> None:
    """``read(limit + 1)`` allocated the whole limit first: 10 MiB for every certificate given to ``--trust``,
    256 MiB of Python memory for every document."""
    path = tmp_path / "root.pem"
    path.write_bytes(b"x" * 5000)
    tracemalloc.start()
    try:
        data = read_bounded(path, limit=256 * 1024 * 1024, what="a document")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert data == b"x" * 5000
    assert peak < 1024 * 1024


def test_the_limit_still_holds_for_a_file_read_in_pieces(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    path.write_bytes(b"y" * 200_000)
    assert read_bounded(path, limit=200_000, what="a document") == b"y" * 200_000
    with pytest.raises(InputError, match="too large"):
        read_bounded(path, limit=199_999, what="a document")
