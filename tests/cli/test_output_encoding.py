"""Windows and pipes (issue 16, item 1): any output encoding works. JSON is always UTF-8 bytes, text output
degrades (escapes what the encoding cannot show) rather than crash, the error line never crashes, and
``--verbose`` is accepted after the sub-command as well as before it. Run as real processes: the encoding of a
pipe is decided by the interpreter (``PYTHONIOENCODING``, the Windows code page), not by click's test runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

VIETNAMESE = "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđĐơƠưƯ"


def _kyso(*args: object, encoding: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in {"KYSO_LANG", "PYTHONUTF8"}}
    env["PYTHONIOENCODING"] = encoding
    return subprocess.run(
        [sys.executable, "-m", "kyso", *(str(a) for a in args)],
        capture_output=True,  # stdout and stderr are pipes, as in ``kyso verify x.pdf > out.txt``
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.fixture
def document(signed_pdf: bytes, tmp_path: Path) -> Path:
    path = tmp_path / "công văn.pdf"
    path.write_bytes(signed_pdf)
    return path


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_json_is_utf8_whatever_the_output_encoding(document: Path, pki, tmp_path: Path, encoding: str) -> None:
    result = _kyso(
        "verify",
        document,
        "--trust",
        pki.root_cert,
        "--revocation",
        "off",
        "--format",
        "json",
        encoding=encoding,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    text = result.stdout.decode("utf-8")  # UTF-8 bytes, never the pipe's code page
    report = json.loads(text)
    assert report["indication"] == "TOTAL_PASSED"
    assert "công văn.pdf" in text or report.get("document", {}) is not None
    messages = json.dumps(report, ensure_ascii=False)
    assert any(letter in messages for letter in VIETNAMESE), "the Vietnamese text is kept, not escaped"
    assert "\\u" not in text.replace("\\u00", "")  # Vietnamese letters written as themselves


def test_the_text_report_degrades_under_cp1252(document: Path, pki, tmp_path: Path) -> None:
    result = _kyso("verify", document, "--trust", pki.root_cert, "--revocation", "off", encoding="cp1252", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode("cp1252", "replace")
    text = result.stdout.decode("cp1252")
    assert "HỢP LỆ" not in text  # not representable in cp1252 ...
    assert "H\\u1ee2P L\\u1ec6" in text  # ... so escaped, readable, and the verdict line is there


def test_the_text_report_stays_vietnamese_on_utf8(document: Path, pki, tmp_path: Path) -> None:
    result = _kyso("verify", document, "--trust", pki.root_cert, "--revocation", "off", encoding="utf-8", cwd=tmp_path)
    assert result.returncode == 0
    assert "HỢP LỆ" in result.stdout.decode("utf-8")


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_the_error_line_does_not_crash(tmp_path: Path, encoding: str) -> None:
    result = _kyso("verify", tmp_path / "công văn.pdf", encoding=encoding, cwd=tmp_path)
    stderr = result.stderr.decode("cp1252" if encoding == "cp1252" else "utf-8")  # click writes UTF-8 for "ascii"
    assert result.returncode == 2, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kyso: error: "), lines
    if encoding == "cp1252":
        assert "công v\\u0103n.pdf" in lines[0]  # ô exists in cp1252, ă does not


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_before_or_after_the_sub_command(tmp_path: Path, where: str) -> None:
    missing = tmp_path / "missing.pdf"
    args = ("--verbose", "verify", missing) if where == "before" else ("verify", missing, "--verbose")
    result = _kyso(*args, encoding="utf-8", cwd=tmp_path)
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 2, stderr
    assert "Traceback" in stderr  # --verbose took effect: the traceback comes with the error line
    assert stderr.rstrip().splitlines()[-1].startswith("kyso: error: ")


def test_verbose_after_a_nested_sub_command(tmp_path: Path) -> None:
    result = _kyso("cert", "validate", tmp_path / "missing.pem", "--verbose", encoding="utf-8", cwd=tmp_path)
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 2, stderr
    assert "Traceback" in stderr
