"""Errors speak the caller's language (issue 10, item 7): a lead per subclass in Vietnamese and English, the
detail, the API parameter spelled as the caller spells it; a file name where bytes belong is a typed error."""

from __future__ import annotations

from pathlib import Path

import pytest

import kyso
import kyso.core.adapter  # noqa: F401 (its error classes)
from kyso.core.errors import BytesExpectedError, InputError, KysoError, UsageError, WrongPasswordError


def _subclasses(cls: type[KysoError]) -> list[type[KysoError]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_error_of_the_core_has_its_own_leads() -> None:
    """An error class of ``kyso.core`` either says in both languages what went wrong or inherits a parent's
    words on purpose (BytesExpectedError is bad usage)."""
    inheriting = {BytesExpectedError}
    core = [c for c in _subclasses(KysoError) if c.__module__.startswith("kyso.core")]  # adapter errors too
    assert len(core) >= 15
    for cls in core:
        if cls in inheriting:
            continue
        parent = cls.__mro__[1]
        assert cls.lead_vi != parent.lead_vi and cls.lead_en != parent.lead_en, cls


def test_lead_and_detail_in_each_language() -> None:
    error = InputError("x.pdf: no such file", vi="x.pdf: không có tệp này")
    assert error.diagnostics("vi") == "Tài liệu không dùng được: x.pdf: không có tệp này"
    assert error.diagnostics("en") == "unusable input: x.pdf: no such file"
    assert str(error) == "x.pdf: no such file"


def test_without_a_vietnamese_detail_the_english_one_follows_the_vietnamese_lead() -> None:
    assert UsageError("--meta must be KEY=VALUE").diagnostics("vi") == "Lệnh chưa đúng: --meta must be KEY=VALUE"


def test_without_a_language_the_detail_alone_as_reports_embed_it() -> None:
    assert InputError("damaged PDF", vi="tệp PDF hỏng").diagnostics() == "damaged PDF"
    assert KysoError().diagnostics() == "KysoError"


def test_the_parameter_is_spelled_by_the_caller() -> None:
    error = UsageError("not a date", parameter="issued_date")
    assert error.diagnostics("en") == "bad usage (issued_date=): not a date"
    as_flag = error.diagnostics("en", spell=lambda k: "--" + k.replace("_", "-"))
    assert as_flag == "bad usage (--issued-date): not a date"


def test_the_wrong_password_is_never_repeated() -> None:
    error = WrongPasswordError("person.p12: wrong password for the PKCS#12 file", vi="person.p12")
    assert error.diagnostics("vi") == "Sai mật khẩu hoặc mã PIN của khoá ký: person.p12"


def test_api_parameters_are_named(signed_pdf: bytes) -> None:
    with pytest.raises(UsageError) as caught:
        kyso.verify(signed_pdf, at="hôm qua")
    assert caught.value.parameter == "at"
    assert caught.value.diagnostics("en").startswith("bad usage (at=): not an ISO 8601 moment: 'hôm qua'")
    with pytest.raises(UsageError) as caught:
        kyso.verify(signed_pdf, revocation="sometimes")
    assert caught.value.parameter == "revocation"


@pytest.mark.parametrize("name", ["file.pdf", Path("file.pdf")], ids=["str", "Path"])
def test_sign_given_a_file_name_says_to_pass_its_bytes(name, signer_for) -> None:
    with pytest.raises(BytesExpectedError) as caught:
        kyso.sign(name, signer=signer_for("person"))
    error = caught.value
    assert isinstance(error, UsageError) and isinstance(error, TypeError)  # still caught by `except TypeError`
    assert error.parameter == "data"
    assert "Path('file.pdf').read_bytes()" in str(error)  # the hint is in a traceback too
    assert error.diagnostics("vi").startswith("Lệnh chưa đúng (data=): sign() nhận nội dung (bytes) của tệp")
    assert "gợi ý: sign(Path('file.pdf').read_bytes(), ...)" in error.diagnostics("vi")


@pytest.mark.parametrize(
    ("call", "function"),
    [
        (lambda value: kyso.verify(value), "verify"),
        (lambda value: kyso.validate_certificate(value), "validate_certificate"),
    ],
    ids=["verify", "validate_certificate"],
)
def test_verify_and_validate_given_a_file_name(call, function) -> None:
    with pytest.raises(BytesExpectedError, match=rf"{function}\(\) takes the file's bytes, not its name 'a.pem'"):
        call("a.pem")


def test_any_other_type_is_the_same_typed_error() -> None:
    with pytest.raises(BytesExpectedError, match=r"verify\(\) takes bytes, not int") as caught:
        kyso.verify(42)  # type: ignore[arg-type]
    assert caught.value.hint is None


def test_bytes_likes_are_still_accepted(signed_pdf: bytes, pki) -> None:
    for data in (bytearray(signed_pdf), memoryview(signed_pdf)):
        assert kyso.verify(data, trust=[pki.root_cert], revocation="off").indication == "TOTAL_PASSED"


def test_a_missing_tsa_is_the_keyword_in_the_library_the_flag_in_the_cli(unsigned_pdf: bytes, signer_for) -> None:
    from kyso.cli.main import flag

    with pytest.raises(UsageError) as caught:
        kyso.sign(unsigned_pdf, signer=signer_for("person"), level="B-T")
    assert caught.value.parameter == "tsa"
    assert str(caught.value) == "level B-T needs a time-stamping authority's URL (tsa=)"  # a traceback names it too
    assert caught.value.diagnostics("en") == "bad usage (tsa=): level B-T needs a time-stamping authority's URL"
    assert caught.value.diagnostics("vi", spell=flag) == (
        "Lệnh chưa đúng (--tsa): mức B-T cần địa chỉ (URL) của dịch vụ cấp dấu thời gian"
    )
