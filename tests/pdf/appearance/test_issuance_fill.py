"""Issue 16, item 4: issuance writes ``doc_number`` and ``issued_date`` where a văn thư looks (after "Số:", into
"ngày ... tháng ... năm ..."), in blank space and in the document's font, as widgets of the issuance signature's own
field in the issuance revision: the approval signature stays TOTAL_PASSED (a signature was added), the report shows
the number and the date, and a document without those places still signs and says so."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from kinds_helpers import ink_bbox, marks_fixture, needs_poppler, render  # noqa: F401 - fixtures

import kyso
from kyso.core.errors import KysoWarning
from kyso.demo.letter import sample_letter
from kyso.pdf.appearance.fill import day_month_year
from kyso.reports import render_verification

DRAFT = dict(number=" " * 8 + "/UBND-VX", date_text="Nghệ An, ngày       tháng       năm 2026")


@pytest.fixture(scope="module")
def draft():
    """The sample letter as approved: number and date blank."""
    return sample_letter(**DRAFT)


@pytest.fixture(scope="module")
def approved(draft, signer_for: Callable, marks) -> bytes:
    return kyso.sign(draft.pdf, signer=signer_for("person"), kind="approval", image=marks["signature"],
                     box=draft.signature_box, page=1)


@pytest.fixture(scope="module")
def issued(approved: bytes, signer_for: Callable, marks) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("error", KysoWarning)  # every value found its place
        return kyso.sign(approved, signer=signer_for("organisation"), kind="issuance", seal=marks["seal"],
                         doc_number="123/UBND-VX", issued_date="2026-02-05")


def widgets(pdf: bytes) -> dict[str, list]:
    """Field name -> its widget annotations (resolved), on page 1."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(pdf))
    found: dict[str, list] = {}
    for field in reader.root["/AcroForm"]["/Fields"]:
        field = field.get_object()
        kids = [k.get_object() for k in field["/Kids"]] if "/Kids" in field else [field]
        found[str(field["/T"])] = kids
    return found


def test_day_and_month_take_a_leading_zero_as_decree_30_writes_them() -> None:
    assert day_month_year(date(2026, 2, 5)) == ("05", "02", "2026")
    assert day_month_year(date(2026, 11, 22)) == ("22", "11", "2026")
    assert day_month_year(date(2026, 3, 9)) == ("09", "3", "2026")


def test_approval_stays_valid_and_the_report_shows_number_and_date(issued: bytes, pki) -> None:
    report = kyso.verify(issued, trust=[pki.root_cert], revocation="off")
    approval, issuance = report.signatures
    assert (approval.indication, approval.modifications) == ("TOTAL_PASSED", "FORM_FILLING"), approval.messages
    assert issuance.indication == "TOTAL_PASSED"
    data = report.to_dict()["signatures"]
    assert (data[1]["doc_number"], data[1]["issued_date"]) == ("123/UBND-VX", "2026-02-05")
    assert (data[0]["doc_number"], data[0]["issued_date"]) == (None, None)
    text = render_verification(report, "vi")
    assert "Số văn bản: 123/UBND-VX" in text and "Ngày ban hành: 05/02/2026" in text


def test_values_are_widgets_of_the_issuance_field_in_blank_space(issued: bytes, draft) -> None:
    from test_marks_free_space import overlaps

    from kyso.pdf.appearance.fill import _Page
    from kyso.pdf.appearance.geometry import geometry
    from kyso.pdf.appearance.text import page_lines

    fields = widgets(issued)
    seal, *values = fields["Signature2"]
    assert len(values) == 3  # after the seal: the number, the day, the month (the draft prints the year)
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(draft.pdf))
    page = _Page(geometry(reader, 0), page_lines(reader, geometry(reader, 0)))
    ink = [box for line in page.lines for box in page._ink(line.bbox)]
    for widget in values:
        assert widget["/Parent"].get_object()["/T"] == "Signature2"  # signed by the issuance signature
        rect = tuple(float(v) for v in widget["/Rect"])
        covered = [box for box in ink if overlaps((rect[0] + 1, rect[1] + 1, rect[2] - 1, rect[3] - 1), box)]
        assert not covered, (rect, covered)


def test_values_use_the_documents_font(issued: bytes) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(issued))
    resources = reader.root["/Pages"]["/Kids"][0]["/Resources"]["/Font"]
    page_fonts = {ref.get_object().get("/BaseFont") for ref in resources.values()}
    _, *values = widgets(issued)["Signature2"]
    for widget in values:
        font = widget["/AP"]["/N"]["/Resources"]["/Font"]["/F1"]
        assert font.get("/BaseFont") in page_fonts


