"""``kyso edxml pack | unpack | status`` and ``kyso sign`` / ``kyso verify`` on edXML."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zipfile
from pathlib import Path

import pytest
from edxml_support import SAMPLES, full_message

from kyso.testing.pki import TestPKI
from kyso_edxml import codec, jsonio
from kyso_edxml.model import EdXMLMessage, StatusMessage

needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/interop/edxml is absent")


def _header(tmp_path: Path, message: EdXMLMessage | None = None) -> Path:
    message = message or full_message()
    data = jsonio.to_json(message)
    data.pop("attachments")
    data.pop("manifest")
    path = tmp_path / "header.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_pack_sign_verify_unpack(tmp_path: Path, kyso_cli, pki: TestPKI, files_unchanged) -> None:
    letter = tmp_path / "cong-van.pdf"
    letter.write_bytes(b"%PDF-1.7 cong van\n")
    annex = tmp_path / "phu-luc.docx"
    annex.write_bytes(bytes(range(256)) * 10)
    out = tmp_path / "out.edxml"
    result = kyso_cli("edxml", "pack", "--header", _header(tmp_path), "--attach", letter, "--attach", annex, "-o", out)
    assert result.exit_code == 0, result.stderr
    message = codec.parse(out.read_bytes())
    assert [a.attachment_name for a in message.attachments] == ["cong-van.pdf", "phu-luc.docx"]
    assert [a.content_type for a in message.attachments][0] == "application/pdf"
    assert [r.content_id for r in message.manifest] == [a.content_id for a in message.attachments]

    password = tmp_path / "password"
    password.write_text(pki.password, encoding="utf-8")
    signed = tmp_path / "signed.edxml"
    files_unchanged(out)
    result = kyso_cli("sign", out, "-o", signed, "--p12", pki.p12("person"), "--password-file", password)
    assert result.exit_code == 0, result.stderr
    result = kyso_cli("verify", signed, "--trust", pki.root_cert, "--revocation", "off", "--format", "json")
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["format"] == "edxml" and report["indication"] == "TOTAL_PASSED"
    text = kyso_cli("verify", signed, "--trust", pki.root_cert, "--revocation", "off", "--lang", "en")
    assert "Verdict: VALID" in text.stdout

    tampered = tmp_path / "tampered.edxml"
    tampered.write_bytes(signed.read_bytes().replace(b"cong-van.pdf", b"cong-van.PDF"))
    result = kyso_cli("verify", tampered, "--trust", pki.root_cert, "--revocation", "off", "--format", "json")
    assert result.exit_code == 1 and json.loads(result.stdout)["indication"] == "TOTAL_FAILED"

    result = kyso_cli("edxml", "unpack", signed, "-d", tmp_path / "unpacked")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "unpacked" / "cong-van.pdf").read_bytes() == letter.read_bytes()
    assert (tmp_path / "unpacked" / "phu-luc.docx").read_bytes() == annex.read_bytes()
    header = json.loads((tmp_path / "unpacked" / "header.json").read_text(encoding="utf-8"))
    assert header["header"]["subject"] == full_message().header.subject


def test_unpack_verify_writes_only_what_was_signed(tmp_path: Path, kyso_cli, pki: TestPKI, signer_for) -> None:
    import kyso

    signed = tmp_path / "signed.edxml"
    signed.write_bytes(kyso.sign(codec.build(full_message()), signer=signer_for("person")))
    options = ["--verify", "--trust", pki.root_cert, "--revocation", "off"]
    result = kyso_cli("edxml", "unpack", signed, "-d", tmp_path / "ok", *options)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "ok" / "1234-UBND-VX.pdf").read_bytes() == full_message().attachments[0].data
    tampered = tmp_path / "tampered.edxml"
    tampered.write_bytes(signed.read_bytes().replace(b"1234-UBND-VX.pdf", b"1234-UBND-VX.exe"))
    result = kyso_cli("edxml", "unpack", tampered, "-d", tmp_path / "bad", *options)
    assert result.exit_code == 1 and "TOTAL_FAILED" in result.stderr
    assert not (tmp_path / "bad").exists()
    untrusted = kyso_cli("edxml", "unpack", signed, "-d", tmp_path / "x", "--verify", "--revocation", "off")
    assert untrusted.exit_code == 1 and "INDETERMINATE" in untrusted.stderr


def test_pack_zip(tmp_path: Path, kyso_cli) -> None:
    letter = tmp_path / "cong-van.doc"
    letter.write_bytes(b"noi dung " * 1000)
    out = tmp_path / "out.edxml"
    assert (
        kyso_cli("edxml", "pack", "--header", _header(tmp_path), "--attach", letter, "--zip", "-o", out).exit_code == 0
    )
    (attachment,) = codec.parse(out.read_bytes()).attachments
    assert attachment.is_zip and attachment.content_type == "application/zip"
    with zipfile.ZipFile(__import__("io").BytesIO(attachment.data)) as archive:
        assert archive.read("cong-van.doc") == letter.read_bytes()


def test_unpack_then_pack_gives_the_same_message(tmp_path: Path, kyso_cli) -> None:
    original = tmp_path / "original.edxml"
    original.write_bytes(codec.build(full_message()))
    assert kyso_cli("edxml", "unpack", original, "-d", tmp_path / "a").exit_code == 0
    repacked = tmp_path / "repacked.edxml"
    result = kyso_cli(
        "edxml", "pack", "--header", tmp_path / "a" / "header.json",
        "--attach", tmp_path / "a" / "1234-UBND-VX.pdf", "-o", repacked,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert codec.parse(repacked.read_bytes()) == full_message()
    assert repacked.read_bytes() == original.read_bytes()


def test_unpack_sanitizes_attachment_names(tmp_path: Path, kyso_cli) -> None:
    message = full_message()
    message.attachments[0].attachment_name = "../../evil.sh"
    second = codec.Attachment("cid:2", "..", "x", "text/plain", b"two")
    third = codec.Attachment("cid:3", "header.json", "x", "text/plain", b"three")
    message.attachments += [second, third]
    message.manifest = []
    source = tmp_path / "in.edxml"
    source.write_bytes(codec.build(message))
    target = tmp_path / "deep" / "out"
    assert kyso_cli("edxml", "unpack", source, "-d", target).exit_code == 0
    names = sorted(p.name for p in target.iterdir())
    assert names == ["attachment-2", "evil.sh", "header-2.json", "header.json"]
    assert not (tmp_path / "evil.sh").exists()
    assert json.loads((target / "header.json").read_text(encoding="utf-8"))["kind"] == "document"


def test_status_command(tmp_path: Path, kyso_cli) -> None:
    out = tmp_path / "status.edxml"
    result = kyso_cli(
        "edxml", "status", "--for", "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT", "--code", "05",
        "--organ-id", "000.00.00.H41", "--organ-name", "UBND Tỉnh Nghệ An", "--staff", "Nguyễn Thị Ngọc Trâm",
        "--timestamp", "2026-11-22T10:05:30+07:00", "-o", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    message = codec.parse(out.read_bytes())
    assert isinstance(message, StatusMessage) and message.warnings == []
    assert message.header.status_code == "05" and message.header.description == "Đang xử lý"
    assert message.header.response_for.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert message.header.timestamp.isoformat() == "2026-11-22T10:05:30"
    assert message.header.staff_info.staff == "Nguyễn Thị Ngọc Trâm"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--code", "07", "--organ-id", "000.00.00.H41"], "status code"),
        (["--code", "05", "--organ-id", "H41"], "--organ-id"),
        (["--code", "05", "--organ-id", "000.00.00.H41", "--timestamp", "yesterday"], "ISO 8601"),
    ],
)
def test_status_command_refusals(tmp_path: Path, kyso_cli, args: list[str], message: str) -> None:
    out = tmp_path / "status.edxml"
    result = kyso_cli("edxml", "status", "--for", "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT", *args, "-o", out)
    assert result.exit_code == 2 and message in result.stderr
    assert not out.exists()


def test_pack_refusals(tmp_path: Path, kyso_cli) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    out = tmp_path / "out.edxml"
    assert kyso_cli("edxml", "pack", "--header", bad, "-o", out).exit_code == 2
    message = full_message()
    message.header.from_.organ_id = "H41"
    result = kyso_cli("edxml", "pack", "--header", _header(tmp_path, message), "-o", out)
    assert result.exit_code == 2 and "OrganId" in result.stderr
    assert not out.exists()


@needs_samples
@pytest.mark.interop
@pytest.mark.parametrize("name", ["edoc_new.edxml", "edoc_update.edxml"])
def test_unpack_samples_keeps_attachments_intact(name: str, tmp_path: Path, kyso_cli) -> None:
    source = SAMPLES / name
    result = kyso_cli("edxml", "unpack", source, "-d", tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "warning:" in result.stderr  # the legacy signature and date forms are reported
    encoded = re.search(rb"ContentTransferEncoded[^>]*>([^<]+)<", source.read_bytes())[1]
    written = (tmp_path / "1896_QD-TTg_m_294779.doc").read_bytes()
    assert hashlib.sha256(written).digest() == hashlib.sha256(base64.b64decode(encoded)).digest()
    assert zipfile.ZipFile(tmp_path / "1896_QD-TTg_m_294779.doc").testzip() is None
    header = json.loads((tmp_path / "header.json").read_text(encoding="utf-8"))
    assert header["attachments"][0]["content_id"] == "cid:209"
    assert header["header"]["from"]["organ_id"] in ("000.00.11.H53", "000.00.00.G22")


@needs_samples
@pytest.mark.interop
def test_verify_samples_exit_1(kyso_cli) -> None:
    for name, indication in [("edoc_new.edxml", "TOTAL_FAILED"), ("status_processing_05.edxml", "NO_SIGNATURE")]:
        result = kyso_cli("verify", SAMPLES / name, "--offline", "--format", "json")
        assert result.exit_code == 1
        assert json.loads(result.stdout)["indication"] == indication


@pytest.mark.parametrize("entry", [{"file": ["cong-van.pdf"]}, {"content_id": "cid:1"}])
def test_pack_header_attachment_without_a_file_name_is_one_line(tmp_path: Path, kyso_cli, entry) -> None:
    header = tmp_path / "header.json"
    header.write_text(json.dumps({"attachments": [entry]}), encoding="utf-8")
    letter = tmp_path / "cong-van.pdf"
    letter.write_bytes(b"%PDF-1.7\n")
    result = kyso_cli("edxml", "pack", "--header", header, "--attach", letter, "-o", tmp_path / "out.edxml")
    assert result.exit_code == 2 and "needs its file name" in result.stderr, result.stderr
