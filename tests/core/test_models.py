"""The report models: ``to_dict()`` gives exactly the JSON shape of DESIGN.md, on real signed PDFs."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import SIGNATURE_KEYS  # the DESIGN.md key set, shared with the CLI tests

import kyso
from kyso.core.models import (
    CertificateReport,
    Indication,
    RevocationReport,
    SignatureReport,
    SignerIdentity,
    SubIndication,
    TimestampInfo,
    VerificationReport,
    worst,
)

DOCUMENT_KEYS = {"document", "format", "indication", "signatures"}
SIGNER_KEYS = {"common_name", "organization", "subject", "issuer", "serial"}
CERTIFICATE_KEYS = {"indication", "chain", "revocation"}
REVOCATION_KEYS = {"status", "source"}
TIMESTAMP_KEYS = {"time", "authority"}
INDICATIONS = {"TOTAL_PASSED", "TOTAL_FAILED", "INDETERMINATE", "NO_SIGNATURE"}
VIETNAM_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+07:00$")


def vietnam_moment(text: str) -> datetime:
    assert VIETNAM_ISO.match(text), text
    return datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def report_dict(pki, signed_pdf) -> dict:
    """The report of the session's signed PDF, revocation checked over the test PKI's OCSP."""
    report = kyso.verify(signed_pdf, trust=[pki.root_cert], revocation="soft", name="cv-123.pdf")
    result = report.to_dict()
    assert json.loads(json.dumps(result, ensure_ascii=False)) == result  # plain JSON values only
    return result


@pytest.fixture(scope="module")
def timestamped_pdf(pki, unsigned_pdf, signer_for) -> bytes:
    return kyso.sign(unsigned_pdf, signer=signer_for("person"), level="B-T", tsa=pki.tsa_url)


def test_document_keys(report_dict):
    assert set(report_dict) == DOCUMENT_KEYS
    assert report_dict["document"] == "cv-123.pdf"
    assert report_dict["format"] == "pdf"
    assert report_dict["indication"] == "TOTAL_PASSED"


def test_signature_keys_and_values(report_dict, pki):
    (signature,) = report_dict["signatures"]
    assert set(signature) == SIGNATURE_KEYS
    assert signature["id"] == "Signature1"
    assert signature["indication"] == "TOTAL_PASSED"
    assert signature["sub_indication"] is None
    assert signature["kind"] is None
    assert signature["timestamp"] is None
    assert signature["level"] == "B-B"
    assert signature["coverage"] == "ENTIRE_FILE"
    assert signature["modifications"] == "NONE"
    assert signature["messages"] == []


def test_signer_keys_and_values(report_dict, pki):
    signer = report_dict["signatures"][0]["signer"]
    assert set(signer) == SIGNER_KEYS
    assert signer["common_name"] == "Nguyễn Văn An"
    assert signer["organization"] == "Ủy ban nhân dân tỉnh Nghệ An"
    assert "Nguyễn Văn An" in signer["subject"]
    assert "CA phục vụ các cơ quan Nhà nước G2" in signer["issuer"]
    assert re.fullmatch(r"[0-9a-f]+", signer["serial"])
    assert int(signer["serial"], 16) == pki.serial("person")


def test_certificate_keys_and_values(report_dict):
    certificate = report_dict["signatures"][0]["certificate"]
    assert CERTIFICATE_KEYS <= set(certificate)  # DESIGN.md keys; issue 3 adds revocations, validation_time
    assert certificate["indication"] == "TOTAL_PASSED"
    assert len(certificate["chain"]) == 3
    assert "Nguyễn Văn An" in certificate["chain"][0]
    assert "CA phục vụ các cơ quan Nhà nước G2" in certificate["chain"][1]
    assert "RootCA chuyên dùng Chính phủ G2" in certificate["chain"][2]
    assert set(certificate["revocation"]) == REVOCATION_KEYS
    assert certificate["revocation"] == {"status": "good", "source": "ocsp"}


def test_signing_time_is_iso_8601_vietnam_time(report_dict):
    moment = vietnam_moment(report_dict["signatures"][0]["signing_time"])
    assert abs(datetime.now(UTC) - moment) < timedelta(hours=1)  # signed during this test session


def test_timestamp_shape_for_b_t(pki, timestamped_pdf):
    result = kyso.verify(timestamped_pdf, trust=[pki.root_cert], revocation="off").to_dict()
    (signature,) = result["signatures"]
    assert set(signature) == SIGNATURE_KEYS
    assert signature["level"] == "B-T"
    assert set(signature["timestamp"]) == TIMESTAMP_KEYS
    stamped = vietnam_moment(signature["timestamp"]["time"])
    signed = vietnam_moment(signature["signing_time"])
    assert timedelta(0) <= stamped - signed.replace(microsecond=0) < timedelta(minutes=5)
    assert "dấu thời gian" in signature["timestamp"]["authority"]
    assert result["indication"] == "TOTAL_PASSED"
    assert signature["certificate"]["revocation"] == {"status": "unknown", "source": "none"}  # revocation off


def test_no_signature(unsigned_pdf):
    report = kyso.verify(unsigned_pdf, revocation="off", name="blank.pdf")
    assert report.indication == Indication.NO_SIGNATURE
    assert report.to_dict() == {
        "document": "blank.pdf",
        "format": "pdf",
        "indication": "NO_SIGNATURE",
        "signatures": [],
    }


def test_document_indication_is_the_worst_of_real_signatures(pki, signed_pdf, signer_for):
    countersigned = kyso.sign(signed_pdf, signer=signer_for("untrusted"))  # incremental update, Signature2
    result = kyso.verify(countersigned, trust=[pki.root_cert], revocation="off").to_dict()
    first, second = result["signatures"]
    assert (first["id"], first["indication"]) == ("Signature1", "TOTAL_PASSED")
    assert (second["id"], second["indication"]) == ("Signature2", "INDETERMINATE")
    assert second["sub_indication"] == "NO_CERTIFICATE_CHAIN_FOUND"
    assert result["indication"] == "INDETERMINATE"


@pytest.mark.parametrize(
    ("indications", "expected"),
    [
        ([Indication.TOTAL_PASSED], Indication.TOTAL_PASSED),
        ([Indication.TOTAL_PASSED, Indication.INDETERMINATE], Indication.INDETERMINATE),
        ([Indication.INDETERMINATE, Indication.TOTAL_PASSED], Indication.INDETERMINATE),
        ([Indication.TOTAL_FAILED, Indication.INDETERMINATE, Indication.TOTAL_PASSED], Indication.TOTAL_FAILED),
        ([Indication.TOTAL_PASSED, Indication.TOTAL_PASSED, Indication.TOTAL_FAILED], Indication.TOTAL_FAILED),
    ],
)
def test_document_indication_is_the_worst(indications, expected):
    report = VerificationReport(document=None, format="pdf")
    report.signatures = [SignatureReport(id=f"Signature{n}", indication=i) for n, i in enumerate(indications, 1)]
    assert report.indication == expected
    assert report.to_dict()["indication"] == str(expected)
    assert worst(*indications) == expected


def test_empty_report_has_no_signature():
    report = VerificationReport(document=None, format="pdf")
    assert report.to_dict() == {"document": None, "format": "pdf", "indication": "NO_SIGNATURE", "signatures": []}


def test_times_are_converted_to_vietnam_time():
    signature = SignatureReport(
        id="Signature1",
        indication=Indication.TOTAL_PASSED,
        signing_time=datetime(2026, 11, 22, 3, 5, 30, tzinfo=UTC),
        timestamp=TimestampInfo(time=datetime(2026, 11, 22, 3, 5, 31, tzinfo=UTC), authority="TSA"),
    )
    result = signature.to_dict()
    assert result["signing_time"] == "2026-11-22T10:05:30+07:00"
    assert result["timestamp"] == {"time": "2026-11-22T10:05:31+07:00", "authority": "TSA"}
    assert result["certificate"] is None


def test_enum_values_serialise_as_plain_strings():
    certificate = CertificateReport(
        indication=Indication.INDETERMINATE,
        sub_indication=SubIndication.REVOKED_NO_POE,
        subject=SignerIdentity(common_name="Trần Thị Bình", serial="1003"),
        chain=["a", "b"],
        revocation=RevocationReport(status="revoked", source="crl"),
        validation_time=datetime(2026, 1, 1, 17, 0, tzinfo=UTC),
        messages=["revoked"],
    )
    assert certificate.to_dict() == {
        "indication": "INDETERMINATE",
        "chain": ["a", "b"],
        "revocation": {"status": "revoked", "source": "crl"},
        "revocations": [],
        "validation_time": "2026-01-02T00:00:00+07:00",
        # issue 16: what a văn thư checks a certificate by (the validation service reads these names)
        "title": None,
        "serial": "1003",
        "sha256": None,
        "not_before": None,
        "not_after": None,
        "test_material": False,
    }
    standalone = json.loads(json.dumps(certificate.to_standalone_dict()))
    assert standalone["sub_indication"] == "REVOKED_NO_POE"
    assert standalone["validation_time"] == "2026-01-02T00:00:00+07:00"
    assert standalone["certificate"]["common_name"] == "Trần Thị Bình"
    extra = {"revocations", "certificate", "sub_indication", "validation_time", "messages"}
    assert set(standalone) == {*CERTIFICATE_KEYS, *extra}
    assert INDICATIONS == {i.value for i in Indication}


def test_adapter_errors_are_kyso_errors_importable_from_the_contract() -> None:
    # issue 10: one exception hierarchy; the adapter contract still offers the names an adapter needs
    from kyso.core import adapter, errors

    for name in ("PlatformError", "AuthenticationError", "RedirectError", "ItemError"):
        cls = getattr(errors, name)
        assert issubclass(cls, errors.KysoError) and getattr(adapter, name) is cls
        assert cls.__module__ == "kyso.core.errors"
    assert issubclass(errors.PlatformError, errors.ServiceError)
