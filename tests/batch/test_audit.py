"""``kyso audit``: the figures a province reports, from a small store (PDFs of two agencies and kinds, an edXML
package received over the axis, a public-CA signature where a dedicated one is expected, a revoked signer, an
unsigned received package), its exports, and the HTML page in headless Chromium."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import make_pdf

import kyso

pytest.importorskip("matplotlib")
pytest.importorskip("openpyxl")


def _edxml(organ_id: str, organ_name: str) -> bytes:
    from kyso_edxml import codec
    from kyso_edxml.model import EdXMLMessage, MessageHeader, Organization, PromulgationInfo

    header = MessageHeader(
        from_=Organization(organ_id=organ_id, organ_name=organ_name),
        to=[Organization(organ_id="000.00.00.H41", organ_name="UBND tỉnh Nghệ An")],
        document_id=f"{organ_id},2026/11/20,12/UBND-VX",
        promulgation_info=PromulgationInfo(place="Hà Tĩnh", promulgation_date=date(2026, 11, 20)),
        subject="V/v báo cáo chữ ký số",
    )
    return codec.build(EdXMLMessage(header=header))


@pytest.fixture(scope="module")
def store(tmp_path_factory, pki, signer_for):
    """Signed in a thread: kyso_browser (set up first, a session fixture) marks an event loop as running in the
    main thread, where pyHanko's asyncio.run then refuses to run."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(_store, tmp_path_factory, signer_for).result()


def _store(tmp_path_factory, signer_for):
    folder = tmp_path_factory.mktemp("store")
    (folder / "di").mkdir()
    (folder / "den").mkdir()
    for number in range(3):
        data = kyso.sign(
            make_pdf(text=f"quyet dinh {number}"),
            signer=signer_for("person"),
            kind="copy",
            copy_form="SAO Y",
            organization="Văn phòng UBND tỉnh Nghệ An",
        )
        (folder / "di" / f"qd-{number}.pdf").write_bytes(data)
    (folder / "di" / "cong-cong.pdf").write_bytes(kyso.sign(make_pdf(text="cc"), signer=signer_for("untrusted")))
    (folder / "di" / "thu-hoi.pdf").write_bytes(kyso.sign(make_pdf(text="th"), signer=signer_for("revoked")))
    (folder / "den" / "goi.edxml").write_bytes(
        kyso.sign(_edxml("000.00.00.H42", "UBND tỉnh Hà Tĩnh"), signer=signer_for("organisation"))
    )
    (folder / "den" / "chua-ky.edxml").write_bytes(_edxml("000.00.00.H43", "UBND tỉnh Quảng Bình"))
    (folder / "den" / "hong.pdf").write_bytes(b"%PDF-1.7 broken")
    roots = folder.parent / f"{folder.name}-roots.json"
    roots.write_text(
        json.dumps({"RootCA chuyên dùng Chính phủ G2 (TEST)": "dedicated", "Untrusted Root (TEST)": "public"}),
        encoding="utf-8",
    )
    return folder, roots


