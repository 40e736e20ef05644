"""The edXML model: agency and document identifiers, tolerant reading, strict writing, lossless round trips."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from datetime import date, datetime

import pytest
from edxml_support import SAMPLES, full_message

from kyso.core.errors import InputError
from kyso_edxml import DocumentId, codec, is_organ_id, jsonio, parse_date
from kyso_edxml.model import EdXMLMessage, StatusCode, StatusMessage

needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/interop/edxml is absent")


@pytest.mark.parametrize("value", ["000.00.00.G22", "000.00.00.H41", "000.00.11.H53", "000.00.01.A53", "123.45.67.K99"])
def test_valid_organ_ids(value: str) -> None:
    assert is_organ_id(value)


@pytest.mark.parametrize(
    "value", ["", "000.00.00.g22", "00.00.00.G22", "000.00.00.G2", "000.00.00.GG2", "000.00.00.G22 ", "000-00-00-G22"]
)
def test_invalid_organ_ids(value: str) -> None:
    assert not is_organ_id(value)


@pytest.mark.parametrize("value", ["\uff10\uff10\uff10.\uff10\uff10.\uff10\uff10.G22", "٠٠٠.٠٠.٠٠.H41"])
def test_organ_ids_take_ascii_digits_only(value: str) -> None:
    # fullwidth or Arabic-Indic digits look alike on screen but are not the agency's identifier
    assert not is_organ_id(value)


def test_document_id_build_and_parse() -> None:
    doc = DocumentId("000.00.00.G22", date(2015, 9, 30), "7816", "VPCP-TTĐT")
    assert str(doc) == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert DocumentId.parse(str(doc)) == doc
    assert DocumentId.parse("000.00.00.G22,30/09/2015,7816/VPCP-TTĐT") == doc  # the other date form, read tolerantly


@pytest.mark.parametrize(
    "text",
    [
        "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT",  # 30 February (seen in a real packet)
        "000.00.00.G2,2015/09/30,7816/VPCP",
        "000.00.00.G22,2015/09/30",
        "000.00.00.G22,2015/09/30,7816",
        "garbage",
    ],
)
def test_malformed_document_ids_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        DocumentId.parse(text)


def test_both_date_forms() -> None:
    assert parse_date("2020/10/30") == parse_date("30/10/2020") == date(2020, 10, 30)
    assert parse_date("2014/02/30") is None
    assert parse_date("") is None


def test_full_message_round_trip_keeps_every_field() -> None:
    message = full_message()
    data = codec.build(message)
    again = codec.parse(data)
    assert isinstance(again, EdXMLMessage)
    assert again == message
    assert again.warnings == []
    assert codec.build(again) == data


def test_json_round_trip_keeps_every_field() -> None:
    message = full_message()
    header = json.loads(json.dumps(jsonio.to_json(message), ensure_ascii=False))
    assert header["header"]["from"]["organ_id"] == "000.00.00.H41"
    assert header["attachments"][0]["file"] == "1234-UBND-VX.pdf"
    again = jsonio.from_json(header)
    again.attachments[0].data = message.attachments[0].data  # the bytes travel as files, not in the JSON
    assert again == message


def test_json_with_a_typo_is_refused() -> None:
    header = jsonio.to_json(full_message())
    header["header"]["subjcet"] = "typo"
    with pytest.raises(InputError, match="subjcet"):
        jsonio.from_json(header)


def test_tolerant_reading_reports_what_is_off() -> None:
    data = codec.build(full_message()).decode()
    data = data.replace("<edXML:PromulgationDate>2026/11/20<", "<edXML:PromulgationDate>20/11/2026<")
    data = data.replace("<edXML:Timestamp>2026/11/20 09:15:00<", "<edXML:Timestamp>20/11/2026 09:15:00<")
    data = data.replace("<edXML:PageAmount>2<", "<edXML:PageAmount>two<")
    data = data.replace("</edXML:Subject>", "</edXML:Subject><edXML:Unknown>x</edXML:Unknown>")
    message = codec.parse(data.encode())
    assert message.header.promulgation_info.promulgation_date == date(2026, 11, 20)
    assert message.trace_headers[0].timestamp == datetime(2026, 11, 20, 9, 15)
    assert message.header.other_info.page_amount is None
    text = "\n".join(message.warnings)
    assert "not written yyyy/MM/dd" in text
    assert "'two' is not a number" in text
    assert "Unknown" in text


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda m: replace(m.header.from_, organ_id="H41"), "From/OrganId"),
        (lambda m: m.header.to.append(replace(m.header.to[0], organ_id="bad")), "To/OrganId"),
        (lambda m: setattr(m.header, "document_id", "000.00.00.H41,2026/13/01,1/X"), "DocumentId"),
        (lambda m: setattr(m.attachments[0], "content_id", None), "ContentId"),
    ],
)
def test_strict_writing_refuses_malformed_values(change, error: str) -> None:
    message = full_message()
    result = change(message)
    if result is not None:
        message.header.from_ = result
    with pytest.raises(InputError, match=error):
        codec.build(message)


def test_manifest_must_match_attachments() -> None:
    message = full_message()
    message.manifest = [replace(codec.ManifestReference(), content_id="cid:99")]
    with pytest.raises(InputError, match="manifest"):
        codec.build(message)


def test_status_packet_round_trip_and_code_table() -> None:
    from kyso_edxml.api import status_for
    from kyso_edxml.model import Organization

    status = status_for(
        "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT",
        "05",
        sender=Organization(organ_id="000.00.00.H41", organ_name="UBND Tỉnh Nghệ An"),
        timestamp=datetime(2026, 11, 22, 10, 5, 30),
    )
    data = codec.build(status)
    assert b"<edXML:StatusCode>05</edXML:StatusCode>" in data
    assert b"<edXML:Timestamp>2026/11/22 10:05:30</edXML:Timestamp>" in data
    again = codec.parse(data)
    assert isinstance(again, StatusMessage) and again == status
    assert again.header.response_for.organ_id == "000.00.00.G22"
    assert {c.value for c in StatusCode} == {"01", "02", "03", "04", "05", "06", "13", "15", "16"}
    with pytest.raises(InputError, match="status code"):
        status_for("000.00.00.G22,2015/09/30,7816/VPCP-TTĐT", "07", sender=Organization(organ_id="000.00.00.H41"))


@needs_samples
@pytest.mark.interop
def test_sample_new_document_fields_and_zipped_attachment() -> None:
    message = codec.parse((SAMPLES / "edoc_new.edxml").read_bytes())
    assert isinstance(message, EdXMLMessage) and message.signed
    header = message.header
    assert header.from_.organ_id == "000.00.11.H53" and header.from_.organ_name == "Sở Tính"
    assert header.from_.organ_add == ""  # <OrganAdd/>: present and empty, kept as such
    assert [o.organ_id for o in header.to] == ["000.00.01.A53"]
    assert header.document_id == "000.00.11.H53,2020/10/30,2491/STC-BCTC"
    assert header.promulgation_info.promulgation_date == date(2020, 10, 30)  # written 30/10/2020
    assert header.other_info.page_amount == 22 and header.other_info.direction is False
    assert header.to_places == ["Cac bo va co quan ngang bo", "Uy ban nhan dan cac tinh, TP"]
    assert message.trace_headers[0].timestamp == datetime(2018, 9, 28)
    assert message.bussiness.staff_info.staff == "Nguyễn Thị Ngọc Trâm"
    (attachment,) = message.attachments
    assert attachment.content_id == "cid:209" and attachment.attachment_name == "1896_QD-TTg_m_294779.doc"
    assert attachment.content_type == "application/zip" and attachment.is_zip
    with zipfile.ZipFile(io.BytesIO(attachment.data)) as archive:
        assert archive.testzip() is None  # every member's CRC checks out: the bytes are intact
        (member,) = archive.infolist()
        assert member.file_size == 388347
    assert message.manifest[0].content_id == "cid:209"
    warnings = "\n".join(message.warnings)
    assert "not written yyyy/MM/dd" in warnings and "XML-DSig namespace" in warnings and "SHA-1" in warnings


@needs_samples
@pytest.mark.interop
def test_sample_update_document_business_details() -> None:
    message = codec.parse((SAMPLES / "edoc_update.edxml").read_bytes())
    assert [o.organ_id for o in message.header.to] == ["000.00.00.H53", "000.00.12.H53", "000.00.00.G17"]
    business = message.bussiness
    assert business.bussiness_doc_type == 2
    assert [(r.organ_id, r.receiver_type) for r in business.document_info.receivers] == [
        ("000.00.00.H41", 0),
        ("000.00.00.H14", 1),
    ]
    assert message.header.other_info.appendixes == ["Công văn về việc kết nối, liên thông phần mềm quản lý văn bản"]


@needs_samples
@pytest.mark.interop
def test_sample_status_packet() -> None:
    message = codec.parse((SAMPLES / "status_processing_05.edxml").read_bytes())
    assert isinstance(message, StatusMessage) and not message.signed
    assert message.header.status_code == StatusCode.PROCESSING
    assert message.header.description == "Đang xử lý văn bản đến"
    assert message.header.timestamp == datetime(2015, 9, 20, 11, 8, 36)
    assert message.header.response_for.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert message.header.staff_info.mobile == "84912000001"


@needs_samples
@pytest.mark.interop
@pytest.mark.parametrize("name", ["edoc_new.edxml", "edoc_update.edxml", "status_processing_05.edxml"])
def test_samples_round_trip(name: str) -> None:
    message = codec.parse((SAMPLES / name).read_bytes())
    again = codec.parse(codec.build(message))
    assert again == message
    # written strictly: nothing left to complain about but the data itself (30 February in a Bussiness DocumentId,
    # kept as sent: a writer does not invent another date)
    assert all(w.startswith("Bussiness: DocumentId") for w in again.warnings), again.warnings


def test_package_exports_the_whole_model_lazily() -> None:
    """The package lists the model's names once (its lazy map); each resolves to the model's own object."""
    import kyso_edxml
    from kyso_edxml import model

    assert set(model.__all__) <= set(kyso_edxml.__all__)
    for name in kyso_edxml.__all__:
        assert getattr(kyso_edxml, name) is not None
    for name in model.__all__:
        assert getattr(kyso_edxml, name) is getattr(model, name)
