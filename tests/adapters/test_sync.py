"""The sync engine: each item fails alone with its reason, and a run is resumable without double submission."""

from __future__ import annotations

import json

import pytest

from kyso.adapters.sync import Journal, sync
from kyso.conformance.checks import appearance_for, sample_pdf
from kyso.core.adapter import Item, PlatformError
from kyso.core.errors import SignerError

pytest_plugins = ["adapters_support"]
APPROVAL_BOX = appearance_for("approval")


def seed(simulator, user, count, kind="approval"):
    return [
        simulator.add_item(
            user=user, name=f"Văn bản {n}.pdf", content=sample_pdf(f"{user} {n}"), kind=kind, appearance=APPROVAL_BOX
        )
        for n in range(count)
    ]


def run(adapter, user, signer_for, root, assets, **options):
    return sync(adapter, user, signer_for("person"), assets=assets, trust=root, revocation="off", **options)


def test_resumes_after_a_crash_between_signing_and_upload(ioffice, ioffice_sim, signer_for, pki, assets, tmp_path):
    root = [pki.cert("root")]
    ids = seed(ioffice_sim, "crash", 3)
    journal = tmp_path / "crash.journal"

    class Crash(BaseException):  # the process dies: nothing catches it
        pass

    real_upload = ioffice.upload
    calls = []

    def crashing_upload(item, signed, *, idempotency_key):
        calls.append(item.id)
        if len(calls) == 2:
            real_upload(item, signed, idempotency_key=idempotency_key)  # the platform stored it ...
            raise Crash()  # ... and the process died before writing the journal

        return real_upload(item, signed, idempotency_key=idempotency_key)

    ioffice.upload = crashing_upload
    with pytest.raises(Crash):
        run(ioffice, "crash", signer_for, root, assets, journal=journal)
    ioffice.upload = real_upload
    states = [json.loads(line)["state"] for line in journal.read_text("utf-8").splitlines()]
    assert states == ["signed", "uploaded", "signed"]
    # the second item is no longer pending on the platform, the third was never sent
    summary = run(ioffice, "crash", signer_for, root, assets, journal=journal)
    assert summary.signed == 1 and summary.failed == 0
    assert [ioffice_sim.item(i)["uploads"] for i in ids] == [1, 1, 1]


def test_resume_uploads_the_journalled_bytes_with_the_same_key(ioffice, ioffice_sim, signer_for, pki, assets, tmp_path):
    root = [pki.cert("root")]
    (item_id,) = seed(ioffice_sim, "halfway", 1)
    journal = Journal(tmp_path / "halfway.journal")
    ioffice_sim.add_fault("error", operation="upload", item=item_id, count=100)
    first = run(ioffice, "halfway", signer_for, root, assets, journal=journal)
    assert first.failed == 1 and "HTTP 500" in first.results[0].reason
    ioffice_sim.clear_faults()
    second = run(ioffice, "halfway", signer_for, root, assets, journal=Journal(journal.path))
    assert second.signed == 1
    assert ioffice_sim.item(item_id)["uploads"] == 1


def test_items_already_submitted_are_skipped(ioffice, ioffice_sim, signer_for, pki, assets, tmp_path):
    root = [pki.cert("root")]
    ids = seed(ioffice_sim, "again", 2)
    journal = tmp_path / "again.journal"
    assert run(ioffice, "again", signer_for, root, assets, journal=journal).signed == 2
    items = [Item(id=i, name="x.pdf", kind="approval") for i in ids]  # a stale list: the platform was slow to update
    summary = run(ioffice, "again", signer_for, root, assets, journal=journal, items=items)
    assert (summary.signed, summary.skipped) == (0, 2)
    assert [ioffice_sim.item(i)["uploads"] for i in ids] == [1, 1]


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("html", "got an HTML page"),
        ("truncate", "truncated"),
        ("cut", "answer cut short"),
        ("wrong_document", "not the one the item claims"),
        ("slow", "no answer within"),
        ("error", "HTTP 500"),
    ],
)
def test_each_fault_fails_its_item_alone(ioffice, ioffice_sim, signer_for, pki, assets, fault, reason):
    user = f"fault-{fault}"
    bad, good = seed(ioffice_sim, user, 2)
    ioffice_sim.add_fault(fault, operation="download", item=bad, count=100, seconds=1.0)
    try:
        summary = run(ioffice, user, signer_for, [pki.cert("root")], assets)
    finally:
        ioffice_sim.clear_faults()
    outcome = {r.item: r for r in summary.results}
    assert outcome[good].outcome == "signed"
    assert outcome[bad].outcome == "failed" and reason in outcome[bad].reason
    assert ioffice_sim.item(bad)["uploads"] == 0
    assert ioffice_sim.item(bad)["status"].startswith("failed")


