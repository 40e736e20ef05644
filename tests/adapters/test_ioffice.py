"""The iOffice-style adapter and simulator: the outgoing workflow (approval, number, issuance, edXML dispatch) and
the incoming one (verify, status packet, income mark), over real HTTP on 127.0.0.1."""

from __future__ import annotations

import pytest

import kyso
from kyso.adapters.sync import sync
from kyso.conformance.checks import appearance_for
from kyso.conformance.checks import sample_pdf as make_pdf
from kyso.core.adapter import AuthenticationError, Credentials, PlatformError
from kyso_edxml.model import Organization

pytest_plugins = ["adapters_support"]
APPROVAL_BOX = appearance_for("approval")

SENDER = Organization(organ_id="000.00.00.H41", organ_name="Ủy ban nhân dân tỉnh Nghệ An")
RECEIVER = Organization(organ_id="000.00.00.G22", organ_name="Văn phòng Chính phủ")


@pytest.fixture(scope="module")
def issued(ioffice_sim, pki, signer_for):
    """A document taken through approval (leader) and issuance (văn thư) on the platform."""
    from kyso.core.adapter import AdapterConfig
    from kyso.demo.marks import sample_seal_png, sample_signature_png
    from kyso_ioffice.adapter import IOfficeAdapter

    adapter = IOfficeAdapter(AdapterConfig(ioffice_sim.url, Credentials("kyso", "kyso-secret"), timeout=2))
    document, approval = ioffice_sim.add_draft(
        leader="lanhdao",
        clerk="vanthu",
        name="Công văn 12.pdf",
        content=make_pdf(),
        subject="V/v ký số",
        appearance=APPROVAL_BOX,
    )
    root = [pki.cert("root")]
    first = sync(adapter, "lanhdao", signer_for("person"), assets={"image": sample_signature_png()}, trust=root)
    second = sync(adapter, "vanthu", signer_for("organisation"), assets={"seal": sample_seal_png()}, trust=root)
    yield adapter, document, approval, first, second
    adapter.close()


def test_outgoing_approval_then_number_then_issuance(issued, ioffice_sim, pki):
    adapter, document, approval, first, second = issued
    assert (first.signed, second.signed) == (1, 1)
    record = adapter.document(document)
    assert record["state"] == "issued" and record["number"] == 1 and record["notation"] == "UBND-VP"
    report = kyso.verify(adapter.issued_file(record), trust=[pki.cert("root")], revocation="off")
    assert report.indication == "TOTAL_PASSED"
    assert [s.kind for s in report.signatures] == ["approval", "issuance"]
    issuance_item = ioffice_sim.item(record["fileTaskId"])
    assert issuance_item["appearance"]["doc_number"] == "1/UBND-VP"


def test_dispatch_sends_a_signed_edxml_package(issued, ioffice_sim, signer_for, pki):
    from kyso_edxml import open_verified
    from kyso_ioffice.workflow import dispatch

    adapter, document, *_ = issued
    _, package = dispatch(adapter, document, signer_for("organisation"), sender=SENDER, to=[RECEIVER])
    stored = ioffice_sim.document(document)
    assert stored["state"] == "dispatched" and stored["package"] == package
    report, message = open_verified(package, trust=[pki.cert("root")], revocation="off")
    assert report.indication == "TOTAL_PASSED" and message is not None
    assert message.header.code.code_number == "1" and message.header.code.code_notation == "UBND-VP"
    assert message.header.document_id.startswith("000.00.00.H41,")
    attached = kyso.verify(message.attachments[0].data, trust=[pki.cert("root")], revocation="off")
    assert [s.kind for s in attached.signatures] == ["approval", "issuance"]


def test_dispatch_refuses_a_document_not_issued(ioffice, ioffice_sim, signer_for):
    from kyso.core.errors import InputError
    from kyso_ioffice.workflow import dispatch

    document, _ = ioffice_sim.add_draft(leader="l2", clerk="v2", name="d.pdf", content=make_pdf())
    with pytest.raises(InputError, match="only an issued document"):
        dispatch(ioffice, document, signer_for("organisation"), sender=SENDER, to=[RECEIVER])


def test_incoming_packages_verified_answered_and_income_marked(issued, ioffice_sim, signer_for, pki):
    from kyso_ioffice.workflow import dispatch, receive

    adapter, document, *_ = issued
    package = ioffice_sim.document(document)["package"]  # dispatched by the test above (same worker), or now
    if package is None:
        _, package = dispatch(adapter, document, signer_for("organisation"), sender=SENDER, to=[RECEIVER])
    good = ioffice_sim.add_package(clerk="vanthu-den", data=package)
    forged = ioffice_sim.add_package(clerk="vanthu-den", data=package.replace("V/v ký số".encode(), b"V/v khac"))
    results = {
        r.package: r
        for r in receive(
            adapter, sender=RECEIVER, trust=[pki.cert("root")], revocation="off", signer=signer_for("organisation")
        )
    }
    assert results[good].status == "03" and results[good].task
    assert results[forged].status == "02" and "HASH_FAILURE" in results[forged].reason
    assert ioffice_sim.package(forged)["status_code"] == "02"
    assert (
        b"<edXML:StatusCode>03" in ioffice_sim.package(good)["status"]
        or b"StatusCode>03<" in ioffice_sim.package(good)["status"]
    )
    summary = sync(adapter, "vanthu-den", signer_for("organisation"), trust=[pki.cert("root")])
    assert summary.signed == 1
    report = kyso.verify(
        adapter.download_signed(adapter_item(ioffice_sim, results[good].task)),
        trust=[pki.cert("root")],
        revocation="off",
    )
    assert report.indication == "TOTAL_PASSED"
    assert [s.kind for s in report.signatures] == ["approval", "issuance", "income"]


