"""Issue 9, class 1: byte-range geometry checked by Kyso itself (``kyso.pdf.byterange``, ``docs/security.md``).

Every hostile file is built here from a PDF that Kyso signed in the session; forgeries without the key are byte
surgery (``pdf_forgery``), odd byte ranges that only a signer could produce are signed with the test PKI's key.
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

import pytest
from pdf_forgery import (
    PAYLOAD,
    byte_range,
    forge_literal_contents,
    forge_moved_range,
    set_byte_range,
    sign_byte_range,
    update_page,
)

import kyso
from kyso.pdf import byterange
from kyso.testing.pki import TestPKI


def _verify(data: bytes, pki: TestPKI) -> kyso.VerificationReport:
    return kyso.verify(data, trust=[pki.root_cert], revocation="off")


def _refused(data: bytes, pki: TestPKI, reason: str) -> kyso.SignatureReport:
    report = _verify(data, pki)
    assert report.indication != "TOTAL_PASSED"
    (sig,) = report.signatures
    assert (sig.indication, sig.sub_indication, sig.coverage) == ("TOTAL_FAILED", "FORMAT_FAILURE", "PARTIAL"), sig
    assert any(reason in m for m in sig.messages), sig.messages
    return sig


def _pyhanko_says_entire_file_and_intact(data: bytes) -> bool:
    """What pyHanko alone concludes: the reason Kyso cannot take its coverage level on trust."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    reader = PdfFileReader(BytesIO(data), strict=False)
    ((name, _, field),) = list(enumerate_sig_fields(reader))
    emb = EmbeddedPdfSignature(reader, field, name)
    intact, valid = validate_sig_integrity(
        emb.signer_info, emb.signer_cert, expected_content_type="data", actual_digest=emb.compute_digest()
    )
    return emb.evaluate_signature_coverage() == SignatureCoverageLevel.ENTIRE_FILE and intact and valid


@pytest.fixture(scope="module")
def odd_range(signed_pdf: bytes, pki: TestPKI) -> Callable[[tuple[int, int, int, int]], bytes]:
    def sign(claimed: tuple[int, int, int, int]) -> bytes:
        return sign_byte_range(signed_pdf, claimed, pki)

    return sign


def test_the_untouched_file_passes(signed_pdf: bytes, pki: TestPKI) -> None:
    assert _verify(signed_pdf, pki).indication == "TOTAL_PASSED"


def test_literal_contents_forgery_is_never_passed(signed_pdf: bytes, pki: TestPKI) -> None:
    """(a) /Contents re-encoded as a literal string of the same size with padding, an incremental update with a
    new page content stream appended: the lengths add up, the signed bytes are intact, the page reads PAYLOAD."""
    forged = forge_literal_contents(signed_pdf)
    assert _pyhanko_says_entire_file_and_intact(forged), "the forgery must fool the length-only check"
    assert PAYLOAD.encode() in forged
    _refused(forged, pki, "literal string, not a hex string")


def test_moved_range_forgery_is_never_passed(signed_pdf: bytes, pki: TestPKI) -> None:
    """(a) the literal /Contents frees room in the gap for a new /ByteRange, a new page stream and a new xref
    where the signed startxref points; the signed second range moves to the end of the file."""
    forged = forge_moved_range(signed_pdf)
    assert _pyhanko_says_entire_file_and_intact(forged)
    first = forged[forged.index(b"/ByteRange") :].split(b"]")[0]  # the one pyHanko reads: the first of two
    assert first != b"/ByteRange [%d %d %d %d" % byte_range(signed_pdf)
    sig = _refused(forged, pki, "literal string, not a hex string")
    assert sig.modifications == "OTHER"


def test_raw_fallback_applies_the_same_rule(signed_pdf: bytes, pki: TestPKI) -> None:
    """The forgery made unreadable for pyHanko (no %%EOF in its last kilobyte): the raw fallback judges it with
    the same geometry rule."""
    forged = forge_literal_contents(signed_pdf) + b"\n" * 2048
    report = _verify(forged, pki)
    (sig,) = report.signatures
    assert sig.id.endswith("(raw)") and sig.indication == "TOTAL_FAILED" and sig.sub_indication == "FORMAT_FAILURE"
    assert any("literal string, not a hex string" in m for m in sig.messages), sig.messages


