"""Issue 9, class 13: each Kyso PDF rule of ``kyso.pdf.changes`` and ``kyso.pdf.verification`` has a test on a
file generated here, so that removing the rule fails a test even without the interop corpus of ``../shared``.

Each test names the rule it guards; the files are signed by Kyso (or pyHanko, for a certification signature) in
the session and changed afterwards as an attacker would.
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

import pytest
from pdf_forgery import append_update, byte_range, form_pdf, sign_byte_range, update_page

import kyso
from kyso.testing.pki import TestPKI


def _verify(data: bytes, pki: TestPKI) -> kyso.SignatureReport:
    report = kyso.verify(data, trust=[pki.root_cert], revocation="off")
    assert report.indication != "TOTAL_PASSED", report.signatures[0].messages
    return report.signatures[0]


def _has(sig: kyso.SignatureReport, reason: str) -> bool:
    return any(reason in m for m in sig.messages)


def _write(writer: object) -> bytes:
    out = BytesIO()
    writer.write(out)  # type: ignore[attr-defined]
    return out.getvalue()


def _incremental(data: bytes) -> object:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    return IncrementalPdfFileWriter(BytesIO(data), strict=False)


def test_malformed_cms_is_never_passed(signed_pdf: bytes, pki: TestPKI) -> None:
    """``_check_encoding`` / ``_x690_problem``: an INTEGER with a redundant leading octet (the SignerInfo version,
    which no signature value covers) keeps pyHanko's verdict intact, strict decoders refuse the container."""
    from asn1crypto import cms

    _, len1, start2, _ = byte_range(signed_pdf)
    container = cms.ContentInfo.load(bytes.fromhex(signed_pdf[len1 + 1 : start2 - 1].decode()).rstrip(b"\0"))
    signed_data = container["content"]
    original = signed_data["signer_infos"][0].dump()
    assert original[4:7] == b"\x02\x01\x01"  # version 1
    body = b"\x02\x02\x00\x01" + original[7:]
    signed_data["signer_infos"] = cms.SignerInfos(
        [cms.SignerInfo.load(b"\x30\x82" + len(body).to_bytes(2, "big") + body)]
    )
    container["content"] = signed_data
    blob = container.dump().hex().upper().encode()
    data = signed_pdf[: len1 + 1] + blob.ljust(start2 - len1 - 2, b"0") + signed_pdf[start2 - 1 :]
    sig = _verify(data, pki)
    assert (sig.indication, sig.sub_indication) == ("INDETERMINATE", "FORMAT_FAILURE")
    assert _has(sig, "not well-formed ASN.1"), sig.messages


def test_signature_range_that_stops_before_the_end_of_its_revision(signed_pdf: bytes, pki: TestPKI) -> None:
    """``_coverage``, PARTIAL branch: the geometry is sound but the second range stops before the revision's
    ``startxref`` / ``%%EOF`` (pyHanko: CONTIGUOUS_BLOCK_FROM_START), so that tail is unsigned."""
    _, len1, start2, _ = byte_range(signed_pdf)
    sloppy = sign_byte_range(signed_pdf, (0, len1, start2, signed_pdf.rindex(b"startxref") - start2), pki)
    sig = _verify(sloppy, pki)
    assert (sig.indication, sig.sub_indication, sig.coverage) == ("TOTAL_FAILED", "FORMAT_FAILURE", "PARTIAL")
    assert _has(sig, "does not cover the whole file"), sig.messages


@pytest.fixture(scope="module")
def signed_form(signer_for: Callable[[str], kyso.Pkcs12Signer]) -> bytes:
    return kyso.sign(form_pdf(), signer=signer_for("person"))


def test_signed_form_passes(signed_form: bytes, pki: TestPKI) -> None:
    assert kyso.verify(signed_form, trust=[pki.root_cert], revocation="off").indication == "TOTAL_PASSED"


def test_text_field_changed_after_signing_shadow_replace(signed_form: bytes, pki: TestPKI) -> None:
    """The shadow "replace" rule (end of ``_check_coverage_and_changes``): pyHanko rates a new field value as
    form filling; in a signed official document it is content replaced."""
    from pyhanko.pdf_utils import generic

    writer = _incremental(signed_form)
    field = next(f.get_object() for f in writer.root["/AcroForm"]["/Fields"] if f.get_object()["/T"] == "amount")
    field["/V"] = generic.TextStringObject("1.000.000.000 VND")
    writer.update_container(field)
    sig = _verify(_write(writer), pki)
    # the rewritten widget still paints, so the overlay rule (sdk/pdf/overlays.py) rates it OTHER as well; the
    # message is this rule's own
    assert sig.modifications in ("FORM_FILLING", "OTHER") and sig.indication == "INDETERMINATE"
    assert _has(sig, "form fields were changed after signing: amount"), sig.messages


