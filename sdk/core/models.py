"""Typed models shared by every plugin: what to sign, what a verification found.

Requests are frozen dataclasses (what to sign); reports are plain dataclasses filled by plugins and turned into the
JSON shape of DESIGN.md by ``to_dict()``. Indications and sub-indications use the ETSI EN 319 102-1 names.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kyso.core.signer import Signer


class Indication(enum.StrEnum):
    """ETSI EN 319 102-1 main indication, plus ``NO_SIGNATURE`` for a document without any."""

    TOTAL_PASSED = "TOTAL_PASSED"
    TOTAL_FAILED = "TOTAL_FAILED"
    INDETERMINATE = "INDETERMINATE"
    NO_SIGNATURE = "NO_SIGNATURE"

    @property
    def severity(self) -> int:
        """Rank used to pick the worst indication of a document."""
        return _SEVERITY[self]


_SEVERITY = {
    Indication.TOTAL_PASSED: 0,
    Indication.NO_SIGNATURE: 1,
    Indication.INDETERMINATE: 2,
    Indication.TOTAL_FAILED: 3,
}


class SubIndication(enum.StrEnum):
    """ETSI EN 319 102-1 sub-indications (the subset Kyso reports)."""

    # TOTAL_FAILED
    FORMAT_FAILURE = "FORMAT_FAILURE"
    HASH_FAILURE = "HASH_FAILURE"
    SIG_CRYPTO_FAILURE = "SIG_CRYPTO_FAILURE"
    REVOKED = "REVOKED"
    NOT_YET_VALID = "NOT_YET_VALID"
    # INDETERMINATE
    SIG_CONSTRAINTS_FAILURE = "SIG_CONSTRAINTS_FAILURE"
    CHAIN_CONSTRAINTS_FAILURE = "CHAIN_CONSTRAINTS_FAILURE"
    CERTIFICATE_CHAIN_GENERAL_FAILURE = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
    CRYPTO_CONSTRAINTS_FAILURE = "CRYPTO_CONSTRAINTS_FAILURE"
    CRYPTO_CONSTRAINTS_FAILURE_NO_POE = "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"
    EXPIRED = "EXPIRED"
    OUT_OF_BOUNDS_NO_POE = "OUT_OF_BOUNDS_NO_POE"
    OUT_OF_BOUNDS_NOT_REVOKED = "OUT_OF_BOUNDS_NOT_REVOKED"
    NO_CERTIFICATE_CHAIN_FOUND = "NO_CERTIFICATE_CHAIN_FOUND"
    NO_SIGNING_CERTIFICATE_FOUND = "NO_SIGNING_CERTIFICATE_FOUND"
    REVOKED_NO_POE = "REVOKED_NO_POE"
    REVOKED_CA_NO_POE = "REVOKED_CA_NO_POE"
    TRY_LATER = "TRY_LATER"
    SIGNED_DATA_NOT_FOUND = "SIGNED_DATA_NOT_FOUND"
    TIMESTAMP_ORDER_FAILURE = "TIMESTAMP_ORDER_FAILURE"
    GENERIC = "GENERIC"


class RevocationPolicy(enum.StrEnum):
    """How hard revocation must be established: ``off`` skips it, ``soft`` accepts a missing answer, ``hard``
    turns a missing answer into INDETERMINATE / TRY_LATER."""

    OFF = "off"
    SOFT = "soft"
    HARD = "hard"


class Level(enum.StrEnum):
    """PAdES / XAdES baseline levels."""

    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"


class SignatureKind(enum.StrEnum):
    """Names of the built-in signature kinds of Nghị định 30/2020/NĐ-CP, Phụ lục I. A kind is a name (a plugin can
    add its own); what it takes and draws is its :class:`~kyso.core.kinds.KindSpec` in the kind registry."""

    APPROVAL = "approval"
    ISSUANCE = "issuance"
    INCOME = "income"
    COPY = "copy"
    ATTACHMENT = "attachment"


class Coverage(enum.StrEnum):
    """What part of the file a signature covers."""

    ENTIRE_FILE = "ENTIRE_FILE"
    ENTIRE_REVISION = "ENTIRE_REVISION"
    PARTIAL = "PARTIAL"


class Modifications(enum.StrEnum):
    """Changes made after a signature, from least to most worrying."""

    NONE = "NONE"
    FORM_FILLING = "FORM_FILLING"
    ANNOTATIONS = "ANNOTATIONS"
    OTHER = "OTHER"


Box = tuple[float, float, float, float]
"""A rectangle in PDF points, origin bottom-left: (x1, y1, x2, y2)."""


@dataclass(frozen=True)
class Document:
    """Bytes of a document and the format a plugin recognised in them."""

    data: bytes
    format: str
    """Format name as registered (``"pdf"``, ``"edxml"`` ...)."""
    name: str | None = None
    """File name for reports; ``None`` when the bytes did not come from a file."""


@dataclass(frozen=True)
class DocumentFormat:
    """A format a plugin handles, declared through ``kyso_register_formats``."""

    name: str
    media_type: str
    sniff: Callable[[bytes], bool]
    """Cheap test on the first bytes of a document; the first format whose sniff says yes wins."""
    extensions: tuple[str, ...] = ()
    sign_options: tuple[FormatOption, ...] = ()
    """Options of ``kyso sign`` / ``kyso.sign`` only this format reads (``SignRequest.format_options``)."""
    verify_options: tuple[FormatOption, ...] = ()
    """Options of ``kyso verify`` / ``kyso.verify`` only this format reads (``VerifyOptions.format_options``)."""


@dataclass(frozen=True)
class FormatOption:
    """One option a format adds to signing or verifying, declared as data: the CLI builds ``--flag`` from it and
    the API takes it as the keyword ``name``."""

    name: str
    """Keyword of ``kyso.sign`` / ``kyso.verify`` (``xml_id``); the flag is ``--xml-id``."""
    help: str
    choices: tuple[str, ...] = ()
    """Allowed values; empty: free text."""
    file: bool = False
    """The value is a file: the CLI reads it and passes its bytes."""
    multiple: bool = False
    metavar: str | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class SignRequest:
    """What to sign and how: the *what* of signing, independent of who signs and how the format is written."""

    document: Document
    signer: Signer
    level: Level = Level.B_B
    tsa: str | None = None
    """URL of an RFC 3161 time-stamping authority; required for B-T and above."""
    kind: str | None = None
    """A kind of the kind registry (:class:`SignatureKind` for the built-in ones); its options are ``appearance``."""
    field: str | None = None
    """Name of the signature field; ``None`` lets the format plugin choose a fresh one."""
    page: int | None = None
    """Page of a visible signature, 1 for the first page; ``None`` for an invisible signature."""
    box: Box | None = None
    reason: str | None = None
    location: str | None = None
    appearance: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """The kind's options (images, document number ...), by option name; the plugin manager checks them against
    the kind's declaration before ``kyso_sign``, so a format plugin gets them typed."""
    timeout: float = 30.0
    """Total seconds the signing may spend on the network (TSA, and the validation data of B-LT / B-LTA)."""
    format_options: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """Options only one format reads, by the names it declares (:attr:`DocumentFormat.sign_options`: XML's
    ``xml_form``, ``xml_id``, ``profile`` ...); the plugin manager refuses those the document's format does not
    declare."""
    budget: NetworkBudget | None = dataclasses.field(default=None, compare=False, repr=False)
    """The network budget of this signing; ``None``: a fresh one of ``timeout`` seconds."""


