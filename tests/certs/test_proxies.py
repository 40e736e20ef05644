"""Issue 16, item 9: an agency's network reaches OCSP, CRL, AIA, TSA and platforms only through its proxy.
``HTTP_PROXY`` / ``HTTPS_PROXY`` are honoured on every HTTP path of Kyso (the bounded fetch of certificate
material and time-stamps, pyhanko-certvalidator's fetchers through it at B-LT, the adapters' HttpClient, kyso
trust fetch), and ``NO_PROXY`` sends the hosts it names direct. Proven with a real forwarding proxy on 127.0.0.1
that counts requests (kyso.testing.proxy)."""

from __future__ import annotations

import pytest

import kyso
from kyso.testing.proxy import CountingProxy


@pytest.fixture(scope="module")
def proxy():
    with CountingProxy().serve() as running:
        yield running


@pytest.fixture
def through(proxy, monkeypatch, tmp_path):
    """Every request through the proxy (no NO_PROXY), counters at 0; no revocation answer cached."""
    from kyso.certs.validation import clear_memory_caches

    monkeypatch.setenv("KYSO_CACHE_DIR", str(tmp_path / "cache"))
    clear_memory_caches()
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    proxy.reset()
    yield proxy
    clear_memory_caches()


def _no_proxy_for_127(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def test_ocsp_and_crl_go_through_the_proxy(through, pki, signer_for, unsigned_pdf, monkeypatch):
    signed = kyso.sign(unsigned_pdf, signer=signer_for("person"))
    report = kyso.verify(signed, trust=[pki.cert("root")], revocation="hard")
    assert report.indication == "TOTAL_PASSED", report.signatures[0].messages
    assert through.count(pki.base_url) > 0 and through.count("ocsp") + through.count("crl") > 0


def test_tsa_and_b_lt_validation_data_go_through_the_proxy(through, pki, signer_for, unsigned_pdf):
    signed = kyso.sign(unsigned_pdf, signer=signer_for("person"), level="B-LT", tsa=pki.tsa_url)
    assert through.count("tsa") > 0  # the time-stamp
    assert through.count("ocsp") + through.count("crl") > 0  # the validation data B-LT embeds
    assert kyso.verify(signed, trust=[pki.cert("root")], revocation="off").signatures[0].level == "B-LT"


def test_aia_goes_through_the_proxy(through, pki, unsigned_pdf):
    # the person's certificate alone, its issuer fetched from the AIA URL the certificate names
    report = kyso.validate_certificate(pki.cert("person").read_bytes(), trust=[pki.cert("root")], revocation="soft")
    assert report.indication == "TOTAL_PASSED", report.messages
    assert ("GET", f"{pki.base_url}/kyso/certs/issuing_ca/ca.crt") in through.requests


def test_no_proxy_sends_the_named_hosts_direct(through, pki, signer_for, unsigned_pdf, monkeypatch):
    _no_proxy_for_127(monkeypatch)
    signed = kyso.sign(unsigned_pdf, signer=signer_for("person"), level="B-T", tsa=pki.tsa_url)
    kyso.verify(signed, trust=[pki.cert("root")], revocation="hard")
    assert through.count() == 0


def test_platforms_go_through_the_proxy(through, tmp_path, monkeypatch):
    from kyso.core.adapter import AdapterConfig, Credentials
    from kyso.testing.simulators.ioffice import IOfficeSimulator
    from kyso_ioffice.adapter import IOfficeAdapter

    with IOfficeSimulator(tmp_path / "sim").serve() as platform:
        adapter = IOfficeAdapter(AdapterConfig(platform.url, Credentials("kyso", "kyso-secret"), timeout=5))
        assert adapter.pending("nobody") == []
        adapter.close()
        assert through.count(platform.url + "/api/v1/auth/token") == 1 and through.count("/tasks") == 1
        _no_proxy_for_127(monkeypatch)
        through.reset()
        adapter = IOfficeAdapter(AdapterConfig(platform.url, Credentials("kyso", "kyso-secret"), timeout=5))
        assert adapter.pending("nobody") == []
        adapter.close()
        assert through.count() == 0


def test_trust_fetch_downloads_through_the_proxy(through, pki):
    from kyso.certs.truststore import _download

    assert _download(f"{pki.base_url}/kyso/certs/root/ca.crt", 5).startswith(b"0\x82")  # DER
    assert through.requests == [("GET", f"{pki.base_url}/kyso/certs/root/ca.crt")]
