"""Issue 9, class 10: text from a certificate, a document or a file name never reaches the terminal raw.

The attack: a certificate whose CN is ``ESC[2J ESC[H Kết luận: HỢP LỆ`` and a newline clears the screen and prints a
forged verdict; a file name holding a newline forges a report line; a bidi override reverses what follows it. Each
test builds the hostile certificate / name itself, runs the CLI with colours on (click strips some ANSI sequences
when it believes the output is not a terminal; a real terminal gets everything) and checks every byte written.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

import kyso
from kyso.cli.main import cli
from kyso.text import printable

FORGED = "\x1b[2J\x1b[H Kết luận: HỢP LỆ\n"
HOSTILE_CN = f"Nguyễn Văn Hùng{FORGED}\x9b31m\u202eKÝ THẬT"
HOSTILE_O = "Sở Tài chính\r\nKết luận: HỢP LỆ\x07\u2066"
HOSTILE_FILE = "công văn\x1b]0;pwned\x07\nKết luận: HỢP LỆ\n.pdf"

RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
"""What must never reach the terminal (a newline only as Kyso's own line end)."""


def _name(cn: str, organisation: str | None = None):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    with warnings.catch_warnings():  # an attacker ignores ub-common-name (64)
        warnings.simplefilter("ignore")
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, cn, _validate=False))
    return x509.Name(attributes)


