"""PAdES signing and verification against the live test PKI: the verdicts a verifier must give."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

import kyso
from kyso.certs.validation import REVOCATION_OFF
from kyso.testing.pki import TestPKI


def _verify(data: bytes, pki: TestPKI, revocation: str = "soft", **kwargs: object) -> kyso.VerificationReport:
    return kyso.verify(data, trust=[pki.root_cert], revocation=revocation, **kwargs)


def test_invisible_b_b_passes_with_ocsp(signed_pdf: bytes, pki: TestPKI) -> None:
    report = _verify(signed_pdf, pki, revocation="hard")
    assert report.indication == "TOTAL_PASSED"
    (sig,) = report.signatures
    assert sig.level == "B-B" and sig.coverage == "ENTIRE_FILE" and sig.modifications == "NONE"
    assert sig.signer.common_name == "Nguyễn Văn An"
    assert sig.certificate.revocation.status == "good"
    assert sig.certificate.revocation.source in ("ocsp", "crl")
    assert [s.split(";")[0] for s in sig.certificate.chain] == [
        "Common Name: Nguyễn Văn An",
        "Common Name: CA phục vụ các cơ quan Nhà nước G2 (TEST)",
        "Common Name: RootCA chuyên dùng Chính phủ G2 (TEST)",
    ]


def test_b_t_carries_a_trusted_timestamp(unsigned_pdf: bytes, signer_for: Callable, pki: TestPKI) -> None:
    signed = kyso.sign(unsigned_pdf, signer=signer_for("person"), level="B-T", tsa=pki.tsa_url)
    report = _verify(signed, pki, revocation="off")
    (sig,) = report.signatures
    assert report.indication == "TOTAL_PASSED", sig.messages
    assert sig.level == "B-T"
    assert sig.timestamp is not None and "dấu thời gian" in (sig.timestamp.authority or "")
    assert abs((sig.timestamp.time - sig.signing_time).total_seconds()) < 60
    # the TSA chain must validate from the certificates embedded in the token: no message but the "off" note
    assert sig.messages == [REVOCATION_OFF], sig.messages


def test_b_t_without_tsa_is_a_usage_error(unsigned_pdf: bytes, signer_for: Callable) -> None:
    with pytest.raises(kyso.UsageError, match="tsa"):
        kyso.sign(unsigned_pdf, signer=signer_for("person"), level="B-T")


def test_two_signatures_keep_the_first_valid(signed_pdf: bytes, signer_for: Callable, pki: TestPKI) -> None:
    twice = kyso.sign(signed_pdf, signer=signer_for("organisation"), page=1, box=(300, 60, 520, 130))
    assert twice.startswith(signed_pdf), "the second signature must be an incremental update"
    report = _verify(twice, pki, revocation="off")
    assert report.indication == "TOTAL_PASSED", [s.messages for s in report.signatures]
    first, second = report.signatures
    assert (first.id, second.id) == ("Signature1", "Signature2")
    assert first.coverage == "ENTIRE_REVISION" and first.modifications == "FORM_FILLING"
    assert second.coverage == "ENTIRE_FILE" and second.signer.common_name == "Ủy ban nhân dân tỉnh Nghệ An"


def test_visible_box_outside_page_is_refused(unsigned_pdf: bytes, signer_for: Callable) -> None:
    with pytest.raises(kyso.UsageError, match="outside"):
        kyso.sign(unsigned_pdf, signer=signer_for("person"), page=1, box=(500, 800, 700, 900))
    with pytest.raises(kyso.UsageError, match="page 3"):
        kyso.sign(unsigned_pdf, signer=signer_for("person"), page=3, box=(10, 10, 100, 50))


def test_a_tampered_byte_fails(signed_pdf: bytes, pki: TestPKI) -> None:
    """Change one byte inside the signed range (content stream of the page): HASH_FAILURE."""
    position = signed_pdf.index(b"Kyso test document")
    tampered = bytearray(signed_pdf)
    tampered[position] ^= 0x20  # "K" -> "k": still a valid PDF, different content
    report = _verify(bytes(tampered), pki, revocation="off")
    assert report.indication == "TOTAL_FAILED"
    assert report.signatures[0].sub_indication == "HASH_FAILURE"


def test_appended_content_is_not_passed(signed_pdf: bytes, pki: TestPKI) -> None:
    """Bytes appended after the signature (not covered) must never be TOTAL_PASSED."""
    report = _verify(signed_pdf + b"\n% appended after signing\n", pki, revocation="off")
    assert report.indication != "TOTAL_PASSED"


def test_unsigned_pdf_has_no_signature(unsigned_pdf: bytes, pki: TestPKI) -> None:
    report = _verify(unsigned_pdf, pki, revocation="off")
    assert report.indication == "NO_SIGNATURE" and report.signatures == []


def test_unknown_root_is_indeterminate(signed_pdf: bytes, pki: TestPKI) -> None:
    report = kyso.verify(signed_pdf, trust=[pki.untrusted_root_cert], revocation="off")
    assert report.indication == "INDETERMINATE"
    assert report.signatures[0].sub_indication == "NO_CERTIFICATE_CHAIN_FOUND"
    no_trust = kyso.verify(signed_pdf, revocation="off")
    assert no_trust.indication == "INDETERMINATE"


@pytest.mark.parametrize(
    ("entity", "indication", "sub_indication"),
    [
        ("revoked", "TOTAL_FAILED", "REVOKED"),  # revoked 10 days before it signed: signed with a revoked key
        ("expired", "INDETERMINATE", "OUT_OF_BOUNDS_NO_POE"),
        ("not_yet_valid", "TOTAL_FAILED", "NOT_YET_VALID"),  # signed before the certificate starts
        ("wrong_key_usage", "INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE"),
        ("untrusted", "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND"),
    ],
)
def test_bad_signers_get_honest_verdicts(
    unsigned_pdf: bytes, signer_for: Callable, pki: TestPKI, entity: str, indication: str, sub_indication: str
) -> None:
    signed = kyso.sign(unsigned_pdf, signer=signer_for(entity), force=True)  # refused without force (issue 16)
    report = _verify(signed, pki, revocation="soft")
    (sig,) = report.signatures
    assert (report.indication, sig.sub_indication) == (indication, sub_indication), sig.messages
    assert sig.messages, "a verdict other than TOTAL_PASSED must say why"


def test_revoked_signer_seen_by_ocsp_and_crl(unsigned_pdf: bytes, signer_for: Callable, pki: TestPKI) -> None:
    signed = kyso.sign(unsigned_pdf, signer=signer_for("revoked"))
    sig = _verify(signed, pki, revocation="hard").signatures[0]
    assert sig.certificate.revocation.status == "revoked"
    assert sig.certificate.revocation.source in ("ocsp", "crl")


def test_validation_in_the_past_before_the_certificate_existed(signed_pdf: bytes, pki: TestPKI) -> None:
    report = _verify(signed_pdf, pki, revocation="off", at="2020-01-01T00:00:00+07:00")
    assert report.indication == "INDETERMINATE"
    assert report.signatures[0].certificate.validation_time.year == 2020


@pytest.fixture(scope="module")
def unreachable_pki(tmp_path_factory: pytest.TempPathFactory) -> TestPKI:
    """A PKI whose OCSP/CRL services are never started: revocation cannot be established."""
    return TestPKI.generate(tmp_path_factory.mktemp("unreachable-pki"), label="DOWN")


def test_hard_fail_without_revocation_service_is_try_later(unsigned_pdf: bytes, unreachable_pki: TestPKI) -> None:
    signer = kyso.Pkcs12Signer.from_file(unreachable_pki.p12("person"), unreachable_pki.password)
    signed = kyso.sign(unsigned_pdf, signer=signer)
    hard = kyso.verify(signed, trust=[unreachable_pki.root_cert], revocation="hard", timeout=2)
    assert hard.indication == "INDETERMINATE"
    assert hard.signatures[0].sub_indication == "TRY_LATER"
    soft = kyso.verify(signed, trust=[unreachable_pki.root_cert], revocation="soft", timeout=2)
    assert soft.signatures[0].certificate.revocation.status == "unknown"


def test_tsa_unreachable_is_a_service_error(unsigned_pdf: bytes, signer_for: Callable, unreachable_pki) -> None:
    with pytest.raises(kyso.TimestampError, match="time-stamping authority"):
        kyso.sign(unsigned_pdf, signer=signer_for("person"), level="B-T", tsa=unreachable_pki.tsa_url, timeout=2)


def test_hundred_page_document(signer_for: Callable, pki: TestPKI) -> None:
    from conftest import make_pdf

    big = make_pdf(100)
    signed = kyso.sign(big, signer=signer_for("person"), page=100, box=(50, 50, 250, 120))
    assert _verify(signed, pki, revocation="off").indication == "TOTAL_PASSED"


def test_signer_protocol_accepts_any_backend(unsigned_pdf: bytes, signer_for: Callable, pki: TestPKI) -> None:
    """Any object with certificate/chain/key_algorithm/sign_raw signs: the 'who' is independent of the format."""
    inner = signer_for("person")

    @dataclasses.dataclass
    class RemoteLikeSigner:
        calls: int = 0

        certificate = inner.certificate
        chain = inner.chain
        key_algorithm = "rsa"

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            self.calls += 1
            return inner.sign_raw(data, digest_algorithm)

    remote = RemoteLikeSigner()
    signed = kyso.sign(unsigned_pdf, signer=remote)
    assert remote.calls == 1, "the SDK reserves space up front: exactly one signature per document"
    assert _verify(signed, pki, revocation="off").indication == "TOTAL_PASSED"


def test_input_bytes_are_never_modified(unsigned_pdf: bytes, signer_for: Callable, tmp_path: Path) -> None:
    original = bytes(unsigned_pdf)
    kyso.sign(unsigned_pdf, signer=signer_for("person"))
    assert unsigned_pdf == original


def test_a_signature_larger_than_the_reserve_still_signs(
    unsigned_pdf: bytes, signer_for: Callable, pki: TestPKI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the CMS outgrows the space reserved up front, signing falls back to pyHanko's measuring dry run."""
    from kyso.pdf import signing

    reserves: list[int | None] = []
    original = signing._sign_once

    def recording(request, *, bytes_reserved):
        reserves.append(bytes_reserved)
        return original(request, bytes_reserved=bytes_reserved)

    monkeypatch.setattr(signing, "_reserve", lambda request: 64)
    monkeypatch.setattr(signing, "_sign_once", recording)
    signed = kyso.sign(unsigned_pdf, signer=signer_for("person"))
    assert reserves == [64, None]
    assert _verify(signed, pki, revocation="off").indication == "TOTAL_PASSED"