def test_unsigned_tail_rewritten_later_is_never_passed(signed_pdf: bytes, odd_range: Callable, pki: TestPKI) -> None:
    """(b) a signature whose second range stops before the revision's startxref/%%EOF, then (without the key) an
    incremental update appended, with and without the literal-string arithmetic."""
    _, len1, start2, _ = byte_range(signed_pdf)
    tail = signed_pdf.rindex(b"startxref")
    sloppy = odd_range((0, len1, start2, tail - start2))
    plain = _verify(sloppy, pki).signatures[0]
    assert plain.indication == "TOTAL_FAILED" and plain.coverage == "PARTIAL"
    rewritten = update_page(sloppy)
    assert _verify(rewritten, pki).indication != "TOTAL_PASSED"
    forged = forge_literal_contents(sloppy)
    assert _pyhanko_says_entire_file_and_intact(forged)
    _refused(forged, pki, "literal string, not a hex string")


def _claimed(signed: bytes, case: str) -> tuple[int, int, int, int]:
    _, len1, start2, len2 = byte_range(signed)
    after_range = signed.index(b"\n", signed.index(b"/ByteRange", start2)) + 1
    return {
        "first range not at 0": (1, len1 - 1, start2, len2),
        "whitespace before the token": (0, len1 - 1, start2, len2),
        "whitespace after the token": (0, len1, start2 + 1, len2 - 1),
        "gap larger than the token": (0, len1, after_range, start2 + len2 - after_range),
        "past the end of the file": (0, len1, start2, len2 + 100),
    }[case]


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("first range not at 0", "does not start at the beginning"),
        ("whitespace before the token", "not exactly one hex string"),
        ("whitespace after the token", "not exactly one hex string"),
        ("gap larger than the token", "not exactly one hex string"),  # the /ByteRange itself left unsigned
        ("past the end of the file", "reaches past the end of the file"),
    ],
)
def test_odd_byte_ranges_signed_with_the_key(
    signed_pdf: bytes, odd_range: Callable, pki: TestPKI, case: str, reason: str
) -> None:
    """(c) byte ranges only a signer could produce (the signature value verifies over exactly the claimed bytes)."""
    _refused(odd_range(_claimed(signed_pdf, case)), pki, reason)


def test_overlapping_ranges(signed_pdf: bytes, pki: TestPKI) -> None:
    _, len1, _, _ = byte_range(signed_pdf)
    overlapping = set_byte_range(signed_pdf, (0, len1, len1 - 100, len(signed_pdf) - len1 + 100))
    _refused(overlapping, pki, "overlap")


def test_whitespace_inside_the_hex_token(signed_pdf: bytes, pki: TestPKI) -> None:
    """``00 0`` reads as ``0000`` (an odd digit count is padded): same length, same value, still not the exact
    token the byte range must name."""
    _, _, start2, _ = byte_range(signed_pdf)
    assert signed_pdf[start2 - 5 : start2] == b"0000>"
    games = signed_pdf[: start2 - 5] + b"00 0>" + signed_pdf[start2:]
    _refused(games, pki, "not exactly one hex string")


