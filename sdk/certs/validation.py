"""Certificate validation with pyhanko-certvalidator, mapped to ETSI indications.

The built-in answer of ``kyso_validate_certificate``: path to a configured trust anchor, validity at the moment of
validation, key usage for the purpose, revocation by OCSP or CRL under the off/soft/hard policy.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sdk.certs.identity import identity_of
from sdk.certs.parsing import parse_certificate
from sdk.core.aio import run_sync
from sdk.core.errors import InputError
from sdk.core.models import (
    CertificateReport,
    Indication,
    RevocationPolicy,
    RevocationReport,
    SubIndication,
    ValidationOptions,
)

_SIGNING_KEY_USAGES = {"digital_signature", "non_repudiation"}


def validate(certificate: bytes, options: ValidationOptions) -> CertificateReport:
    """Validate ``certificate`` (DER) as ``options`` say; never raises for a bad certificate, only for garbage."""
    try:
        cert = parse_certificate(certificate)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    moment = options.at or datetime.now(UTC)
    context = _validation_context(options, moment)
    report = CertificateReport(indication=Indication.TOTAL_PASSED, subject=identity_of(cert), validation_time=moment)
    path = run_sync(_validate_path(cert, context, options, report))
    if path is not None:
        report.chain = [c.subject.human_friendly for c in path.iter_certs(include_root=True)][::-1]
    else:
        report.chain = [cert.subject.human_friendly]
    _describe_revocation(cert, context, options, report)
    return report


def _validation_context(options: ValidationOptions, moment: datetime) -> Any:
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend
    from pyhanko_certvalidator.policy_decl import (
        CertRevTrustPolicy,
        RevocationCheckingPolicy,
        RevocationCheckingRule,
    )

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
    return ValidationContext(
        trust_roots=[parse_certificate(der) for der in options.trust],
        other_certs=[parse_certificate(der) for der in options.intermediates],
        moment=moment,
        # "off" means no network at all; otherwise fetch as the caller allows
        allow_fetching=options.allow_fetching and options.revocation is not RevocationPolicy.OFF,
        revinfo_policy=policy,
        fetcher_backend=RequestsFetcherBackend(per_request_timeout=options.timeout),
    )


async def _validate_path(cert: Any, context: Any, options: ValidationOptions, report: CertificateReport) -> Any:
    """Run path validation, filling ``report``'s verdict; returns the path when one was built."""
    from pyhanko_certvalidator import errors as cv
    from pyhanko_certvalidator.validate import async_validate_path

    def verdict(indication: Indication, sub: SubIndication, message: str) -> None:
        report.indication, report.sub_indication = indication, sub
        report.messages.append(message)

    try:
        last_error: cv.PathValidationError | None = None
        async for candidate in context.path_builder.async_build_paths_lazy(cert):
            try:
                await async_validate_path(context, candidate)
            except cv.PathValidationError as exc:  # remember it, try the next candidate path
                last_error = exc
                continue
            _check_usage(cert, candidate, options)
            return candidate
        if last_error is not None:
            raise last_error
        raise cv.PathBuildingError("no path")
    except cv.RevokedError as exc:
        report.revocation.status = "revoked"
        report.revocation.revoked_at = exc.revocation_dt
        who = "the certificate" if exc.is_ee_cert else "an issuing CA"
        sub = SubIndication.REVOKED_NO_POE if exc.is_ee_cert else SubIndication.REVOKED_CA_NO_POE
        verdict(Indication.INDETERMINATE, sub, f"{who} was revoked on {exc.revocation_dt.isoformat()}")
        return exc.original_path
    except cv.ExpiredError as exc:
        if exc.is_ee_cert:
            verdict(
                Indication.INDETERMINATE,
                SubIndication.OUT_OF_BOUNDS_NO_POE,
                f"the certificate expired on {exc.expired_dt.isoformat()}",
            )
        else:
            verdict(
                Indication.INDETERMINATE,
                SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE,
                f"an issuing CA certificate expired on {exc.expired_dt.isoformat()}",
            )
        return exc.original_path
    except cv.NotYetValidError as exc:
        verdict(
            Indication.INDETERMINATE,
            SubIndication.NOT_YET_VALID if exc.is_ee_cert else SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE,
            f"{'the certificate' if exc.is_ee_cert else 'an issuing CA certificate'} is not valid before "
            f"{exc.valid_from.isoformat()}",
        )
        return exc.original_path
    except cv.DisallowedAlgorithmError as exc:
        verdict(
            Indication.INDETERMINATE,
            SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
            f"a weak or disallowed algorithm is used in the chain: {exc.failure_msg}",
        )
        return exc.original_path
    except cv.InsufficientRevinfoError as exc:
        report.revocation.status = "unknown"
        verdict(
            Indication.INDETERMINATE,
            SubIndication.TRY_LATER,
            f"revocation status could not be established: {exc.failure_msg}",
        )
        return exc.original_path
    except cv.InvalidCertificateError as exc:
        verdict(Indication.INDETERMINATE, SubIndication.CHAIN_CONSTRAINTS_FAILURE, exc.failure_msg)
        return None
    except cv.PathBuildingError:
        verdict(
            Indication.INDETERMINATE,
            SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
            "no chain to a trusted root: the issuer is not among the trust anchors",
        )
        return None
    except cv.PathValidationError as exc:
        verdict(Indication.INDETERMINATE, SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE, exc.failure_msg)
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
        raise cv.InvalidCertificateError(
            "the certificate's key usage does not allow signing documents "
            f"(has {', '.join(sorted(usages))}; needs digitalSignature or nonRepudiation)"
        )


