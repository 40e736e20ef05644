"""Deliberately broken adapters must FAIL the conformance suite: the suite is only worth its report if it catches
an adapter that uploads the unsigned file, drops items, ignores idempotency keys or swallows platform errors.

Every check of the suite is driven to "failed" by one of them (issue 16, item 2; issue 9, class 13: a gutted check,
one that always passes, fails these tests); the :data:`TARGETED` ones fail exactly the check they target and pass
all the others.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

import kyso.adapters.sync
from kyso.conformance.checks import all_checks
from kyso.conformance.runner import Verdict, run_conformance
from kyso.core import hookimpl
from kyso.core.adapter import AdapterInfo, AuthenticationError, PlatformError, UploadReceipt
from kyso.core.models import RevocationPolicy
from kyso.testing.simulators.ioffice import simulator as ioffice_simulator
from kyso_ioffice.adapter import IOfficeAdapter

SLOW = {"timeouts_retried", "faults_fail_alone"}
"""Checks that wait for timeouts (about 2.5 s each): run only for the adapter that targets them."""


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
        def mangle(text):
            return text.encode("utf-8").decode("latin-1")

        return [
            dataclasses.replace(item, name=mangle(item.name), metadata={k: mangle(v) for k, v in item.metadata.items()})
            for item in super().pending(user)
        ]


class ServesItsOwnCopy(IOfficeAdapter):
    """Answers ``download_signed`` from a copy of what it uploaded, not from the platform: a document altered on
    the platform is never seen."""

    def upload(self, item, signed, *, idempotency_key):
        self.__dict__.setdefault("uploaded", {})[item.id] = signed
        return super().upload(item, signed, idempotency_key=idempotency_key)

    def download_signed(self, item):
        return self.__dict__.get("uploaded", {}).get(item.id) or super().download_signed(item)


class RefusedLoginIsAnEmptyList(IOfficeAdapter):
    """Takes a refused login for "nothing to sign": a văn thư with a wrong password sees an empty queue."""

    def pending(self, user):
        try:
            return super().pending(user)
        except AuthenticationError:
            return []


class ListsWithoutRetries(IOfficeAdapter):
    """Asks for the item list once: a platform's passing 503 stops the run."""

    def pending(self, user):
        from urllib.parse import quote

        answer = self._call("GET", f"/api/v1/users/{quote(user, safe='')}/tasks", retry=False)
        return [IOfficeAdapter.pending.__globals__["_item_or_unusable"](task, user) for task in answer["data"]]


class DownloadsWithoutRetries(IOfficeAdapter):
    """Downloads once: a slow answer that a second try would have got fails the item."""

    def download(self, item):
        from urllib.parse import quote

        data = self._call("GET", f"/api/v1/tasks/{quote(item.id, safe='')}/file", raw=True, retry=False)
        item.check(data)
        return bytes(data)


class HtmlListIsEmpty(IOfficeAdapter):
    """Takes an HTML page (a login or maintenance page served instead of the JSON list) for "nothing to sign"."""

    def pending(self, user):
        try:
            return super().pending(user)
        except AuthenticationError:
            raise
        except PlatformError as exc:
            if "expected JSON" in str(exc):
                return []
            raise


class FourMegabyteBuffer(IOfficeAdapter):
    """Reads at most 4 MiB of a document (a fixed buffer): a large file arrives cut and is never signed."""

    def download(self, item):
        from urllib.parse import quote

        data = bytes(self._call("GET", f"/api/v1/tasks/{quote(item.id, safe='')}/file", raw=True))[: 4 << 20]
        item.check(data)
        return data


class ValidatesWithoutRevocation:
    """The plugin module of an adapter distribution that validates certificates itself and forgets revocation:
    a revoked signer signs."""

    @hookimpl(tryfirst=True)
    def kyso_validate_certificate(self, certificate, options):
        from kyso.certs.validation import validate

        return validate(certificate, dataclasses.replace(options, revocation=RevocationPolicy.OFF))


def broken(cls: type, name: str) -> AdapterInfo:
    return AdapterInfo(name, "deliberately broken", cls, simulator=ioffice_simulator, kinds=IOfficeAdapter.kinds)


def _suite_without_the_slow_checks(target: str) -> set[str]:
    names = {name for name, _ in all_checks(broken(IOfficeAdapter, "x"))}
    return {name for name in names if name not in SLOW or name == target}


@pytest.fixture
def lax_revocation_plugin():
    from kyso.core.manager import get_plugin_manager

    manager = get_plugin_manager()
    manager.register(ValidatesWithoutRevocation(), name="lax-revocation")
    yield
    manager.unregister("lax-revocation")


TARGETED = [
    (ServesItsOwnCopy, "altered_document_detected"),
    (RefusedLoginIsAnEmptyList, "wrong_credentials"),
    (ListsWithoutRetries, "server_errors_retried"),
    (DownloadsWithoutRetries, "timeouts_retried"),
    (HtmlListIsEmpty, "faults_fail_alone"),
    (FourMegabyteBuffer, "large_file"),
]


@pytest.mark.parametrize(("cls", "target"), TARGETED, ids=[target for _, target in TARGETED])
def test_a_broken_adapter_fails_exactly_the_check_it_targets(cls: type, target: str, kyso_conformance_harness: Any):
    adapter = broken(cls, f"broken-{target}")
    only = _suite_without_the_slow_checks(target)
    report = run_conformance(adapter, harness=kyso_conformance_harness(adapter), only=only)
    failed = {check.name for check in report.checks if check.outcome == "failed"}
    assert failed == {target}, report.to_table()
    assert report.verdict == Verdict.DOES_NOT_CONFORM


