"""Issue 9, class 11: output paths. A device, FIFO or socket named as the output is refused and never replaced; an
atomic write that fails midway leaves the old file and no temporary file; the temporary name is short.

Never aimed at the machine's own /dev/null with a write: a broken rule would replace it for everyone. The device
tests use a copy of it made with mknod in the test's directory (skipped where mknod is not allowed).
"""

from __future__ import annotations

import errno
import os
import socket
import stat
from pathlib import Path

import pytest

from kyso.core.errors import InputError
from kyso.files import NAME_MAX, check_output, fit_name, write_atomically

OLD = b"%PDF-1.7 the old, complete document\n" * 100


def _sign_args(source: Path, output: Path, pki) -> list[object]:
    return ["sign", source, "-o", output, "--p12", pki.p12("person"), "--password-env", "KYSO_TEST_PW"]


@pytest.fixture
def source(tmp_path, unsigned_pdf) -> Path:
    path = tmp_path / "in.pdf"
    path.write_bytes(unsigned_pdf)
    return path


@pytest.fixture
def null_device(tmp_path) -> Path:
    """A character device like /dev/null (major 1, minor 3), in the test's own directory."""
    path = tmp_path / "null"
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here ({exc.strerror})")
    return path


def _kinds(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    sock = tmp_path / "sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(sock))
    listener.close()  # the socket file stays
    return {"fifo": fifo, "socket": sock}


def test_check_output_refuses_the_real_dev_null_without_writing():
    with pytest.raises(InputError, match="not a regular file"):
        check_output(Path("/dev/null"))  # only the check: nothing is ever written to the real one


def test_sign_refuses_a_fifo_or_a_socket_and_leaves_it(tmp_path, source, pki, kyso_cli):
    for kind, path in _kinds(tmp_path).items():
        result = kyso_cli(*_sign_args(source, path, pki), env={"KYSO_TEST_PW": pki.password})
        assert result.exit_code == 2, (kind, result.stderr)
        assert "not a regular file" in result.stderr
        mode = path.lstat().st_mode
        assert (stat.S_ISFIFO if kind == "fifo" else stat.S_ISSOCK)(mode), f"the {kind} was replaced"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "in.pdf", "sock"]


def test_sign_refuses_a_device_and_leaves_it(tmp_path, source, pki, kyso_cli, null_device):
    result = kyso_cli(*_sign_args(source, null_device, pki), env={"KYSO_TEST_PW": pki.password})
    assert result.exit_code == 2, result.stderr
    assert "not a regular file" in result.stderr
    assert stat.S_ISCHR(null_device.lstat().st_mode), "the device node was replaced by a regular file"


def test_write_atomically_refuses_a_device_even_when_it_appears_after_the_first_check(tmp_path, null_device):
    # a target that becomes a device between the check and the rename (a race) is still never replaced
    def chunks():
        yield b"new"
        null_device.rename(tmp_path / "out")

    with pytest.raises(InputError, match="not a regular file"):
        write_atomically(tmp_path / "out", chunks())
    assert stat.S_ISCHR((tmp_path / "out").lstat().st_mode)
    assert not list(tmp_path.glob(".kyso-*"))


def _failing_after(size: int, target: Path):
    """Chunks of a new document; a reader of ``target`` looks between chunks; then the disk is full."""
    sent = 0
    while sent < size:
        assert target.read_bytes() == OLD, "a reader saw a partial file"
        yield b"N" * 1000
        sent += 1000
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_write_failing_midway_leaves_the_old_file_and_nothing_else(tmp_path):
    target = tmp_path / "signed.pdf"
    target.write_bytes(OLD)
    with pytest.raises(InputError, match="No space left on device"):
        write_atomically(target, _failing_after(20_000, target))
    assert target.read_bytes() == OLD
    assert [p.name for p in tmp_path.iterdir()] == ["signed.pdf"]


def test_a_write_failing_at_flush_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "signed.pdf"
    target.write_bytes(OLD)

    def full(fd: int) -> None:
        assert target.read_bytes() == OLD, "the new bytes reached the output before the rename"
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(InputError, match="No space left on device"):
        write_atomically(target, b"N" * 50_000)
    monkeypatch.undo()
    assert target.read_bytes() == OLD
    assert [p.name for p in tmp_path.iterdir()] == ["signed.pdf"]


def test_an_interrupted_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "signed.pdf"
    target.write_bytes(OLD)

    def interrupted():
        yield b"N" * 1000
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, interrupted())
    assert target.read_bytes() == OLD
    assert [p.name for p in tmp_path.iterdir()] == ["signed.pdf"]


def test_a_complete_write_replaces_the_file(tmp_path):
    target = tmp_path / "signed.pdf"
    target.write_bytes(OLD)
    write_atomically(target, iter([b"new ", b"document"]))
    assert target.read_bytes() == b"new document"
    assert [p.name for p in tmp_path.iterdir()] == ["signed.pdf"]


def test_a_name_of_nearly_name_max_bytes_can_be_written(tmp_path):
    name = fit_name("Quyết định phê duyệt đề án chữ ký số " * 20 + ".pdf")
    assert NAME_MAX - 4 <= len(name.encode("utf-8")) <= NAME_MAX
    write_atomically(tmp_path / name, b"data")  # the temporary file's name does not grow with the output's
    assert (tmp_path / name).read_bytes() == b"data"


def test_fit_name_counts_bytes_and_keeps_the_extension():
    letters = ("ẤẦẨẪẬẮẰẲẴẶẾỀỂỄỆỐỒỔỖỘỚỜỞỠỢỨỪỬỮỰ" * 5)[:124]  # 3 bytes each in UTF-8
    fitted = fit_name(letters + ".docx")
    assert len(fitted.encode("utf-8")) <= NAME_MAX
    assert fitted.endswith(".docx") and letters.startswith(fitted.removesuffix(".docx"))
    assert fit_name("short.pdf") == "short.pdf"