def test_signature_dictionary_redefined_in_a_later_update(signed_pdf: bytes, pki: TestPKI) -> None:
    """(c) the signature object redefined by an incremental update, as an exact copy: the dictionary that pyHanko
    reads is no longer the one around the signed gap."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(signed_pdf), strict=False)
    value = writer.root["/AcroForm"]["/Fields"][0].get_object().raw_get("/V")
    writer.mark_update(value)
    out = BytesIO()
    writer.write(out)
    _refused(out.getvalue(), pki, "/Contents is not the value between the byte ranges")


# --- the dictionary part of the rule, on small synthetic files -------------------------------------------------


def _file(dictionary: bytes) -> tuple[bytes, tuple[int, int, int, int]]:
    data = b"%PDF-1.7\n7 0 obj\n" + dictionary + b"\nendobj\ntrailer\n%%EOF\n"
    len1 = data.index(b"<AB")
    start2 = data.index(b">", len1) + 1
    return data, (0, len1, start2, len(data) - start2)


def _dictionary(contents: bytes = b"<ABCD>", extra: bytes = b"", byte_range: bytes = b"[0 R1 S2 L2]") -> bytes:
    return b"<< /Type /Sig /Filter /Adobe.PPKLite /Contents " + contents + b" /ByteRange " + byte_range + extra + b">>"


def _fill(dictionary: bytes) -> tuple[bytes, tuple[int, int, int, int]]:
    """Put the real numbers into the /ByteRange placeholder (same width)."""
    for _ in range(3):
        data, claimed = _file(dictionary)
        text = b"[%d %d %d %d]" % claimed
        dictionary = re_sub_range(dictionary, text)
    return _file(dictionary)


def re_sub_range(dictionary: bytes, text: bytes) -> bytes:
    start = dictionary.index(b"/ByteRange ") + len(b"/ByteRange ")
    end = dictionary.index(b"]", start) + 1
    return dictionary[:start] + text + dictionary[end:]


def test_geometry_accepts_the_exact_layout() -> None:
    data, claimed = _fill(_dictionary())
    geometry = byterange.check(data, claimed, data.index(b"7 0 obj"))
    assert geometry.contents == b"\xab\xcd" and geometry.whole_file


@pytest.mark.parametrize(
    ("dictionary", "reason"),
    [
        (_dictionary(extra=b" /ByteRange [0 1 2 3]"), "more than one /ByteRange"),
        (_dictionary(extra=b" /Contents <00>"), "more than one /Contents"),
        (_dictionary(extra=b" /Nested << /A [1 (a\\)b) <00> [ /X ] ] >>"), None),  # skipped correctly: no error
    ],
)
def test_geometry_reads_the_dictionary_at_its_offset(dictionary: bytes, reason: str | None) -> None:
    data, claimed = _fill(dictionary)
    if reason is None:
        assert byterange.check(data, claimed, data.index(b"7 0 obj")).whole_file
        return
    with pytest.raises(byterange.GeometryError, match=reason):
        byterange.check(data, claimed, data.index(b"7 0 obj"))


def test_geometry_refuses_a_byte_range_that_is_not_the_dictionarys() -> None:
    data, claimed = _fill(_dictionary())
    other = (0, claimed[1], claimed[2], claimed[3] - 1)
    with pytest.raises(byterange.GeometryError, match="/ByteRange is not the byte range that was checked"):
        byterange.check(data, other, data.index(b"7 0 obj"))


def test_geometry_refuses_another_dictionary_than_the_one_around_the_gap() -> None:
    data, claimed = _fill(_dictionary())
    copy = data.index(b"trailer")
    data = data[:copy] + b"8 0 obj\n" + _dictionary() + b"\nendobj\n" + data[copy:]
    claimed = (0, claimed[1], claimed[2], len(data) - claimed[2])
    with pytest.raises(byterange.GeometryError, match="/Contents is not the value between the byte ranges"):
        byterange.check(data, claimed, data.index(b"8 0 obj"))


def test_geometry_refuses_an_unsigned_dictionary_end() -> None:
    """The /ByteRange after the gap but outside the second range: the byte range itself would be unsigned."""
    data, claimed = _fill(_dictionary())
    old = b"[%d %d %d %d]" % claimed
    short = (0, claimed[1], claimed[2], 3)
    data = data.replace(old, (b"[%d %d %d %d" % short).ljust(len(old) - 1) + b"]")
    with pytest.raises(byterange.GeometryError, match="not entirely covered"):
        byterange.check(data, short, data.index(b"7 0 obj"))


def test_geometry_bounds_nesting() -> None:
    data, claimed = _fill(_dictionary(extra=b" /Deep " + b"[" * 500 + b"]" * 500))
    with pytest.raises(byterange.GeometryError, match="nested too deeply"):
        byterange.check(data, claimed, data.index(b"7 0 obj"))


def test_geometry_cost_is_bounded() -> None:
    """A hostile signature dictionary (megabytes of array items, escapes and parentheses) and a raw file full of
    ``obj`` words: linear regex steps, bounded search. Measured about 0.25 s for both; the bound is ten times."""
    import time

    items = b" /Big [" + b"1 /N " * 400_000 + b"] /Str (" + b"\\\\(" * 200_000 + b")" * 200_000 + b")"
    data, claimed = _fill(_dictionary(extra=items))
    spam = b"obj 1 " * 1_000_000 + b"<00>"
    started = time.perf_counter()
    assert byterange.check(data, claimed, data.index(b"7 0 obj")).whole_file
    with pytest.raises(byterange.GeometryError, match="no object"):
        byterange.enclosing_object(spam, len(spam) - 4)
    assert time.perf_counter() - started < 2.5
