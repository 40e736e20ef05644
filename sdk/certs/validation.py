"""Certificate validation with pyhanko-certvalidator, mapped to ETSI indications.

The built-in answer of ``kyso_validate_certificate``: path to a trust anchor (``options.trust`` plus the configured
store, see :mod:`kyso.certs.truststore`), missing intermediates fetched through AIA, basic constraints, path length
and name constraints (certvalidator), key usage for the purpose, validity at the moment of validation, revocation
by OCSP (signature, responder authorisation, freshness, nonce) or CRL (signature, issuer, freshness) under the
off/soft/hard policy:

- ``off``: no revocation check and no network at all;
- ``soft``: a *missing* answer (service unreachable, too slow) is accepted and reported as ``unknown``; an
  *unusable* answer (garbage, error status, bad signature, unauthorised responder, wrong nonce) is not;
- ``hard``: no usable answer gives INDETERMINATE / TRY_LATER, never TOTAL_PASSED.

Answers come from the document (``embedded_ocsps`` / ``embedded_crls``), the on-disk cache
(:mod:`kyso.certs.cache`) and the network (:mod:`kyso.certs.fetching`). When it may fetch and the certificate names
an OCSP responder, pyhanko-certvalidator uses fetched (or cached) OCSP answers only, not the document's; an
issuer-signed "revoked" answer in the document still prevents TOTAL_PASSED. A passing verdict "as of now" is
reused for the same certificate and options until the earliest ``nextUpdate`` of the answers it rests on (at most
:data:`VERDICT_WINDOW`).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from kyso.certs.identity import identity_of
from kyso.certs.parsing import parse_certificate
from kyso.core.aio import run_sync
from kyso.core.errors import InputError
from kyso.core.models import (
    CertificateReport,
    Indication,
    RevocationPolicy,
    RevocationReport,
    SubIndication,
    ValidationOptions,
    vietnam_iso,
)

_SIGNING_KEY_USAGES = {"digital_signature", "non_repudiation"}
_DOCUMENT_SIGNING_EKUS = {
    "any_extended_key_usage",
    "email_protection",
    "client_auth",
    "code_signing",
    "1.3.6.1.5.5.7.3.36",  # id-kp-documentSigning (RFC 9336)
    "1.2.840.113583.1.1.5",  # Adobe Authentic Documents Trust
    "1.3.6.1.4.1.311.10.3.12",  # Microsoft document signing
}
"""When a certificate restricts its use with an extended key usage, one of these must allow document signing (the
set Adobe Acrobat and EU DSS accept); a TSA (timeStamping) or OCSP responder certificate signs no document."""
_CONSTRAINT_WORDS = ("not a ca", "path length", "namespace", "policy", "key usage")


def validate(certificate: bytes, options: ValidationOptions) -> CertificateReport:
    """Validate ``certificate`` (DER) as ``options`` say; never raises for a bad certificate, only for garbage."""
    from kyso.certs.cache import answer_cache

    try:
        cert = parse_certificate(certificate)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    from kyso.certs.truststore import configured_certificates

    if options.budget is None:  # a validation on its own (not part of a verify): its own network budget
        from kyso.core.models import NetworkBudget

        options = replace(options, budget=NetworkBudget(options.timeout))
    now = datetime.now(UTC)
    moment = options.at or now
    verdict_key = (certificate, options, configured_certificates()) if options.at is None else None
    reused = _verdicts.get(verdict_key) if verdict_key is not None else None
    if reused is not None:
        return reused
    cache = answer_cache()
    report, hits, expiry = _validate_once(cert, options, moment, cache)
    if hits and report.sub_indication is SubIndication.TRY_LATER:
        # a cached answer that turned out unusable (damaged entry, responder key changed): drop it and ask again
        for key in hits:
            cache.forget(key)
        report, _, expiry = _validate_once(cert, options, moment, cache)
    if report.sub_indication is SubIndication.TRY_LATER and _embeds_revocation_data(options):
        report, expiry = _from_embedded_data(cert, options, moment, cache, report, expiry)
    if verdict_key is not None and expiry is not None:
        _verdicts.put(verdict_key, report, expiry)
    return report


def _embeds_revocation_data(options: ValidationOptions) -> bool:
    return may_fetch(options) and bool(options.embedded_ocsps or options.embedded_crls)


def _from_embedded_data(
    cert: Any,
    options: ValidationOptions,
    moment: datetime,
    cache: Any,
    online: CertificateReport,
    expiry: datetime | None,
) -> tuple[CertificateReport, datetime | None]:
    """A long-term (B-LT/B-LTA) signature must survive an unreachable responder: when fetching gave no usable
    answer, judge again from the document's own validation data only (pyhanko-certvalidator ignores embedded
    OCSP answers whenever it may fetch). A fresh online answer, when there is one, always wins."""
    offline, _, offline_expiry = _validate_once(cert, replace(options, allow_fetching=False), moment, cache)
    if offline.indication is not Indication.TOTAL_PASSED:
        return online, expiry
    offline.messages.append(
        "the revocation services could not be reached; revocation was established from the validation data "
        "embedded in the document"
    )
    return offline, offline_expiry


REVOCATION_OFF = "revocation not checked (revocation off): no OCSP, CRL or AIA request was made"
"""The note of every certificate validated with ``revocation="off"``: the verdict says nothing about revocation."""

VERDICT_WINDOW = timedelta(minutes=5)
"""Longest reuse of a passing verdict "as of now" (also bounded by its revocation answers' nextUpdate)."""


class _VerdictCache:
    """Passing verdicts "as of now", reused until the earliest nextUpdate of the revocation answers they rest on
    (and the end of validity of the certificates in the path), and never longer than :data:`VERDICT_WINDOW`: a
    batch of documents from the same signer pays path and revocation validation once, not once per document,
    while a certificate revoked since is seen as revoked within minutes. Only TOTAL_PASSED verdicts with a
    revocation answer are kept; copies are handed out, so callers may change what they get. ``clock`` gives "now"
    (injectable, for the tests of the expiry)."""

    def __init__(self, size: int = 512, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._entries: dict[Any, tuple[datetime, CertificateReport]] = {}
        self._size = size
        self._lock = threading.Lock()
        self.clock = clock

    def get(self, key: Any) -> CertificateReport | None:
        now = self.clock()
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or entry[0] <= now:
            return None
        report = copy.deepcopy(entry[1])
        report.validation_time = now
        return report

    def put(self, key: Any, report: CertificateReport, expiry: datetime) -> None:
        """Keep ``report`` until ``expiry`` (its answers' nextUpdate), at most :data:`VERDICT_WINDOW` from now."""
        expiry = min(expiry, self.clock() + VERDICT_WINDOW)
        with self._lock:
            if len(self._entries) >= self._size:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (expiry, copy.deepcopy(report))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_verdicts = _VerdictCache()


def clear_memory_caches() -> None:
    """Forget reused verdicts and the in-memory layer of the answer cache (as a new process starts); the disk
    cache stays."""
    from kyso.certs.cache import answer_cache

    _verdicts.clear()
    answer_cache().clear_memory()


def _validate_once(
    cert: Any, options: ValidationOptions, moment: datetime, cache: Any
) -> tuple[CertificateReport, list[str], datetime | None]:
    """(report, cache keys used, until when a passing verdict may be reused or None)"""
    from kyso.certs.fetching import CachingFetcherBackend

    backend = CachingFetcherBackend(cache, options.timeout, options.budget)
    context = _validation_context(options, moment, backend)
    report = CertificateReport(indication=Indication.TOTAL_PASSED, subject=identity_of(cert), validation_time=moment)
    try:
        path = run_sync(_validate_path(cert, context, options, report))
    except Exception as exc:  # whatever a hostile chain or service trips over is a verdict, never a traceback
        report.indication, report.sub_indication = (
            Indication.INDETERMINATE,
            SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE,
        )
        report.messages.append(f"the certificate could not be validated: {exc.__class__.__name__}")
        path = None
    if path is not None:
        certs = list(path.iter_certs(include_root=True))
        report.chain = [c.subject.human_friendly for c in certs][::-1]
    else:
        certs = [cert]
        report.chain = [cert.subject.human_friendly]
    expiries = _describe_revocation(cert, certs, context, options, report)
    _an_authentic_revocation_is_never_passed(report)
    _unusable_answer_is_not_missing(cert, options, backend, report)
    report.messages.extend(m for m in backend.problems if m not in report.messages)  # which fetch was cut, and why
    reusable = (
        report.indication is Indication.TOTAL_PASSED
        and options.revocation is not RevocationPolicy.OFF
        and report.revocation.source != "none"
        and None not in expiries
    )
    expiry = None
    if reusable:
        expiry = min([*expiries, *(c["tbs_certificate"]["validity"]["not_after"].native for c in certs)])
    return report, list(backend.hits), expiry


def may_fetch(options: ValidationOptions) -> bool:
    """Kyso rule (issue 9, class 4): whether validation may use the network at all (OCSP, CRL *and* AIA).

    ``revocation="off"`` and ``allow_fetching=False`` (``--offline``) both mean no request whatsoever: a verifier
    told not to go online must not leak, through the AIA URL of a certificate an attacker chose, which document it
    is reading or that it is reading one. ``--offline`` still checks revocation, from the document's own data."""
    return options.allow_fetching and options.revocation is not RevocationPolicy.OFF


def _validation_context(options: ValidationOptions, moment: datetime, backend: Any) -> Any:
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.policy_decl import (
        CertRevTrustPolicy,
        RevocationCheckingPolicy,
        RevocationCheckingRule,
    )

    from kyso.certs.fetching import parsed_crl, parsed_ocsp
    from kyso.certs.truststore import configured_certificates

    rules = {
        RevocationPolicy.OFF: (RevocationCheckingRule.NO_CHECK, RevocationCheckingRule.NO_CHECK),
        RevocationPolicy.SOFT: (
            RevocationCheckingRule.CHECK_IF_DECLARED_SOFT,
            RevocationCheckingRule.CHECK_IF_DECLARED_SOFT,
        ),
        RevocationPolicy.HARD: (
            RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
            RevocationCheckingRule.CHECK_IF_DECLARED,
        ),
    }[options.revocation]
    now = datetime.now(UTC)
    policy = CertRevTrustPolicy(
        RevocationCheckingPolicy(ee_certificate_rule=rules[0], intermediate_ca_cert_rule=rules[1]),
        # validating as of a past moment with today's OCSP/CRL answers (ValidationContext ignores its own
        # retroactive_revinfo argument once a revinfo_policy is given: it must be set here)
        retroactive_revinfo=moment < now,
    )
    from kyso.certs.algorithms import usage_policy

    anchors, known_intermediates = configured_certificates()
    embedded = options.revocation is not RevocationPolicy.OFF
    return ValidationContext(
        trust_roots=[parse_certificate(der) for der in dict.fromkeys(options.trust + anchors)],
        other_certs=[parse_certificate(der) for der in dict.fromkeys(options.intermediates + known_intermediates)],
        moment=moment,
        allow_fetching=may_fetch(options),
        revinfo_policy=policy,
        fetcher_backend=backend,
        algorithm_usage_policy=usage_policy(options.allow_weak),
        ocsps=[_parsed(parsed_ocsp, b) for b in options.embedded_ocsps] if embedded else None,
        crls=[_parsed(parsed_crl, b) for b in options.embedded_crls] if embedded else None,
    )


async def _validate_path(cert: Any, context: Any, options: ValidationOptions, report: CertificateReport) -> Any:
    """Run path validation, filling ``report``'s verdict; returns the path when one was built."""
    from pyhanko_certvalidator import errors as cv
    from pyhanko_certvalidator.validate import async_validate_path

    def indeterminate(sub: SubIndication, message: str) -> None:
        # a chain that does not validate leaves the verdict INDETERMINATE (never FAILED): other material may settle it
        report.indication, report.sub_indication = Indication.INDETERMINATE, sub
        report.messages.append(message)

    try:
        last_error: cv.PathValidationError | None = None
        async for candidate in context.path_builder.async_build_paths_lazy(cert):
            try:
                await async_validate_path(context, candidate)
            except cv.PathValidationError as exc:  # remember it, try the next candidate path
                last_error = exc
                continue
            try:
                _check_usage(cert, candidate, options)
            except cv.InvalidCertificateError as exc:
                indeterminate(SubIndication.CHAIN_CONSTRAINTS_FAILURE, exc.failure_msg)
                return candidate  # the chain is fine; the certificate is not for this purpose
            return candidate
        if last_error is not None:
            raise last_error
        raise cv.PathBuildingError("no path")
    except cv.RevokedError as exc:
        report.revocation.status = "revoked"
        report.revocation.revoked_at = exc.revocation_dt
        who = "the certificate" if exc.is_ee_cert else "an issuing CA"
        sub = SubIndication.REVOKED_NO_POE if exc.is_ee_cert else SubIndication.REVOKED_CA_NO_POE
        indeterminate(sub, f"{who} was revoked on {vietnam_iso(exc.revocation_dt)}")
        return exc.original_path
    except cv.ExpiredError as exc:
        if exc.is_ee_cert:
            indeterminate(
                SubIndication.OUT_OF_BOUNDS_NO_POE, f"the certificate expired on {vietnam_iso(exc.expired_dt)}"
            )
        else:
            indeterminate(
                SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE,
                f"an issuing CA certificate expired on {vietnam_iso(exc.expired_dt)}",
            )
        return exc.original_path
    except cv.NotYetValidError as exc:
        indeterminate(
            SubIndication.NOT_YET_VALID if exc.is_ee_cert else SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE,
            f"{'the certificate' if exc.is_ee_cert else 'an issuing CA certificate'} is not valid before "
            f"{vietnam_iso(exc.valid_from)}",
        )
        return exc.original_path
    except cv.DisallowedAlgorithmError as exc:
        indeterminate(
            SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
            f"a weak or disallowed algorithm is used in the chain: {exc.failure_msg}",
        )
        return exc.original_path
    except cv.InsufficientRevinfoError as exc:
        report.revocation.status = "unknown"
        indeterminate(SubIndication.TRY_LATER, f"revocation status could not be established: {exc.failure_msg}")
        return exc.original_path
    except cv.InvalidCertificateError as exc:
        indeterminate(SubIndication.CHAIN_CONSTRAINTS_FAILURE, exc.failure_msg)
        return None
    except cv.PathBuildingError:
        indeterminate(
            SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
            "no chain to a trusted root: the issuer is not among the trust anchors",
        )
        return None
    except cv.PathValidationError as exc:
        # basic constraints, path length, name constraints, policies: X.509 constraints of the chain (ETSI)
        constraint = any(word in exc.failure_msg.lower() for word in _CONSTRAINT_WORDS)
        sub = SubIndication.CHAIN_CONSTRAINTS_FAILURE if constraint else SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE
        indeterminate(sub, exc.failure_msg)
        return exc.original_path


def _check_usage(cert: Any, path: Any, options: ValidationOptions) -> None:
    """Key usage suited to the purpose; a certificate that is itself a trust anchor is trusted as it is."""
    from pyhanko_certvalidator import errors as cv

    if path.pkix_len == 0:
        return
    if options.purpose == "timestamping":
        eku = cert.extended_key_usage_value
        if eku is None or "time_stamping" not in eku.native:
            raise cv.InvalidCertificateError("the certificate is not for time-stamping (no timeStamping EKU)")
        return
    usages = set(cert.key_usage_value.native) if cert.key_usage_value is not None else set()
    if cert.key_usage_value is not None and not usages & _SIGNING_KEY_USAGES:
        what = "a CA certificate, which issues certificates and does not sign documents; " if cert.ca else ""
        raise cv.InvalidCertificateError(
            f"the certificate's key usage does not allow signing documents ({what}"
            f"has {', '.join(sorted(usages))}; needs digitalSignature or nonRepudiation)"
        )
    eku = cert.extended_key_usage_value
    if eku is not None and not set(eku.native) & _DOCUMENT_SIGNING_EKUS:
        raise cv.InvalidCertificateError(
            "the certificate's extended key usage does not allow signing documents "
            f"(has {', '.join(sorted(eku.native))}: a service certificate, e.g. a TSA or OCSP responder)"
        )


def _describe_revocation(
    cert: Any, certs: list[Any], context: Any, options: ValidationOptions, report: CertificateReport
) -> list[datetime | None]:
    """List every revocation answer used for the certificate and its CAs (source, time), and say which one decided
    about the certificate itself.

    The status is the one at the moment of validation: a certificate revoked after that moment was still good then
    (``revoked_at`` and a message keep the later revocation visible)."""
    if options.revocation is RevocationPolicy.OFF:
        report.revocation.source = "none"
        report.messages.append(REVOCATION_OFF)
        return []
    embedded = set(options.embedded_ocsps) | set(options.embedded_crls)
    expiries: list[datetime | None] = []
    for subject_cert in certs:
        if subject_cert.self_signed == "maybe" and subject_cert is not cert:
            continue
        # only answers that carry the issuer's signature: the validator ignores forged or foreign ones (a document
        # may embed anything), and so must the report
        issuer = next((c for c in certs if c is not subject_cert and c.subject == subject_cert.issuer), None)
        if issuer is None:
            continue
        ocsps = [r for r in context.ocsps if _signed_by(r, issuer, context)]
        crls = [c for c in context.crls if _signed_by(c, issuer, context)]
        found = _ocsp_answer(subject_cert, ocsps, embedded) or _crl_answer(subject_cert, crls, embedded)
        if found is None:
            continue
        answer, next_update = found
        expiries.append(next_update)
        if subject_cert is cert:
            answer.revoked_at = report.revocation.revoked_at or answer.revoked_at
            report.revocation = answer
            _as_of_validation_time(report)
        report.revocations.append(answer)
    return expiries


def _an_authentic_revocation_is_never_passed(report: CertificateReport) -> None:
    """The validator reads the document's own answers only when it may not fetch: online, with the responder
    unreachable, "soft" would pass a certificate that the document itself proves revoked (an answer signed by its
    issuer, listed in the report). Such an answer wins."""
    moment = report.validation_time
    if report.indication is not Indication.TOTAL_PASSED:
        return
    for answer in report.revocations:
        if answer.status != "revoked" or (answer.revoked_at and moment and answer.revoked_at > moment):
            continue  # a revocation after the moment of validation: the certificate was good then
        own = answer is report.revocation
        report.indication = Indication.INDETERMINATE
        report.sub_indication = SubIndication.REVOKED_NO_POE if own else SubIndication.REVOKED_CA_NO_POE
        when = f" on {vietnam_iso(answer.revoked_at)}" if answer.revoked_at else ""
        report.messages.append(f"{'the certificate' if own else 'an issuing CA'} was revoked{when}")
        return


def _unusable_answer_is_not_missing(
    cert: Any, options: ValidationOptions, backend: Any, report: CertificateReport
) -> None:
    """Kyso rule: "soft" accepts a *missing* answer (responder unreachable), not an unusable one. A responder that
    answered garbage, an error status, a wrong nonce, or a response whose signature or signer does not check out
    may be an attack on the answer: INDETERMINATE / TRY_LATER, as under "hard"."""
    if options.revocation is not RevocationPolicy.SOFT or report.indication is not Indication.TOTAL_PASSED:
        return
    if report.revocation.source != "none":
        return
    own_urls = set(cert.ocsp_urls) | {url for dp in (cert.crl_distribution_points or []) for url in (dp.url,) if url}
    answered = sorted(own_urls & backend.answered)
    if answered:
        report.indication, report.sub_indication = Indication.INDETERMINATE, SubIndication.TRY_LATER
        report.messages.append(f"the revocation service answered but its answer is unusable: {', '.join(answered)}")


def _signed_by(answer: Any, issuer: Any, context: Any) -> bool:
    """True when the OCSP response or CRL ``answer`` is signed by ``issuer``, or (OCSP) by a responder certificate
    that ``issuer`` signed for id-kp-OCSPSigning (carried in the response or known to the context)."""
    from asn1crypto import ocsp
    from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator

    validator = DefaultSignatureValidator()

    def signed(signature: Any, algorithm: Any, data: bytes, signer: Any) -> bool:
        try:
            validator.validate_signature(signature.native, data, signer.public_key, algorithm)
            return True
        except Exception:
            return False

    try:
        if not isinstance(answer, ocsp.OCSPResponse):
            return signed(answer["signature"], answer["signature_algorithm"], answer["tbs_cert_list"].dump(), issuer)
        basic = answer["response_bytes"]["response"].parsed
        sign_args = (basic["signature"], basic["signature_algorithm"], basic["tbs_response_data"].dump())
        if signed(*sign_args, issuer):
            return True
        carried = list(basic["certs"]) if basic["certs"].native else []
        for responder in [*carried, *context.certificate_registry]:
            eku = responder.extended_key_usage_value
            if responder.issuer != issuer.subject or eku is None or "ocsp_signing" not in eku.native:
                continue
            tbs = responder["tbs_certificate"].dump()
            if signed(responder["signature_value"], responder["signature_algorithm"], tbs, issuer) and signed(
                *sign_args, responder
            ):
                return True
    except Exception:  # an answer too damaged to check is not an answer
        return False
    return False


def _parsed(parse: Any, blob: bytes) -> Any:
    """A parsed (cached) embedded answer; garbage goes to the validator as bytes, which then ignores it."""
    try:
        return parse(blob)
    except Exception:
        return blob


def _ocsp_answer(
    cert: Any, responses: list[Any], embedded: set[bytes]
) -> tuple[RevocationReport, datetime | None] | None:
    serial = cert.serial_number
    for response in responses:
        try:
            data = response["response_bytes"]["response"].parsed["tbs_response_data"]
            singles = list(data["responses"])
        except (KeyError, TypeError, ValueError):
            continue
        for single in singles:
            cert_id = single["cert_id"]
            if cert_id["serial_number"].native != serial:
                continue
            algorithm = cert_id["hash_algorithm"]["algorithm"].native
            if getattr(cert.issuer, algorithm, None) != cert_id["issuer_name_hash"].native:
                continue
            status = _ocsp_status(single["cert_status"].name)
            revoked_at = single["cert_status"].chosen["revocation_time"].native if status == "revoked" else None
            urls = cert.ocsp_urls
            from_document = response.dump() in embedded
            answer = RevocationReport(
                status=status,
                source="embedded" if from_document else "ocsp",
                time=data["produced_at"].native,
                url=None if from_document or not urls else urls[0],
                revoked_at=revoked_at,
                subject=cert.subject.human_friendly,
            )
            return answer, single["next_update"].native
    return None


def _crl_answer(cert: Any, crls: list[Any], embedded: set[bytes]) -> tuple[RevocationReport, datetime | None] | None:
    serial = cert.serial_number
    for crl in crls:
        try:
            if crl["tbs_cert_list"]["issuer"] != cert.issuer:
                continue
            entries = [
                entry["revocation_date"].native
                for entry in crl["tbs_cert_list"]["revoked_certificates"]
                if entry["user_certificate"].native == serial
            ]
        except (KeyError, TypeError, ValueError):
            continue
        from_document = crl.dump() in embedded
        urls = cert.crl_distribution_points
        url = None
        if not from_document and urls:
            url = next((u for dp in urls for u in (dp.url,) if u), None)
        answer = RevocationReport(
            status="revoked" if entries else "good",
            source="embedded" if from_document else "crl",
            time=crl["tbs_cert_list"]["this_update"].native,
            url=url,
            revoked_at=min(entries) if entries else None,
            subject=cert.subject.human_friendly,
        )
        return answer, crl["tbs_cert_list"]["next_update"].native
    return None


def _as_of_validation_time(report: CertificateReport) -> None:
    revocation = report.revocation
    moment = report.validation_time
    if revocation.status == "revoked" and revocation.revoked_at and moment and revocation.revoked_at > moment:
        revocation.status = "good"
        report.messages.append(f"the certificate was revoked later, on {vietnam_iso(revocation.revoked_at)}")


def _ocsp_status(name: str) -> str:
    return {"good": "good", "revoked": "revoked"}.get(name, "unknown")