def test_revoked_signer_refused_before_anything_is_signed(ioffice, ioffice_sim, signer_for, pki):
    (item_id,) = seed(ioffice_sim, "revoked", 1)
    with pytest.raises(SignerError, match="REVOKED"):
        sync(ioffice, "revoked", signer_for("revoked"), trust=[pki.cert("root")])
    assert ioffice_sim.item(item_id)["state"] == "pending"


def test_pending_list_failure_is_reported(ioffice, ioffice_sim, signer_for, pki):
    ioffice_sim.add_fault("error", operation="pending", count=100)
    try:
        with pytest.raises(PlatformError, match="HTTP 500 \\(3 attempts\\)"):
            sync(ioffice, "anyone", signer_for("person"), check=False)
    finally:
        ioffice_sim.clear_faults()


def test_a_malformed_entry_in_the_platform_list_fails_alone(ioffice, ioffice_sim, signer_for, pki, assets, monkeypatch):
    """One task the platform describes badly (no file name, unknown step) must not hide the others."""
    ids = seed(ioffice_sim, "malformed", 2)
    real_call = ioffice._call

    def with_broken_entries(method, path, **kwargs):
        answer = real_call(method, path, **kwargs)
        if path.endswith("/malformed/tasks"):
            answer["data"].append({"taskId": "broken-1", "step": "sign"})  # no fileName
            answer["data"].append({"taskId": "broken-2", "fileName": "Lạ.pdf", "step": "dance"})
        return answer

    monkeypatch.setattr(ioffice, "_call", with_broken_entries)
    summary = run(ioffice, "malformed", signer_for, [pki.cert("root")], assets)
    outcomes = {r.item: (r.outcome, r.reason) for r in summary.results}
    assert {i: outcomes[i][0] for i in ids} == {ids[0]: "signed", ids[1]: "signed"}
    assert outcomes["broken-1"][0] == "failed" and "fileName" in outcomes["broken-1"][1]
    assert outcomes["broken-2"][0] == "failed" and "unknown step" in outcomes["broken-2"][1]
    assert summary.failed == 2 and summary.signed == 2


def test_a_bug_in_adapter_code_fails_that_item_only(ioffice, ioffice_sim, signer_for, pki, assets):
    # issue 16, item 8: a KeyError in the adapter's download (a field the platform left out) fails its item, with
    # a reason naming the adapter, not the whole run as an internal error
    ids = seed(ioffice_sim, "buggy", 3)
    real_download = ioffice.download

    def download(item):
        if item.id == ids[1]:
            return {}["fileContent"]
        return real_download(item)

    ioffice.download = download
    summary = run(ioffice, "buggy", signer_for, [pki.cert("root")], assets)
    outcome = {r.item: r for r in summary.results}
    assert [outcome[i].outcome for i in ids] == ["signed", "failed", "signed"]
    assert "KeyError in adapter 'ioffice'" in outcome[ids[1]].reason
    assert "fileContent" not in outcome[ids[1]].reason


def test_the_journal_tells_platforms_apart(ioffice_sim, signer_for, pki, assets, tmp_path):
    # one journal for a staging and a production platform whose item ids coincide: an item submitted on one is
    # not skipped on the other (issue 16, item 8: keyed by platform URL and item id)
    from kyso.core.adapter import AdapterConfig, Credentials
    from kyso.testing.simulators.ioffice import IOfficeSimulator
    from kyso_ioffice.adapter import IOfficeAdapter

    journal = tmp_path / "shared.journal"
    with IOfficeSimulator(tmp_path / "production").serve() as production:
        for platform in (ioffice_sim, production):
            platform.add_item(
                user="same", name="Văn bản.pdf", content=sample_pdf("same id"), kind="approval",
                appearance=APPROVAL_BOX, item_id="task-0001",
            )  # fmt: skip
        results = []
        for platform in (ioffice_sim, production):
            config = AdapterConfig(platform.url, Credentials("kyso", "kyso-secret"), timeout=2, retries=0)
            adapter = IOfficeAdapter(config)
            results.append(run(adapter, "same", signer_for, [pki.cert("root")], assets, journal=journal))
            adapter.close()
        assert [r.signed for r in results] == [1, 1]
        assert production.item("task-0001")["uploads"] == 1
    entries = [json.loads(line) for line in journal.read_text("utf-8").splitlines()]
    assert {e["platform"] for e in entries} == {ioffice_sim.url, production.url}
