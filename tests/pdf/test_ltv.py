"""PAdES B-LT / B-LTA at signing and with `kyso extend`; offline verification with every PKI service stopped.

The module has its own PKI: documents are signed and extended while it is served, then it is stopped and the
documents must still verify offline from what they embed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kyso
from kyso.testing.pki import TestPKI

ENV = {"KYSO_TEST_PASSWORD": "kyso-test-pass"}


@pytest.fixture(scope="module")
def ltv_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPKI]:
    pki = TestPKI.generate(tmp_path_factory.mktemp("ltv-pki"), label="LTV")
    pki.start()
    yield pki
    pki.stop()


@pytest.fixture(scope="module")
def documents(ltv_pki: TestPKI, tmp_path_factory: pytest.TempPathFactory, unsigned_pdf: bytes) -> dict[str, Path]:
    """Made while the PKI is served: B-LT and B-LTA at signing, B-T extended to B-LT, B-LTA and a renewed B-LTA."""
    from click.testing import CliRunner

    from kyso.cli.main import cli
    from kyso.core.manager import get_plugin_manager

    get_plugin_manager().register_commands(cli)
    work = tmp_path_factory.mktemp("ltv-docs")
    (work / "in.pdf").write_bytes(unsigned_pdf)
    runner = CliRunner()

    def kyso_cli(*args: object) -> None:
        result = runner.invoke(cli, [str(a) for a in args], env=ENV, catch_exceptions=False)
        assert result.exit_code == 0, result.output

    common = ["--p12", ltv_pki.p12("person"), "--password-env", "KYSO_TEST_PASSWORD", "--tsa", ltv_pki.tsa_url]
    for level in ("B-T", "B-LT", "B-LTA"):
        kyso_cli("sign", work / "in.pdf", "-o", work / f"signed-{level}.pdf", "--level", level, *common)
    kyso_cli("extend", work / "signed-B-T.pdf", "-o", work / "extended-B-LT.pdf", "--level", "B-LT")
    kyso_cli(
        "extend",
        work / "signed-B-T.pdf",
        "-o",
        work / "extended-B-LTA.pdf",
        "--level",
        "B-LTA",
        "--tsa",
        ltv_pki.tsa_url,
    )
    kyso_cli(
        "extend",
        work / "extended-B-LTA.pdf",
        "-o",
        work / "renewed-B-LTA.pdf",
        "--level",
        "B-LTA",
        "--tsa",
        ltv_pki.tsa_url,
    )
    organisation = ["--p12", ltv_pki.p12("organisation"), *common[2:]]
    kyso_cli("sign", work / "signed-B-T.pdf", "-o", work / "two-B-T.pdf", "--level", "B-T", *organisation)
    kyso_cli("extend", work / "two-B-T.pdf", "-o", work / "two-extended-B-LT.pdf", "--level", "B-LT")
    # Nghị định 30 workflow at B-LTA: the approval is B-LTA already when the issuance is signed at B-LTA
    kyso_cli("sign", work / "signed-B-LTA.pdf", "-o", work / "two-B-LTA.pdf", "--level", "B-LTA", *organisation)
    (work / "adobe-style-B-LT.pdf").write_bytes(_adobe_style_lt(ltv_pki, unsigned_pdf))
    return {p.stem: p for p in work.glob("*.pdf")}


def _adobe_style_lt(pki: TestPKI, pdf: bytes) -> bytes:
    """Signed by pyHanko the Adobe way: adbe.pkcs7.detached with revocation data inside the signed attributes."""
    from io import BytesIO

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko_certvalidator import ValidationContext

    from kyso.certs.loading import load_certificates
    from kyso.certs.parsing import parse_certificate

    signer = signers.SimpleSigner.load_pkcs12(str(pki.p12("person")), passphrase=pki.password.encode())
    context = ValidationContext(
        trust_roots=[parse_certificate(d) for d in load_certificates([pki.root_cert])], allow_fetching=True
    )
    out = BytesIO()
    signers.PdfSigner(
        signers.PdfSignatureMetadata(
            field_name="Signature1",
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED,
            embed_validation_info=True,
            validation_context=context,
        ),
        signer=signer,
        timestamper=HTTPTimeStamper(pki.tsa_url),
    ).sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), output=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def stopped(ltv_pki: TestPKI, documents: dict[str, Path]) -> TestPKI:
    """Every service of the PKI is stopped from here on (documents were made before)."""
    ltv_pki.stop()
    return ltv_pki


LEVELS = {
    "adobe-style-B-LT": "B-T",  # revocation data in the CMS, not in a DSS: PAdES calls it B-T, yet it is offline-valid
    "signed-B-LT": "B-LT",
    "signed-B-LTA": "B-LTA",
    "extended-B-LT": "B-LT",
    "extended-B-LTA": "B-LTA",
    "renewed-B-LTA": "B-LTA",
}


def verify_offline(kyso_cli, document: Path, pki: TestPKI, policy: str = "hard") -> Any:
    """``kyso verify --offline --revocation POLICY --format json`` trusting the test PKI's root."""
    return kyso_cli(
        "verify", document, "--offline", "--revocation", policy, "--trust", pki.root_cert, "--format", "json"
    )


