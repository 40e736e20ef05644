"""The PKCS#11 signer on a real software token (SoftHSM2, the ``kyso_token`` fixture): RSA and EC keys sign PDFs
that stock pyHanko validates, a ``CKA_ALWAYS_AUTHENTICATE`` key logs in per signature, one login serves a batch,
and every fault is a typed error that never repeats the PIN (issue 11, item 1)."""

from __future__ import annotations

import logging
import re
from io import BytesIO
from pathlib import Path

import pytest

import kyso
from kyso.core.errors import (
    CertificateMismatchError,
    CertificateMissingError,
    KeyNotFoundError,
    KysoError,
    ModuleLoadError,
    PinLockedError,
    SignerError,
    TokenAbsentError,
    TokenRemovedError,
    UsageError,
    WrongPinError,
)
from kyso.core.signer import Signer
from kyso.testing.documents import pdf_with_pages
from kyso.testing.token import injected

pkcs11 = pytest.importorskip("pkcs11")


def document(text: str = "Công văn số 12/UBND-VP") -> bytes:
    return pdf_with_pages([f"BT /F1 14 Tf 72 770 Td ({text}) Tj ET".encode()])


def pyhanko_status(signed: bytes, pki):
    """The signature as stock pyHanko sees it (the test PKI's root as the only trust anchor)."""
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    root = x509.Certificate.load(pem.unarmor(pki.root_cert.read_bytes())[2])
    context = ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail")
    (embedded,) = PdfFileReader(BytesIO(signed)).embedded_signatures
    return validate_pdf_signature(embedded, context)


def everything_said(error: KysoError) -> str:
    return " ".join([str(error), error.diagnostics("vi"), error.diagnostics("en"), repr(error)])


# ---------------------------------------------------------------------------------------------------------------
# signing: RSA, EC, CKA_ALWAYS_AUTHENTICATE
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "algorithm", "holder"), [("person", "rsa", "Nguyễn Văn An"), ("ec", "ec", "(EC)")])
def test_token_signed_pdf_validates_with_stock_pyhanko(kyso_token, pki, key, algorithm, holder):
    with kyso_token.signer(key) as signer:
        assert isinstance(signer, Signer) and signer.key_algorithm == algorithm
        assert len(signer.chain) == 2, "the issuing CA and the root, found on the token by name"
        signed = kyso.sign(document(), signer=signer)
    status = pyhanko_status(signed, pki)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert holder in status.signing_cert.subject.human_friendly
    report = kyso.verify(signed, trust=[pki.root_cert], revocation="off")
    assert report.indication == "TOTAL_PASSED", report.signatures[0].messages


def test_ec_signature_is_der_not_the_tokens_raw_r_and_s(kyso_token):
    from asn1crypto.algos import DSASignature

    with kyso_token.signer("ec") as signer:
        raw = signer.sign_raw(b"data", "sha256")
    assert DSASignature.load(raw).native["r"] > 0  # a DER SEQUENCE of two INTEGERs, not 64 bytes of r || s


def test_always_authenticate_key_logs_in_for_each_signature(kyso_token, pki):
    """SoftHSM2 enforces CKA_ALWAYS_AUTHENTICATE: without the context-specific login C_Sign answers
    CKR_USER_NOT_LOGGED_IN (mutation: passing ``pin=None`` to ``key.sign`` fails this test)."""
    with kyso_token.signer("always") as signer:
        assert signer.always_authenticate
        first = kyso.sign(document("một"), signer=signer)
        second = kyso.sign(document("hai"), signer=signer)
    for signed in (first, second):
        assert pyhanko_status(signed, pki).bottom_line


def test_a_given_certificate_file_is_used_and_checked(kyso_token, pki):
    with kyso_token.signer("person", cert=str(pki.cert("person"))) as signer:
        assert kyso.verify(kyso.sign(document(), signer=signer), trust=[pki.root_cert], revocation="off")
    with pytest.raises(CertificateMismatchError, match="does not belong to the key"):
        kyso_token.signer("person", cert=str(pki.cert("organisation")))


# ---------------------------------------------------------------------------------------------------------------
# one login per run
# ---------------------------------------------------------------------------------------------------------------


