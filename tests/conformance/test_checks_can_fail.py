"""Issue 9, class 13: the conformance checks ``altered_document_detected``, ``revoked_signer_refused`` and
``expired_signer_refused`` can fail. Each is run against something deliberately broken that it exists to catch; a
gutted check (one that always passes) fails these tests."""

from __future__ import annotations

from typing import Any

import pytest

import kyso.adapters.sync
from kyso.conformance.runner import run_conformance
from kyso.core.adapter import AdapterInfo
from kyso.testing.simulators.ioffice import simulator as ioffice_simulator
from kyso_ioffice.adapter import IOfficeAdapter


class ServesItsOwnCopy(IOfficeAdapter):
    """Answers ``download_signed`` from a copy of what it uploaded, not from the platform: a document altered on
    the platform is never seen."""

    uploaded: dict[str, bytes]

    def upload(self, item, signed, *, idempotency_key):
        self.__dict__.setdefault("uploaded", {})[item.id] = signed
        return super().upload(item, signed, idempotency_key=idempotency_key)

    def download_signed(self, item):
        return self.__dict__.get("uploaded", {}).get(item.id) or super().download_signed(item)


def _info(cls: type, name: str) -> AdapterInfo:
    return AdapterInfo(name, "deliberately broken", cls, simulator=ioffice_simulator, kinds=IOfficeAdapter.kinds)


def test_altered_document_detected_fails_for_an_adapter_that_hides_the_platform_copy(kyso_conformance_harness: Any):
    adapter = _info(ServesItsOwnCopy, "own-copy")
    report = run_conformance(adapter, harness=kyso_conformance_harness(adapter), only={"altered_document_detected"})
    assert report.outcome("altered_document_detected") == "failed", report.to_table()
    assert "still verifies" in report.checks[0].detail


def test_altered_document_detected_passes_for_the_real_adapter(kyso_conformance_harness: Any):
    adapter = _info(IOfficeAdapter, "ioffice-as-is")
    report = run_conformance(adapter, harness=kyso_conformance_harness(adapter), only={"altered_document_detected"})
    assert report.outcome("altered_document_detected") == "passed", report.to_table()


@pytest.mark.parametrize("check", ["revoked_signer_refused", "expired_signer_refused"])
def test_signer_checks_fail_when_the_signer_is_not_checked(check: str, kyso_conformance_harness: Any, monkeypatch):
    # a sync engine that forgot to validate the signer: revoked and expired certificates sign and upload
    monkeypatch.setattr(kyso.adapters.sync, "check_signer", lambda *args, **kwargs: None)
    adapter = _info(IOfficeAdapter, "unchecked-signer")
    report = run_conformance(adapter, harness=kyso_conformance_harness(adapter), only={check})
    assert report.outcome(check) == "failed", report.to_table()
    assert "signer was allowed to sign" in report.checks[0].detail


@pytest.mark.parametrize("check", ["revoked_signer_refused", "expired_signer_refused"])
def test_signer_checks_pass_when_the_signer_is_checked(check: str, kyso_conformance_harness: Any):
    adapter = _info(IOfficeAdapter, "checked-signer")
    report = run_conformance(adapter, harness=kyso_conformance_harness(adapter), only={check})
    assert report.outcome(check) == "passed", report.to_table()
