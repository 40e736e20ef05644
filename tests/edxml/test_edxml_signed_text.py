"""Issue 9, class 8: what was signed is what is read. A processing instruction or an element inside a leaf text field
is covered by the signature (C14N keeps both) but would cut what ``element.text`` reads: such a field is refused
when the message is read (docs/edxml.md, "Hardened reading"). The signed messages are built here."""

from __future__ import annotations

from pathlib import Path

import pytest
from edxml_support import full_message

import kyso
from kyso.core.errors import InputError
from kyso_edxml import codec, open_verified

SUBJECT = "V/v triển khai chữ ký số chuyên dùng Chính phủ"
SIGNED_SUBJECTS = {
    "processing-instruction": "Báo cáo<?x?> GIẢ MẠO: chuyển 1.000.000.000 VND",
    "child-element": "Báo cáo<b/> GIẢ MẠO: chuyển 1.000.000.000 VND",
    "namespaced-child": 'Báo cáo<k:b xmlns:k="urn:kyso"/> GIẢ MẠO: chuyển 1.000.000.000 VND',
}


def _signed(signer_for, subject: str) -> bytes:
    unsigned = codec.build(full_message())
    assert SUBJECT.encode() in unsigned
    return kyso.sign(unsigned.replace(SUBJECT.encode(), subject.encode()), signer=signer_for("person"))


@pytest.mark.parametrize("name", SIGNED_SUBJECTS)
def test_markup_inside_a_signed_subject_is_refused_not_read_in_part(name: str, signer_for, pki) -> None:
    from lxml import etree

    signed = _signed(signer_for, SIGNED_SUBJECTS[name])
    trust = [pki.cert("root")]
    # the attack is real: the signature covers the whole subject, markup included, and is intact...
    report = kyso.verify(signed, trust=trust, revocation="off")
    assert report.indication == "TOTAL_PASSED"
    # ...while a plain element.text stops at the markup
    subject = next(e for e in etree.fromstring(signed).iter() if str(e.tag).endswith("}Subject"))
    assert subject.text == "Báo cáo"
    with pytest.raises(InputError, match="MessageHeader/Subject holds markup .* inside its text: refused"):
        open_verified(signed, trust=trust, revocation="off")
    with pytest.raises(InputError, match="MessageHeader/Subject holds markup"):
        codec.parse(signed)


def test_the_refusal_names_what_is_inside(signer_for, pki) -> None:
    with pytest.raises(InputError, match=r"\(a processing instruction\)"):
        codec.parse(_signed(signer_for, SIGNED_SUBJECTS["processing-instruction"]))
    with pytest.raises(InputError, match=r"\(an element\)"):
        codec.parse(_signed(signer_for, SIGNED_SUBJECTS["child-element"]))


def test_a_processing_instruction_inside_an_attachment_is_refused(signer_for, pki) -> None:
    # base64 cut at a PI would hand over a shorter attachment than the one signed
    unsigned = codec.build(full_message(attachment=b"%PDF-1.7 " + bytes(range(256)) * 4))
    start = unsigned.index(b"ContentTransferEncoded>") + len(b"ContentTransferEncoded>")
    hostile = unsigned[: start + 40] + b"<?x?>" + unsigned[start + 40 :]
    signed = kyso.sign(hostile, signer=signer_for("person"))
    with pytest.raises(InputError, match="ContentTransferEncoded holds markup"):
        open_verified(signed, trust=[pki.cert("root")], revocation="off")


def test_a_comment_inside_a_signed_subject_reads_whole(signer_for, pki) -> None:
    # comments are outside C14N and dropped by the parser: the text around one is read as one text, as signed
    signed = _signed(signer_for, "Báo cáo<!-- x --> tháng 11")
    report, message = open_verified(signed, trust=[pki.cert("root")], revocation="off")
    assert report.indication == "TOTAL_PASSED"
    assert message is not None and message.header.subject == "Báo cáo tháng 11"


def test_unpack_verify_refuses_it_with_one_error_line(signer_for, pki, tmp_path: Path, kyso_cli) -> None:
    path = tmp_path / "pi.edxml"
    path.write_bytes(_signed(signer_for, SIGNED_SUBJECTS["processing-instruction"]))
    out = tmp_path / "out"
    result = kyso_cli(
        "edxml", "unpack", path, "-d", out, "--verify", "--trust", pki.cert("root"), "--revocation", "off"
    )
    assert result.exit_code == 2, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("kyso: error:")]
    assert len(errors) == 1 and "Subject holds markup" in errors[0]
    assert not out.exists() or not any(out.iterdir())