class NetworkBudget:
    """What one operation (a verify, a certificate validation, a signing) may spend on the network, shared by all
    its requests: OCSP, CRL, AIA and TSA.

    Kyso rule (bounded fetching): a per-read timeout lets a server trickling one byte a second hold a verify for
    hours, and N requests of ``timeout`` seconds each add up to N times ``timeout``. So ``--timeout`` is the *total*
    time of the operation's network work, counted from its first request (every request gets what is left and is
    cut off when it runs out); answers are capped in size; and the number of requests, of AIA certificate
    requests and of distinct hosts is capped, because AIA URLs come from certificates nobody trusts yet.
    Thread-safe: pyhanko-certvalidator fetches from worker threads.
    """

    def __init__(
        self,
        seconds: float = 30.0,
        *,
        max_requests: int = 64,
        max_certificate_requests: int = 8,
        max_hosts: int = 8,
        max_crl_bytes: int = 32 * 1024 * 1024,
        max_answer_bytes: int = 1024 * 1024,
        max_total_bytes: int = 96 * 1024 * 1024,
    ) -> None:
        import threading

        self.seconds = seconds
        self.max_requests = max_requests
        self.max_certificate_requests = max_certificate_requests
        """AIA (caIssuers) requests: the only fetches made for a certificate not yet chained to a trust anchor."""
        self.max_hosts = max_hosts
        self.max_crl_bytes = max_crl_bytes
        self.max_answer_bytes = max_answer_bytes
        """Cap of one OCSP response, AIA certificate (bundle) or time-stamp response."""
        self.max_total_bytes = max_total_bytes
        self._lock = threading.Lock()
        self._started: float | None = None
        self._requests = 0
        self._certificate_requests = 0
        self._hosts: set[str] = set()
        self._bytes = 0

    def remaining(self) -> float:
        """Seconds left (never negative); the clock starts at the first call."""
        import time

        with self._lock:
            now = time.monotonic()
            if self._started is None:
                self._started = now
            return max(0.0, self.seconds - (now - self._started))

    def admit(self, host: str, *, certificate: bool = False) -> str | None:
        """Count one request to ``host``; the reason it is refused (nothing counted), or ``None``."""
        with self._lock:
            if self._requests >= self.max_requests:
                return f"the limit of {self.max_requests} network requests per operation is reached"
            if certificate and self._certificate_requests >= self.max_certificate_requests:
                return f"the limit of {self.max_certificate_requests} AIA certificate requests per operation is reached"
            if host not in self._hosts and len(self._hosts) >= self.max_hosts:
                return f"the limit of {self.max_hosts} distinct hosts per operation is reached"
            self._requests += 1
            self._certificate_requests += certificate
            self._hosts.add(host)
            return None

    def take_bytes(self, size: int) -> bool:
        """Count ``size`` received bytes; ``False`` once the operation's total would pass ``max_total_bytes``."""
        with self._lock:
            if self._bytes + size > self.max_total_bytes:
                return False
            self._bytes += size
            return True


