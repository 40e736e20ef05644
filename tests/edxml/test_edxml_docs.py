"""Issue 16, item 7: docs/edxml.md matches what ``kyso edxml pack`` accepts. Its header.json example and command
run as written, every key of the model is documented, and the Python helper packs from header fields and files
with ContentIds assigned."""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
from pathlib import Path

import pytest

import kyso_edxml
from kyso.core.errors import InputError
from kyso_edxml import model
from kyso_edxml.jsonio import _key

DOC = (Path(__file__).resolve().parents[2] / "docs" / "edxml.md").read_text("utf-8")
SECTION = DOC.split("## header.json", 1)[1].split("\n## ", 1)[0]


def test_the_documented_header_packs_as_written(kyso_cli, tmp_path, monkeypatch):
    header = re.search(r"```json\n(.*?)```", SECTION, re.S).group(1)
    command = re.search(r"```sh\n(kyso edxml pack .*?)\n```", SECTION, re.S).group(1)
    (tmp_path / "header.json").write_text(header, encoding="utf-8")
    args = shlex.split(command)[1:]
    for name in args[args.index("--attach") + 1 :: 2]:
        (tmp_path / name).write_bytes(b"%PDF-1.7 " + name.encode())
    monkeypatch.chdir(tmp_path)
    result = kyso_cli(*args)
    assert result.exit_code == 0, result.stderr
    message = kyso_edxml.parse((tmp_path / "cong-van.edxml").read_bytes())
    assert not message.warnings
    described = json.loads(header)
    assert message.header.subject == described["header"]["subject"]
    assert message.header.document_id == described["header"]["document_id"]
    assert [(a.content_id, a.description) for a in message.attachments] == [
        ("cid:1", "Văn bản chính"),
        ("cid:phu-luc", "Phụ lục I"),
    ]
    assert [m.content_id for m in message.manifest] == ["cid:1", "cid:phu-luc"]


MODEL_CLASSES = [
    model.EdXMLMessage, model.MessageHeader, model.Organization, model.Code, model.PromulgationInfo,
    model.DocumentType, model.SignerInfo, model.OtherInfo, model.ResponseFor, model.TraceHeader, model.Bussiness,
    model.Attachment, model.StatusHeader,
]  # fmt: skip


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda cls: cls.__name__)
def test_every_key_pack_accepts_is_documented(cls):
    for spec in dataclasses.fields(cls):
        if spec.name not in ("warnings", "signed", "data"):
            assert re.search(rf"`(header\.)?{re.escape(_key(spec))}(\[\])?`", SECTION), _key(spec)


def test_the_python_helper_assigns_content_ids(tmp_path):
    (tmp_path / "cong-van.pdf").write_bytes(b"%PDF-1.7 main")
    header = {"header": {"from": {"organ_id": "000.00.00.H41"}, "to": [{"organ_id": "000.00.00.G22"}]}}
    data = kyso_edxml.pack(header, [tmp_path / "cong-van.pdf", ("phu-luc.docx", b"PK docx")])
    message = kyso_edxml.parse(data)
    assert [(a.content_id, a.attachment_name, a.content_type) for a in message.attachments] == [
        ("cid:1", "cong-van.pdf", "application/pdf"),
        ("cid:2", "phu-luc.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ]
    assert message.attachments[1].data == b"PK docx"
    again = kyso_edxml.pack(message, [("them.txt", b"x")])  # a message object: its attachments kept, ids fresh
    assert [a.content_id for a in kyso_edxml.parse(again).attachments] == ["cid:1", "cid:2", "cid:3"]
    with pytest.raises(InputError, match="unknown keys subjet"):  # a typo is refused, never dropped
        kyso_edxml.pack({"header": {**header["header"], "subjet": "typo"}})
