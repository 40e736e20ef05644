"""The fast signing path (kyso.pdf.fastpath): every output it writes here passes stock pyHanko's validation, poppler's
``pdfsig`` and Kyso's byte-range geometry rule; what it does not handle goes to pyHanko's writer; and a verifier
sees the same thing in its output as in pyHanko's (a property test over generated PDFs)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kyso
from kyso.pdf import byterange, fastpath
from kyso.testing.pki import TestPKI

needs_pdfsig = pytest.mark.skipif(shutil.which("pdfsig") is None, reason="pdfsig (poppler-utils) is not installed")


def generated_pdf(
    pages: int = 1,
    *,
    xref_stream: bool = False,
    object_streams: bool = False,
    rotate: int = 0,
    annotated: bool = False,
    form: bool = False,
) -> bytes:
    """A PDF written by pyHanko's writer: a classic xref table or a xref stream, pages (and the font) inside an
    object stream or not, an existing link annotation and text field on the first page or not."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    n = generic.NameObject
    writer = PdfFileWriter(stream_xrefs=xref_stream or object_streams)
    objstm = writer.prepare_object_stream() if object_streams else None
    font = writer.add_object(
        generic.DictionaryObject({n("/Type"): n("/Font"), n("/Subtype"): n("/Type1"), n("/BaseFont"): n("/Helvetica")}),
        obj_stream=objstm,
    )
    pages_ref = writer.root.raw_get("/Pages")
    kids = []
    fields = []
    for number in range(1, pages + 1):
        content = writer.add_object(
            generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 770 Td (Page %d) Tj ET" % number)
        )
        page = generic.DictionaryObject(
            {
                n("/Type"): n("/Page"),
                n("/Parent"): pages_ref,
                n("/MediaBox"): generic.ArrayObject(generic.NumberObject(v) for v in (0, 0, 595, 842)),
                n("/Contents"): content,
                n("/Resources"): generic.DictionaryObject({n("/Font"): generic.DictionaryObject({n("/F1"): font})}),
            }
        )
        if rotate:
            page[n("/Rotate")] = generic.NumberObject(rotate)
        annots = []
        if annotated and number == 1:
            annots.append(
                writer.add_object(
                    generic.DictionaryObject(
                        {
                            n("/Type"): n("/Annot"),
                            n("/Subtype"): n("/Link"),
                            n("/Rect"): generic.ArrayObject(generic.NumberObject(v) for v in (72, 700, 200, 720)),
                        }
                    )
                )
            )
        if form and number == 1:
            field = writer.add_object(
                generic.DictionaryObject(
                    {
                        n("/FT"): n("/Tx"),
                        n("/T"): generic.TextStringObject("Họ tên"),
                        n("/Type"): n("/Annot"),
                        n("/Subtype"): n("/Widget"),
                        n("/Rect"): generic.ArrayObject(generic.NumberObject(v) for v in (72, 600, 300, 620)),
                    }
                )
            )
            annots.append(field)
            fields.append(field)
        if annots:
            page[n("/Annots")] = generic.ArrayObject(annots)
        kids.append(writer.add_object(page, obj_stream=objstm))
    tree = pages_ref.get_object()
    tree[n("/Kids")] = generic.ArrayObject(kids)
    tree[n("/Count")] = generic.NumberObject(pages)
    if fields:
        writer.root[n("/AcroForm")] = writer.add_object(
            generic.DictionaryObject({n("/Fields"): generic.ArrayObject(fields)})
        )
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def fast_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Each signing's answer from the fast path: True when it wrote the signature, False when pyHanko did."""
    calls: list[bool] = []
    original = fastpath.sign_fast

    def spy(request: Any, reader: Any, plan: Any) -> bytes | None:
        signed = original(request, reader, plan)
        calls.append(signed is not None)
        return signed

    monkeypatch.setattr(fastpath, "sign_fast", spy)
    yield calls


def pyhanko_writer_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastpath, "sign_fast", lambda request, reader, plan: None)