def adapter_item(simulator, item_id):
    from kyso.core.adapter import Item

    return Item(id=item_id, name=simulator.item(item_id)["name"])


def test_wrong_password_is_an_authentication_error(ioffice_config):
    from dataclasses import replace

    from kyso_ioffice.adapter import IOfficeAdapter

    adapter = IOfficeAdapter(replace(ioffice_config, credentials=Credentials("kyso", "wrong")))
    with pytest.raises(AuthenticationError, match="credentials refused") as caught:
        adapter.pending("anyone")
    assert "wrong" not in caught.value.diagnostics()


def test_malformed_task_list_is_a_platform_error(ioffice, ioffice_sim):
    ioffice_sim.add_fault("html", operation="pending", count=3)
    with pytest.raises(PlatformError, match="expected JSON, got text/html"):
        ioffice.pending("anyone")
    ioffice_sim.clear_faults()


def test_reject_and_status_reach_the_platform(ioffice, ioffice_sim):
    ids = [ioffice_sim.add_item(user="tuchoi", name=f"{n}.pdf", content=make_pdf(), kind="approval") for n in (1, 2)]
    first, second = ioffice.pending("tuchoi")
    ioffice.reject(first, "Sai số, ký hiệu văn bản")
    ioffice.report_status(second, "failed", "chứng thư hết hạn")
    assert ioffice_sim.item(ids[0])["state"] == "rejected"
    assert ioffice_sim.item(ids[0])["reason"] == "Sai số, ký hiệu văn bản"
    assert ioffice_sim.item(ids[1])["status"] == "failed: chứng thư hết hạn"
    assert [i.id for i in ioffice.pending("tuchoi")] == [ids[1]]
    with pytest.raises(PlatformError, match="HTTP 409"):
        ioffice.reject(first, "again")


def test_cli_dispatch_and_receive(kyso_cli, ioffice_sim, signer_for, pki):
    from kyso.demo.marks import sample_seal_png, sample_signature_png

    document, _ = ioffice_sim.add_draft(
        leader="ld-cli", clerk="vt-cli", name="Công văn CLI.pdf", content=make_pdf(), appearance=APPROVAL_BOX
    )
    root = [pki.cert("root")]
    adapter_args = dict(timeout=2)
    from kyso.core.adapter import AdapterConfig
    from kyso_ioffice.adapter import IOfficeAdapter

    adapter = IOfficeAdapter(AdapterConfig(ioffice_sim.url, Credentials("kyso", "kyso-secret"), **adapter_args))
    sync(adapter, "ld-cli", signer_for("person"), assets={"image": sample_signature_png()}, trust=root)
    sync(adapter, "vt-cli", signer_for("organisation"), assets={"seal": sample_seal_png()}, trust=root)
    adapter.close()
    env = {"P12": pki.password, "PW": "kyso-secret"}
    connection = ["--base-url", ioffice_sim.url, "--username", "kyso", "--platform-password-env", "PW"]
    signer = ["--p12", pki.p12("organisation"), "--password-env", "P12", "--organ-id", "000.00.00.H41"]
    sent = kyso_cli(
        "ioffice", "dispatch", document, "--to", "000.00.00.G22=Văn phòng Chính phủ", *signer, *connection, env=env
    )
    assert sent.exit_code == 0, sent.stderr
    assert f"dispatched: {document}" in sent.stdout
    ioffice_sim.add_package(clerk="vt-den", data=ioffice_sim.document(document)["package"])
    received = kyso_cli(
        "ioffice", "receive", "--trust", pki.cert("root"), "--revocation", "off", *signer, *connection, env=env
    )
    assert "accepted (03)" in received.stdout, received.stdout + received.stderr
    bad = kyso_cli("ioffice", "dispatch", document, "--to", "not-an-id", *signer, *connection, env=env)
    assert bad.exit_code == 2 and "not an agency identifier" in bad.stderr


def test_a_signed_package_with_a_malformed_document_id_is_rejected_alone(tmp_path, signer_for, pki):
    # the package is intact and signed, but its DocumentId cannot be answered to: rejected with the reason, and the
    # packages after it are still answered
    from adapters_support import receive_in_simulator

    from kyso_edxml import codec
    from kyso_edxml.model import Attachment, EdXMLMessage, MessageHeader

    def package(document_id: str) -> bytes:
        message = EdXMLMessage(
            header=MessageHeader(from_=SENDER, to=[RECEIVER], document_id="000.00.00.H41,2026/11/20,7/UBND-VP"),
            attachments=[Attachment(content_id="cid:1", attachment_name="vb.pdf", data=make_pdf("vb"))],
        )
        unsigned = codec.build(message).replace(b"000.00.00.H41,2026/11/20,7/UBND-VP", document_id.encode())
        return kyso.sign(unsigned, signer=signer_for("organisation"))

    bad, good = receive_in_simulator(
        tmp_path, [package("not a document id"), package("000.00.00.H41,2026/11/20,7/UBND-VP")], pki, RECEIVER
    )[0]
    assert bad.status == "02" and "DocumentId" in bad.reason
    assert good.status == "03"


def test_dispatch_of_a_record_without_its_issue_date_is_a_platform_error(signer_for):
    # the platform says "issued" but leaves out the date: one clear error, not a KeyError traceback
    from kyso_ioffice.workflow import dispatch

    class Platform:
        def document(self, document_id):
            return {"documentId": document_id, "state": "issued", "number": 3, "notation": "UBND-VP"}

    with pytest.raises(PlatformError, match="issuedDate"):
        dispatch(Platform(), "d-1", signer_for("organisation"), sender=SENDER, to=[RECEIVER])
