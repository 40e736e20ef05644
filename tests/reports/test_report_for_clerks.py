"""Issue 16, item 3: the Vietnamese text report is one a văn thư can read.

No English library text (the checks' notes go through the one table of :mod:`kyso.reasons`, the raw text only under
``--verbose``), each reason once, the true cause of a time-stamp that proves nothing, times to the second, "nguồn:
không có", the certificate's title, serial, SHA-256 fingerprint, validity and test-material marker (text and JSON),
and a note on an issuance signature without an earlier approval signature.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import pytest
from conftest import SHARED

import kyso
from kyso.reports import render_verification
from kyso.testing.pki import TestPKI

PDF_DIR = SHARED / "interop" / "pdf"
PYHANKO_ROOT = SHARED / "interop" / "trust" / "pdf" / "pyhanko_testing-ca_root.cert.pem"

ALLOWED = {
    # names of certificates and protocols (not English prose), ETSI and PAdES codes, units
    "pades", "ocsp", "crl", "sha", "asn", "cms", "docmdp", "byterange", "pkcs", "aia", "xml", "dsig", "etsi",
    "timeout", "verbose", "serial", "pdf", "test", "example", "inc", "root", "intermediate", "lord", "testerino",
    "alice", "bob", "good", "user", "nowina", "solutions", "firstname", "lastname", "org", "tsa", "attacker",
    # Vietnamese words written in ASCII letters only (quoted in notes through certificate names)
    "ban", "quan", "tin", "cho", "con", "cao", "hai", "thu", "nam", "van", "tri", "minh", "anh",
}


def ascii_words(text: str) -> set[str]:
    """Lower-case words of three letters or more written in ASCII letters only ("nghiệm" is not "nghi")."""
    return {w.lower() for w in re.findall(r"\w+", text) if len(w) >= 3 and w.isascii() and w.isalpha()}


def english_words(messages: list[str]) -> set[str]:
    """The words of the English notes (Kyso's, pyHanko's, certvalidator's), the ones a Vietnamese report must not
    carry."""
    return {w for m in messages for w in ascii_words(m)} - ALLOWED


def leaked(text: str, words: set[str]) -> set[str]:
    """English words of ``words`` in the report's prose: the document's own names (file name, signature field
    ids) and the certificates' names (subjects, which may be Vietnamese in ASCII letters) are not prose."""
    prose = []
    for line in text.splitlines():
        if line.startswith("Tài liệu:"):
            continue
        line = re.sub(r"^(Chữ ký \d+|Dấu thời gian tài liệu) \(.*\):", "", line)
        if line.strip().startswith(("Người ký:", "Cơ quan, tổ chức:", "Chuỗi chứng thư:", "- ", "Chức danh:")):
            continue
        line = re.sub(r"(Dấu thời gian: .*?\(\+07:00\) \()[^;)]*", r"\1", line)  # the authority's name
        prose.append(line)
    return ascii_words("\n".join(prose)) & words


def all_messages(report) -> list[str]:
    found = []
    for sig in [*report.signatures, *report.timestamps]:
        found += sig.messages
        if sig.certificate is not None:
            found += sig.certificate.messages
    return found


def check_readable(report, words: set[str]) -> str:
    text = render_verification(report, "vi")
    assert not leaked(text, words), (leaked(text, words), text)
    assert "nguồn: none" not in text
    assert not re.search(r"\d\d:\d\d:\d\d\.\d", text), text  # to the second
    for block in text.split("\n\n"):
        reasons = [line for line in block.splitlines() if line.strip().startswith("Lý do:")]
        assert len(reasons) <= 1, block
        lines = [line.strip() for line in block.splitlines() if line.strip().startswith(("Lý do", "Ghi chú"))]
        parts = [part for line in lines for part in line.split(": ", 1)[1].split("; ")]
        assert len(parts) == len(set(parts)), block  # each reason once
    return text


@pytest.fixture(scope="module")
def corpus_reports() -> list:
    if not PDF_DIR.is_dir():
        pytest.skip(f"interop corpus not found at {PDF_DIR}")
    reports = []
    for path in sorted(PDF_DIR.glob("*.pdf")):
        try:
            reports.append(
                kyso.verify(
                    path.read_bytes(), trust=[PYHANKO_ROOT], at="2020-11-01T00:00:00+00:00", revocation="off",
                    name=path.name,
                )
            )
        except kyso.KysoError:
            continue  # unusable input: an error line, not a report
    return reports


def test_corpus_reports_carry_no_english(corpus_reports: list) -> None:
    """Every PDF of the interop corpus (pyHanko, DSS, RUB attack files): the Vietnamese report has none of the
    English words its notes are made of, each reason once, times to the second."""
    words = english_words([m for r in corpus_reports for m in all_messages(r)])
    assert len(words) > 50  # the notes are English indeed: the scan has something to find
    for report in corpus_reports:
        check_readable(report, words)


def test_raw_notes_only_under_verbose(corpus_reports: list, kyso_cli) -> None:
    sneaky = PDF_DIR / "ph_form-update-override-appearance-stream-sneaky.pdf"
    args = ("verify", sneaky, "--trust", PYHANKO_ROOT, "--at", "2020-11-01T00:00:00+00:00", "--revocation", "off")
    plain, verbose = kyso_cli(*args).stdout, kyso_cli(*args, "--verbose").stdout
    assert "unexplained xrefs" not in plain
    assert "Lý do: tài liệu đã bị sửa đổi sau khi ký" in plain
    assert "Chi tiết kỹ thuật (nguyên văn): the document was modified after signing" in verbose


@pytest.fixture(scope="module")
def pki_cases(pki: TestPKI, signer_for: Callable, unsigned_pdf: bytes, down_pki: tuple[TestPKI, bytes]) -> dict:
    """Reports of the test PKI's cases: revoked, expired, not yet valid, wrong key usage, untrusted root, an
    untrusted root for a B-T signature, and a responder on a closed port."""
    cases = {}
    for name in ("person", "revoked", "expired", "not_yet_valid", "wrong_key_usage", "untrusted"):
        signed = kyso.sign(unsigned_pdf, signer=signer_for(name), force=True)  # signers that cannot sign, on purpose
        cases[name] = kyso.verify(signed, trust=[pki.root_cert], revocation="hard", timeout=5)
    stamped = kyso.sign(unsigned_pdf, signer=signer_for("person"), level="B-T", tsa=pki.tsa_url)
    cases["stamped_no_trust"] = kyso.verify(stamped, revocation="off")
    down, down_signed = down_pki
    cases["responder_down"] = kyso.verify(down_signed, trust=[down.root_cert], revocation="hard", timeout=2)
    return cases


@pytest.fixture(scope="module")
def down_pki(tmp_path_factory: pytest.TempPathFactory, unsigned_pdf: bytes) -> tuple[TestPKI, bytes]:
    """A PKI served only while signing a B-T document: afterwards its OCSP, CRL and TSA URLs are a closed port."""
    down = TestPKI.generate(tmp_path_factory.mktemp("down-pki"), label="DOWN")
    with down.serve():
        signer = kyso.Pkcs12Signer.from_file(down.p12("person"), down.password)
        signed = kyso.sign(unsigned_pdf, signer=signer, level="B-T", tsa=down.tsa_url)
    return down, signed


def test_pki_reports_carry_no_english(pki_cases: dict) -> None:
    words = english_words([m for r in pki_cases.values() for m in all_messages(r)])
    assert {"revoked", "expired"} <= words
    for report in pki_cases.values():
        check_readable(report, words)


def stamp_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith("Dấu thời gian:"))


