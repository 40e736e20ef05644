"""The one-stop-shop adapter and simulator: results signed by the agency with a QR code linking to the public
verification page, receipts, electronic copies, the VGCA-style upload reply."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import requests

import kyso
from kyso.adapters.sync import sync
from kyso.conformance.checks import sample_pdf
from kyso.core.adapter import AdapterConfig, AuthenticationError, Credentials


@pytest.fixture(scope="module")
def onegate_sim(tmp_path_factory, pki):
    from kyso.testing.simulators.onegate import OneGateSimulator

    with OneGateSimulator(tmp_path_factory.mktemp("onegate-sim")).serve() as simulator:
        simulator.trust = [pki.cert("root")]
        yield simulator


@pytest.fixture
def onegate(onegate_sim):
    from kyso_onegate.adapter import OneGateAdapter

    adapter = OneGateAdapter(
        AdapterConfig(onegate_sim.url, Credentials("kyso", "kyso-secret"), timeout=1, retries=1, backoff=0.02)
    )
    yield adapter
    adapter.close()


@pytest.fixture(scope="module")
def dossier(onegate_sim):
    dossier = onegate_sim.add_dossier(applicant="Trần Thị Hoa", service="Cấp giấy chứng nhận đăng ký hộ kinh doanh")
    result = onegate_sim.add_file(dossier, assignee="motcua", name="Giấy chứng nhận.pdf", content=sample_pdf("KQ"))
    receipt = onegate_sim.add_file(
        dossier, assignee="motcua", name="Giấy tiếp nhận hồ sơ.pdf", content=sample_pdf("BN"), file_type="receipt"
    )
    copy = onegate_sim.add_file(
        dossier,
        assignee="motcua",
        name="Bản sao điện tử.pdf",
        content=sample_pdf("BS"),
        file_type="copy",
        kind="copy",
        appearance={"copy_form": "SAO Y", "organization": "Sở Xây dựng tỉnh Nghệ An"},
    )
    return dossier, result, receipt, copy


@pytest.fixture(scope="module")
def signed_dossier(onegate_sim, dossier, signer_for, pki):
    from kyso_onegate.adapter import OneGateAdapter

    adapter = OneGateAdapter(AdapterConfig(onegate_sim.url, Credentials("kyso", "kyso-secret"), timeout=2))
    items = adapter.pending("motcua")
    summary = sync(adapter, "motcua", signer_for("organisation"), trust=[pki.cert("root")])
    adapter.close()
    return {i.id: i for i in items}, summary


def test_dossier_files_are_items_with_the_dossier_metadata(signed_dossier, dossier):
    items, summary = signed_dossier
    _, result, receipt, copy = dossier
    assert summary.signed == 3 and summary.failed == 0
    assert items[result].kind is None and items[copy].kind == "copy"
    assert items[result].metadata["Người nộp"] == "Trần Thị Hoa"
    assert items[result].metadata["Mã hồ sơ"].startswith("000.00.00.H41-")
    assert items[result].locator == {"dossierId": dossier[0], "fileType": "result"}


def test_result_carries_a_signed_qr_link_to_the_verification_page(signed_dossier, dossier, onegate_sim, pki):
    _, result, receipt, _ = dossier
    signed = onegate_sim.item(result)["signed"]
    report = kyso.verify(signed, trust=[pki.cert("root")], revocation="off")
    assert report.indication == "TOTAL_PASSED"
    assert report.signatures[0].coverage == "ENTIRE_FILE"  # the mark was drawn before the signature: covered by it
    url = f"{onegate_sim.url}/verify/{result}"
    assert url.encode() in page_text(signed)
    assert url.encode() not in page_text(onegate_sim.item(receipt)["signed"])  # receipts have no QR code
    page = requests.get(url, timeout=5)
    assert page.status_code == 200 and "Tài liệu hợp lệ: đúng là bản do" in page.text


def page_text(pdf: bytes) -> bytes:
    """Every stream of the file, decompressed when it is Flate-compressed, PDF string escapes undone."""
    import re
    import zlib

    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        try:
            chunks.append(zlib.decompressobj().decompress(match.group(1)))
        except zlib.error:
            chunks.append(match.group(1))
    text = b"\n".join(chunks)
    return re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), text)  # PDF string octal escapes


def test_qr_code_drawn_when_qrcode_is_installed(signed_dossier, dossier, onegate_sim):
    from kyso_onegate.qr import QR_AVAILABLE

    if not QR_AVAILABLE:
        pytest.skip("the qrcode package is not installed: the mark is the address as text")
    signed = onegate_sim.item(dossier[1])["signed"]
    assert b"/URI" in signed or b"/URI" in page_text(signed)  # the QR stamp also adds a link annotation


def test_verification_page_detects_an_altered_result(signed_dossier, dossier, onegate_sim):
    _, _, _, copy = dossier
    requests.post(f"{onegate_sim.url}/_sim/items/{copy}/tamper", timeout=5).raise_for_status()
    page = requests.get(f"{onegate_sim.url}/verify/{copy}", timeout=5)
    assert "KHÔNG hợp lệ" in page.text
    assert requests.get(f"{onegate_sim.url}/verify/nothing", timeout=5).status_code == 404


def test_upload_answers_in_the_vgca_shape(onegate, onegate_sim):
    dossier = onegate_sim.add_dossier()
    ref = onegate_sim.add_file(dossier, assignee="vgca", name="a.pdf", content=sample_pdf("a"))
    (item,) = onegate.pending("vgca")
    receipt = onegate.upload(item, b"%PDF-1.7 signed", idempotency_key="k1")
    assert receipt.remote_id.endswith(f"/files/{ref}/signed") and not receipt.duplicate
    response = requests.post(  # as a VGCA-era web page would post it, with the same key: nothing new stored
        f"{onegate_sim.url}/o/rest/v2/dossiers/{dossier}/files/{ref}/upload",
        files={"uploadfile": ("a.pdf", b"%PDF-1.7 signed")},
        headers={"groupId": "35417", "Idempotency-Key": "k1"},
        auth=("kyso", "kyso-secret"),
        timeout=5,
    )
    assert set(response.json()) == {"Status", "Message", "FileServer", "FileName"}
    assert response.json()["Status"] == 0 and response.json()["Message"] == "duplicate"
    assert onegate_sim.item(ref)["uploads"] == 1


def test_wrong_group_or_password_refused(onegate_sim):
    from kyso_onegate.adapter import OneGateAdapter

    for credentials, options in (
        (Credentials("kyso", "bad"), {}),
        (Credentials("kyso", "kyso-secret"), {"group_id": "1"}),
    ):
        adapter = OneGateAdapter(AdapterConfig(onegate_sim.url, credentials, options=options, timeout=1))
        with pytest.raises(AuthenticationError):
            adapter.pending("x")


def test_result_the_mark_cannot_be_drawn_on_fails_alone(onegate, onegate_sim, signer_for, pki):
    from io import BytesIO

    from pyhanko.pdf_utils.writer import PdfFileWriter

    out = BytesIO()
    PdfFileWriter().write(out)  # a well-formed PDF without a single page: no place for the QR code
    dossier = onegate_sim.add_dossier(applicant="Lê Văn Bình", service="Cấp phép xây dựng")
    broken = onegate_sim.add_file(dossier, assignee="motcua-2", name="Không trang.pdf", content=out.getvalue())
    good = onegate_sim.add_file(dossier, assignee="motcua-2", name="Giấy phép.pdf", content=sample_pdf("GP"))
    summary = sync(onegate, "motcua-2", signer_for("organisation"), trust=[pki.cert("root")])
    outcome = {r.item: r for r in summary.results}
    assert outcome[str(broken)].outcome == "failed" and "verification mark" in outcome[str(broken)].reason
    assert outcome[str(good)].outcome == "signed"


SCREENSHOTS = Path(os.environ.get("KYSO_SCREENSHOTS") or tempfile.gettempdir())
ETSI_WORDS = ("TOTAL_PASSED", "TOTAL_FAILED", "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND", "HASH_FAILURE", "B-B")


def test_the_citizens_page_headlines_a_genuine_result_and_says_what_it_checked(
    signed_dossier, dossier, onegate_sim, kyso_browser
):
    # issue 16, item 8: plain Vietnamese, no ETSI words; a genuine result is said to be genuine. Rendered by the
    # session's headless Chromium (kyso_browser)
    import html
    import re

    _, result, _, _ = dossier
    page = kyso_browser.new_page(viewport={"width": 1100, "height": 420})
    try:
        page.goto(f"{onegate_sim.url}/verify/{result}")
        dom = page.content()
        page.screenshot(path=str(SCREENSHOTS / "onegate-verify-page.png"), full_page=True)
    finally:
        page.close()
    text = html.unescape(re.sub(r"<[^>]+>", "\n", dom))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    body = lines[lines.index("Tra cứu kết quả giải quyết hồ sơ", 1) :]  # after the <title>
    assert body[1].startswith("Tài liệu hợp lệ: đúng là bản do Ủy ban nhân dân tỉnh Nghệ An ký số"), body
    assert "Trang này đã kiểm tra" in body and "Nội dung tài liệu: không bị thay đổi sau khi ký." in body
    assert any(line.startswith("Chứng thư số của người ký do tổ chức tin cậy cấp: có") for line in body)
    assert not any(word in text for word in ETSI_WORDS), text


def test_without_trust_the_page_says_undecided_not_invalid(signed_dossier, dossier, onegate_sim):
    _, result, _, _ = dossier
    saved, onegate_sim.trust = onegate_sim.trust, []
    try:
        text = requests.get(f"{onegate_sim.url}/verify/{result}", timeout=5).text
    finally:
        onegate_sim.trust = saved
    assert "Chưa xác định được tài liệu có hợp lệ hay không" in text and "KHÔNG hợp lệ" not in text
    assert "chưa được cấu hình danh sách tổ chức cấp chứng thư số tin cậy" in text


def test_kyso_simulate_takes_trust_for_the_page(pki, signer_for, tmp_path):
    import os
    import subprocess
    import sys

    from kyso_onegate.adapter import OneGateAdapter

    command = [sys.executable, "-m", "kyso", "simulate", "onegate", "--directory", str(tmp_path)]
    process = subprocess.Popen(
        [*command, "--trust", str(pki.cert("root"))], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    try:
        url = process.stdout.readline().split(" on ")[1].split()[0]
        requests.post(
            f"{url}/_sim/items",
            json={
                "user": "motcua",
                "name": "KQ.pdf",
                "content_b64": __import__("base64").b64encode(sample_pdf("KQ")).decode(),
            },
            timeout=5,
        ).raise_for_status()
        adapter = OneGateAdapter(AdapterConfig(url, Credentials("kyso", "kyso-secret"), timeout=5))
        (item,) = adapter.pending("motcua")
        assert sync(adapter, "motcua", signer_for("organisation"), trust=[pki.cert("root")], items=[item]).signed == 1
        adapter.close()
        text = requests.get(f"{url}/verify/{item.id}", timeout=10).text
        assert "Tài liệu hợp lệ: đúng là bản do" in text, text
    finally:
        process.terminate()
        process.wait(timeout=10)
