"""Issue 10, item 5: "add a national certificate rule for all formats" is one plugin. A ``kyso_validate_certificate``
hookwrapper installed like a third-party plugin refuses a certificate by its organisation, and the same rule then
refuses that signer in ``kyso sync`` (before anything is signed, with or without ``--trust``) and keeps ``kyso
verify`` of a PDF and of an edXML message it signed from TOTAL_PASSED; other signers are untouched."""

from __future__ import annotations

import json

import pytest

import kyso
from kyso.conformance.checks import sample_pdf
from kyso.core.errors import SignerError
from kyso.core.manager import reset_plugin_manager

pytest_plugins = ["adapters_support"]

RULE = "quy tắc quốc gia: chứng thư số của tổ chức Ủy ban nhân dân tỉnh Nghệ An đang bị tạm dừng"

NATIONAL_RULE = f"""
from kyso import hookimpl
from kyso.core.models import Indication, SubIndication

SUSPENDED = "Ủy ban nhân dân tỉnh Nghệ An"


@hookimpl(wrapper=True)
def kyso_validate_certificate(certificate, options):
    report = yield  # the built-in answer
    subject = report.subject
    own = subject is not None and subject.common_name == subject.organization  # the organisation's, not its people's
    if options.purpose == "signing" and own and subject.organization == SUSPENDED:
        report.indication = Indication.INDETERMINATE
        report.sub_indication = SubIndication.CHAIN_CONSTRAINTS_FAILURE
        report.messages.append({RULE!r})
    return report
"""

EDXML = b"""<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:edXMLEnvelope><edXML:edXMLHeader>
<edXML:MessageHeader><edXML:Subject>s</edXML:Subject></edXML:MessageHeader></edXML:edXMLHeader><edXML:edXMLBody/>
</edXML:edXMLEnvelope></edXML:edXML>"""


@pytest.fixture
def national_rule(install_plugin):
    install_plugin("kyso_national_rule", NATIONAL_RULE, entry="national_rule", dist="kyso-national-rule")
    reset_plugin_manager()
    yield
    reset_plugin_manager()


def test_one_plugin_refuses_the_signer_in_sync(national_rule, kyso_cli, ioffice_sim, pki, tmp_path):
    item = ioffice_sim.add_item(
        user="quy-tac", name="Quyết định.pdf", content=sample_pdf("quy tắc"), kind=None, appearance={}
    )
    common = [
        "sync", "ioffice", "--user", "quy-tac", "--password-env", "P12_PASS", "--revocation", "off",
        "--base-url", ioffice_sim.url, "--username", "kyso", "--platform-password-env", "PLATFORM_PASS",
    ]  # fmt: skip
    env = {"P12_PASS": pki.password, "PLATFORM_PASS": "kyso-secret"}
    for trust in (["--trust", pki.cert("root")], []):  # without --trust the signer's own chain is the anchor
        result = kyso_cli(
            *common, "--p12", pki.p12("organisation"), *trust, "--journal", tmp_path / f"j{len(trust)}", env=env
        )
        assert result.exit_code != 0, result.stdout
        assert "chứng thư ký bị từ chối" in result.stderr and RULE in result.stderr, result.stderr
        assert ioffice_sim.item(item)["uploads"] == 0 and ioffice_sim.item(item)["state"] == "pending"
    signed = kyso_cli(*common, "--p12", pki.p12("person"), "--journal", tmp_path / "person", env=env)
    assert signed.exit_code == 0, signed.stdout + signed.stderr  # a person of the same organisation still signs
    assert "signed: 1, failed: 0" in signed.stdout


def test_the_library_signer_check_uses_the_hook(national_rule, signer_for, pki):
    from kyso.adapters.sync import check_signer

    with pytest.raises(SignerError, match="CHAIN_CONSTRAINTS_FAILURE"):
        check_signer(signer_for("organisation"), trust=[pki.cert("root")], revocation="off")
    with pytest.raises(SignerError, match="CHAIN_CONSTRAINTS_FAILURE"):
        check_signer(signer_for("organisation"), revocation="off")
    check_signer(signer_for("person"), revocation="off")
    with pytest.raises(SignerError, match="OUT_OF_BOUNDS_NO_POE|EXPIRED"):
        check_signer(signer_for("expired"), revocation="off")  # without trust, still refused as before


@pytest.mark.parametrize("document", ["pdf", "edxml"])
def test_the_same_plugin_judges_every_format(
    document, national_rule, kyso_cli, signer_for, unsigned_pdf, pki, tmp_path
):
    unsigned = unsigned_pdf if document == "pdf" else EDXML
    for who, passed in (("organisation", False), ("person", True)):
        path = tmp_path / f"{who}.{document}"
        path.write_bytes(kyso.sign(unsigned, signer=signer_for(who)))
        result = kyso_cli("verify", path, "--trust", pki.root_cert, "--revocation", "off", "--format", "json")
        (signature,) = json.loads(result.stdout)["signatures"]
        assert (signature["indication"] == "TOTAL_PASSED") is passed, signature
        assert (RULE in signature["messages"]) is not passed
        assert result.exit_code == (0 if passed else 1)