@dataclass(frozen=True)
class ValidationOptions:
    """How to validate a certificate: trust anchors, moment, revocation policy."""

    trust: tuple[bytes, ...] = ()
    """DER certificates of the trust anchors."""
    intermediates: tuple[bytes, ...] = ()
    """DER certificates that may help to build the path (e.g. those embedded in a signature)."""
    at: datetime | None = None
    """Moment of validation; ``None`` means now."""
    revocation: RevocationPolicy = RevocationPolicy.SOFT
    purpose: str = "signing"
    """``"signing"`` (document signature: digitalSignature or nonRepudiation) or ``"timestamping"``."""
    timeout: float = 30.0
    """Total seconds the verification may spend on the network (every OCSP, CRL and AIA request together)."""
    allow_fetching: bool = True
    """Whether OCSP, CRL and AIA may be fetched over the network (``False`` for ``--offline``)."""
    embedded_ocsps: tuple[bytes, ...] = ()
    """DER OCSP responses the document carries (PAdES DSS, CMS revocation attributes): used before any fetch."""
    embedded_crls: tuple[bytes, ...] = ()
    """DER CRLs the document carries."""
    allow_weak: tuple[str, ...] = ()
    """Weak algorithms the caller accepts explicitly (``"sha1"``, ``"rsa1024"``: old archives, interop vectors),
    in signatures and certificate chains alike; the policy itself is :mod:`kyso.certs.algorithms`."""
    budget: NetworkBudget | None = dataclasses.field(default=None, compare=False, repr=False)
    """The network budget shared by every validation of one verify (not part of the options' identity: two
    verifies with equal options are equal); ``None``: a fresh one of ``timeout`` seconds per validation."""


