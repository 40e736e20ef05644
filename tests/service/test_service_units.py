"""Fast in-process edge cases: the configuration file, the store on SQLite and PostgreSQL, the app's own limits
through Starlette's TestClient, and the printable report behind ``kyso verify --report-pdf``."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time

import pytest
from service_support import database_url_fixture  # noqa: F401 - fixture

import kyso
from kyso.core.errors import UsageError
from kyso.service import config as service_config
from kyso.service.store import Store

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")


def test_config_file_sections_and_refusals(tmp_path):
    good = tmp_path / "service.toml"
    good.write_text(
        '[server]\nworkers = 4\nmax_upload = 1000\n[revocation]\ndefault = "hard"\ntimeout = 5\n'
        '[trust]\ndefault = ["roots/a.pem"]\n[trust.sets]\nprovince = "p.pem"\n[keys]\nrequire_api_key = true\n',
        encoding="utf-8",
    )
    loaded = service_config.load(good)
    assert (loaded.workers, loaded.max_upload, loaded.revocation, loaded.network_timeout) == (4, 1000, "hard", 5)
    assert loaded.trust == (str(tmp_path / "roots" / "a.pem"),) and loaded.require_api_key
    assert loaded.trust_sets == {"province": (str(tmp_path / "p.pem"),)}
    assert service_config.ServiceConfig.from_json(loaded.to_json()) == loaded
    for text in ("[server]\nmax_uplaod = 3\n", "[nonsense]\na = 1\n", "not toml ["):
        good.write_text(text, encoding="utf-8")
        with pytest.raises(UsageError):
            service_config.load(good)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'service.db'}"
    else:
        url = request.getfixturevalue("database_url")
        if not url.startswith("postgresql"):
            pytest.skip("no PostgreSQL server (Debian's postgresql is not installed)")
    store = Store(url)
    yield store
    store.close()


def test_store_keys_rates_and_audit(store):
    from kyso.service.store import AuditEntry

    name = f"k{time.monotonic_ns()}"  # the PostgreSQL database is shared by the session
    key = store.add_key(name, 2)
    assert store.client_of(key) == (name, 2) and store.client_of(key + "x") is None
    with pytest.raises(UsageError):
        store.add_key(name, 2)
    with pytest.raises(UsageError):
        store.add_key("bad name; drop table", 2)
    assert [store.hit(name) for _ in range(3)] == [1, 2, 3]
    store.revoke_key(name)
    assert store.client_of(key) is None
    entry = AuditEntry("2026-12-01T00:00:00+00:00", name, "verify", "ab" * 32, "pdf", "TOTAL_PASSED", None, 200, 5)
    store.audit(entry)
    assert entry in store.audit_entries(500)


@pytest.fixture
def app_client(tmp_path, kyso_pki):
    from starlette.testclient import TestClient

    from kyso.service.app import create_app

    def make(**changes):
        config = service_config.ServiceConfig(
            database=f"sqlite:///{tmp_path / 'service.db'}", trust=(str(kyso_pki.root_cert),), **changes
        )
        return TestClient(create_app(config))

    return make


def test_api_key_required_mode(app_client):
    client = app_client(require_api_key=True)
    answer = client.post("/api/v1/verify", json={"content": "", "name": "x"})
    assert answer.status_code == 401 and answer.json()["error"] == "UNAUTHORIZED"
    assert client.get("/health").status_code == 200  # liveness needs no key


def test_request_time_limit_is_503_with_retry_after(app_client, monkeypatch, signed_pdf):
    import base64

    from kyso.service import validating

    monkeypatch.setattr(validating, "verify", lambda *args: time.sleep(2))
    client = app_client(request_timeout=0.3)
    answer = client.post("/api/v1/verify", json={"content": base64.b64encode(signed_pdf).decode()})
    assert answer.status_code == 503 and answer.json()["error"] == "TIMEOUT" and answer.headers["Retry-After"]


def test_unknown_routes_and_methods_are_json(app_client):
    client = app_client()
    assert client.get("/nowhere").json()["error"] == "NOT_FOUND"
    assert client.get("/api/v1/verify").status_code == 405


def test_report_pdf_shows_what_the_report_has(signed_pdf, kyso_pki, tmp_path):
    """The certificate summary of issue 16 (``title``, ``serial``, ``sha256``, validity, ``test_material``) is read
    with ``.get`` when the report has it; otherwise computed from the PDF's signer certificate."""
    from kyso.reports_pdf import render_report_pdf

    report = kyso.verify(signed_pdf, trust=[kyso_pki.root_cert], name="cv.pdf")
    der = kyso.certs.loading.load_certificates([kyso_pki.cert("person")])[0]
    computed = _text(render_report_pdf(report, signed_pdf), tmp_path / "a.pdf")
    assert hashlib.sha256(der).hexdigest() in computed and "Số hiệu chứng thư" in computed
    assert hashlib.sha256(signed_pdf).hexdigest() in computed

    original = report.signatures[0].signer.to_dict
    report.signatures[0].signer.to_dict = lambda: {**original(), "title": "Chủ tịch", "test_material": True}
    given = _text(render_report_pdf(report, signed_pdf, lang="vi"), tmp_path / "b.pdf")
    assert "Chức danh" in given and "Chủ tịch" in given and "CHỨNG THƯ THỬ NGHIỆM" in given


