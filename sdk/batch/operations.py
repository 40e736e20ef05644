"""What a batch does to one document: verify, sign, extend, or gather the audit's facts.

An operation is plain picklable data (it travels to worker processes and to Dask workers on other machines):
trust anchors as DER bytes, never paths only this machine has. Its :meth:`run` takes the document's bytes and
returns a result dictionary; signed or extended bytes are returned, never written by the worker (the process
running the batch is the only writer of outputs and of the journal, see :mod:`kyso.batch.journal`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SIGNERS: dict[tuple[str, int], Any] = {}
"""Signers opened in this worker process, by backend and options (a PKCS#12 key is decrypted once per worker)."""


@dataclass(frozen=True)
class VerifyOptions:
    """The options of ``kyso verify`` (:func:`kyso.verify`), trust loaded to DER in the calling process."""

    trust: tuple[bytes, ...] = ()
    revocation: str = "soft"
    at: str | None = None
    offline: bool = False
    timeout: float = 30.0
    allow_weak: tuple[str, ...] = ()

    def verify(self, data: bytes, name: str) -> Any:
        import kyso

        return kyso.verify(
            data,
            trust=self.trust,
            revocation=self.revocation,
            at=self.at,
            offline=self.offline,
            timeout=self.timeout,
            name=name,
            allow_weak=self.allow_weak,
        )


@dataclass(frozen=True)
class Verify:
    """``kyso batch verify``: the verification report of each document."""

    options: VerifyOptions = field(default_factory=VerifyOptions)
    name: str = "verify"
    writes: bool = False

    def run(self, data: bytes, name: str) -> dict[str, Any]:
        report = self.options.verify(data, name)
        passed = str(report.indication) == "TOTAL_PASSED"
        return {
            "status": "passed" if passed else "not_passed",
            "indication": str(report.indication),
            "reason": _first_reason(report),
            "report": report.to_dict(),
        }


@dataclass(frozen=True)
class Sign:
    """``kyso batch sign``: each document signed with the options of ``kyso sign``.

    ``backend`` and ``arguments`` open the signer in the process that signs (secrets included: for a backend
    that signs in parallel they travel to the workers; see docs/scale.md on Dask's TLS)."""

    backend: str
    arguments: tuple[tuple[str, Any], ...]
    sign_options: tuple[tuple[str, Any], ...] = ()
    name: str = "sign"
    writes: bool = True
    signer: Any = field(default=None, compare=False, repr=False)
    """An already opened signer (the one process holding a token's login); ``None`` opens it here."""

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["signer"] = None  # an open session never travels
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def open(self) -> Any:
        if self.signer is not None:
            return self.signer
        key = (self.backend, hash(self.arguments))
        if key not in SIGNERS:
            from kyso.core.manager import get_plugin_manager

            SIGNERS[key] = get_plugin_manager().signers.get(self.backend).open(**dict(self.arguments))
        return SIGNERS[key]

    def run(self, data: bytes, name: str) -> dict[str, Any]:
        import kyso

        signed = kyso.sign(data, signer=self.open(), name=name, **dict(self.sign_options))
        return {"status": "signed", "indication": None, "reason": "", "output": signed}

    def __repr__(self) -> str:  # never the arguments: they hold the secret
        return f"<Sign backend={self.backend!r}>"


@dataclass(frozen=True)
class Extend:
    """``kyso batch extend``: B-LTA documents whose newest archive time-stamp ages out within ``within_days``
    get a new one (and the validation data of the last); B-T / B-LT documents get their first. Others are
    reported ``current`` and left alone."""

    tsa: str
    trust: tuple[bytes, ...] = ()
    timeout: float = 30.0
    within_days: int = 365
    name: str = "extend"
    writes: bool = True

    def run(self, data: bytes, name: str) -> dict[str, Any]:
        from kyso.pdf.ltv import extend_pdf

        expires = archive_timestamp_expiry(data)
        if expires is not None:
            from datetime import UTC, datetime, timedelta

            if expires - datetime.now(UTC) > timedelta(days=self.within_days):
                return {
                    "status": "current",
                    "indication": None,
                    "output": None,
                    "reason": f"archive time-stamp valid until {expires.date().isoformat()}",
                }
        extended = extend_pdf(data, level="B-LTA", tsa=self.tsa, trust=self.trust, timeout=self.timeout)
        return {"status": "extended", "indication": None, "reason": "", "output": extended}


def archive_timestamp_expiry(data: bytes) -> Any:
    """When the TSA certificate of the newest document time-stamp of a PDF expires (aware datetime), ``None``
    when the document has no document time-stamp yet; :class:`~kyso.core.errors.InputError` for a non-PDF."""
    from io import BytesIO

    from kyso.core.errors import InputError
    from kyso.core.manager import get_plugin_manager

    if get_plugin_manager().detect_format(data).name != "pdf":
        raise InputError("batch extend handles PDF documents only", vi="chỉ gia hạn được tài liệu PDF")
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        signatures = PdfFileReader(BytesIO(data), strict=False).embedded_signatures
    except Exception as exc:
        raise InputError(f"damaged PDF ({exc.__class__.__name__})", vi="tệp PDF bị hỏng") from None
    stamps = [s for s in signatures if s.sig_object_type == "/DocTimeStamp"]
    if not stamps:
        return None
    newest = max(stamps, key=lambda s: s.signed_revision)
    return newest.signer_cert["tbs_certificate"]["validity"]["not_after"].native


@dataclass(frozen=True)
class Audit:
    """``kyso audit``: the facts of each document (:func:`kyso.audit.facts.document_facts`)."""

    options: VerifyOptions = field(default_factory=VerifyOptions)
    name: str = "audit"
    writes: bool = False

    def run(self, data: bytes, name: str) -> dict[str, Any]:

        facts = _cached_facts(self, data, name)
        return {
            "status": facts["indication"],
            "indication": facts["indication"],
            "reason": facts["reason"],
            "facts": facts,
        }


_FACTS_CACHE: dict[tuple[int, str], dict[str, Any]] = {}
_FACTS_CACHE_SIZE = 4096


def _cached_facts(audit: Audit, data: bytes, name: str) -> dict[str, Any]:
    """Facts of the same bytes are computed once per worker (an archive holds the same file under many names:
    copies, hard links); at most :data:`_FACTS_CACHE_SIZE` entries are kept, the oldest dropped first."""
    import hashlib

    from kyso.audit.facts import document_facts

    key = (hash(audit.options), hashlib.sha256(data).hexdigest())
    facts = _FACTS_CACHE.get(key)
    if facts is None:
        facts = document_facts(data, audit.options)
        if len(_FACTS_CACHE) >= _FACTS_CACHE_SIZE:
            _FACTS_CACHE.pop(next(iter(_FACTS_CACHE)))
        _FACTS_CACHE[key] = facts
    return {**facts, "name": name}


def _first_reason(report: Any) -> str:
    """Why a document did not pass, in a few words: the first message of the first signature that did not."""
    if str(report.indication) == "NO_SIGNATURE":
        return "no signature"
    for signature in [*report.signatures, *report.timestamps]:
        if str(signature.indication) != "TOTAL_PASSED":
            sub = f"{signature.sub_indication}: " if signature.sub_indication else ""
            return (sub + (signature.messages[0] if signature.messages else "")).strip(": ")
    return ""


__all__ = ["Audit", "Extend", "Sign", "Verify", "VerifyOptions", "archive_timestamp_expiry"]