@dataclass(frozen=True)
class VerifyOptions:
    """How to verify a document: the certificate options applied to every signature in it."""

    validation: ValidationOptions = dataclasses.field(default_factory=ValidationOptions)
    format_options: Mapping[str, Any] = dataclasses.field(default_factory=dict, compare=False)
    """Options only one format reads, by the names it declares (:attr:`DocumentFormat.verify_options`: XML's
    ``trust_key``, ``detached_content``)."""

    def budgeted(self) -> VerifyOptions:
        """These options with a fresh :class:`NetworkBudget` of ``timeout`` seconds, unless they carry one: what
        ``kyso_verify`` gets, so that every signature, time-stamp and certificate of one document draws on one
        budget (options built once and reused for many documents start afresh each time)."""
        if self.validation.budget is not None:
            return self
        budget = NetworkBudget(self.validation.timeout)
        return dataclasses.replace(self, validation=dataclasses.replace(self.validation, budget=budget))


@dataclass
class SignerIdentity:
    """Who signed, as read from the signing certificate."""

    common_name: str | None = None
    organization: str | None = None
    subject: str | None = None
    issuer: str | None = None
    serial: str | None = None
    """Serial number in lower-case hex."""
    title: str | None = None
    """The holder's title or position (X.520 ``title``, e.g. "Chủ tịch"), when the certificate names one."""
    sha256: str | None = None
    """SHA-256 fingerprint of the certificate (DER), lower-case hex: how a văn thư compares it with the CA's list."""
    not_before: datetime | None = None
    not_after: datetime | None = None
    test_material: bool = False
    """Whether the certificate says it is test material (a demo or test PKI): never a real person's signature."""

    def to_dict(self) -> dict[str, Any]:
        """The ``signer`` object of DESIGN.md (who signed)."""
        return {
            "common_name": self.common_name,
            "organization": self.organization,
            "subject": self.subject,
            "issuer": self.issuer,
            "serial": self.serial,
        }

    def details_dict(self) -> dict[str, Any]:
        """What a văn thư checks a certificate by: title, serial, fingerprint, validity, test-material marker (the
        keys the validation service reads: keep their names)."""
        return {
            "title": self.title,
            "serial": self.serial,
            "sha256": self.sha256,
            "not_before": _iso(self.not_before),
            "not_after": _iso(self.not_after),
            "test_material": self.test_material,
        }


@dataclass
class RevocationReport:
    """One revocation answer: what it said and where it came from."""

    status: str = "unknown"
    """``good``, ``revoked`` or ``unknown``."""
    source: str = "none"
    """``ocsp``, ``crl``, ``embedded`` or ``none``."""
    time: datetime | None = None
    """When the answer was produced (OCSP producedAt / CRL thisUpdate), if known."""
    url: str | None = None
    revoked_at: datetime | None = None
    """Revocation date, when the certificate is revoked."""
    subject: str | None = None
    """Subject of the certificate the answer is about (the certificate itself or one of its CAs)."""

    def to_dict(self) -> dict[str, Any]:
        """``status`` and ``source``, the ``revocation`` object of DESIGN.md."""
        return {"status": self.status, "source": self.source}

    def to_answer_dict(self) -> dict[str, Any]:
        """One entry of ``revocations``: status, source and time, plus what the answer is about."""
        result: dict[str, Any] = {"status": self.status, "source": self.source, "time": _iso(self.time)}
        if self.subject is not None:
            result["subject"] = self.subject
        if self.url is not None:
            result["url"] = self.url
        if self.revoked_at is not None:
            result["revoked_at"] = _iso(self.revoked_at)
        return result


