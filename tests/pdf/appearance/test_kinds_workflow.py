"""Decree-30 workflows: approval then issuance, attachment, copy, income; the kind recorded and reported."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from kinds_helpers import letter_fixture, marks_fixture  # noqa: F401 (fixtures)

import kyso
from kyso.pdf.kind_attribute import KIND_OID


@pytest.fixture(scope="module")
def approved(letter, marks, signer_for: Callable) -> bytes:
    return kyso.sign(
        letter.pdf, signer=signer_for("person"), kind="approval", image=marks["signature"], anchor="CHỦ TỊCH"
    )


@pytest.fixture(scope="module")
def issued(approved, marks, signer_for: Callable) -> bytes:
    return kyso.sign(
        approved,
        signer=signer_for("organisation"),
        kind="issuance",
        seal=marks["seal"],
        doc_number="123/UBND-VX",
        issued_date="2026-11-22",
    )


def test_approval_then_issuance_both_pass_in_order(issued: bytes, pki) -> None:
    report = kyso.verify(issued, trust=[pki.root_cert], revocation="off").to_dict()
    assert report["indication"] == "TOTAL_PASSED"
    assert [(s["id"], s["indication"], s["kind"]) for s in report["signatures"]] == [
        ("Signature1", "TOTAL_PASSED", "approval"),
        ("Signature2", "TOTAL_PASSED", "issuance"),
    ]
    assert report["signatures"][0]["signer"]["common_name"] == "Nguyễn Văn An"
    assert report["signatures"][0]["modifications"] in ("NONE", "FORM_FILLING", "ANNOTATIONS")


def test_kind_is_a_signed_attribute(issued: bytes) -> None:
    """The kind sits in the signed attributes: covered by the signature value, not just by the byte range."""
    from asn1crypto import core
    from pyhanko.pdf_utils.reader import PdfFileReader

    kinds = []
    for emb in PdfFileReader(BytesIO(issued)).embedded_signatures:
        attrs = {a["type"].dotted: a for a in emb.signer_info["signed_attrs"]}
        kinds.append(attrs[KIND_OID]["values"][0].parse(core.UTF8String).native)
    assert kinds == ["approval", "issuance"]


def test_issuance_reason_names_the_document(issued: bytes) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    emb = PdfFileReader(BytesIO(issued)).embedded_signatures[1]
    assert str(emb.sig_object["/Reason"]) == "Ký phát hành văn bản số 123/UBND-VX ngày 2026-11-22"


def test_attachment_with_the_main_documents_number(signer_for: Callable, pki) -> None:
    from tests_support_pdf import attachment_pdf

    signed = kyso.sign(attachment_pdf(), signer=signer_for("organisation"), kind="attachment", doc_number="123/UBND-VX")
    report = kyso.verify(signed, trust=[pki.root_cert], revocation="off").to_dict()
    assert report["indication"] == "TOTAL_PASSED"
    assert report["signatures"][0]["kind"] == "attachment"


def test_copy_of_a_signed_document(issued: bytes, signer_for: Callable, pki) -> None:
    copy = kyso.sign(
        issued, signer=signer_for("organisation"), kind="copy", copy_form="SAO Y", organization="Văn phòng UBND tỉnh"
    )
    report = kyso.verify(copy, trust=[pki.root_cert], revocation="off").to_dict()
    assert report["indication"] == "TOTAL_PASSED"
    assert [s["kind"] for s in report["signatures"]] == ["approval", "issuance", "copy"]


def test_income_mark(issued: bytes, signer_for: Callable, pki) -> None:
    received = kyso.sign(
        issued,
        signer=signer_for("organisation"),
        kind="income",
        organization="Sở Khoa học và Công nghệ",
        meta=["Số đến=456", "Ngày đến=2026-11-23"],
    )
    report = kyso.verify(received, trust=[pki.root_cert], revocation="off").to_dict()
    assert [s["kind"] for s in report["signatures"]] == ["approval", "issuance", "income"]
    assert report["indication"] == "TOTAL_PASSED"


def test_plain_signature_has_no_kind(signed_pdf: bytes, pki) -> None:
    report = kyso.verify(signed_pdf, trust=[pki.root_cert], revocation="off").to_dict()
    assert report["signatures"][0]["kind"] is None


def test_cli_approval_issuance_and_verify_json(letter, marks, pki, kyso_cli, tmp_path: Path, files_unchanged) -> None:
    source, approved, issued = tmp_path / "cv.pdf", tmp_path / "approved.pdf", tmp_path / "issued.pdf"
    source.write_bytes(letter.pdf)
    files_unchanged(source, marks["signature"], marks["seal"])
    env = {"KYSO_TEST_PASSWORD": pki.password}
    common = ["--password-env", "KYSO_TEST_PASSWORD"]
    result = kyso_cli(
        "sign", source, "-o", approved, "--p12", pki.p12("person"), *common,
        "--kind", "approval", "--image", marks["signature"], "--anchor", "Nguyễn Văn An", env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    result = kyso_cli(
        "sign", approved, "-o", issued, "--p12", pki.p12("organisation"), *common,
        "--kind", "issuance", "--seal", marks["seal"], "--doc-number", "123/UBND-VX", "--issued-date", "2026-11-22",
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    result = kyso_cli("verify", issued, "--trust", pki.root_cert, "--revocation", "off", "--format", "json")
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    assert [s["kind"] for s in report["signatures"]] == ["approval", "issuance"]


def test_cli_income_with_repeated_meta(letter, pki, kyso_cli, tmp_path: Path) -> None:
    source, out = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(letter.pdf)
    result = kyso_cli(
        "sign", source, "-o", out, "--p12", pki.p12("organisation"), "--password-env", "P",
        "--kind", "income", "--meta", "Số đến=456", "--meta", "Ngày đến=2026-11-23", env={"P": pki.password},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    result = kyso_cli("verify", out, "--trust", pki.root_cert, "--revocation", "off", "--format", "json")
    assert json.loads(result.stdout)["signatures"][0]["kind"] == "income"


def test_kinds_compose_with_time_stamped_levels(letter, marks, signer_for: Callable, pki) -> None:
    approved = kyso.sign(
        letter.pdf, signer=signer_for("person"), level="B-T", tsa=pki.tsa_url,
        kind="approval", image=marks["signature"], anchor="CHỦ TỊCH",
    )  # fmt: skip
    issued = kyso.sign(
        approved, signer=signer_for("organisation"), level="B-LT", tsa=pki.tsa_url, kind="issuance", seal=marks["seal"]
    )
    report = kyso.verify(issued, trust=[pki.root_cert], revocation="soft").to_dict()
    assert [(s["kind"], s["indication"]) for s in report["signatures"]] == [
        ("approval", "TOTAL_PASSED"),
        ("issuance", "TOTAL_PASSED"),
    ]
    assert all(s["timestamp"] is not None for s in report["signatures"])


def test_images_as_bytes_and_meta_as_mapping(letter, marks, signer_for: Callable, pki) -> None:
    approved = kyso.sign(
        letter.pdf, signer=signer_for("person"), kind="approval", image=marks["signature"].read_bytes(),
        page=1, box=letter.signature_box,
    )  # fmt: skip
    received = kyso.sign(
        approved, signer=signer_for("organisation"), kind="income", meta={"Số đến": "456", "Người nhận": "Văn thư"}
    )
    report = kyso.verify(received, trust=[pki.root_cert], revocation="off").to_dict()
    assert [(s["kind"], s["indication"]) for s in report["signatures"]] == [
        ("approval", "TOTAL_PASSED"),
        ("income", "TOTAL_PASSED"),
    ]


def test_issuance_after_an_approval_made_by_another_product(letter, marks, signer_for: Callable, pki) -> None:
    """A visible signature without a recorded kind (e.g. the VGCA plugin's approval) is taken as the approval."""
    approved = kyso.sign(letter.pdf, signer=signer_for("person"), page=1, box=letter.signature_box)
    issued = kyso.sign(approved, signer=signer_for("organisation"), kind="issuance", seal=marks["seal"])
    report = kyso.verify(issued, trust=[pki.root_cert], revocation="off").to_dict()
    assert [(s["kind"], s["indication"]) for s in report["signatures"]] == [
        (None, "TOTAL_PASSED"),
        ("issuance", "TOTAL_PASSED"),
    ]


def test_signature_contents_cut_from_the_file_match_pyhankos(issued: bytes) -> None:
    from pyhanko.sign.fields import enumerate_sig_fields

    from kyso.pdf.appearance import _raw_contents
    from kyso.pdf.reading import open_reader

    reader = open_reader(issued)
    values = [value for _, value, _ in enumerate_sig_fields(reader)]
    assert len(values) == 2
    for value in values:
        assert _raw_contents(reader, issued, value) == bytes(value.get_object()["/Contents"])
