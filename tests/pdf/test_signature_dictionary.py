"""Issue 9, class 2: a signature is judged only in a format Kyso knows (``check_dictionary`` in
``kyso.pdf.changes``): /Filter present, /SubFilter one of adbe.pkcs7.detached, ETSI.CAdES.detached (signatures)
or ETSI.RFC3161 (document time-stamps). The dictionaries are rewritten here and signed again with the test key, so
that the dictionary is the only thing wrong."""

from __future__ import annotations

from io import BytesIO

import pytest
from pdf_forgery import byte_range, sign_byte_range

import kyso
from kyso.testing.pki import TestPKI

KYSO_SUBFILTER = b"/SubFilter /ETSI.CAdES.detached"
KYSO_FILTER = b"/Filter /Adobe.PPKLite"


def _rewritten(signed: bytes, old: bytes, new: bytes, pki: TestPKI) -> bytes:
    assert signed.count(old) == 1 and len(new) <= len(old)
    return sign_byte_range(signed.replace(old, new.ljust(len(old))), byte_range(signed), pki)


def _verify(data: bytes, pki: TestPKI) -> kyso.SignatureReport:
    (sig,) = kyso.verify(data, trust=[pki.root_cert], revocation="off").signatures
    return sig


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (KYSO_SUBFILTER, b"/SubFilter /adbe.pkcs7.detached"),
        (KYSO_FILTER, b"/Filter /Adobe.PPKMS"),  # another handler, a known sub-filter
        (KYSO_SUBFILTER, KYSO_SUBFILTER),  # re-signing itself changes nothing
    ],
)
def test_known_formats_pass(signed_pdf: bytes, pki: TestPKI, old: bytes, new: bytes) -> None:
    sig = _verify(_rewritten(signed_pdf, old, new, pki), pki)
    assert sig.indication == "TOTAL_PASSED", sig.messages


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (KYSO_SUBFILTER, b"/SubFilter /adbe.pkcs7.sha1", "legacy signature format adbe.pkcs7.sha1"),
        (KYSO_SUBFILTER, b"/SubFilter /adbe.x509.rsa_sha1", "legacy signature format adbe.x509.rsa_sha1"),
        (KYSO_SUBFILTER, b"/SubFilter /ETSI.RFC3161", "ETSI.RFC3161 is not a known one for Sig"),
        (KYSO_SUBFILTER, b"/SubFilter /Kyso.Custom", "Kyso.Custom is not a known one for Sig"),
        (KYSO_SUBFILTER, b"", "has no /SubFilter"),
        (KYSO_SUBFILTER, b"/SubFilter (ETSI.CAdES)", "has no /SubFilter"),  # a string, not a name
        (KYSO_FILTER, b"", "has no /Filter"),
    ],
)
def test_unknown_or_legacy_formats_are_never_passed(
    signed_pdf: bytes, pki: TestPKI, old: bytes, new: bytes, reason: str
) -> None:
    """Each file carries an intact, valid CAdES signature from a trusted signer: only the dictionary is off."""
    sig = _verify(_rewritten(signed_pdf, old, new, pki), pki)
    assert (sig.indication, sig.sub_indication) == ("INDETERMINATE", "FORMAT_FAILURE"), sig.messages
    assert any(reason in m for m in sig.messages), sig.messages


def test_document_timestamp_needs_the_rfc3161_subfilter(signed_pdf: bytes, pki: TestPKI) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers, timestamps

    stamper = signers.PdfTimeStamper(timestamps.HTTPTimeStamper(pki.tsa_url))
    stamped = stamper.timestamp_pdf(IncrementalPdfFileWriter(BytesIO(signed_pdf)), md_algorithm="sha256").getvalue()
    report = kyso.verify(stamped, trust=[pki.root_cert], revocation="off")
    (stamp,) = report.timestamps
    assert stamp.indication == "TOTAL_PASSED", stamp.messages
    tail = stamped[len(signed_pdf) :]
    assert tail.count(b"/SubFilter /ETSI.RFC3161") == 1
    odd = stamped[: len(signed_pdf)] + tail.replace(b"/SubFilter /ETSI.RFC3161", b"/SubFilter /Kyso.RFC3161")
    (stamp,) = kyso.verify(odd, trust=[pki.root_cert], revocation="off").timestamps
    assert (stamp.indication, stamp.sub_indication) == ("INDETERMINATE", "FORMAT_FAILURE"), stamp.messages
    assert any("Kyso.RFC3161 is not a known one for DocTimeStamp" in m for m in stamp.messages), stamp.messages