def _describe_revocation(cert: Any, context: Any, options: ValidationOptions, report: CertificateReport) -> None:
    """Say which revocation answer was used for the certificate itself, and where it came from.

    The status is the one at the moment of validation: a certificate revoked after that moment was still good then
    (``revoked_at`` and a message keep the later revocation visible)."""
    if options.revocation is RevocationPolicy.OFF:
        report.revocation.source = "none"
        return
    serial = cert.serial_number
    for response in context.ocsps:
        try:
            single = response["response_bytes"]["response"].parsed["tbs_response_data"]["responses"][0]
        except (KeyError, TypeError, IndexError):
            continue
        if single["cert_id"]["serial_number"].native == serial:
            status = _ocsp_status(single["cert_status"].name)
            revoked_at = single["cert_status"].chosen["revocation_time"].native if status == "revoked" else None
            report.revocation = RevocationReport(
                status=status,
                source="ocsp",
                time=response["response_bytes"]["response"].parsed["tbs_response_data"]["produced_at"].native,
                revoked_at=report.revocation.revoked_at or revoked_at,
            )
            _as_of_validation_time(report)
            return
    for crl in context.crls:
        if crl["tbs_cert_list"]["issuer"] == cert.issuer:
            entries = [
                entry["revocation_date"].native
                for entry in crl["tbs_cert_list"]["revoked_certificates"]
                if entry["user_certificate"].native == serial
            ]
            report.revocation = RevocationReport(
                status="revoked" if entries else "good",
                source="crl",
                time=crl["tbs_cert_list"]["this_update"].native,
                revoked_at=report.revocation.revoked_at or (min(entries) if entries else None),
            )
            _as_of_validation_time(report)
            return


def _as_of_validation_time(report: CertificateReport) -> None:
    revocation = report.revocation
    moment = report.validation_time
    if revocation.status == "revoked" and revocation.revoked_at and moment and revocation.revoked_at > moment:
        revocation.status = "good"
        report.messages.append(f"the certificate was revoked later, on {revocation.revoked_at.isoformat()}")


def _ocsp_status(name: str) -> str:
    return {"good": "good", "revoked": "revoked"}.get(name, "unknown")