def test_verify_report_pdf_option(kyso_cli, signed_pdf, kyso_pki, tmp_path):
    document = tmp_path / "cv.pdf"
    document.write_bytes(signed_pdf)
    out = tmp_path / "ket-qua.pdf"
    result = kyso_cli("verify", document, "--trust", kyso_pki.root_cert, "--report-pdf", out)
    assert result.exit_code == 0, result.stderr
    assert "KẾT QUẢ KIỂM TRA CHỮ KÝ SỐ" in _text(out.read_bytes(), out)
    bad = kyso_cli("verify", document, "--report-pdf", tmp_path / "missing-dir" / "r.pdf")
    assert bad.exit_code == 2 and not (tmp_path / "missing-dir").exists()


def test_report_pdf_many_signatures_paginate(signed_pdf, kyso_pki, tmp_path):
    from kyso.reports_pdf import render_report_pdf

    report = kyso.verify(signed_pdf, trust=[kyso_pki.root_cert])
    report.signatures = report.signatures * 8
    pdf = render_report_pdf(report, signed_pdf, lang="en")
    text = _text(pdf, tmp_path / "many.pdf")
    assert "Page 1/" in text and "Page 2/" in text and text.count("Signature 8") == 1
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(tmp_path / "many.pdf"), str(tmp_path / "many")], check=True)


def _text(pdf: bytes, path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_revocation_mirrors_longest_prefix(monkeypatch):
    from kyso.certs.fetching import MIRRORS_ENV, mirrored

    monkeypatch.setenv(MIRRORS_ENV, '{"http://ca.gov.vn/": "http://m/", "http://ca.gov.vn/pki/crl/": "http://c/"}')
    assert mirrored("http://ca.gov.vn/pki/crl/rootcag2.crl") == "http://c/rootcag2.crl"
    assert mirrored("http://ca.gov.vn/other") == "http://m/other"
    assert mirrored("http://ocsp.ca.gov.vn/") == "http://ocsp.ca.gov.vn/"
    for broken in ("not json", "[1, 2]", '{"http://ca.gov.vn/": 3}'):
        monkeypatch.setenv(MIRRORS_ENV, broken)
        assert mirrored("http://ca.gov.vn/x") == "http://ca.gov.vn/x"


def test_report_pdf_times_to_the_second(signed_pdf, kyso_pki, tmp_path):
    """Issue 16 item 3: a văn thư's printable report gives times as the text report does, to the second
    (``19:49:18 ngày 01/12/2026 (+07:00)``), ISO to the second in English; never microseconds."""
    import re

    from kyso.reasons import vietnamese_moment
    from kyso.reports_pdf import render_report_pdf

    report = kyso.verify(signed_pdf, trust=[kyso_pki.root_cert], name="cv.pdf")
    signing_time = report.signatures[0].signing_time
    assert signing_time is not None
    vi = _text(render_report_pdf(report, signed_pdf, lang="vi"), tmp_path / "vi.pdf")
    en = _text(render_report_pdf(report, signed_pdf, lang="en"), tmp_path / "en.pdf")
    for text in (vi, en):
        assert not re.search(r"\d\d:\d\d:\d\d\.\d", text), text
    assert vietnamese_moment(signing_time) in vi and not re.search(r"\d{4}-\d\d-\d\dT\d\d", vi), vi
    assert signing_time.astimezone(kyso.core.models.VIETNAM_TIME).replace(microsecond=0).isoformat() in en, en
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(tmp_path / "vi.pdf"), str(tmp_path / "vi")],
            check=True,
        )