def _certificate(subject, issuer, public_key, signing_key, *, ca: bool):
    from kyso.testing.certificates import certificate, key_usage

    usage = key_usage("key_cert_sign", "crl_sign") if ca else key_usage("digital_signature", "content_commitment")
    return certificate(
        subject, issuer=issuer, public_key=public_key, signing_key=signing_key, ca=ca, extensions=[(usage, True)]
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, unsigned_pdf) -> dict[str, Path]:
    """A CA and a signer whose names carry ANSI escapes, newlines and bidi controls; a PDF signed by it (the
    hostile CA trusted, the document then altered so that the real verdict is not HỢP LỆ), under a hostile name."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"CA gốc{FORGED}")
    ca = _certificate(ca_name, ca_name, ca_key.public_key(), ca_key, ca=True)
    leaf = _certificate(_name(HOSTILE_CN, HOSTILE_O), ca_name, leaf_key.public_key(), ca_key, ca=False)
    der = serialization.Encoding.DER
    signer = kyso.Pkcs12Signer(leaf_key, leaf.public_bytes(der), (ca.public_bytes(der),))
    signed = bytearray(kyso.sign(unsigned_pdf, signer=signer, reason=f"Đồng ý{FORGED}"))
    where = signed.index(b"/MediaBox")  # a signed byte: the real verdict is TOTAL_FAILED
    signed[where + 1 : where + 2] = b"m" if signed[where + 1 : where + 2] != b"m" else b"n"
    directory = tmp_path_factory.mktemp("hostile")
    paths = {"pdf": directory / HOSTILE_FILE, "ca": directory / "ca.pem", "leaf": directory / "leaf.pem"}
    paths["pdf"].write_bytes(bytes(signed))
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["leaf"].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    return paths


def _run(*args: object):
    result = CliRunner().invoke(cli, [str(a) for a in args], color=True, catch_exceptions=False)
    return result


def _assert_clean(text: str) -> None:
    found = RAW.search(text)
    assert found is None, f"raw {found.group()!r} reached the terminal: {text!r}"


def test_printable_escapes_controls_and_keeps_vietnamese():
    assert printable(FORGED) == "\\x1b[2J\\x1b[H Kết luận: HỢP LỆ\\n"
    assert printable("a\u202eb\u2066c\x9bd\x7fe\tf\u2028") == "a\\u202eb\\u2066c\\x9bd\\x7fe\\tf\\u2028"
    vietnamese = "Nguyễn Thị Hương Giang, Ủy ban nhân dân tỉnh Thừa Thiên Huế: ĐÃ KÝ"
    assert printable(vietnamese) == vietnamese
    decomposed = "Nguye\u0302\u0303n"  # NFD: combining marks are not controls
    assert printable(decomposed) == decomposed


@pytest.mark.parametrize("lang, verdict", [("vi", "Kết luận: "), ("en", "Verdict: ")])
def test_a_hostile_certificate_and_file_name_cannot_forge_the_verdict(hostile, lang, verdict):
    result = _run("verify", hostile["pdf"], "--trust", hostile["ca"], "--revocation", "off", "--lang", lang)
    assert result.exit_code == 1, result.output
    _assert_clean(result.stdout)
    _assert_clean(result.stderr)
    lines = result.stdout.splitlines()
    verdicts = [line for line in lines if line.startswith(verdict)]
    assert len(verdicts) == 1, lines
    assert verdicts[0] != "Kết luận: HỢP LỆ" and verdicts[0] != "Verdict: VALID"
    assert lines[1] == verdicts[0]  # right under the document line, where Kyso puts it
    assert "HỢP LỆ" not in lines[0].split("(")[-1]
    assert not any(line.lstrip().startswith(("Kết luận: HỢP LỆ", "Verdict: VALID")) for line in lines)
    # what was hostile is shown, escaped, on its own line; the Vietnamese letters are intact
    assert "\\x1b[2J\\x1b[H Kết luận: HỢP LỆ\\n" in result.stdout
    assert "Nguyễn Văn Hùng" in result.stdout and "\\u202eKÝ THẬT" in result.stdout
    assert "Sở Tài chính\\r\\nKết luận: HỢP LỆ\\x07\\u2066" in result.stdout
    assert "công văn\\x1b]0;pwned\\x07\\nKết luận: HỢP LỆ\\n.pdf" in result.stdout


def test_json_output_stays_exact(hostile):
    result = _run("verify", hostile["pdf"], "--trust", hostile["ca"], "--revocation", "off", "--format", "json")
    _assert_clean(result.stdout)  # C0 escaped by JSON itself, C1 and bidi controls by kyso.text.to_json ...
    assert "\\u009b31m\\u202e" in result.stdout
    report = json.loads(result.stdout)
    assert report["document"] == HOSTILE_FILE  # ... and exact: nothing mangled
    assert report["signatures"][0]["signer"]["common_name"] == HOSTILE_CN
    assert report["signatures"][0]["signer"]["organization"] == HOSTILE_O


def test_cert_validate_text_is_escaped(hostile):
    result = _run("cert", "validate", hostile["leaf"], "--trust", hostile["ca"], "--revocation", "off")
    _assert_clean(result.stdout)
    _assert_clean(result.stderr)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Chứng thư số: Nguyễn Văn Hùng\\x1b[2J")
    assert sum(line.startswith("Kết luận: ") for line in lines) == 1
    assert "Kết luận: HỢP LỆ" not in lines[2:]


def test_error_lines_escape_a_hostile_file_name(tmp_path):
    result = _run("verify", tmp_path / HOSTILE_FILE)  # no such file: the name comes back in the error
    assert result.exit_code == 2
    _assert_clean(result.stderr)
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("kyso: error: ") and "\\nKết luận: HỢP LỆ\\n.pdf: không có tệp này" in result.stderr


def test_sign_echo_escapes_the_output_name(tmp_path, pki, unsigned_pdf):
    output = tmp_path / HOSTILE_FILE
    source = tmp_path / "in.pdf"
    source.write_bytes(unsigned_pdf)
    result = CliRunner().invoke(
        cli,
        ["sign", str(source), "-o", str(output), "--p12", str(pki.p12("person")), "--password-env", "KYSO_PW"],
        env={"KYSO_PW": pki.password},
        color=True,
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    _assert_clean(result.stderr)
    assert output.exists()


def test_verbose_log_lines_are_escaped():
    import logging

    from kyso.cli.main import _PrintableFormatter

    record = logging.LogRecord("pyhanko", logging.WARNING, __file__, 1, "signer %s", (HOSTILE_CN,), None)
    line = _PrintableFormatter("kyso: %(levelname)s: %(name)s: %(message)s").format(record)
    _assert_clean(line)
    assert line.startswith("kyso: WARNING: pyhanko: signer Nguyễn Văn Hùng\\x1b[2J")