def test_audit_figures_and_exports(pki, kyso_cli, tmp_path, store, kyso_browser):
    folder, roots = store
    out = {kind: tmp_path / f"audit.{kind}" for kind in ("html", "csv", "xlsx", "json")}
    result = kyso_cli(
        "audit",
        folder,
        "--trust",
        pki.root_cert,
        "--trust",
        pki.untrusted_root_cert,
        "--roots",
        roots,
        "--expiring-within",
        "36500",
        "--workers",
        "2",
        *(item for kind, path in out.items() for item in (f"--{kind}", path)),
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    figures = json.loads(out["json"].read_text(encoding="utf-8"))
    assert figures["documents"] == 8
    assert figures["indications"] == {"TOTAL_PASSED": 5, "TOTAL_FAILED": 1, "NO_SIGNATURE": 1, "failed": 1}
    agencies = {a["organ_id"] or a["agency"]: a for a in figures["agencies"]}
    assert agencies["000.00.00.H42"]["agency"] == "UBND tỉnh Hà Tĩnh" and agencies["000.00.00.H42"]["dedicated"] == 1
    assert agencies["Ủy ban nhân dân tỉnh Nghệ An"]["certificates"] == 3  # person, revoked, the public-CA one
    assert figures["kinds"]["copy"] == {"signatures": 3, "valid": 3}
    assert figures["public_where_dedicated_expected"]["documents"] == 1
    assert figures["public_where_dedicated_expected"]["examples"][0]["document"] == "di/cong-cong.pdf"
    assert figures["received"] == {
        "documents": 2,
        "without_valid_signature": 1,
        "examples": [{"document": "den/chua-ky.edxml", "indication": "NO_SIGNATURE", "reason": "no signature"}],
    }
    assert {c["signer"] for c in figures["expiring_certificates"]} >= {"Nguyễn Văn An"}
    (year,) = [y for y in figures["yearly"] if y["year"] == "2026"]
    assert year["axis_documents"] == 2 and year["axis_valid_share"] == 0.5 and year["axis_dedicated_valid"] == 1
    assert all(not a["weak"] for a in figures["algorithms"])
    rows = out["csv"].read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 9 and rows[0].startswith("document,format,agency_id")
    from openpyxl import load_workbook

    book = load_workbook(out["xlsx"])
    assert "Số liệu năm" in book.sheetnames and book["Cơ quan"].max_row == 1 + len(figures["agencies"])

    page = kyso_browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(out["html"].as_uri())
    assert page.locator("svg").count() >= 3
    text = page.inner_text("body")
    assert "Số liệu báo cáo hằng năm" in text and "UBND tỉnh Hà Tĩnh" in text and "di/cong-cong.pdf" in text
    page.screenshot(path=str(tmp_path / "audit.png"), full_page=True)
    page.close()


def test_audit_escapes_names_from_documents(pki, kyso_cli, tmp_path):
    """An agency name from a hostile package is text in the page, never markup."""
    folder = tmp_path / "store"
    folder.mkdir()
    (folder / "x.edxml").write_bytes(_edxml("000.00.00.H44", "<script>alert(1)</script><b>UBND</b>"))
    result = kyso_cli("audit", folder, "--html", tmp_path / "a.html", "--workers", "1")
    assert result.exit_code == 0
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_vietnamese_audit_page_carries_no_english_library_text(pki, kyso_cli, signer_for, tmp_path):
    """Issue 16, item 3: the audit page gives each reason through the one table of :mod:`kyso.reasons`, as
    ``kyso verify`` does, never a verifier's English note (altered, revoked, untrusted, broken documents)."""
    import html
    import re

    from reports.test_report_for_clerks import all_messages, ascii_words, english_words

    folder = tmp_path / "store"
    folder.mkdir()
    signed = kyso.sign(make_pdf(text="sua doi"), signer=signer_for("person"))
    at = signed.index(b"sua doi")
    (folder / "sua.pdf").write_bytes(signed[:at] + b"SUA DOI" + signed[at + 7 :])
    (folder / "thu.pdf").write_bytes(kyso.sign(make_pdf(text="th"), signer=signer_for("revoked")))
    (folder / "la.pdf").write_bytes(kyso.sign(make_pdf(text="la"), signer=signer_for("untrusted")))
    (folder / "hong.pdf").write_bytes(b"%PDF-1.7 broken")
    page, figures = tmp_path / "audit.html", tmp_path / "audit.json"
    result = kyso_cli("audit", folder, "--trust", pki.root_cert, "--html", page, "--json", figures)
    assert result.exit_code == 0, result.stdout + result.stderr
    raw = json.loads(figures.read_text(encoding="utf-8"))["reasons"]
    reports = [
        kyso.verify(path.read_bytes(), trust=[pki.root_cert])
        for path in sorted(folder.glob("*.pdf"))
        if path.name != "hong.pdf"
    ]
    words = english_words([*raw, *(m for report in reports for m in all_messages(report))])
    assert len(raw) >= 3 and words  # the store has English notes to leak
    text = html.unescape(re.sub(r"<svg.*?</svg>|<style>.*?</style>|<[^>]+>", " ", page.read_text("utf-8"), flags=re.S))
    assert not ascii_words(text) & words, (ascii_words(text) & words, text)
    assert "nội dung tài liệu đã bị thay đổi sau khi ký" in text and "chứng thư số đã bị thu hồi" in text
