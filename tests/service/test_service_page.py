"""The page for people, in real headless Chromium against the real service: upload, verdict, English, printable
report, and the one-stop shop's QR link ``/verify/{id}``. Screenshots are written to the test's directory (and
looked at when the page changes)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import make_pdf
from service_support import database_url_fixture, outside_fixture, service_fixture  # noqa: F401 - fixtures

import kyso


def signed(signer, text: str) -> bytes:
    """A signed PDF, signed in a thread: Playwright's sync API keeps an event loop running in the main thread, in
    which pyHanko's synchronous ``sign_pdf`` (``asyncio.run``) refuses to run."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: kyso.sign(make_pdf(text=text), signer=signer)).result()


@pytest.fixture
def page(kyso_browser):
    context = kyso_browser.new_context(accept_downloads=True, viewport={"width": 1000, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_upload_verdict_english_and_report(page, service, signer_for, tmp_path):
    document_bytes = signed(signer_for("person"), "Cong van so 123")
    document = tmp_path / "cong-van-123.pdf"
    document.write_bytes(document_bytes)
    page.goto(service.url + "/")
    page.set_input_files("#file", str(document))
    page.click("#check")
    page.wait_for_selector("#result:not([hidden])")
    assert page.text_content("#verdict") == "Kết luận: HỢP LỆ"
    card = page.text_content(".card")
    assert "Nguyễn Văn An" in card and "Ủy ban nhân dân tỉnh Nghệ An" in card and "chưa bị thu hồi" in card
    page.screenshot(path=str(tmp_path / "page-vi.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("#download")
    report = tmp_path / "report.pdf"
    download_info.value.save_as(report)
    assert report.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(report), "-"], capture_output=True, text=True).stdout
        import hashlib

        assert "KẾT QUẢ KIỂM TRA CHỮ KÝ SỐ" in text and hashlib.sha256(document_bytes).hexdigest() in text
        assert "Nguyễn Văn An" in text
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-r", "70", "-png", "-singlefile", str(report), str(tmp_path / "report")], check=True
        )

    page.click("#lang")
    page.wait_for_function("document.getElementById('verdict').textContent.startsWith('Verdict')")
    assert page.text_content("#verdict") == "Verdict: VALID"
    assert page.text_content("#check") == "Check"
    page.screenshot(path=str(tmp_path / "page-en.png"), full_page=True)
    page.click("#lang")  # back to Vietnamese for the next tests (the choice is remembered)


def test_tampered_document_says_why(page, service, signer_for, tmp_path):
    tampered = tmp_path / "sua-doi.pdf"
    tampered.write_bytes(signed(signer_for("person"), "Quyet dinh").replace(b"Quyet dinh", b"Quyet DINH"))
    page.goto(service.url + "/")
    page.set_input_files("#file", str(tampered))
    page.click("#check")
    page.wait_for_selector("#result:not([hidden])")
    assert page.text_content("#verdict") == "Kết luận: KHÔNG HỢP LỆ"
    assert "nội dung tài liệu đã bị thay đổi sau khi ký" in page.text_content(".card")
    page.screenshot(path=str(tmp_path / "page-tampered.png"), full_page=True)


def test_one_stop_shop_qr_link(page, service, outside, signer_for, tmp_path):
    outside.documents["HS-2026-0001"] = signed(signer_for("person"), "Ket qua ho so")
    page.goto(service.url + "/verify/HS-2026-0001")
    page.wait_for_selector("#result:not([hidden])")
    assert page.text_content("#verdict") == "Kết luận: HỢP LỆ"
    assert "HS-2026-0001" in page.text_content("#status")
    page.screenshot(path=str(tmp_path / "page-link.png"), full_page=True)
    page.goto(service.url + "/verify/HS-unknown")
    page.wait_for_selector("#status.error")
    assert "HS-unknown" in page.text_content("#status")


def test_names_from_documents_are_text_never_html(page, service, signer_for, tmp_path):
    """A file name (and any name from a certificate) reaches the page as text: markup in it is shown, not run."""
    hostile = "<img src=x onerror=document.title=1>.pdf"  # Chromium sends quotes in a file name as %22
    document = tmp_path / "hostile.pdf"
    document.write_bytes(signed(signer_for("person"), "Ten tep doc hai"))
    page.goto(service.url + "/")
    page.set_input_files(
        "#file", files=[{"name": hostile, "mimeType": "application/pdf", "buffer": document.read_bytes()}]
    )
    page.click("#check")
    page.wait_for_selector("#result:not([hidden])")
    assert hostile in page.text_content("#document")
    assert page.query_selector("#result img") is None and page.title() != "1"


def test_times_are_shown_as_the_text_report_shows_them(page, service, signer_for, tmp_path):
    """Signing time and validity on the page are the text report's (``moment_text``): to the second, Vietnamese
    form, and ISO to the second in English; never the raw ISO of the JSON with its microseconds."""
    import concurrent.futures
    import re

    from kyso.reports import moment_text

    document = tmp_path / "gio-ky.pdf"
    document.write_bytes(signed(signer_for("person"), "Gio ky"))
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        report = pool.submit(lambda: kyso.verify(document.read_bytes())).result()
    signature = report.signatures[0]
    raw = report.to_dict()["signatures"][0]
    assert signature.signing_time is not None and raw["signing_time"] and raw["certificate"]["not_before"]
    page.goto(service.url + "/")
    page.set_input_files("#file", str(document))
    page.click("#check")
    page.wait_for_selector("#result:not([hidden])")
    for lang in ("vi", "en"):
        card = page.text_content(".card")
        assert moment_text(signature.signing_time, lang) in card
        certificate = signature.signer
        validity = f"{moment_text(certificate.not_before, lang)} → {moment_text(certificate.not_after, lang)}"
        assert validity in card
        assert not re.search(r"\d:\d\d\.\d", card), card  # no fraction of a second
        if lang == "vi":  # the JSON is ISO already (Vietnam time): English shows it to the second
            assert raw["signing_time"] not in card and raw["certificate"]["not_before"] not in card
        page.screenshot(path=str(tmp_path / f"page-times-{lang}.png"), full_page=True)
        page.click("#lang")
        if lang == "vi":
            page.wait_for_function("document.getElementById('verdict').textContent.startsWith('Verdict')")
    assert "ngày" in moment_text(signature.signing_time, "vi")