@needs_poppler
def test_rendered_heading_shows_number_and_date(issued: bytes, approved: bytes, tmp_path: Path) -> None:
    """Look at it: ``tmp_path/page.png``. Ink appears in the blank after "Số:" and after "ngày" / "tháng"."""
    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()
    before, after = render(approved, tmp_path / "before"), render(issued, tmp_path / "after")
    _, *values = widgets(issued)["Signature2"]
    for widget in values:
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
        box = (int(x1), int(842 - y2), int(x2) + 1, int(842 - y1) + 1)
        assert ink_bbox(before.crop(box), "dark") is None  # blank before issuance
        assert ink_bbox(after.crop(box), "dark") is not None  # the value after it


def test_a_document_without_places_still_signs_and_says_so(signer_for: Callable, marks, pki, unsigned_pdf) -> None:
    plain = kyso.sign(unsigned_pdf, signer=signer_for("person"), page=1, box=(300, 300, 470, 370))
    with pytest.warns(KysoWarning) as caught:
        issued = kyso.sign(plain, signer=signer_for("organisation"), kind="issuance", seal=marks["seal"],
                           doc_number="7/UBND", issued_date="2026-11-22")
    said = " ".join(str(w.message) for w in caught)
    assert 'no "Số:"' in said and "ngày ... tháng ... năm" in said
    report = kyso.verify(issued, trust=[pki.root_cert], revocation="off")
    assert report.signatures[1].indication == "TOTAL_PASSED"
    assert report.signatures[1].doc_number is None  # nothing was written, nothing is claimed


def test_a_filled_number_is_never_overwritten(signer_for: Callable, marks) -> None:
    """The printed letter already carries another number and date: nothing is written over it."""
    letter = sample_letter(number="99/UBND-VX")
    approved = kyso.sign(letter.pdf, signer=signer_for("person"), kind="approval", image=marks["signature"],
                         box=letter.signature_box, page=1)
    with pytest.warns(KysoWarning, match="already shows"):
        issued = kyso.sign(approved, signer=signer_for("organisation"), kind="issuance", seal=marks["seal"],
                           doc_number="123/UBND-VX", issued_date="2026-02-05")
    assert len(widgets(issued)["Signature2"]) == 1  # only the seal


def test_cli_prints_the_note(kyso_cli, signer_for, pki, marks, unsigned_pdf, tmp_path: Path) -> None:
    import kyso as k

    source = tmp_path / "plain.pdf"
    source.write_bytes(k.sign(unsigned_pdf, signer=signer_for("person"), page=1, box=(300, 300, 470, 370)))
    for lang, note in (
        ("vi", 'kyso: note: không ghi được vào văn bản: trang đầu của văn bản không có "Số:"'),
        ("en", 'kyso: note: not written into the document: the document has no "Số:"'),
    ):
        result = kyso_cli("--lang", lang, "sign", source, "-o", tmp_path / f"out-{lang}.pdf",
                          "--p12", pki.p12("organisation"), "--password-env", "P", "--kind", "issuance",
                          "--seal", marks["seal"], "--doc-number", "7/UBND", env={"P": pki.password})
        assert result.exit_code == 0, result.stderr
        assert note in result.stderr and "KysoWarning" not in result.stderr


def test_a_note_from_any_command_is_one_line(tmp_path: Path) -> None:
    """Outside kyso sign too (sync, batch, the agent, conformance), a KysoWarning is one ``kyso: note:`` line in
    the run's language, never Python's ``file:line: KysoWarning: ...``."""
    import subprocess
    import sys

    code = (
        "import warnings, click\n"
        "from kyso.cli.main import cli, main\n"
        "from kyso.core.errors import KysoWarning\n"
        "@cli.command('warn-once')\n"
        "def warn_once():\n"
        "    warnings.warn(KysoWarning('not written into the document: the document has no \"Số:\" on its first"
        " page'))\n"
        "main(['warn-once'])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"KYSO_LANG": "vi",
                            "PATH": "", "HOME": str(tmp_path)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == 'kyso: note: không ghi được vào văn bản: trang đầu của văn bản không có "Số:"'


def test_cli_verify_json_carries_number_and_date(issued: bytes, kyso_cli, pki, tmp_path: Path) -> None:
    path = tmp_path / "issued.pdf"
    path.write_bytes(issued)
    report = json.loads(kyso_cli("verify", path, "--trust", pki.root_cert, "--revocation", "off",
                                 "--format", "json").stdout)
    assert report["signatures"][1]["doc_number"] == "123/UBND-VX"
    assert report["signatures"][1]["issued_date"] == "2026-02-05"