def test_an_adapter_plugin_that_skips_revocation_fails_revoked_signer_refused(
    lax_revocation_plugin: None, kyso_conformance_harness: Any
):
    adapter = broken(IOfficeAdapter, "lax-revocation")
    report = run_conformance(
        adapter, harness=kyso_conformance_harness(adapter), only={"revoked_signer_refused", "expired_signer_refused"}
    )
    assert report.outcome("revoked_signer_refused") == "failed", report.to_table()
    assert report.outcome("expired_signer_refused") == "passed", report.to_table()


@pytest.mark.parametrize("check", ["revoked_signer_refused", "expired_signer_refused"])
def test_signer_checks_fail_when_the_sync_engine_skips_the_signer_check(
    check: str, kyso_conformance_harness: Any, monkeypatch
):
    # the expired signer is refused by Kyso before any adapter code runs: only a sync engine that forgot to
    # validate the signer lets it sign (revoked and expired certificates then sign and upload)
    monkeypatch.setattr(kyso.adapters.sync, "check_signer", lambda *args, **kwargs: None)
    adapter = broken(IOfficeAdapter, "unchecked-signer")
    report = run_conformance(adapter, harness=kyso_conformance_harness(adapter), only={check})
    assert report.outcome(check) == "failed", report.to_table()
    assert "signer was allowed to sign" in next(c.detail_text("en") for c in report.checks if c.name == check)


@pytest.mark.parametrize(
    ("adapter", "must_fail"),
    [
        (broken(UploadsTheUnsignedFile, "unsigned-uploader"), {"round_trip[approval]", "round_trip[income]"}),
        (broken(DropsItems, "item-dropper"), {"many_items"}),
        (broken(UploadsToTheWrongItem, "item-mixer"), {"many_items"}),
        (broken(ClaimsSuccessOnErrors, "error-swallower"), {"nothing_lost_mid_batch"}),
        (broken(MangledVietnamese, "mojibake"), {"vietnamese_names_and_metadata"}),
        (broken(IgnoresIdempotency, "key-ignorer"), {"duplicate_upload"}),
    ],
    ids=lambda value: value.name if isinstance(value, AdapterInfo) else "",
)
def test_broken_adapter_fails_the_suite(adapter: AdapterInfo, must_fail: set[str], kyso_conformance_harness: Any):
    report = run_conformance(adapter, harness=kyso_conformance_harness(adapter), only=must_fail)
    assert report.verdict == Verdict.DOES_NOT_CONFORM
    for name in must_fail:
        assert report.outcome(name) == "failed", report.to_table()


def test_every_check_of_the_suite_is_failed_by_something_in_this_module():
    failed_here = {target for _, target in TARGETED} | {
        "round_trip[approval]", "round_trip[income]", "many_items", "nothing_lost_mid_batch",
        "vietnamese_names_and_metadata", "duplicate_upload", "revoked_signer_refused", "expired_signer_refused",
    }  # fmt: skip
    suite = {name.split("[")[0] for name, _ in all_checks(broken(IOfficeAdapter, "x"))}
    assert suite <= {name.split("[")[0] for name in failed_here}


def _english_in_vietnamese(report: Any) -> dict[str, set[str]]:
    """Per failed or refusing check, the English words of its English detail found in its Vietnamese one (the word
    scan of the clerks' report test); the values that are data (ids, counts, class and fault names) are not prose."""
    from reports.test_report_for_clerks import ascii_words, english_words

    found = {}
    for check in (c for c in report.checks if c.outcome != "not_run"):  # "not run (--check)" names a flag
        values = getattr(check.detail, "values", {})
        data = " ".join(str(v) for k, v in values.items() if not k.endswith("_vi") and f"{k}_vi" not in values)
        english = english_words([check.detail_text("en")]) - ascii_words(data)
        found[check.name] = english & ascii_words(check.detail_text("vi"))
    return found


def test_failures_and_refusals_read_in_vietnamese(kyso_conformance_harness: Any, monkeypatch):
    """Issue 16, item 3: the Vietnamese report of a broken adapter carries no English failure text, nor the
    English line of a refused signer (a typed error's Vietnamese lead and detail instead)."""
    runs = [
        (broken(ServesItsOwnCopy, "tampered"), {"altered_document_detected", "expired_signer_refused"}),
        (broken(RefusedLoginIsAnEmptyList, "empty-login"), {"wrong_credentials"}),
        (broken(UploadsTheUnsignedFile, "unsigned-uploader"), {"round_trip[approval]"}),
    ]
    reports = [run_conformance(a, harness=kyso_conformance_harness(a), only=only, lang="vi") for a, only in runs]
    monkeypatch.setattr(kyso.adapters.sync, "check_signer", lambda *args, **kwargs: None)
    unchecked = broken(IOfficeAdapter, "unchecked-signer")
    reports.append(
        run_conformance(
            unchecked, harness=kyso_conformance_harness(unchecked), only={"revoked_signer_refused"}, lang="vi"
        )
    )
    outcomes = {c.name: c.outcome for r in reports for c in r.checks if c.outcome != "not_run"}
    assert outcomes == {
        "altered_document_detected": "failed", "expired_signer_refused": "passed", "wrong_credentials": "failed",
        "round_trip[approval]": "failed", "revoked_signer_refused": "failed",
    }, outcomes  # fmt: skip
    for report in reports:
        assert not any(_english_in_vietnamese(report).values()), (_english_in_vietnamese(report), report.to_table())
    refused = next(c for c in reports[0].checks if c.name == "expired_signer_refused").detail_text("vi")
    assert "chứng thư ký bị từ chối" in refused and "signer refused" not in refused, refused
