"""Bad input through the ``kyso`` CLI (issue item 10).

Each case: exit code 2 with ONE line on stderr starting ``kyso: error:`` (or exit code 1 and an honest verdict for a
bad signer), the input files unchanged, no output or ``.partial`` file left behind, and the password never echoed.
"""

from __future__ import annotations

import json
import socket
from io import BytesIO
from pathlib import Path

import pytest

import kyso

PASSWORD = "S3cret-Pa55-kyso"
WRONG_PASSWORD = "Wr0ng-Pa55-kyso"
PASSWORD_ENV = "KYSO_TEST_SECRET"


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def encrypted_pdf(plain: bytes, *, pdf_mac: bool) -> bytes:
    """``plain`` encrypted with AES-256 (PDF 2.0) by pyHanko, with or without the ISO 32004 MAC."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(BytesIO(plain)))
    writer.encrypt("owner-pass", "user-pass", pdf_mac=pdf_mac)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, pki, unsigned_pdf, signed_pdf, signer_for) -> Path:
    """Every bad input, written once for the module."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    directory = tmp_path_factory.mktemp("bad-input")
    files = {
        "unsigned.pdf": unsigned_pdf,
        "signed.pdf": signed_pdf,
        "not-a-pdf.pdf": "Công văn số 123/UBND-VP\n".encode() * 20,
        "truncated-signed.pdf": signed_pdf[: len(signed_pdf) // 2],
        "truncated-unsigned.pdf": unsigned_pdf[: len(unsigned_pdf) // 2],
        "signed-tail-cut.pdf": signed_pdf[:-40],
        "encrypted.pdf": encrypted_pdf(unsigned_pdf, pdf_mac=False),
        "encrypted-mac.pdf": encrypted_pdf(unsigned_pdf, pdf_mac=True),
        "garbage.p12": bytes(range(256)) * 8,
    }
    for name in ("untrusted", "expired", "revoked"):
        files[f"{name}.pdf"] = kyso.sign(unsigned_pdf, signer=signer_for(name), force=True)

    key = serialization.load_pem_private_key(pki.key("person").read_bytes(), None)
    cert = x509.load_pem_x509_certificate(pki.cert("person").read_bytes())
    chain = [x509.load_pem_x509_certificate(pki.cert(n).read_bytes()) for n in ("issuing_ca", "root")]
    encryption = serialization.BestAvailableEncryption(PASSWORD.encode())
    files["secret.p12"] = pkcs12.serialize_key_and_certificates(b"person", key, cert, chain, encryption)
    files["no-key.p12"] = pkcs12.serialize_key_and_certificates(b"person", None, cert, chain, encryption)
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return directory


@pytest.fixture
def out_dir(tmp_path) -> Path:
    directory = tmp_path / "out"
    directory.mkdir()
    return directory


@pytest.fixture
def sign(kyso_cli, inputs, out_dir, files_unchanged):
    """``kyso sign`` with the distinctive password in the environment; inputs watched for changes."""

    def run(
        document: str,
        *extra: object,
        p12: str = "secret.p12",
        password: str = PASSWORD,
        password_env: str = PASSWORD_ENV,
        output=None,
        verbose: bool = False,
    ):
        paths = [inputs / name for name in (document, p12) if (inputs / name).exists()]
        files_unchanged(*paths)
        target = output if output is not None else out_dir / "signed.pdf"
        return kyso_cli(
            *(["--verbose"] if verbose else []),
            "--lang",  # these tests pin the English details; the Vietnamese line: tests/cli/test_error_language.py
            "en",
            "sign",
            inputs / document,
            "-o",
            target,
            "--p12",
            inputs / p12,
            "--password-env",
            password_env,
            *extra,
            env={PASSWORD_ENV: password},
        )

    return run


@pytest.fixture
def verify(kyso_cli, inputs, files_unchanged, pki):
    def run(document: str, *extra: object):
        if (inputs / document).exists():
            files_unchanged(inputs / document)
        return kyso_cli("verify", inputs / document, "--trust", pki.root_cert, *extra)

    return run


def assert_one_error_line(result, *fragments: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kyso: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert_no_secret(result)
    return lines[0]


def assert_no_secret(result) -> None:
    for secret in (PASSWORD, WRONG_PASSWORD):
        assert secret not in result.stdout
        assert secret not in result.stderr


def assert_nothing_written(out_dir: Path) -> None:
    assert sorted(p.name for p in out_dir.iterdir()) == []


# ---------------------------------------------------------------------------------------------------------------
# the baseline: the re-wrapped key store works
# ---------------------------------------------------------------------------------------------------------------


def test_secret_p12_signs(sign, out_dir, pki):
    result = sign("unsigned.pdf")
    assert result.exit_code == 0, result.stderr
    assert_no_secret(result)
    assert [p.name for p in out_dir.iterdir()] == ["signed.pdf"]
    report = kyso.verify((out_dir / "signed.pdf").read_bytes(), trust=[pki.root_cert], revocation="off")
    assert report.indication == "TOTAL_PASSED"


# ---------------------------------------------------------------------------------------------------------------
# documents
# ---------------------------------------------------------------------------------------------------------------


UNUSABLE_DOCUMENTS = pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ("missing.pdf", "no such file"),
        ("not-a-pdf.pdf", "unrecognised document format"),
        ("truncated-unsigned.pdf", "damaged PDF"),
        ("truncated-signed.pdf", "damaged PDF"),
        ("encrypted.pdf", "encrypted"),
        ("encrypted-mac.pdf", "encrypted"),  # pyHanko's ISO 32004 MAC holds a /ByteRange: not a signature
    ],
)
"""Documents that neither ``sign`` nor ``verify`` can use, and a fragment of the one error line about each."""


@UNUSABLE_DOCUMENTS
def test_sign_unusable_document(sign, out_dir, document, fragment):
    assert_one_error_line(sign(document), fragment)
    assert_nothing_written(out_dir)


@UNUSABLE_DOCUMENTS
def test_verify_unusable_document(verify, document, fragment):
    assert_one_error_line(verify(document, "--lang", "en"), fragment)


def test_verify_directory(kyso_cli, inputs):
    assert_one_error_line(kyso_cli("verify", inputs, "--lang", "en"), "is a directory")


def test_verify_signed_pdf_cut_at_the_end_is_a_failed_verdict(verify):
    """The signature is still in the bytes but the file ends before its byte range: a verdict, never a pass."""
    result = verify("signed-tail-cut.pdf", "--format", "json", "--revocation", "off")
    assert result.exit_code == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["indication"] == "TOTAL_FAILED"
    assert report["signatures"][0]["sub_indication"] == "FORMAT_FAILURE"
    assert result.stderr == ""


def test_bad_moment_is_bad_usage(verify):
    assert_one_error_line(verify("signed.pdf", "--at", "hôm qua"), "ISO 8601")


def test_missing_trust_file(kyso_cli, inputs):
    result = kyso_cli("verify", inputs / "signed.pdf", "--trust", inputs / "no-root.pem", "--lang", "en")
    assert_one_error_line(result, "no such file")


def test_trust_file_that_is_not_a_certificate(kyso_cli, inputs):
    result = kyso_cli("verify", inputs / "signed.pdf", "--trust", inputs / "garbage.p12")
    assert_one_error_line(result, "not a valid X.509 certificate")


# ---------------------------------------------------------------------------------------------------------------
# key stores and passwords
# ---------------------------------------------------------------------------------------------------------------


def test_wrong_password(sign, out_dir):
    assert_one_error_line(sign("unsigned.pdf", password=WRONG_PASSWORD), "wrong password")
    assert_nothing_written(out_dir)


def test_p12_without_private_key(sign, out_dir):
    assert_one_error_line(sign("unsigned.pdf", p12="no-key.p12"), "no private key")
    assert_nothing_written(out_dir)


def test_p12_that_is_garbage(sign, out_dir):
    assert_one_error_line(sign("unsigned.pdf", p12="garbage.p12"), "not a PKCS#12 file")
    assert_nothing_written(out_dir)


def test_p12_missing(sign, out_dir):
    assert_one_error_line(sign("unsigned.pdf", p12="missing.p12"), "no such file")
    assert_nothing_written(out_dir)


def test_password_variable_not_set(sign, out_dir):
    result = sign("unsigned.pdf", password_env="KYSO_TEST_UNSET_VARIABLE")
    assert_one_error_line(result, "KYSO_TEST_UNSET_VARIABLE")
    assert_nothing_written(out_dir)


def test_password_is_not_shown_with_verbose(sign, out_dir):
    result = sign("unsigned.pdf", password=WRONG_PASSWORD, verbose=True)
    assert result.exit_code == 2
    assert_no_secret(result)
    assert_nothing_written(out_dir)


# ---------------------------------------------------------------------------------------------------------------
# outputs and services
# ---------------------------------------------------------------------------------------------------------------


def test_tsa_unreachable(sign, out_dir):
    url = f"http://127.0.0.1:{closed_port()}/tsa"
    line = assert_one_error_line(sign("unsigned.pdf", "--level", "B-T", "--tsa", url, "--timeout", "5"), url)
    assert "time-stamping" in line
    assert_nothing_written(out_dir)  # no output, no .partial


def test_b_t_without_tsa_is_bad_usage(sign, out_dir):
    assert_one_error_line(sign("unsigned.pdf", "--level", "B-T"), "--tsa")
    assert_nothing_written(out_dir)


def test_output_directory_missing(sign, out_dir):
    assert_one_error_line(sign("unsigned.pdf", output=out_dir / "missing" / "signed.pdf"), "does not exist")
    assert_nothing_written(out_dir)


def test_output_is_a_directory(sign, out_dir):
    (out_dir / "existing").mkdir()
    assert_one_error_line(sign("unsigned.pdf", output=out_dir / "existing"), "is a directory")
    assert [p.name for p in out_dir.iterdir()] == ["existing"]
    assert list((out_dir / "existing").iterdir()) == []


def test_output_same_as_input(sign, inputs):
    assert_one_error_line(sign("unsigned.pdf", output=inputs / "unsigned.pdf"), "different file")


def test_failed_sign_keeps_an_existing_output(sign, out_dir):
    previous = out_dir / "signed.pdf"
    previous.write_bytes(b"an earlier signed document")
    assert_one_error_line(sign("unsigned.pdf", password=WRONG_PASSWORD), "wrong password")
    assert previous.read_bytes() == b"an earlier signed document"
    assert [p.name for p in out_dir.iterdir()] == ["signed.pdf"]


@pytest.mark.parametrize(
    ("box", "fragment"),
    [("50,50,250", "x1,y1,x2,y2"), ("250,50,50,120", "x1 < x2"), ("50,50,9000,120", "outside page")],
)
def test_bad_box(sign, out_dir, box, fragment):
    assert_one_error_line(sign("unsigned.pdf", "--page", "1", "--box", box), fragment)
    assert_nothing_written(out_dir)


def test_page_that_does_not_exist(sign, out_dir):
    assert_one_error_line(sign("unsigned.pdf", "--page", "3", "--box", "50,50,250,120"), "page 3")
    assert_nothing_written(out_dir)


# ---------------------------------------------------------------------------------------------------------------
# bad signers: a verdict (exit 1), never an error, never a pass
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "indication", "sub_indications"),
    [
        ("untrusted.pdf", "INDETERMINATE", {"NO_CERTIFICATE_CHAIN_FOUND"}),
        ("expired.pdf", "INDETERMINATE", {"OUT_OF_BOUNDS_NO_POE", "EXPIRED"}),
        ("revoked.pdf", "TOTAL_FAILED", {"REVOKED"}),
    ],
)
def test_bad_signer_is_an_honest_verdict(verify, document, indication, sub_indications):
    result = verify(document, "--format", "json", "--revocation", "soft")
    assert result.exit_code == 1, result.stderr
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert report["indication"] == indication
    (signature,) = report["signatures"]
    assert signature["indication"] == indication
    assert signature["sub_indication"] in sub_indications
    assert signature["messages"], "a verdict other than TOTAL_PASSED must say why"
    if document == "revoked.pdf":
        assert signature["certificate"]["revocation"]["status"] == "revoked"


def test_bad_signer_text_report_says_why(verify):
    result = verify("revoked.pdf")
    assert result.exit_code == 1
    assert "Kết luận: KHÔNG HỢP LỆ" in result.stdout
    assert "chứng thư số đã bị thu hồi" in result.stdout
    result = verify("untrusted.pdf", "--lang", "en", "--revocation", "off")
    assert result.exit_code == 1
    assert "Verdict: INDETERMINATE" in result.stdout
    assert "no chain to a trusted root certificate" in result.stdout
