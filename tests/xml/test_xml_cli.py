"""Issue 13, item 2 from the command line: ``kyso sign any.xml`` with the XML options, ``kyso verify`` with
``--trust-key`` and ``--detached-content``, the JSON report with ``signed_element`` and ``role``."""

from __future__ import annotations

import json

from xml_support import INVOICE, VOUCHER

PASSWORD_ENV = "KYSO_XML_TEST_PW"


def _sign(kyso_cli, pki, source, output, *extra):
    return kyso_cli(
        "sign",
        source,
        "-o",
        output,
        "--p12",
        pki.p12("person"),
        "--password-env",
        PASSWORD_ENV,
        *extra,
        env={PASSWORD_ENV: pki.password},
    )


def test_sign_and_verify_an_invoice_from_the_cli(kyso_cli, pki, tmp_path) -> None:
    source = tmp_path / "hoadon.xml"
    source.write_bytes(INVOICE)
    signed = tmp_path / "hoadon-signed.xml"
    result = _sign(kyso_cli, pki, source, signed, "--profile", "einvoice")
    assert result.exit_code == 0, result.stderr
    assert source.read_bytes() == INVOICE  # IN is never modified
    verified = kyso_cli("verify", signed, "--trust", pki.root_cert, "--revocation", "off", "--format", "json")
    assert verified.exit_code == 0, verified.stdout
    report = json.loads(verified.stdout)
    (signature,) = report["signatures"]
    assert (report["format"], signature["role"]) == ("xml", "seller")
    assert signature["signed_element"] == "/HDon/DLHDon[@Id='HD-2026-0001']"
    text = kyso_cli("verify", signed, "--trust", pki.root_cert, "--revocation", "off", "--lang", "vi")
    assert text.exit_code == 0


def test_xades_b_t_detached_and_options_from_the_cli(kyso_cli, pki, tmp_path) -> None:
    source = tmp_path / "chungtu.xml"
    source.write_bytes(VOUCHER)
    stamped = tmp_path / "b-t.xml"
    result = _sign(kyso_cli, pki, source, stamped, "--level", "B-T", "--tsa", pki.tsa_url, "--xml-id", "nd1")
    assert result.exit_code == 0, result.stderr
    report = json.loads(
        kyso_cli("verify", stamped, "--trust", pki.root_cert, "--revocation", "off", "--format", "json").stdout
    )
    assert (report["indication"], report["signatures"][0]["level"]) == ("TOTAL_PASSED", "B-T")
    detached = tmp_path / "chungtu.sig.xml"
    assert _sign(kyso_cli, pki, source, detached, "--xml-placement", "detached").exit_code == 0
    given = kyso_cli("verify", detached, "--trust", pki.root_cert, "--revocation", "off", "--detached-content", source)
    assert given.exit_code == 0, given.stdout
    assert kyso_cli("verify", detached, "--trust", pki.root_cert, "--revocation", "off").exit_code == 1


def test_format_options_on_another_format_are_refused(kyso_cli, pki, tmp_path, unsigned_pdf) -> None:
    source = tmp_path / "a.pdf"
    source.write_bytes(unsigned_pdf)
    result = _sign(kyso_cli, pki, source, tmp_path / "b.pdf", "--xml-id", "x")
    assert result.exit_code == 2 and "--xml-id" in result.stderr
    assert not (tmp_path / "b.pdf").exists()
    pem = tmp_path / "key.pem"
    pem.write_bytes(pki.cert("person").read_bytes())
    assert kyso_cli("verify", source, "--trust-key", pem).exit_code == 2