def check_every_verifier(signed: bytes, pki: TestPKI, tmp_path: Path, *, count: int, strict: bool = True) -> None:
    """Stock pyHanko (integrity, trust, coverage, changes), pdfsig, and the geometry rule, for every signature."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(BytesIO(signed), strict=strict)
    signatures = reader.embedded_signatures
    assert len(signatures) == count
    root = load_cert_from_pemder(str(pki.root_cert))
    for number, embedded in enumerate(signatures, start=1):
        status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[root], allow_fetching=False))
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        last = number == count
        if last:
            assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
            assert status.modification_level == ModificationLevel.NONE
        else:  # earlier signatures stay valid: what came after is signing (form filling) only
            assert status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
            assert status.modification_level <= ModificationLevel.FORM_FILLING
        offset = reader.xrefs[embedded.sig_field.raw_get("/V").reference]
        geometry = byterange.check(signed, list(embedded.sig_object["/ByteRange"]), offset)
        assert geometry.whole_file is last
    if shutil.which("pdfsig") is not None:
        path = tmp_path / "signed.pdf"
        path.write_bytes(signed)
        report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
        assert report.count("Signature Validation: Signature is Valid.") == count, report
        assert report.count("Total document signed") == 1, report


@needs_pdfsig
@pytest.mark.parametrize(
    "shape",
    [
        {"xref_stream": False},
        {"xref_stream": True},
        {"object_streams": True, "annotated": True, "form": True},
        {"annotated": True, "form": True, "pages": 3, "rotate": 90},
    ],
    ids=["classic xref", "xref stream", "object streams, annotations, form", "classic, form, rotated"],
)
def test_first_second_third_signature(
    shape: dict[str, Any], signer_for: Callable, pki: TestPKI, tmp_path: Path, fast_calls: list[bool]
) -> None:
    pdf = generated_pdf(**shape)
    signed = pdf
    for count, who in enumerate(("person", "organisation", "person"), start=1):
        signed = kyso.sign(signed, signer=signer_for(who), reason="Phê duyệt văn bản", location="Hà Nội")
        check_every_verifier(signed, pki, tmp_path, count=count)
    assert fast_calls == [True, True, True]
    classic = b"\nxref\n" in signed[len(pdf) :]
    assert classic is not (shape.get("xref_stream") or shape.get("object_streams", False)), "the input's xref kind"


@needs_pdfsig
def test_after_a_pyhanko_signature_and_before_one(
    signer_for: Callable, pki: TestPKI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mixed revisions: pyHanko's writer, the fast path, pyHanko's writer again; all three stay valid."""
    pdf = generated_pdf(2, xref_stream=True)
    with monkeypatch.context() as patch:
        pyhanko_writer_only(patch)
        first = kyso.sign(pdf, signer=signer_for("person"))
    second = kyso.sign(first, signer=signer_for("organisation"))
    with monkeypatch.context() as patch:
        pyhanko_writer_only(patch)
        third = kyso.sign(second, signer=signer_for("person"))
    check_every_verifier(third, pki, tmp_path, count=3)


@needs_pdfsig
def test_b_t_with_the_test_tsa(signer_for: Callable, pki: TestPKI, tmp_path: Path, fast_calls: list[bool]) -> None:
    signed = kyso.sign(generated_pdf(), signer=signer_for("person"), level="B-T", tsa=pki.tsa_url)
    check_every_verifier(signed, pki, tmp_path, count=1)
    report = kyso.verify(signed, trust=[pki.root_cert], revocation="off")
    assert report.indication == "TOTAL_PASSED" and report.signatures[0].level == "B-T"
    assert report.signatures[0].timestamp is not None
    assert fast_calls == [True]


@needs_pdfsig
def test_decree_30_marks_in_vietnamese(
    signer_for: Callable, pki: TestPKI, tmp_path: Path, fast_calls: list[bool]
) -> None:
    """A text mark in Vietnamese (attachment) and a seal over an approval image: written by the fast path, valid for
    every verifier, the kind recorded and the text extractable as written."""
    from kyso.demo.letter import sample_letter
    from kyso.demo.marks import sample_seal_png, sample_signature_png

    letter = sample_letter()
    approved = kyso.sign(
        letter.pdf, signer=signer_for("person"), kind="approval", image=sample_signature_png(), anchor="CHỦ TỊCH"
    )
    issued = kyso.sign(approved, signer=signer_for("organisation"), kind="issuance", seal=sample_seal_png())
    attached = kyso.sign(issued, signer=signer_for("organisation"), kind="attachment", doc_number="12/QĐ-UBND")
    check_every_verifier(attached, pki, tmp_path, count=3)
    report = kyso.verify(attached, trust=[pki.root_cert], revocation="off")
    assert [s.kind for s in report.signatures] == ["approval", "issuance", "attachment"]
    assert fast_calls == [True, True, True]
    if shutil.which("pdftotext") is not None:
        path = tmp_path / "marked.pdf"
        path.write_bytes(attached)
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
        assert "Kèm theo văn bản số 12/QĐ-UBND" in text.stdout.decode("utf-8")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
