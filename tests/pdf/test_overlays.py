"""Overlays after an approval signature (issue 9, class 3).

pyHanko's difference policy accepts a new *unsigned* signature field added after a signature as form filling, even
when the field's appearance paints over the signed page: a white box and "PAY ..." on top of the signed text. Such
a field is a content change; only a field that a later signature really signs, or an empty field that shows
nothing, is benign (Kyso's own approval-then-issuance workflow adds signed fields only).
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

import pytest

import kyso
from kyso.testing.pki import TestPKI

_OVERLAY = b"q 1 1 1 rg 0 0 595 842 re f Q BT /F1 28 Tf 0 0 0 rg 60 760 Td (PAY 1.000.000.000 VND to attacker) Tj ET"


def _verify(data: bytes, pki: TestPKI) -> kyso.VerificationReport:
    return kyso.verify(data, trust=[pki.root_cert], revocation="off")


def _add_field(
    signed: bytes,
    *,
    box: tuple[float, float, float, float] | None = (0, 0, 595, 842),
    appearance: bytes | None = _OVERLAY,
    flags: int | None = None,
    kids: bool = False,
    borrow_value: bool = False,
) -> bytes:
    """``signed`` with an unsigned signature field added in an incremental update (no signature), whose widget shows
    ``appearance`` (``None``: the widget has no /AP at all) over ``box`` (``None``: pyHanko's invisible field)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    writer = IncrementalPdfFileWriter(BytesIO(signed))
    fields.append_signature_field(
        writer, fields.SigFieldSpec("Overlay", on_page=0, box=box, combine_annotation=not kids)
    )
    field = next(f for name, _, f in fields.enumerate_sig_fields(writer) if name == "Overlay").get_object()
    widget = field["/Kids"][0].get_object() if kids else field
    if appearance is None:
        widget.pop("/AP", None)
    elif box is not None:
        helvetica = generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Font"),
                generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
            }
        )
        stream = generic.StreamObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/XObject"),
                generic.NameObject("/Subtype"): generic.NameObject("/Form"),
                generic.NameObject("/BBox"): generic.ArrayObject(map(generic.FloatObject, box)),
                generic.NameObject("/Resources"): generic.DictionaryObject(
                    {generic.NameObject("/Font"): generic.DictionaryObject({generic.NameObject("/F1"): helvetica})}
                ),
            },
            stream_data=appearance,
        )
        widget["/AP"] = generic.DictionaryObject({generic.NameObject("/N"): writer.add_object(stream)})
    if flags is not None:
        widget["/F"] = generic.NumberObject(flags)
    if borrow_value:  # the overlay claims the first signature as its own value
        first = next(f for name, _, f in fields.enumerate_sig_fields(writer) if name == "Signature1").get_object()
        field["/V"] = first.raw_get("/V")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_an_unsigned_field_painting_over_the_page_is_a_content_change(signed_pdf: bytes, pki: TestPKI) -> None:
    attacked = _add_field(signed_pdf)
    assert attacked.startswith(signed_pdf)
    report = _verify(attacked, pki)
    (sig,) = report.signatures
    assert report.indication != "TOTAL_PASSED", sig.messages
    assert (sig.indication, sig.sub_indication) == ("INDETERMINATE", "SIG_CONSTRAINTS_FAILURE")
    assert sig.modifications == "OTHER"
    assert any("Overlay" in m and "paint over the page" in m for m in sig.messages), sig.messages


def test_an_overlay_in_a_separate_widget_is_a_content_change(signed_pdf: bytes, pki: TestPKI) -> None:
    """The same overlay with the widget as a kid of the field (field and annotation not merged)."""
    report = _verify(_add_field(signed_pdf, kids=True), pki)
    assert report.indication != "TOTAL_PASSED"
    assert any("paint over the page" in m for m in report.signatures[0].messages)


def test_an_overlay_borrowing_the_signature_value_is_still_an_overlay(signed_pdf: bytes, pki: TestPKI) -> None:
    """An overlay field whose /V is the first signature's dictionary is not "really signed": that signature covers
    an earlier revision than the overlay (pyHanko's difference analysis already refuses the borrowed value)."""
    report = _verify(_add_field(signed_pdf, borrow_value=True), pki)
    (sig,) = report.signatures  # the borrowed signature is verified once
    assert sig.indication != "TOTAL_PASSED" and sig.modifications == "OTHER", sig.messages
    assert any("Overlay" in m for m in sig.messages)


def test_an_overlay_before_a_later_signature_still_fails_the_first(
    signed_pdf: bytes, signer_for: Callable, pki: TestPKI
) -> None:
    """A later, genuine signature on another field does not bless an unsigned overlay added before it."""
    attacked = kyso.sign(_add_field(signed_pdf), signer=signer_for("organisation"))
    report = _verify(attacked, pki)
    first = report.signatures[0]
    assert first.indication != "TOTAL_PASSED", first.messages
    assert report.indication != "TOTAL_PASSED"


@pytest.mark.parametrize(
    "variant",
    [
        {"box": None},  # pyHanko's invisible field: zero-size /Rect, hidden flag
        {"appearance": None},  # a visible /Rect, but no appearance at all
        {"appearance": b""},  # pyHanko's own empty visible field: an empty appearance stream
        {"flags": 2},  # hidden
        {"flags": 32},  # no view
        {"box": (100, 100, 100, 300)},  # zero width
    ],
    ids=["invisible", "no-ap", "empty-ap", "hidden", "noview", "zero-width"],
)
def test_an_empty_field_that_shows_nothing_is_benign(signed_pdf: bytes, pki: TestPKI, variant: dict) -> None:
    report = _verify(_add_field(signed_pdf, **variant), pki)
    assert report.indication == "TOTAL_PASSED", report.signatures[0].messages


def test_an_empty_field_then_signed_visibly_passes(signed_pdf: bytes, signer_for: Callable, pki: TestPKI) -> None:
    """An empty field prepared after the first signature, then really signed: both signatures pass."""
    prepared = _add_field(signed_pdf, box=None)
    twice = kyso.sign(prepared, signer=signer_for("organisation"), field="Overlay")
    report = _verify(twice, pki)
    assert report.indication == "TOTAL_PASSED", [s.messages for s in report.signatures]


def test_a_second_real_signature_with_a_visible_stamp_passes(
    signed_pdf: bytes, signer_for: Callable, pki: TestPKI
) -> None:
    twice = kyso.sign(signed_pdf, signer=signer_for("organisation"), page=1, box=(0, 0, 595, 842))
    report = _verify(twice, pki)
    assert report.indication == "TOTAL_PASSED", [s.messages for s in report.signatures]
