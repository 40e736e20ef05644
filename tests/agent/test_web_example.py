"""examples/web/ in headless Chromium: the e-office page of the iOffice simulator signs through the session's agent
with kyso.js (issue 12, items 4-5); a second page uses only the original VGCA function names."""

from __future__ import annotations

import kyso
from kyso.agent.protocol import Status

pytest_plugins = ["agent_support"]


def _page_url(world, page: str) -> str:
    return f"{world.sim.url}/web/{page}?kyso-agent={world.url}"


def test_the_e_office_page_signs_approval_then_issuance(agent_world, kyso_browser, kyso_pki, tmp_path):
    from kyso.demo.letter import sample_letter

    world = agent_world
    world.approval_task(sample_letter().pdf, name="cong-van-so-tay.pdf")
    page = kyso_browser.new_page(viewport={"width": 1100, "height": 720})
    try:
        page.goto(_page_url(world, "index.html"))
        page.wait_for_selector("body[data-ready='1']", timeout=20000)
        row = page.locator("tr", has_text="cong-van-so-tay.pdf")
        page.screenshot(path=str(tmp_path / "web-example-list.png"), full_page=True)
        row.get_by_role("button", name="Ký duyệt").click()
        page.wait_for_selector("#results li.ok", timeout=30000)
        issue = page.locator("tr", has_text="cong-van-so-tay.pdf").get_by_role("button", name="Ký phát hành")
        issue.click()
        page.wait_for_function("document.querySelectorAll('#results li.ok').length >= 2", timeout=30000)
        page.screenshot(path=str(tmp_path / "web-example.png"), full_page=True)
        results = page.locator("#results li").all_inner_texts()
        assert "Kyso" in page.locator("#agent").inner_text()
    finally:
        page.close()
    assert results[0].startswith("Đã ký duyệt «cong-van-so-tay.pdf»")
    assert results[1].startswith("Đã ký phát hành «cong-van-so-tay.pdf» số ")
    issued = [i for i in _items(world) if i["name"] == "cong-van-so-tay.pdf" and i["kind"] == "issuance"]
    report = kyso.verify(world.sim.item(issued[0]["id"])["signed"], trust=[kyso_pki.root_cert], revocation="off")
    assert [s.kind for s in report.signatures] == ["approval", "issuance"]


def test_a_page_with_the_original_vgca_functions_only(agent_world, kyso_browser, tmp_path):
    from kyso.demo.letter import sample_letter

    world = agent_world
    fields = world.approval_task(sample_letter().pdf, name="to-trinh.pdf")
    page = kyso_browser.new_page()
    try:
        page.goto(_page_url(world, "vgca.html"))
        page.wait_for_function("typeof window.vgca_sign_approved === 'function'", timeout=20000)
        assert page.evaluate("typeof window.vgca_sign_issued + typeof window.vgca_get_cert_info") == "functionfunction"
        page.evaluate(
            "([f, h, t]) => exc_sign_approved(f, h, t)",
            [fields["FileName"], fields["FileUploadHandler"], fields["JWTToken"]],
        )
        page.wait_for_selector("body[data-done]", timeout=30000)
        page.screenshot(path=str(tmp_path / "vgca-page.png"))
        status = page.get_attribute("body", "data-done")
        shown = page.input_value("#_signature")
    finally:
        page.close()
    assert status == str(Status.OK), shown
    assert shown.startswith("to-trinh.pdf:{")


def _items(world):
    with world.sim.db() as db:
        return [dict(r) for r in db.execute("SELECT id, name, kind FROM items").fetchall()]
