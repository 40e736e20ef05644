"""Deliberately broken adapters must FAIL the conformance suite: the suite is only worth its report if it catches
an adapter that uploads the unsigned file, drops items, ignores idempotency keys or swallows platform errors."""

from __future__ import annotations

from typing import Any

import pytest

from kyso.conformance.runner import run_conformance
from kyso.core.adapter import AdapterInfo, UploadReceipt
from kyso.testing.simulators.ioffice import simulator as ioffice_simulator
from kyso_ioffice.adapter import IOfficeAdapter


class UploadsTheUnsignedFile(IOfficeAdapter):
    def upload(self, item, signed, *, idempotency_key):
        return super().upload(item, self.download(item), idempotency_key=idempotency_key)


class DropsItems(IOfficeAdapter):
    def pending(self, user):
        return super().pending(user)[:5]


class IgnoresIdempotency(IOfficeAdapter):
    def upload(self, item, signed, *, idempotency_key):
        import uuid

        return super().upload(item, signed, idempotency_key=uuid.uuid4().hex)


class ClaimsSuccessOnErrors(IOfficeAdapter):
    def upload(self, item, signed, *, idempotency_key):
        try:
            return super().upload(item, signed, idempotency_key=idempotency_key)
        except Exception:
            return UploadReceipt(item.id)


class UploadsToTheWrongItem(IOfficeAdapter):
    """Gives each item the signed document of the item before it (a mix-up in a batch)."""

    previous: bytes | None = None

    def upload(self, item, signed, *, idempotency_key):
        previous, self.previous = self.previous, signed
        return super().upload(item, previous or signed, idempotency_key=idempotency_key)


class MangledVietnamese(IOfficeAdapter):
    """Decodes the platform's UTF-8 as Latin-1, as a careless mapping does."""

    def pending(self, user):
        import dataclasses

        def mangle(text):
            return text.encode("utf-8").decode("latin-1")

        return [
            dataclasses.replace(item, name=mangle(item.name), metadata={k: mangle(v) for k, v in item.metadata.items()})
            for item in super().pending(user)
        ]


def broken(cls: type, name: str) -> AdapterInfo:
    return AdapterInfo(name, "deliberately broken", cls, simulator=ioffice_simulator, kinds=IOfficeAdapter.kinds)


@pytest.mark.parametrize(
    ("adapter", "must_fail"),
    [
        (broken(UploadsTheUnsignedFile, "unsigned-uploader"), {"round_trip[approval]", "round_trip[income]"}),
        (broken(DropsItems, "item-dropper"), {"many_items"}),
        (broken(UploadsToTheWrongItem, "item-mixer"), {"many_items"}),
        (broken(ClaimsSuccessOnErrors, "error-swallower"), {"nothing_lost_mid_batch"}),
        (broken(MangledVietnamese, "mojibake"), {"vietnamese_names_and_metadata"}),
    ],
    ids=lambda value: value.name if isinstance(value, AdapterInfo) else "",
)
def test_broken_adapter_fails_the_suite(adapter: AdapterInfo, must_fail: set[str], kyso_conformance_harness: Any):
    report = run_conformance(adapter, harness=kyso_conformance_harness(adapter), only=must_fail)
    assert not report.passed
    for name in must_fail:
        assert report.outcome(name) == "failed", report.to_table()


def test_an_adapter_that_ignores_idempotency_keys_fails(kyso_conformance_harness: Any):
    adapter = broken(IgnoresIdempotency, "key-ignorer")
    report = run_conformance(adapter, harness=kyso_conformance_harness(adapter), only={"duplicate_upload"})
    assert report.outcome("duplicate_upload") == "failed"
    assert "stored 2 documents" in report.checks[0].detail or "failed" in report.checks[0].detail
