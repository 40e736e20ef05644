"""Interop both ways with plain pyHanko: what Kyso signs pyHanko accepts, and the reverse."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

import kyso
from kyso.testing.pki import TestPKI


def _pyhanko_context(pki: TestPKI):
    from asn1crypto import pem, x509
    from pyhanko_certvalidator import ValidationContext

    def load(path):
        data = path.read_bytes()
        return x509.Certificate.load(pem.unarmor(data)[2] if pem.detect(data) else data)

    return ValidationContext(
        trust_roots=[load(pki.root_cert)],
        other_certs=[load(pki.issuing_ca_cert)],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def test_kyso_signature_validates_with_plain_pyhanko(signed_pdf: bytes, pki: TestPKI) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    reader = PdfFileReader(BytesIO(signed_pdf))
    (embedded,) = reader.embedded_signatures
    status = validate_pdf_signature(embedded, _pyhanko_context(pki))
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line


def test_pyhanko_signature_verifies_with_kyso(unsigned_pdf: bytes, pki: TestPKI) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(str(pki.p12("organisation")), passphrase=pki.password.encode())
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(unsigned_pdf)),
        signers.PdfSignatureMetadata(field_name="PyHankoSig"),
        signer=signer,
    )
    report = kyso.verify(out.getvalue(), trust=[pki.root_cert], revocation="hard")
    assert report.indication == "TOTAL_PASSED", [s.messages for s in report.signatures]
    assert report.signatures[0].id == "PyHankoSig"
    assert report.signatures[0].signer.common_name == "Ủy ban nhân dân tỉnh Nghệ An"


def test_tampered_pyhanko_signature_fails_with_kyso(unsigned_pdf: bytes, pki: TestPKI, signer_for: Callable) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(str(pki.p12("person")), passphrase=pki.password.encode())
    signed = bytearray(
        signers.sign_pdf(
            IncrementalPdfFileWriter(BytesIO(unsigned_pdf)), signers.PdfSignatureMetadata(field_name="S"), signer=signer
        ).getvalue()
    )
    position = signed.index(b"page 1")
    signed[position] = ord("P")
    report = kyso.verify(bytes(signed), trust=[pki.root_cert], revocation="off")
    assert report.indication == "TOTAL_FAILED"
    assert report.signatures[0].sub_indication == "HASH_FAILURE"
