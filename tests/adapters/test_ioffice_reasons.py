"""Issue 9, class 9: the reason a rejection sends back to another agency is a fixed category, never a parser's or the
filesystem's words (which made the status packet a file-existence oracle). The hostile packages are built here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kyso
from kyso.conformance.checks import sample_pdf as make_pdf
from kyso.xmldsig import xmlsafe
from kyso_edxml import codec
from kyso_edxml.model import Attachment, EdXMLMessage, MessageHeader, Organization
from kyso_ioffice.workflow import REJECTION_REASONS

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
SENDER = Organization(organ_id="000.00.00.H41", organ_name="Ủy ban nhân dân tỉnh Nghệ An")
RECEIVER = Organization(organ_id="000.00.00.G22", organ_name="Văn phòng Chính phủ")


def _xxe(target: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file://{target}">]>\n'
        f'<edXML:edXML xmlns:edXML="{NS}"><edXML:edXMLEnvelope><edXML:edXMLHeader><edXML:MessageHeader>'
        "<edXML:Subject>&xxe;</edXML:Subject></edXML:MessageHeader></edXML:edXMLHeader></edXML:edXMLEnvelope>"
        "</edXML:edXML>"
    ).encode()


def _external_dtd(target: str) -> bytes:
    return f'<!DOCTYPE edXML SYSTEM "{target}"><edXML:edXML xmlns:edXML="{NS}"/>'.encode()


def _receive(tmp_path: Path, packages: list[bytes], pki) -> tuple[list, list[bytes]]:
    """Run ``receive`` over ``packages``: (results in order, the Description bytes of each status packet sent)."""
    from adapters_support import receive_in_simulator  # here: other modules load it as a pytest plugin

    results, sent = receive_in_simulator(tmp_path, packages, pki, RECEIVER)
    descriptions = []
    for packet in sent:
        found = re.findall(rb"<edXML:Description>(.*?)</edXML:Description>", packet, re.DOTALL)
        assert len(found) == 1, packet
        descriptions.append(found[0])
    return results, descriptions


def _assert_generic(descriptions: list[bytes], category: str, *leaks: str) -> None:
    expected = REJECTION_REASONS[category].encode()
    assert descriptions == [expected] * len(descriptions)
    for word in ("/", "line", "column", "lxml", "DOCTYPE", "entity", "Entity", "file", "exist", *leaks):
        assert word.encode() not in expected, word


@pytest.mark.parametrize("screen", ["screened", "screen-bypassed"])
def test_existing_and_missing_files_give_byte_identical_descriptions(screen, tmp_path, pki, monkeypatch) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("KYSO-SECRET\n")
    missing = tmp_path / "no-such-file.txt"
    if screen == "screen-bypassed":
        # as if a DOCTYPE got past the screen: what libxml2 says about the files must not travel either
        monkeypatch.setattr(xmlsafe, "check_prolog", lambda data: None)
    packages = [_xxe(str(secret)), _xxe(str(missing)), _external_dtd(str(secret)), _external_dtd(str(missing))]
    packages.append(_xxe("/etc/passwd"))
    results, descriptions = _receive(tmp_path, packages, pki)
    assert [r.status for r in results] == ["02"] * len(packages)
    _assert_generic(descriptions, "unusable", str(tmp_path), "secret", "passwd", "KYSO")
    assert all(r.description == REJECTION_REASONS["unusable"] for r in results)
    assert all(r.reason.startswith("unusable package: ") for r in results)  # the detail stays local


def test_parser_messages_do_not_travel(tmp_path, pki) -> None:
    # lxml's own wording (tag names, line and column) is not sent either
    packages = [
        f'<edXML:edXML xmlns:edXML="{NS}"><edXML:a></edXML:b></edXML:edXML>'.encode(),
        f'<edXML:edXML xmlns:edXML="{NS}">\n\n<edXML:x y="1" y="2"/></edXML:edXML>'.encode(),
        b"\xff\xfe<\x00e\x00",
    ]
    results, descriptions = _receive(tmp_path, packages, pki)
    _assert_generic(descriptions, "unusable", "mismatch", "Attribute", "UTF")
    assert "mismatch" in results[0].reason  # locally, the operator still sees what was wrong


def test_a_forged_signature_sends_the_category_only(tmp_path, pki, signer_for) -> None:
    message = EdXMLMessage(
        header=MessageHeader(from_=SENDER, to=[RECEIVER], document_id="000.00.00.H41,2026/11/20,7/UBND-VP"),
        attachments=[Attachment(content_id="cid:1", attachment_name="vb.pdf", data=make_pdf("vb"))],
    )
    signed = kyso.sign(codec.build(message), signer=signer_for("organisation"))
    forged = signed.replace(b"7/UBND-VP</edXML:DocumentId>", b"8/UBND-VP</edXML:DocumentId>", 1)
    assert forged != signed
    results, descriptions = _receive(tmp_path, [forged, signed], pki)
    assert [r.status for r in results] == ["02", "03"]
    assert descriptions[0] == REJECTION_REASONS["signature-invalid"].encode()
    assert b"Reference" not in descriptions[0] and b"digest" not in descriptions[0]
    assert "HASH_FAILURE" in results[0].reason