def test_objects_appended_behind_a_reused_startxref_are_not_passed(signed_pdf: bytes, pki: TestPKI) -> None:
    """Objects appended after the signature and closed with ``startxref`` (pointing back at the signed revision's
    cross-reference section) and ``%%EOF`` belong to no revision: the coverage is PARTIAL, never TOTAL_PASSED."""
    import re

    startxref = re.findall(rb"startxref\s+(\d+)", signed_pdf)[-1]
    appended = (
        b"\n4 0 obj\n<< /Length 40 >>\nstream\nBT /F1 14 Tf 72 700 Td (TAMPERED) Tj ET\nendstream\nendobj\n"
        b"startxref\n" + startxref + b"\n%%EOF\n"
    )
    report = _verify(signed_pdf + appended, pki, revocation="off")
    (sig,) = report.signatures
    assert report.indication != "TOTAL_PASSED"
    assert sig.coverage == "PARTIAL" and sig.modifications == "OTHER"


def test_raw_fallback_finds_the_signer_by_issuer_and_serial(signed_pdf: bytes, pki: TestPKI) -> None:
    """A file pyHanko cannot open (here: a stray ``%%EOF`` appended) is judged from its raw byte ranges; the
    signer's certificate is the one with the signer's issuer *and* serial, even when another embedded certificate
    (its CA's) has the same serial number: an intact signature is never a FORMAT_FAILURE there."""
    report = _verify(signed_pdf + b"%%EOF\n", pki, revocation="off")
    (sig,) = report.signatures
    assert sig.id.endswith("(raw)")
    assert report.indication == "INDETERMINATE", sig.messages
    assert sig.signer.common_name == "Nguyễn Văn An"