@dataclass
class CertificateReport:
    """Outcome of ``kyso_validate_certificate`` for one certificate."""

    indication: Indication
    sub_indication: SubIndication | None = None
    subject: SignerIdentity = dataclasses.field(default_factory=SignerIdentity)
    chain: list[str] = dataclasses.field(default_factory=list)
    """Subjects from the certificate up to the trust anchor (or as far as a path could be built)."""
    revocation: RevocationReport = dataclasses.field(default_factory=RevocationReport)
    """The answer about the certificate itself."""
    revocations: list[RevocationReport] = dataclasses.field(default_factory=list)
    """Every revocation answer used, for the certificate and its CAs, with its source and time."""
    validation_time: datetime | None = None
    messages: list[str] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The ``certificate`` object of a signature in the verification report, with the certificate's details
        (:meth:`SignerIdentity.details_dict`)."""
        return {**self._verdict_dict(), **self.subject.details_dict()}

    def _verdict_dict(self) -> dict[str, Any]:
        return {
            "indication": str(self.indication),
            "chain": list(self.chain),
            "revocation": self.revocation.to_dict(),
            "revocations": [answer.to_answer_dict() for answer in self.revocations],
            "validation_time": _iso(self.validation_time),
        }

    def to_standalone_dict(self) -> dict[str, Any]:
        """The report of ``kyso cert validate``: who (``certificate``, with its details), then the verdict keys,
        why and when."""
        return {
            "certificate": {**self.subject.to_dict(), **self.subject.details_dict()},
            **self._verdict_dict(),
            "sub_indication": _str_or_none(self.sub_indication),
            "messages": list(self.messages),
        }


@dataclass
class TimestampInfo:
    """An RFC 3161 time-stamp attached to a signature."""

    time: datetime
    authority: str | None = None
    trusted: bool | None = None
    """Whether the TSA's certificate validated (then the time is a proof of existence); ``None`` if unchecked."""
    problem: SubIndication | None = None
    """Why the TSA's certificate did not validate (untrusted root, revocation unknown ...), when ``trusted`` is
    ``False`` because of it: the report names the true cause, not just "not trusted"."""

    def to_dict(self) -> dict[str, Any]:
        return {"time": _iso(self.time), "authority": self.authority}


