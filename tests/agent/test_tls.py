"""``kyso agent setup``'s local CA and one page over real TLS in Chromium, with the CA trusted in a temporary NSS
database (issue 12, item 2). The one test that starts a second Chromium: the shared one has no custom NSS db."""

from __future__ import annotations

import json
import os
import shutil
import stat

import pytest

from kyso.agent.policy import Policy
from kyso.agent.service import AgentService, AgentSettings, SignerSource
from kyso.agent.tls import nss_trusts, server_context, tls_files

pytest_plugins = ["agent_support"]


def test_setup_makes_a_name_constrained_ca_and_trusts_it(kyso_cli, tmp_path):
    from cryptography import x509

    if shutil.which("certutil") is None:
        pytest.skip("certutil (libnss3-tools) is not installed")
    database = tmp_path / "home" / ".pki" / "nssdb"
    result = kyso_cli("agent", "setup", "--nss-db", database)
    assert result.exit_code == 0, result.stderr
    files = tls_files(__import__("pathlib").Path(os.environ["KYSO_CONFIG_DIR"]))
    assert stat.S_IMODE(files.ca_key.stat().st_mode) == 0o600
    ca = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    constraints = ca.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical
    assert [str(n.value) for n in constraints.value.permitted_subtrees] == ["localhost", "127.0.0.1/32"]
    assert nss_trusts(database)
    status = json.loads(kyso_cli("agent", "status", "--port", "1", "--nss-db", database, "--format", "json").stdout)
    assert status["trusted_in"] == {str(database): True} and status["running"] is False
    assert "security add-trusted-cert" in result.stdout and "certutil -user -addstore Root" in result.stdout


def test_a_page_reaches_the_agent_over_tls_without_warnings(agent_world, kyso_pki, kyso_cli, tmp_path, monkeypatch):
    pytest.importorskip("playwright.sync_api")
    from kyso.signers.pkcs12 import Pkcs12Signer
    from kyso.testing.browser import ChromiumProcess, attached, chromium_executable

    executable = chromium_executable()
    if executable is None or shutil.which("certutil") is None:
        pytest.skip("no Chromium or no certutil")
    home = tmp_path / "home"
    assert kyso_cli("agent", "setup", "--nss-db", home / ".pki" / "nssdb").exit_code == 0
    files = tls_files(__import__("pathlib").Path(os.environ["KYSO_CONFIG_DIR"]))
    source = SignerSource(
        "PKCS#12", lambda _pin: Pkcs12Signer.from_file(kyso_pki.p12("person"), "kyso-test-pass"), needs_pin=False
    )
    service = AgentService(
        source,
        Policy.build([agent_world.sim_origin]),
        settings=AgentSettings(),
        port=0,
        ssl_context=server_context(files),
    ).start()
    monkeypatch.setenv("HOME", str(home))  # Chromium on Linux reads the user's trust from $HOME/.pki/nssdb
    chromium = ChromiumProcess(executable)
    monkeypatch.undo()
    try:
        with attached(chromium.endpoint) as browser:
            page = browser.new_page()
            answer = page.goto(f"https://127.0.0.1:{service.port}/health")  # raises on a certificate error
            assert answer is not None and answer.ok
            page.goto(f"{agent_world.sim.url}/web/vgca.html?kyso-agent=wss://127.0.0.1:{service.port}")
            page.wait_for_function("typeof window.kyso === 'object'", timeout=20000)
            reply = page.evaluate("() => window.kyso.config()")
            page.screenshot(path=str(tmp_path / "tls-health.png"))
    finally:
        chromium.close()
        service.stop()
    assert reply["Status"] == 0 and reply["Config"]["TLS"] is True