def _landscape_pdf_with_inherited_media_box() -> bytes:
    """A4 landscape (842 x 595), the /MediaBox on the /Pages node only, as many producers write it."""
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter()
    pages = writer.root["/Pages"]
    pages["/MediaBox"] = generic.ArrayObject(map(generic.NumberObject, (0, 0, 842, 595)))
    stream = generic.StreamObject(stream_data=b"BT /F1 14 Tf 72 500 Td (Landscape) Tj ET")
    page = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/Contents"): writer.add_object(stream),
            generic.NameObject("/Resources"): generic.DictionaryObject(),
        }
    )
    writer.insert_page(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_visible_box_is_checked_against_the_inherited_media_box(signer_for: Callable, pki: TestPKI) -> None:
    landscape = _landscape_pdf_with_inherited_media_box()
    with pytest.raises(kyso.UsageError, match="outside"):  # y up to 800 on a page 595 pt high
        kyso.sign(landscape, signer=signer_for("person"), page=1, box=(100, 700, 300, 800))
    signed = kyso.sign(landscape, signer=signer_for("person"), page=1, box=(600, 60, 820, 130))  # fits landscape
    assert _verify(signed, pki, revocation="off").indication == "TOTAL_PASSED"


def test_signing_a_damaged_pdf_is_an_input_error(unsigned_pdf: bytes, signer_for: Callable) -> None:
    """A corrupt compressed cross-reference stream (zlib.error inside pyHanko) is unusable input: a one-line
    InputError, not a traceback."""
    start = unsigned_pdf.rindex(b">>\nstream\n") + len(b">>\nstream\n") + 2  # past the xref stream's zlib header
    garbled = bytes(b ^ 0x5A for b in unsigned_pdf[start : start + 20])
    damaged = unsigned_pdf[:start] + garbled + unsigned_pdf[start + 20 :]
    with pytest.raises(kyso.InputError, match="damaged PDF"):
        kyso.sign(damaged, signer=signer_for("organisation"))