def test_one_login_for_a_batch_and_close_logs_out(kyso_token):
    with injected(kyso_token.module) as module:
        with kyso_token.signer("person") as signer:
            for n in range(5):
                kyso.sign(document(f"văn bản {n}"), signer=signer)
            with kyso_token.signer("ec") as other:  # a second signer on the same token shares the login
                other.sign_raw(b"x", "sha256")
        assert module.logins == 1
        with pytest.raises(SignerError, match="closed"):
            signer.sign_raw(b"x", "sha256")
        with kyso_token.signer("person") as again:  # logged out: the next run logs in again
            again.sign_raw(b"x", "sha256")
        assert module.logins == 2


def test_a_different_pin_while_logged_in_is_refused(kyso_token):
    with kyso_token.signer("person"):
        with pytest.raises(WrongPinError):
            kyso_token.signer("ec", pin=kyso_token.pin + "0")


def test_the_module_is_loaded_once(kyso_token):
    from kyso.signers.pkcs11 import load_module

    assert load_module(kyso_token.module) is load_module(str(Path(kyso_token.module)))


# ---------------------------------------------------------------------------------------------------------------
# faults: typed, clear, never the PIN
# ---------------------------------------------------------------------------------------------------------------


def test_wrong_pin_on_the_real_token(kyso_token, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = kyso_token.pin + "-sai"
    with pytest.raises(WrongPinError) as caught:
        kyso_token.signer("person", pin=wrong)
    error = caught.value
    assert error.diagnostics("vi").startswith("Sai mã PIN của USB token")
    from pkcs11 import TokenFlag

    from kyso.signers.pkcs11 import find_token, load_module

    flags = find_token(load_module(kyso_token.module), token_label=kyso_token.label).flags
    assert error.count_low == bool(flags & TokenFlag.USER_PIN_COUNT_LOW)  # SoftHSM 2.6 sets it after a wrong PIN
    assert error.final_try == bool(flags & TokenFlag.USER_PIN_FINAL_TRY)
    said = everything_said(error) + caplog.text + repr(error.__cause__) + repr(error.__context__)
    assert wrong not in said and kyso_token.pin not in said


@pytest.mark.parametrize(
    ("flag", "expected"),
    [("USER_PIN_COUNT_LOW", "count_low"), ("USER_PIN_FINAL_TRY", "final_try")],
)
def test_wrong_pin_carries_the_tokens_warning_flags(kyso_token, flag, expected):
    from pkcs11 import TokenFlag
    from pkcs11.exceptions import PinIncorrect

    with injected(kyso_token.module, token_flags=TokenFlag[flag], refuse_login=PinIncorrect) as module:
        with pytest.raises(WrongPinError) as caught:
            kyso_token.signer("person")
    assert module.logins == 1
    assert getattr(caught.value, expected) is True
    assert caught.value.final_try is (flag == "USER_PIN_FINAL_TRY"), "only the token's own flags"
    assert ("one more wrong PIN locks" in str(caught.value)) is (expected == "final_try")
    assert kyso_token.pin not in everything_said(caught.value)


def test_a_wrong_pin_that_locks_the_token_and_a_locked_token(kyso_token):
    from pkcs11 import TokenFlag
    from pkcs11.exceptions import PinIncorrect, PinLocked

    with injected(kyso_token.module, token_flags=TokenFlag.USER_PIN_LOCKED, refuse_login=PinIncorrect):
        with pytest.raises(PinLockedError, match="now locked"):
            kyso_token.signer("person")
    with injected(kyso_token.module, refuse_login=PinLocked):
        with pytest.raises(PinLockedError) as caught:
            kyso_token.signer("person")
    assert caught.value.diagnostics("vi").startswith("USB token đã bị khoá mã PIN")


@pytest.mark.parametrize(
    "where", [{"token_label": "không-có"}, {"token_serial": "0000"}, {"slot": 4242}], ids=["label", "serial", "slot"]
)
def test_token_absent(kyso_token, where):
    from kyso.signers.pkcs11 import open_token_signer

    with pytest.raises(TokenAbsentError, match="kyso tokens lists them"):
        open_token_signer(kyso_token.module, pin=kyso_token.pin, **where)


def test_several_tokens_and_no_name_is_a_usage_error(kyso_token):
    from kyso.signers.pkcs11 import open_token_signer

    with pytest.raises(UsageError, match="several tokens present"):
        open_token_signer(kyso_token.module, pin=kyso_token.pin)


def test_key_not_found_or_not_named(kyso_token):
    with pytest.raises(KeyNotFoundError, match="no private key with label 'nope'"):
        kyso_token.signer("nope")
    with pytest.raises(KeyNotFoundError, match="several keys"):
        kyso_token.signer(None)
    with kyso_token.signer(None, key_id="02") as by_id:
        assert by_id.key_algorithm == "ec"


def test_key_without_certificate(kyso_token):
    with pytest.raises(CertificateMissingError, match="has no certificate on the token; give it with --cert"):
        kyso_token.signer("no-cert")


def test_certificate_not_matching_the_key(kyso_token):
    with pytest.raises(CertificateMismatchError) as caught:
        kyso_token.signer("mismatch")
    assert caught.value.diagnostics("vi").startswith("Chứng thư số không khớp với khoá ký")


def test_bad_key_id_is_a_usage_error(kyso_token):
    with pytest.raises(UsageError, match="not hexadecimal"):
        kyso_token.signer(None, key_id="xyz")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "absent.so", "no such file"),
        (lambda tmp: (tmp / "text.so").write_text("not a library") and tmp / "text.so", "cannot be loaded"),
        (lambda tmp: Path("/lib/x86_64-linux-gnu/libz.so.1"), "not a PKCS#11 module (no C_GetFunctionList)"),
    ],
    ids=["missing", "not-a-library", "not-pkcs11"],
)
def test_module_that_fails_to_load(tmp_path, make, message):
    from kyso.signers.pkcs11 import load_module

    path = make(tmp_path)
    if not path.exists() and message != "no such file":
        pytest.skip(f"{path} is not on this machine")
    with pytest.raises(ModuleLoadError, match=re.escape(message)) as caught:
        load_module(path)
    assert caught.value.diagnostics("vi").startswith("Không nạp được thư viện PKCS#11")