def test_an_untrusted_root_is_not_an_untrusted_tsa(pki_cases: dict) -> None:
    """No trust anchor at all: the signer and the TSA chain to the same unknown root; the cause is the root."""
    text = render_verification(pki_cases["stamped_no_trust"], "vi")
    line = stamp_line(text)
    assert "KHÔNG được tin cậy" not in line, line
    assert "không xác định được chuỗi chứng thư đến một CA gốc tin cậy" in line, line
    assert "Lý do: không xác định được chuỗi chứng thư đến một CA gốc tin cậy" in text


def test_an_unreachable_responder_is_not_an_untrusted_tsa(pki_cases: dict) -> None:
    report = pki_cases["responder_down"]
    (signature,) = report.signatures
    assert signature.sub_indication == "TRY_LATER"
    assert signature.timestamp is not None and signature.timestamp.problem == "TRY_LATER"
    text = render_verification(report, "vi")
    line = stamp_line(text)
    assert "KHÔNG được tin cậy" not in line, line
    assert "chưa kiểm tra được tình trạng thu hồi" in line, line
    assert "chưa xác định được tình trạng thu hồi" in text  # the note names the responder's silence


def test_certificate_particulars_in_text_and_json(pki_cases: dict, pki: TestPKI) -> None:
    report = pki_cases["person"]
    (signature,) = report.signatures
    der = kyso.api.certificates_from_bytes(pki.cert("person").read_bytes())[0]
    certificate = report.to_dict()["signatures"][0]["certificate"]
    assert certificate["title"] == "Chủ tịch"
    assert int(certificate["serial"], 16) == pki.serial("person")
    assert certificate["sha256"] == hashlib.sha256(der).hexdigest()
    assert certificate["not_before"] < certificate["not_after"]
    assert certificate["not_after"].endswith("+07:00")
    assert certificate["test_material"] is True
    text = render_verification(report, "vi")
    assert "Chức danh: Chủ tịch" in text
    assert f"Dấu vân tay SHA-256: {certificate['sha256']}" in text
    assert "Hiệu lực: từ " in text
    assert "CHỨNG THƯ THỬ NGHIỆM, không có giá trị pháp lý" in text
    assert "(nguồn: ocsp)" in text


