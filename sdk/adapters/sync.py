"""The sync engine: sign every item awaiting a user on a platform, one by one, each failing alone.

For each item: download -> check it is the document the item announces -> the adapter's optional ``prepare``
(a QR code ...) -> sign (kind and appearance from the item,
the signer's image or seal from ``assets``) -> save the signed bytes in the journal -> upload with the item's
idempotency key -> journal. A :class:`Journal` (JSON lines, fsynced, plus the signed files beside it) makes a run
resumable: an item already uploaded is skipped, an item signed but not confirmed is uploaded again with the same
bytes and key, so an interruption never creates a second document on the platform.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kyso.core.adapter import Adapter, AuthenticationError, Item, idempotency_key
from kyso.core.errors import KysoError, SignerError
from kyso.core.signer import Signer

logger = logging.getLogger(__name__)


@dataclass
class ItemResult:
    """What happened to one item."""

    item: str
    name: str
    outcome: str
    """``signed``, ``failed`` or ``skipped``."""
    reason: str = ""
    duplicate: bool = False
    reason_vi: str = ""
    """The reason in Vietnamese (a typed error's Vietnamese lead), for the reports a văn thư reads."""

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item, "name": self.name, "outcome": self.outcome, "reason": self.reason}


@dataclass
class SyncSummary:
    """The outcome of a run."""

    adapter: str
    user: str
    results: list[ItemResult] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def signed(self) -> int:
        return self.count("signed")

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    def to_dict(self) -> dict[str, Any]:
        return {
            "adapter": self.adapter,
            "user": self.user,
            "signed": self.signed,
            "failed": self.failed,
            "skipped": self.skipped,
            "items": [r.to_dict() for r in self.results],
        }