@pytest.mark.parametrize("kind", ["approval", "copy"])
def test_marks_look_the_same_from_both_writers(
    kind: str, signer_for: Callable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same mark, pixel for pixel, whichever writer drew it (the time in the mark frozen)."""
    from freezegun import freeze_time
    from PIL import Image, ImageChops

    from kyso.demo.letter import sample_letter
    from kyso.demo.marks import sample_signature_png

    letter = sample_letter()
    options: dict[str, Any] = (
        {"image": sample_signature_png(), "anchor": "CHỦ TỊCH"}
        if kind == "approval"
        else {"copy_form": "Sao y", "organization": "Văn phòng Ủy ban nhân dân tỉnh Nghệ An"}
    )

    def rendered(name: str) -> Image.Image:
        with freeze_time("2026-12-01 08:30:00"):
            signed = kyso.sign(letter.pdf, signer=signer_for("organisation"), kind=kind, **options)
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(signed)
        subprocess.run(["pdftoppm", "-r", "96", "-png", "-singlefile", path, tmp_path / name], check=True)
        return Image.open(tmp_path / f"{name}.png").convert("RGB")

    fast = rendered("fast")
    with monkeypatch.context() as patch:
        pyhanko_writer_only(patch)
        slow = rendered("pyhanko")
    assert ImageChops.difference(fast, slow).getbbox() is None
    assert ImageChops.difference(fast, rendered_unsigned(letter.pdf, tmp_path)).getbbox() is not None, "no mark"


def rendered_unsigned(pdf: bytes, folder: Path) -> Any:
    from PIL import Image

    path = folder / "unsigned.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "96", "-png", "-singlefile", path, folder / "unsigned"], check=True)
    return Image.open(folder / "unsigned.png").convert("RGB")


def _certified(pdf: bytes, pki: TestPKI) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load_pkcs12(str(pki.p12("organisation")), passphrase=pki.password.encode())
    metadata = signers.PdfSignatureMetadata(
        field_name="Certification", certify=True, docmdp_permissions=fields.MDPPerm.FILL_FORMS
    )
    return signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), metadata, signer=signer).getvalue()  # type: ignore[no-any-return]


def _startxref_off_by_one(pdf: bytes) -> bytes:
    at = pdf.rindex(b"startxref")
    value = int(pdf[at + 9 :].split()[0])
    return pdf[:at] + b"startxref\n%d\n%%%%EOF\n" % (value + 1)


def _hybrid(pdf: bytes) -> bytes:
    """A hybrid-reference file: the classic trailer names an /XRefStm, a cross-reference stream (PDF 32000-1,
    7.5.8.4) appended after it."""
    import zlib

    at = pdf.rindex(b"trailer")
    number = int(re.search(rb"/Size (\d+)", pdf[at:]).group(1)) + 5  # type: ignore[union-attr]
    offset = len(pdf) + len(b"/XRefStm 0000000000 ")
    trailer = pdf[at:].replace(b"/Size", b"/XRefStm %010d /Size" % offset, 1)
    rows = zlib.compress(b"\x01" + offset.to_bytes(4, "big") + b"\x00\x00")
    stream = b"%d 0 obj\n<</Type/XRef/Size %d/W[1 4 2]/Index[%d 1]/Filter/FlateDecode/Length %d>>stream\n" % (
        number,
        number + 1,
        number,
        len(rows),
    )
    return pdf[:at] + trailer + stream + rows + b"\nendstream\nendobj\n"


@pytest.mark.parametrize(
    ("make", "field", "reason"),
    [
        (lambda pdf, pki: _certified(pdf, pki), None, "DocMDP"),
        (lambda pdf, pki: generated_pdf(form=True), "Họ tên", "exists"),
        (lambda pdf, pki: _startxref_off_by_one(pdf), None, "startxref"),
        (lambda pdf, pki: _hybrid(pdf), None, "hybrid"),
    ],
    ids=["certified (DocMDP)", "field name taken", "damaged startxref", "hybrid xref"],
)
def test_unusual_documents_go_to_pyhanko(
    make: Callable, field: str | None, reason: str, signer_for: Callable, pki: TestPKI, fast_calls: list[bool]
) -> None:
    """The fast path declines, with the reason, and the signing is what pyHanko's writer makes of it (a signature,
    or pyHanko's refusal as a typed error), never a fast-path output."""
    from kyso.core.errors import KysoError
    from kyso.core.models import Document, SignRequest
    from kyso.pdf.reading import open_reader

    document = make(generated_pdf(), pki)
    request = SignRequest(document=Document(document, "pdf"), signer=signer_for("person"), field=field)
    found = fastpath.unusual(request, open_reader(document))
    assert found is not None and reason in found, found
    try:
        kyso.sign(document, signer=signer_for("person"), field=field)
    except KysoError:
        pass
    assert fast_calls in ([False], [])


def test_a_cms_larger_than_its_room_goes_to_pyhanko(
    signer_for: Callable, pki: TestPKI, fast_calls: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastpath, "SIGNATURE_OVERHEAD", -2000)
    signed = kyso.sign(generated_pdf(), signer=signer_for("person"))
    assert fast_calls == [False]
    assert kyso.verify(signed, trust=[pki.root_cert], revocation="off").indication == "TOTAL_PASSED"


# --- both writers, what a verifier sees --------------------------------------------------------------------------

_SEEN = ("id", "indication", "sub_indication", "kind", "signer", "level", "coverage", "modifications")


def seen_by_verifiers(signed: bytes, pki: TestPKI) -> list[Any]:
    """Kyso's report per signature (what a văn thư reads) and pyHanko's own verdict, minus the times."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    report = kyso.verify(signed, trust=[pki.root_cert], revocation="off").to_dict()
    root = load_cert_from_pemder(str(pki.root_cert))
    raw: list[Any] = []
    for embedded in PdfFileReader(BytesIO(signed)).embedded_signatures:
        status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[root], allow_fetching=False))
        raw.append((status.bottom_line, status.coverage, status.modification_level, embedded.field_name))
        signed_attributes = sorted(a["type"].dotted for a in embedded.signer_info["signed_attrs"])
        raw.append((signed_attributes, str(embedded.sig_object["/SubFilter"]), embedded.md_algorithm))
    return [[{key: s[key] for key in _SEEN} for s in report["signatures"]], raw]


_TEXT = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyÀẢÃÁẠẰẲẴẮẶẦẨẪẤẬỄỀỂẾỆ ()\\", min_size=1, max_size=24)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pages=st.integers(1, 4),
    xref_stream=st.booleans(),
    object_streams=st.booleans(),
    rotate=st.sampled_from([0, 90, 180, 270]),
    annotated=st.booleans(),
    form=st.booleans(),
    reason=st.none() | _TEXT,
    location=st.none() | _TEXT,
    signatures=st.integers(1, 2),
)
def test_both_writers_look_the_same_to_verifiers(
    signer_for: Callable,
    pki: TestPKI,
    pages: int,
    xref_stream: bool,
    object_streams: bool,
    rotate: int,
    annotated: bool,
    form: bool,
    reason: str | None,
    location: str | None,
    signatures: int,
) -> None:
    pdf = generated_pdf(
        pages, xref_stream=xref_stream, object_streams=object_streams, rotate=rotate, annotated=annotated, form=form
    )

    def signed_by(writer: str) -> bytes:
        document = pdf
        with pytest.MonkeyPatch.context() as patch:
            if writer == "pyhanko":
                pyhanko_writer_only(patch)
            for _ in range(signatures):
                document = kyso.sign(document, signer=signer_for("person"), reason=reason, location=location)
        return document

    fast, slow = signed_by("fast"), signed_by("pyhanko")
    assert fast != slow
    assert seen_by_verifiers(fast, pki) == seen_by_verifiers(slow, pki)
    assert re.search(rb"/ByteRange \[0 \d+ \d+ \d+\]", fast[len(pdf) :])


@needs_pdfsig
def test_a_trailer_understating_its_size_never_reuses_an_object_number(
    signer_for: Callable, pki: TestPKI, tmp_path: Path, fast_calls: list[bool]
) -> None:
    pdf = generated_pdf(2)
    size = int(re.search(rb"/Size (\d+)", pdf[pdf.rindex(b"trailer") :]).group(1))  # type: ignore[union-attr]
    lying = pdf[: pdf.rindex(b"trailer")] + pdf[pdf.rindex(b"trailer") :].replace(b"/Size %d" % size, b"/Size 2")
    signed = kyso.sign(lying, signer=signer_for("person"))
    numbers = [int(n) for n in re.findall(rb"(\d+) 0 obj", signed[len(lying) :])]
    assert fast_calls == [True]
    new = set(numbers) - {int(n) for n in re.findall(rb"(\d+) 0 obj", lying)}
    assert new and min(new) >= size, (numbers, size)
    check_every_verifier(signed, pki, tmp_path, count=1, strict=False)  # the input's own trailer is wrong


def test_b_t_from_inside_a_running_event_loop(signer_for: Callable, pki: TestPKI, fast_calls: list[bool]) -> None:
    """A web framework's handler calling ``kyso.sign`` (an event loop running in the thread) gets its time-stamp."""
    import asyncio

    async def handler() -> bytes:
        return kyso.sign(generated_pdf(), signer=signer_for("person"), level="B-T", tsa=pki.tsa_url)

    signed = asyncio.run(handler())
    assert fast_calls == [True]
    assert kyso.verify(signed, trust=[pki.root_cert], revocation="off").signatures[0].level == "B-T"