def test_a_real_root_is_not_test_material() -> None:
    from kyso.certs.identity import identity_of
    from kyso.certs.loading import certificates_from_bytes
    from kyso.certs.parsing import parse_certificate

    path = SHARED / "interop" / "trust" / "rootcag2.crt"
    if not path.is_file() or not path.stat().st_size:
        pytest.skip("the real root comes with ../shared/interop (absent)")
    root = path.read_bytes()
    who = identity_of(parse_certificate(certificates_from_bytes(root)[0]))
    assert who.test_material is False


def test_no_revocation_source_reads_khong_co(pki_cases: dict) -> None:
    text = render_verification(pki_cases["stamped_no_trust"], "vi")
    assert "(nguồn: không có)" in text and "none" not in text


def test_issuance_without_approval_gets_a_note(signer_for: Callable, pki: TestPKI, unsigned_pdf: bytes) -> None:
    from kyso.demo.marks import sample_seal_png

    plain = kyso.sign(unsigned_pdf, signer=signer_for("person"), page=1, box=(300, 300, 470, 370))
    issued = kyso.sign(plain, signer=signer_for("organisation"), kind="issuance", seal=sample_seal_png())
    report = kyso.verify(issued, trust=[pki.root_cert], revocation="off")
    assert report.signatures[1].kind == "issuance"
    assert any("without an earlier approval" in m for m in report.signatures[1].messages)
    assert not any("approval" in m for m in report.signatures[0].messages)
    text = render_verification(report, "vi")
    assert "chữ ký phát hành (ký ban hành) không có chữ ký duyệt nào trước đó" in text


def test_english_report_keeps_the_raw_notes(pki_cases: dict) -> None:
    text = render_verification(pki_cases["revoked"], "en")
    assert "Details: " in text and "revoked" in text


def test_unknown_notes_are_counted_not_shown() -> None:
    from kyso.core.models import Indication, SignatureReport, VerificationReport

    signature = SignatureReport("Signature1", Indication.INDETERMINATE)
    signature.messages.append("Some pyHanko internal text nobody mapped")
    text = render_verification(VerificationReport(document="x.pdf", format="pdf", signatures=[signature]), "vi")
    assert "pyHanko" not in text and "nobody" not in text
    assert "1 ghi chú kỹ thuật khác (xem bằng --verbose)" in text
    verbose = render_verification(
        VerificationReport(document="x.pdf", format="pdf", signatures=[signature]), "vi", verbose=True
    )
    assert "Some pyHanko internal text nobody mapped" in verbose


# --------------------------------------------------------------------------------------------- kyso cert validate


def test_cert_validate_hints_at_intermediate(pki: TestPKI, kyso_cli) -> None:
    """Offline (no AIA), without the issuing CA: the chain stops at the certificate; the report says what to add."""
    result = kyso_cli("cert", "validate", pki.cert("person"), "--trust", pki.root_cert, "--revocation", "off")
    assert result.exit_code == 1
    assert "--intermediate" in result.stdout and "CA phục vụ các cơ quan Nhà nước G2" in result.stdout
    complete = kyso_cli(
        "cert", "validate", pki.cert("person"), "--trust", pki.root_cert, "--intermediate", pki.issuing_ca_cert,
        "--revocation", "off",
    )
    assert complete.exit_code == 0 and "--intermediate" not in complete.stdout


@pytest.mark.parametrize(("name", "marker", "note"), [
    ("expired", "(ĐÃ HẾT HẠN)", "chứng thư số đã hết hạn lúc "),
    ("not_yet_valid", "(CHƯA CÓ HIỆU LỰC)", "chứng thư số chưa có hiệu lực trước "),
])
def test_cert_validate_shows_the_dates(pki: TestPKI, kyso_cli, name: str, marker: str, note: str) -> None:
    text = kyso_cli(
        "cert", "validate", pki.cert(name), "--trust", pki.root_cert, "--intermediate", pki.issuing_ca_cert,
        "--revocation", "off",
    ).stdout
    validity = next(line for line in text.splitlines() if line.startswith("Hiệu lực: từ "))
    assert validity.endswith(marker), text
    assert note in text, text


def test_cert_validate_says_what_a_p12_is(pki: TestPKI, kyso_cli) -> None:
    result = kyso_cli("cert", "validate", pki.p12("person"))
    assert result.exit_code == 2
    assert "PKCS#12" in result.stderr and "không phải một chứng thư số" in result.stderr
    assert "kyso sign --p12" in result.stderr
    english = kyso_cli("cert", "validate", pki.p12("person"), "--lang", "en").stderr
    assert "not a certificate" in english
