"""Issue 9, class 11 for ``kyso edxml unpack``: attachment names come from the network. A 124-letter Vietnamese name
(over 255 bytes of UTF-8) unpacks, cut at a character boundary with its extension kept; traversal, absolute paths,
backslashes, NUL and device names never leave the output directory or name a device."""

from __future__ import annotations

import json
from pathlib import Path

from edxml_support import full_message

from kyso.files import NAME_MAX
from kyso_edxml import codec
from kyso_edxml.model import Attachment, ManifestReference

LONG = ("ẤẦẨẪẬẮẰẲẴẶẾỀỂỄỆỐỒỔỖỘỚỜỞỠỢỨỪỬỮỰấầẩẫậắằẳẵặếềểễệốồổỗộớờởỡợứừửữự" * 3)[:124]


def _package(tmp_path: Path, names: list[str]) -> Path:
    message = full_message()
    message.attachments = [
        Attachment(
            content_id=f"cid:{n}",
            attachment_name=name,
            description=f"tệp {n}",
            content_type="application/pdf",
            data=f"%PDF-1.7 tệp {n}\n".encode(),
        )
        for n, name in enumerate(names, start=1)
    ]
    message.manifest = [
        ManifestReference(a.content_id, a.content_type, a.description, a.attachment_name) for a in message.attachments
    ]
    path = tmp_path / "in.edxml"
    path.write_bytes(codec.build(message))
    return path


def test_a_124_letter_vietnamese_name_unpacks(tmp_path, kyso_cli):
    name = LONG + ".pdf"
    assert len(name) == 128 and len(name.encode("utf-8")) > NAME_MAX
    out = tmp_path / "out"
    result = kyso_cli("edxml", "unpack", _package(tmp_path, [name, name]), "-d", out)
    assert result.exit_code == 0, result.stderr
    header = json.loads((out / "header.json").read_text("utf-8"))
    files = [entry["file"] for entry in header["attachments"]]
    assert len(set(files)) == 2
    for n, file in enumerate(files, start=1):
        assert len(file.encode("utf-8")) <= NAME_MAX
        assert file.endswith(".pdf")
        stem = file.removesuffix(".pdf").removesuffix("-2")
        assert LONG.startswith(stem) and len(stem) > 70  # cut at a character, not emptied
        assert (out / file).read_bytes() == f"%PDF-1.7 tệp {n}\n".encode()
    assert not list(out.glob(".kyso-*"))


def test_hostile_attachment_names_stay_in_the_directory(tmp_path, kyso_cli):
    hostile = [
        "../../escaped.pdf",
        "/tmp/absolute.pdf",
        "..\\..\\windows.pdf",
        "C:\\Windows\\system32\\drive.pdf",
        "tab\tand\nnewline.pdf",  # XML 1.0 carries no NUL or ESC at all; these are the controls it allows
        "NUL.pdf",
        "con",
        "..",
        ".hidden",
        "header.json",
        "trailing. . ",
    ]
    out = tmp_path / "deep" / "out"
    result = kyso_cli("edxml", "unpack", _package(tmp_path, hostile), "-d", out)
    assert result.exit_code == 0, result.stderr
    written = sorted(p.name for p in out.iterdir())
    header = json.loads((out / "header.json").read_text("utf-8"))
    files = [entry["file"] for entry in header["attachments"]]
    assert sorted([*files, "header.json"]) == written  # every file inside DIRECTORY, none elsewhere
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep", "in.edxml"]
    assert sorted(p.name for p in (tmp_path / "deep").iterdir()) == ["out"]
    assert files[:5] == ["escaped.pdf", "absolute.pdf", "windows.pdf", "drive.pdf", "tabandnewline.pdf"]
    assert files[5:7] == ["_NUL.pdf", "_con"]  # Windows device names, whatever the extension
    assert files[7] == "attachment-8" and files[8] == "hidden" and files[9] == "header-2.json"
    assert files[10] == "trailing"
    assert json.loads((out / "header.json").read_text("utf-8"))["attachments"][9]["file"] == "header-2.json"


def test_a_nul_or_an_escape_in_a_name_is_dropped():
    from kyso_edxml.cli import _safe_name

    assert _safe_name("a\x00b\x1b[2J.pdf", 1, set()) == "ab[2J.pdf"
