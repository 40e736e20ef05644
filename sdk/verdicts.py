"""The verdict rules every signature format shares: what a certificate report means for the signature it signed,
what a weak algorithm means for it, and what an unexpected failure while checking one signature means. PDF
(``kyso.pdf.verification`` and its time-stamps, the raw fallback ``kyso.pdf.raw``) and XML-DSig
(``kyso.xmldsig.verification``, so edXML) all call these functions: a verdict rule is changed here once, for every
format. *Which* algorithms are weak is the policy's (:mod:`kyso.certs.algorithms`), not decided here.

Pure functions on the core models (:class:`~kyso.core.models.Verdict`, :class:`~kyso.core.models.SignatureReport`,
:class:`~kyso.core.models.CertificateReport`), but rules, not contracts: they live in the library, beside the
format plugins that apply them, and ``kyso.core`` keeps only the shapes (ETSI EN 319 102-1 indications, the
``Verdict`` accumulator).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kyso.core.errors import KysoError
from kyso.core.models import CertificateReport, Indication, SignatureReport, SubIndication, Verdict


def apply_certificate(report: SignatureReport, certificate: CertificateReport, verdict: Verdict) -> None:
    """Lower ``verdict`` by what ``certificate`` (the signer's, or a TSA's) says, with the certificate's notes.

    The moment of signing decides what a revocation or a not-yet-valid certificate means (ETSI EN 319 102-1,
    5.6.2.1 and 5.6.2.2): revoked before the signature existed, or signed before the certificate was valid, is
    TOTAL_FAILED; otherwise the certificate's own verdict stands (a revocation after an unproven signing time stays
    INDETERMINATE / REVOKED_NO_POE). Kyso rule (issue 9, class 4): only a *trusted* signature time-stamp
    (``report.timestamp.trusted``) replaces the claimed signing time; an untrusted one is the attacker's word as
    much as the claim is. A signature with no signing time at all (XML-DSig) keeps the certificate's verdict.
    """
    report.messages.extend(certificate.messages)  # notes of a passing certificate too (a national rule ...)
    if certificate.indication is Indication.TOTAL_PASSED:
        return
    sub = certificate.sub_indication
    revoked_at = certificate.revocation.revoked_at
    stamp = report.timestamp
    signed_at = stamp.time if stamp is not None and stamp.trusted else report.signing_time
    if sub is SubIndication.REVOKED_NO_POE and revoked_at and signed_at and revoked_at <= signed_at:
        # revoked before the moment the signature claims (or is proven) to exist: it was made with a revoked key
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.REVOKED)
    elif sub is SubIndication.NOT_YET_VALID and signed_at and signed_at <= (certificate.validation_time or signed_at):
        # not valid yet at validation time, and signed even earlier: signed before the certificate existed (ETSI)
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.NOT_YET_VALID)
    else:
        verdict.lower(certificate.indication, sub)


def lower_if_weak(problem: str | None, what: str, verdict: Verdict, messages: list[str]) -> None:
    """Lower ``verdict`` to INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE when ``problem`` (the policy's reason, from
    :mod:`kyso.certs.algorithms`) says an algorithm or key of ``what`` is weak; ``None`` changes nothing.

    Kyso rule (issue 9, class 4; ETSI TS 119 312): a weak algorithm makes the signature INDETERMINATE even when its
    value verifies and its signer is trusted (a SHA-1 signature may have been made over other bytes than the ones
    shown); the low-level integrity checks (pyHanko's, the XML-DSig engine's) apply no policy by themselves.
    """
    if problem is not None:
        verdict.lower(Indication.INDETERMINATE, SubIndication.CRYPTO_CONSTRAINTS_FAILURE)
        messages.append(f"{what} is not accepted: {problem}")


def guarded(identifier: str, check: Callable[[], SignatureReport], *, notes: Iterable[str] = ()) -> SignatureReport:
    """``check()``, or, when it raises, an INDETERMINATE / GENERIC report for signature ``identifier`` that says why.

    A hostile document must give a verdict, never a traceback: whatever a check trips over makes that one
    signature INDETERMINATE (never TOTAL_PASSED), and the other signatures are still judged. ``notes`` come first
    in the messages (e.g. why only a raw check was possible). A :class:`KysoError` says what it is; anything else
    is named by its class only (its text may quote the document).
    """
    try:
        return check()
    except Exception as exc:
        report = SignatureReport(identifier, Indication.INDETERMINATE, SubIndication.GENERIC)
        detail = exc.diagnostics() if isinstance(exc, KysoError) else exc.__class__.__name__
        report.messages.extend(notes)
        report.messages.append(f"the signature could not be verified: {detail}")
        return report


__all__ = ["apply_certificate", "guarded", "lower_if_weak"]