@pytest.mark.parametrize("name", sorted(LEVELS))
@pytest.mark.parametrize("policy", ["soft", "hard"])
def test_offline_verification_with_every_service_stopped(
    name: str, policy: str, documents: dict[str, Path], stopped: TestPKI, kyso_cli
) -> None:
    assert not stopped.running
    stopped.reset_request_count()
    result = verify_offline(kyso_cli, documents[name], stopped, policy)
    report = json.loads(result.stdout)
    assert result.exit_code == 0, json.dumps(report, ensure_ascii=False, indent=1)
    assert report["indication"] == "TOTAL_PASSED"
    signature = report["signatures"][0]
    assert signature["level"] == LEVELS[name]
    assert signature["certificate"]["revocation"] == {"status": "good", "source": "embedded"}
    assert all(a["source"] == "embedded" for a in signature["certificate"]["revocations"])
    assert sum(stopped.request_count.values()) == 0


def test_every_signature_of_a_document_is_extended(documents: dict[str, Path], stopped: TestPKI, kyso_cli) -> None:
    result = verify_offline(kyso_cli, documents["two-extended-B-LT"], stopped)
    report = json.loads(result.stdout)
    assert result.exit_code == 0, json.dumps(report, ensure_ascii=False, indent=1)
    assert [s["level"] for s in report["signatures"]] == ["B-LT", "B-LT"]
    assert [s["signer"]["common_name"] for s in report["signatures"]] == [
        "Nguyễn Văn An",
        "Ủy ban nhân dân tỉnh Nghệ An",
    ]


def test_b_t_alone_does_not_verify_offline_under_hard(documents: dict[str, Path], stopped: TestPKI, kyso_cli) -> None:
    """The control: without embedded validation data, hard-fail offline cannot establish revocation."""
    result = verify_offline(kyso_cli, documents["signed-B-T"], stopped)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["signatures"][0]["sub_indication"] == "TRY_LATER"


def test_renewal_adds_an_archive_time_stamp(documents: dict[str, Path], stopped: TestPKI) -> None:
    once = kyso.verify(documents["extended-B-LTA"].read_bytes(), trust=[stopped.root_cert], offline=True)
    twice = kyso.verify(documents["renewed-B-LTA"].read_bytes(), trust=[stopped.root_cert], offline=True)
    assert len(once.timestamps) == 1
    assert len(twice.timestamps) == 2
    assert all(t.indication == "TOTAL_PASSED" for t in twice.timestamps)
    assert documents["renewed-B-LTA"].read_bytes().startswith(documents["extended-B-LTA"].read_bytes())


def test_extend_keeps_earlier_revisions(documents: dict[str, Path]) -> None:
    original = documents["signed-B-T"].read_bytes()
    for name in ("extended-B-LT", "extended-B-LTA"):
        assert documents[name].read_bytes().startswith(original)