def test_a_module_of_another_bitness_says_so():
    from kyso.signers.pkcs11.discovery import python_bits
    from kyso.signers.pkcs11.signer import _load_failure

    reason = "OS exception while loading x.so: x.so: wrong ELF class: ELFCLASS32"
    assert f"another bitness or architecture than this {python_bits()}-bit Python" in _load_failure("x.so", reason)


def test_token_removed_in_the_middle_of_a_batch(kyso_token, pki, tmp_path):
    """The token is pulled out (its SoftHSM2 directory deleted) after the third document: those signed stay signed
    and valid, the fourth is not written (nothing half-written), and the error says the token is gone."""
    from kyso.files import write_atomically

    outputs = [tmp_path / f"văn-bản-{n}.pdf" for n in range(6)]
    signed_ok: list[Path] = []
    with kyso_token.signer("person", token_label=kyso_token.removable_label) as signer:
        with pytest.raises(TokenRemovedError) as caught:
            for n, output in enumerate(outputs):
                if n == 3:
                    kyso_token.remove(kyso_token.removable_label)
                write_atomically(output, kyso.sign(document(f"số {n}"), signer=signer))
                signed_ok.append(output)
    assert signed_ok == outputs[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in outputs[:3]), "no temporary file left"
    for output in signed_ok:
        assert kyso.verify(output.read_bytes(), trust=[pki.root_cert], revocation="off").indication == "TOTAL_PASSED"
    assert caught.value.diagnostics("vi").startswith("USB token đã bị rút ra trong khi ký")
    assert kyso_token.pin not in everything_said(caught.value)
    with kyso_token.signer("person") as survivor:  # the other token of the module still signs
        survivor.sign_raw(b"x", "sha256")


def test_the_pin_is_never_in_repr_or_logs(kyso_token, caplog):
    caplog.set_level(logging.DEBUG)
    with kyso_token.signer("always") as signer:  # the one signer that keeps the PIN (for each signature)
        kyso.sign(document(), signer=signer)
        assert kyso_token.pin not in repr(signer) + str(vars(signer).get("_token"))
    assert kyso_token.pin not in caplog.text
    assert signer._pin is None, "closing forgets the PIN"


def test_a_signature_that_does_not_verify_with_the_certificate_is_refused(kyso_token, pki):
    """What a faulty token (or a certificate the open-time check could not compare) would produce: the signature
    is checked before any document gets it."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    other = x509.load_pem_x509_certificate(pki.cert("organisation").read_bytes()).public_bytes(Encoding.DER)
    with kyso_token.signer("person") as signer:
        signer._certificate, signer._public_key = other, None
        with pytest.raises(CertificateMismatchError, match="does not verify with the certificate"):
            kyso.sign(document(), signer=signer)