@dataclass
class SignatureReport:
    """Verdict on one signature (or one document time-stamp) of a document."""

    id: str
    indication: Indication
    sub_indication: SubIndication | None = None
    kind: str | None = None
    """The kind recorded in the signature (:class:`SignatureKind` for the built-in ones), if any."""
    signer: SignerIdentity = dataclasses.field(default_factory=SignerIdentity)
    signing_time: datetime | None = None
    timestamp: TimestampInfo | None = None
    level: Level | None = None
    coverage: Coverage | None = None
    modifications: Modifications | None = None
    certificate: CertificateReport | None = None
    messages: list[str] = dataclasses.field(default_factory=list)
    doc_number: str | None = None
    """The document number (số, ký hiệu) an issuance signature wrote into the document and signed, if any."""
    issued_date: str | None = None
    """The issue date (ISO 8601 day) an issuance signature wrote into the document and signed, if any."""
    signed_element: str | None = None
    """XML: the path of what the signature signs (``/`` the whole document, ``/HDon/DLHDon[@Id='x']`` one element,
    ``detached:NAME`` a detached content); ``None`` for formats without elements (PDF) and refused signatures."""
    role: str | None = None
    """XML profiles that know it: who signed in which capacity (e-invoice: ``seller``, ``buyer``,
    ``tax_authority``, ``other``)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "indication": str(self.indication),
            "sub_indication": _str_or_none(self.sub_indication),
            "kind": None if self.kind is None else str(self.kind),
            "signer": self.signer.to_dict(),
            "signing_time": _iso(self.signing_time),
            "timestamp": self.timestamp.to_dict() if self.timestamp else None,
            "level": _str_or_none(self.level),
            "coverage": _str_or_none(self.coverage),
            "modifications": _str_or_none(self.modifications),
            "certificate": self.certificate.to_dict() if self.certificate else None,
            "messages": list(self.messages),
            "doc_number": self.doc_number,
            "issued_date": self.issued_date,
            "signed_element": self.signed_element,
            "role": self.role,
        }


@dataclass
class VerificationReport:
    """Verdict on a document: its signatures, and document time-stamps reported apart from signatures."""

    document: str | None
    format: str
    signatures: list[SignatureReport] = dataclasses.field(default_factory=list)
    timestamps: list[SignatureReport] = dataclasses.field(default_factory=list)
    """Document time-stamps (PAdES archive time-stamps): not signatures, reported as time-stamps."""

    @property
    def indication(self) -> Indication:
        """The worst indication of the signatures and time-stamps; ``NO_SIGNATURE`` when there is no signature."""
        if not self.signatures:
            failed = [t.indication for t in self.timestamps if t.indication != Indication.TOTAL_PASSED]
            return max(failed, key=lambda i: i.severity) if failed else Indication.NO_SIGNATURE
        return max((s.indication for s in [*self.signatures, *self.timestamps]), key=lambda i: i.severity)

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "document": self.document,
            "format": self.format,
            "indication": str(self.indication),
            "signatures": [s.to_dict() for s in self.signatures],
        }
        if self.timestamps:
            result["timestamps"] = [t.to_dict() for t in self.timestamps]
        return result


@dataclass
class Verdict:
    """The worst (indication, sub-indication) seen so far while checking one signature; on a tie the first
    reason stays. Format plugins lower it check by check and copy it into the :class:`SignatureReport`."""

    indication: Indication = Indication.TOTAL_PASSED
    sub_indication: SubIndication | None = None

    def lower(self, indication: Indication, sub: SubIndication | None) -> None:
        if indication.severity > self.indication.severity:
            self.indication, self.sub_indication = indication, sub


def worst(*indications: Indication) -> Indication:
    """The most severe of the given indications."""
    return max(indications, key=lambda i: i.severity)


VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")
"""Reports show moments in Vietnam time, ISO 8601 with the +07:00 offset."""


def vietnam_iso(moment: datetime) -> str:
    """``moment`` as ISO 8601 in Vietnam time, e.g. ``2026-11-22T10:05:30+07:00``: how reports and messages show
    every moment."""
    return moment.astimezone(VIETNAM_TIME).isoformat()


def _iso(moment: datetime | None) -> str | None:
    return vietnam_iso(moment) if moment else None


def _str_or_none(value: enum.Enum | None) -> str | None:
    return None if value is None else str(value.value)


CertificateValidator = Callable[[bytes, ValidationOptions], CertificateReport]
"""What format plugins call to validate a signer's certificate: runs the ``kyso_validate_certificate`` hook."""

__all__ = [
    "Box",
    "CertificateReport",
    "CertificateValidator",
    "Coverage",
    "Document",
    "DocumentFormat",
    "FormatOption",
    "Indication",
    "Level",
    "Modifications",
    "RevocationPolicy",
    "RevocationReport",
    "SignRequest",
    "SignatureKind",
    "SignatureReport",
    "SignerIdentity",
    "SubIndication",
    "TimestampInfo",
    "ValidationOptions",
    "VerificationReport",
    "Verdict",
    "VerifyOptions",
    "vietnam_iso",
    "worst",
]
