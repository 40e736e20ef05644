"""examples/mobile/ in Chromium with a phone viewport (issue 12, item 5): prepare -> "Vui lòng xác nhận trên điện
thoại" -> the simulator's phone confirms -> finish; the page shows the verdict. Screenshots saved and looked at."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import kyso

pytest_plugins = ["agent_support"]

APP = Path(__file__).resolve().parents[2] / "examples" / "mobile" / "app.py"


def _app_module():
    spec = importlib.util.spec_from_file_location("kyso_mobile_example", APP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_phone_page_signs_after_the_confirmation(kyso_remote_signing, kyso_pki, kyso_browser, tmp_path):
    from kyso.demo.letter import sample_letter
    from kyso.signers.remote.smartca import open_smartca
    from kyso.testing.simulators.remote import SP_ID, SP_SECRET

    example = _app_module()
    kyso_remote_signing.reset()
    signer = open_smartca(
        service_url=kyso_remote_signing.smartca_url,
        signer_user="079090001234",
        client_id=SP_ID,
        client_secret=SP_SECRET,
        poll_interval=0.1,
    )
    app = example.MobileSigningApp(
        signer, {"cv-1": ("cong-van-so-45.pdf", sample_letter().pdf)}, trust=[kyso_pki.root_cert]
    )
    server = example.serve(app)
    context = kyso_browser.new_context(viewport={"width": 390, "height": 720}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        page.wait_for_selector("body[data-ready='1']", timeout=20000)
        page.get_by_role("button", name="Ký số bằng SmartCA").click()
        page.wait_for_selector("text=Vui lòng xác nhận trên điện thoại", timeout=20000)
        page.screenshot(path=str(tmp_path / "mobile-waiting.png"))
        assert kyso_remote_signing.phone("confirm") is not None  # the user confirms on the phone
        page.wait_for_selector("body[data-done]", timeout=20000)
        page.screenshot(path=str(tmp_path / "mobile-signed.png"))
        done, text = page.get_attribute("body", "data-done"), page.inner_text("#status")
    finally:
        context.close()
        server.shutdown()
    assert done == "signed", text
    assert "Chữ ký hợp lệ" in text
    job = next(iter(app.jobs.values()))
    assert kyso.verify(job["signed"], trust=[kyso_pki.root_cert], revocation="off").indication == "TOTAL_PASSED"