def test_extend_failure_writes_nothing(
    documents: dict[str, Path], stopped: TestPKI, tmp_path: Path, kyso_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KYSO_CACHE_DIR", str(tmp_path / "empty-cache"))  # nothing cached: the PKI must answer
    out = tmp_path / "out.pdf"
    result = kyso_cli("extend", documents["signed-B-T"], "-o", out, "--level", "B-LT", "--timeout", "1")
    assert result.exit_code == 2
    assert result.stderr.startswith("kyso: error: ")
    assert not out.exists()
    assert not list(tmp_path.glob("*.partial"))


def test_usage_errors(documents: dict[str, Path], tmp_path: Path, kyso_cli) -> None:
    no_tsa = kyso_cli("extend", documents["signed-B-T"], "-o", tmp_path / "x.pdf", "--level", "B-LTA")
    assert no_tsa.exit_code == 2 and "--tsa" in no_tsa.stderr
    same = kyso_cli("extend", documents["signed-B-T"], "-o", documents["signed-B-T"], "--level", "B-LT")
    assert same.exit_code == 2
    (tmp_path / "unsigned.pdf").write_bytes(b"%PDF-1.7\n" + documents["signed-B-T"].read_bytes()[9:200])
    assert kyso_cli("extend", tmp_path / "unsigned.pdf", "-o", tmp_path / "y.pdf", "--level", "B-LT").exit_code == 2


def test_sign_b_lt_needs_a_tsa(unsigned_pdf: bytes, signer_for) -> None:
    with pytest.raises(kyso.UsageError):
        kyso.sign(unsigned_pdf, signer=signer_for("person"), level="B-LT")


def test_a_b_lta_signature_after_a_b_lta_one_carries_its_own_validation_data(
    documents: dict[str, Path], stopped: TestPKI
) -> None:
    """Signing at B-LTA a document that is B-LTA already renews the archive time-stamp *and* embeds the new
    signature's validation data: both signatures verify offline under hard revocation checking."""
    report = kyso.verify(
        documents["two-B-LTA"].read_bytes(), trust=[stopped.root_cert], offline=True, revocation="hard"
    )
    assert report.indication == "TOTAL_PASSED", [(s.id, s.messages) for s in report.signatures]
    assert [s.level for s in report.signatures] == ["B-LTA", "B-LTA"]
    assert all(s.certificate.revocation.source == "embedded" for s in report.signatures)
    assert len(report.timestamps) == 2


@pytest.mark.parametrize("name", ["signed-B-LT", "extended-B-LTA"])
def test_long_term_signature_survives_unreachable_responders_online(
    name: str, documents: dict[str, Path], stopped: TestPKI, kyso_cli
) -> None:
    """Online (fetching allowed) and hard policy, every service down: the embedded validation data still proves
    the signer was not revoked, so the long-term signature passes, and says where the answer came from."""
    from kyso.certs.validation import clear_memory_caches

    assert not stopped.running
    clear_memory_caches()  # nothing remembered from signing time: only the network or the document can answer
    result = kyso_cli(
        "verify",
        documents[name],
        "--revocation",
        "hard",
        "--timeout",
        "1",
        "--trust",
        stopped.root_cert,
        "--format",
        "json",
        env={"KYSO_CACHE_DIR": "off"},
    )
    report = json.loads(result.stdout)
    assert result.exit_code == 0, json.dumps(report, ensure_ascii=False, indent=1)
    signature = report["signatures"][0]
    assert signature["certificate"]["revocation"] == {"status": "good", "source": "embedded"}
    assert any("embedded in the document" in m for m in signature["messages"])


def test_extending_a_damaged_signature_is_an_input_error(signed_pdf: bytes) -> None:
    """A signature whose /Contents holds no readable CMS makes the document unusable input, not a service failure
    (nothing is fetched)."""
    from kyso.pdf.ltv import extend_pdf

    start = signed_pdf.index(b"/Contents <") + len(b"/Contents <")
    broken = signed_pdf[:start] + b"0000" + signed_pdf[start + 4 :]
    with pytest.raises(kyso.InputError, match="damaged PDF"):
        extend_pdf(broken, level="B-LT")
