"""Issue 9, class 13: a run resumed after an upload failure uploads the very bytes signed the first time, under the
same idempotency key; it never signs again (a second signing is a second document, with another signing time, that
the platform cannot recognise as the same submission)."""

from __future__ import annotations

import hashlib

import pytest

import kyso.adapters.sync as sync_module
from kyso.adapters.sync import Journal, sync
from kyso.conformance.checks import appearance_for, sample_pdf

pytest_plugins = ["adapters_support"]


@pytest.fixture
def recorded(ioffice, monkeypatch):
    """Every signing and every upload attempt of the sync engine, as the adapter sees them."""
    calls: dict[str, list] = {"signed": [], "uploads": []}
    real_sign, real_upload = sync_module.sign_item, ioffice.upload

    def sign_item(*args, **kwargs):
        signed = real_sign(*args, **kwargs)
        calls["signed"].append(signed)
        return signed

    def upload(item, signed, *, idempotency_key):
        calls["uploads"].append((idempotency_key, signed))
        return real_upload(item, signed, idempotency_key=idempotency_key)

    monkeypatch.setattr(sync_module, "sign_item", sign_item)
    monkeypatch.setattr(ioffice, "upload", upload)
    return calls


@pytest.mark.parametrize("fault", ["error", "cut"])
def test_resume_after_an_upload_failure_reuses_key_and_bytes(
    ioffice, ioffice_sim, signer_for, pki, assets, tmp_path, recorded, fault
):
    user = f"resume-{fault}"
    item_id = ioffice_sim.add_item(
        user=user, name="Tờ trình.pdf", content=sample_pdf(user), kind="approval", appearance=appearance_for("approval")
    )
    journal = tmp_path / "resume.journal"
    options = dict(assets=assets, trust=[pki.cert("root")], revocation="off")
    # the item as first listed: after a "cut" upload the platform may have stored it and no longer list it
    options["items"] = [i for i in ioffice.pending(user) if i.id == item_id]
    ioffice_sim.add_fault(fault, operation="upload", item=item_id, count=100)
    try:
        first = sync(ioffice, user, signer_for("person"), journal=Journal(journal), **options)
    finally:
        ioffice_sim.clear_faults()
    assert first.failed == 1  # ("cut": the platform may have stored it; only its answer was lost)
    assert len(recorded["signed"]) == 1
    (first_key, first_bytes), *_ = recorded["uploads"]
    assert first_bytes == recorded["signed"][0]

    second = sync(ioffice, user, signer_for("person"), journal=Journal(journal), **options)  # a new process
    assert second.signed == 1, second.results[0].reason
    assert len(recorded["signed"]) == 1, "the resumed run signed the document again"
    last_key, last_bytes = recorded["uploads"][-1]
    assert last_key == first_key, "the resumed run used a new idempotency key"
    assert hashlib.sha256(last_bytes).digest() == hashlib.sha256(first_bytes).digest()
    assert ioffice_sim.item(item_id)["signed"] == first_bytes
    assert ioffice_sim.item(item_id)["uploads"] == 1  # one document, whatever reached the platform the first time
    assert not list(Journal(journal).files.iterdir())  # confirmed: the kept bytes are gone