class Journal:
    """Append-only record of a user's runs (JSON lines), and the signed bytes not yet confirmed.

    Entries are keyed by platform URL and item id (issue 16, item 8): one journal file used for a staging and a
    production platform, whose item ids may coincide, never takes an item of one for an item of the other.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.files = self.path.with_name(self.path.name + ".files")
        self.entries: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut by a crash: the state before it stands
                if isinstance(entry, dict) and "item" in entry:
                    self.entries[self._id(str(entry.get("platform") or entry.get("adapter")), entry["item"])] = entry

    @staticmethod
    def _id(platform: str, item: str) -> str:
        return f"{platform}\0{item}"

    def get(self, platform: str, item: str) -> dict[str, Any] | None:
        """The last entry of ``item`` on ``platform`` (its URL, :func:`platform_of`)."""
        return self.entries.get(self._id(platform, item))

    def record(self, platform: str, item: str, state: str, **details: Any) -> None:
        entry = {"platform": platform, "item": item, "state": state, "at": datetime.now(UTC).isoformat(), **details}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(entry, ensure_ascii=False) + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        self.entries[self._id(platform, item)] = entry

    def save_signed(self, key: str, data: bytes) -> Path:
        """Keep the signed bytes of ``key`` until their upload is confirmed: a resumed run uploads these very bytes
        with the same key, never a new signing (written all or nothing, :func:`kyso.files.write_atomically`)."""
        from kyso.files import write_atomically

        self.files.mkdir(parents=True, exist_ok=True)
        target = self.files / f"{key}.bin"
        write_atomically(target, data)
        return target

    def signed(self, key: str) -> bytes | None:
        target = self.files / f"{key}.bin"
        return target.read_bytes() if target.exists() else None

    def forget_signed(self, key: str) -> None:
        (self.files / f"{key}.bin").unlink(missing_ok=True)


def check_signer(signer: Signer, *, trust: Iterable[Any] = (), revocation: str = "soft", timeout: float = 30.0) -> None:
    """Refuse a signer whose certificate is expired, not yet valid, revoked, (with ``trust``) untrusted, or refused by
    a plugin's certificate rule.

    The certificate goes through the ``kyso_validate_certificate`` hook like every certificate Kyso judges, so a
    plugin's rule (a national one ...) refuses the same signer in ``sync`` as in ``verify``. Without ``trust`` the
    signer's own chain is taken as it comes (its last certificate as the anchor): everything but trust is still
    judged. Its dates are checked here too, for a signer with no chain (a certificate that is its own anchor).

    :raises SignerError: naming the reason, before any document is touched.
    """
    import kyso

    chain = list(signer.chain)
    anchors = list(trust) or chain[-1:] or [signer.certificate]
    report = kyso.validate_certificate(
        signer.certificate, trust=anchors, intermediates=chain, revocation=revocation, timeout=timeout
    )
    if report.indication != "TOTAL_PASSED":
        why = report.sub_indication.value if report.sub_indication else report.indication.value
        detail = f": {'; '.join(report.messages)}" if report.messages else ""  # a plugin's reason comes last
        from kyso.reasons import explain, why_vi

        # a plugin's reason in Vietnamese as it is, a library's English note as the table says it (or not at all)
        said = [told for told in (m if not m.isascii() else explain(m) for m in report.messages) if told]
        vi = f"chứng thư ký bị từ chối: {why_vi(report.sub_indication)}{''.join(f'; {t}' for t in said)}"
        raise SignerError(f"signer refused: certificate {why}{detail}", vi=vi)
    from kyso.certs.signing_certificate import check_signing_certificate

    check_signing_certificate(signer.certificate)  # the signing rule of kyso.sign, for a signer with no chain too


def sign_item(
    item: Item, data: bytes, signer: Signer, assets: Mapping[str, Any] | None = None, **options: Any
) -> bytes:
    """Sign one item's document as the platform asks (kind, appearance) with the signer's assets: those the kind
    declares as assets (:attr:`kyso.core.kinds.KindOption.asset`; the others are not the item's to use)."""
    import kyso
    from kyso.core.manager import get_plugin_manager

    appearance: dict[str, Any] = dict(item.appearance)
    if isinstance(appearance.get("box"), list):
        appearance["box"] = tuple(appearance["box"])
    takes = get_plugin_manager().kinds.get(item.kind).assets if item.kind is not None else ()
    for name, value in (assets or {}).items():
        if value is not None and name in takes and name not in appearance:
            appearance[name] = value
    return kyso.sign(data, signer=signer, kind=item.kind, name=item.name, **options, **appearance)


def sync(
    adapter: Adapter,
    user: str,
    signer: Signer,
    *,
    journal: Journal | Path | str | None = None,
    assets: Mapping[str, Any] | None = None,
    trust: Iterable[Any] = (),
    revocation: str = "soft",
    check: bool = True,
    items: list[Item] | None = None,
    progress: Callable[[Item, ItemResult], None] | None = None,
    sign_options: Mapping[str, Any] | None = None,
) -> SyncSummary:
    """Sign every item awaiting ``user`` and upload the results; each item fails alone, with its reason.

    :param journal: a :class:`Journal` or its path; without one, a run cannot be resumed safely.
    :param assets: the signer's own files by option name, ``image`` (approval), ``seal`` (issuance), ``font``
        (text marks): paths or bytes; each item gets those its kind declares as assets.
    :param trust: trust anchors to validate the signer's certificate against before anything is signed.
    :param check: validate the signer first (:func:`check_signer`: expired, revoked, untrusted signers and those a
        plugin's certificate rule refuses).
    :param items: the items to process (default: ``adapter.pending(user)``).
    :raises SignerError: the signer is refused; nothing was signed.
    :raises PlatformError: the item list could not be obtained, or the credentials were refused.
    """
    if check:
        check_signer(signer, trust=trust, revocation=revocation)
    if journal is not None and not isinstance(journal, Journal):
        journal = Journal(journal)
    summary = SyncSummary(adapter=adapter.name, user=user)
    for item in adapter.pending(user) if items is None else items:
        result = _one(adapter, item, signer, journal, assets, dict(sign_options or {}))
        summary.results.append(result)
        if progress is not None:
            progress(item, result)
    return summary


def _one(
    adapter: Adapter,
    item: Item,
    signer: Signer,
    journal: Journal | None,
    assets: Mapping[str, Any] | None,
    sign_options: dict[str, Any],
) -> ItemResult:
    if item.problem is not None:
        return ItemResult(item.id, item.name, "failed", item.problem)
    platform = platform_of(adapter)
    entry = journal.get(platform, item.id) if journal else None
    if entry is not None and entry["state"] == "uploaded":
        return ItemResult(item.id, item.name, "skipped", f"already submitted ({entry['at']})")
    waiting: str | None = None  # the key whose signed bytes wait in the journal
    try:
        # Kyso rule (issue 9, class 13): signed bytes kept in the journal (signed, then the upload failed or the
        # process died) are uploaded as they are, under their key; the item is never signed a second time.
        kept = entry.get("key") if entry is not None else None
        signed = journal.signed(kept) if journal and isinstance(kept, str) else None
        if signed is not None and isinstance(kept, str):
            key = waiting = kept
        else:
            source = adapter.download(item)
            item.check(source)
            key = idempotency_key(adapter.name, item, source)
            started = time.perf_counter()
            prepare = getattr(adapter, "prepare", None)
            to_sign = prepare(item, source) if callable(prepare) else source
            signed = sign_item(item, to_sign, signer, assets, **sign_options)
            if journal:
                journal.save_signed(key, signed)
                waiting = key
                journal.record(
                    platform,
                    item.id,
                    "signed",
                    key=key,
                    sha256=hashlib.sha256(signed).hexdigest(),
                    seconds=round(time.perf_counter() - started, 3),
                )
        receipt = adapter.upload(item, signed, idempotency_key=key)
        if journal:
            journal.record(platform, item.id, "uploaded", key=key, remote=receipt.remote_id)
            journal.forget_signed(key)
    except AuthenticationError:
        raise
    except Exception as exc:  # a KysoError, or a bug in adapter code (a KeyError on a missing field ...)
        if isinstance(exc, KysoError):
            reason, reason_vi = exc.diagnostics(), exc.diagnostics("vi")
        else:  # issue 16, item 8: it fails this item only; its message may quote the platform, its class does not
            logger.warning("item %s: %s in adapter code", item.id, exc.__class__.__name__, exc_info=True)
            reason = f"unexpected {exc.__class__.__name__} in adapter {adapter.name!r} (rerun with --verbose)"
            reason_vi = f"lỗi {exc.__class__.__name__} trong bộ chuyển đổi {adapter.name!r} (chạy lại với --verbose)"
        if journal:  # the key stays with the item while its signed bytes wait in the journal
            journal.record(platform, item.id, "failed", reason=reason, **({"key": waiting} if waiting else {}))
        _report(adapter, item, "failed", reason)
        return ItemResult(item.id, item.name, "failed", reason, reason_vi=reason_vi)
    _report(adapter, item, "signed", "")
    return ItemResult(item.id, item.name, "signed", duplicate=receipt.duplicate)


def _report(adapter: Adapter, item: Item, status: str, detail: str) -> None:
    try:
        adapter.report_status(item, status, detail)
    except Exception:  # best effort (a KysoError, or a bug in adapter code): the platform has, or lacks, the file
        logger.debug("item %s: status not reported", item.id, exc_info=True)


def platform_of(adapter: Adapter) -> str:
    """The platform an adapter talks to, for the journal: its configuration's base URL, else its name."""
    config = getattr(adapter, "config", None)
    return str(getattr(config, "base_url", None) or adapter.name)


__all__ = ["ItemResult", "Journal", "SyncSummary", "check_signer", "platform_of", "sign_item", "sync"]