def test_page_added_after_signing(signed_pdf: bytes, pki: TestPKI) -> None:
    """``_check_pages``: a page added by an incremental update fails the signature (DSS BBB_FC_DSFREAP)."""
    from pyhanko.pdf_utils import generic

    writer = _incremental(signed_pdf)
    stream = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 14 Tf 72 770 Td (Annex) Tj ET"))
    writer.insert_page(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Page"),
                generic.NameObject("/MediaBox"): generic.ArrayObject(map(generic.NumberObject, (0, 0, 595, 842))),
                generic.NameObject("/Contents"): stream,
            }
        )
    )
    sig = _verify(_write(writer), pki)
    assert (sig.indication, sig.sub_indication) == ("TOTAL_FAILED", "FORMAT_FAILURE")
    assert _has(sig, "pages were added or removed after signing (1 signed, 2 now)"), sig.messages


def test_unparseable_later_update_shadow_hide(signed_pdf: bytes, pki: TestPKI) -> None:
    """The shadow "hide" rule (``evaluate_modifications`` raising): an update whose page object cannot be read is
    an unexplained change, never "no changes"."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(signed_pdf), strict=False)
    page = reader.root["/Pages"]["/Kids"].raw_get(0).reference.idnum
    broken = append_update(signed_pdf, {page: b"<< /Type /Page /Parent 2 0 R /Contents [ 99 0 R /Hidden ( >>"})
    sig = _verify(broken, pki)
    assert sig.indication in ("INDETERMINATE", "TOTAL_FAILED") and sig.modifications == "OTHER"
    assert _has(sig, "modified after signing and the changes cannot be analysed"), sig.messages


def test_page_content_replaced_is_a_suspicious_modification(signed_pdf: bytes, pki: TestPKI) -> None:
    """The SuspiciousModification branch of ``_check_coverage_and_changes``: the page's content stream replaced."""
    sig = _verify(update_page(signed_pdf), pki)
    assert (sig.indication, sig.sub_indication, sig.modifications) == (
        "INDETERMINATE",
        "SIG_CONSTRAINTS_FAILURE",
        "OTHER",
    )
    assert _has(sig, "the document was modified after signing:"), sig.messages


@pytest.fixture(scope="module")
def certified(pki: TestPKI) -> bytes:
    """A certification signature that permits no change at all (DocMDP 1), made with pyHanko itself."""
    from conftest import make_pdf
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load(
        str(pki.key("person")), str(pki.cert("person")), ca_chain_files=[str(pki.issuing_ca_cert)]
    )
    meta = signers.PdfSignatureMetadata(
        field_name="Certification",
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    return signers.PdfSigner(meta, signer).sign_pdf(_incremental(make_pdf())).getvalue()


def test_certified_document_passes(certified: bytes, pki: TestPKI) -> None:
    report = kyso.verify(certified, trust=[pki.root_cert], revocation="off")
    assert report.indication == "TOTAL_PASSED", report.signatures[0].messages


def test_changes_beyond_the_docmdp_permissions(
    certified: bytes, signer_for: Callable[[str], kyso.Pkcs12Signer], pki: TestPKI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The DocMDP limit (end of ``_check_coverage_and_changes``): a second signature is form filling for pyHanko's
    difference analysis and a signature field for the shadow "replace" rule, but the certifier permitted no change
    at all. (pyHanko's signer refuses to add it; a signing tool that ignores DocMDP is simulated.)"""
    import pyhanko.sign.validation

    monkeypatch.setattr(pyhanko.sign.validation, "read_certification_data", lambda reader: None)
    twice = kyso.sign(certified, signer=signer_for("organisation"))
    monkeypatch.undo()
    report = kyso.verify(twice, trust=[pki.root_cert], revocation="off")
    first, second = report.signatures
    assert second.indication == "TOTAL_PASSED", second.messages
    assert first.modifications == "FORM_FILLING" and first.indication == "INDETERMINATE", first.messages
    assert _has(first, "exceed what the certifying signature permits"), first.messages
