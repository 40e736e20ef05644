"""Time-stamps of a PDF: RFC 3161 token checks, the signature time-stamp (B-T), document time-stamps (B-LTA),
validation in the past and the PAdES baseline level.

Time-stamp tokens are checked for integrity here and their TSA certificate goes through the
``kyso_validate_certificate`` hook, with the token's certificates and the DSS certificates as intermediates. The
rules of this file:

- a signature time-stamp is a proof of existence only when its imprint is this signature value's digest, its
  algorithms are not weak and its TSA validates (issue 9, class 4: back-dating by an attacker's TSA or by a token
  copied from another signature; ``tests/pdf/test_timestamp_attacks.py``);
- a certificate revoked, expired or without fresh revocation data *after* a trusted signature time-stamp is
  validated as of that proof of existence (ETSI EN 319 102-1 validation in the past);
- a document time-stamp is reported under ``timestamps``, never as a signature, and changes after it are judged as
  after a signature (:mod:`kyso.pdf.changes`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kyso.certs.algorithms import cms_problem
from kyso.certs.identity import identity_of
from kyso.core.models import Indication, Level, SignatureReport, SubIndication, TimestampInfo, Verdict, vietnam_iso
from kyso.pdf.changes import check_coverage_and_changes, check_dictionary
from kyso.pdf.facts import FileFacts, intermediates
from kyso.verdicts import apply_certificate, lower_if_weak


def _check_token(
    token: Any, expected_imprint: Callable[[str], bytes], mismatch: str = "the time-stamped bytes were changed"
) -> tuple[datetime, Any, list[str]]:
    """Integrity of an RFC 3161 token: (time, TSA certificate, problems; ``mismatch`` when its message imprint is
    not the digest of what it should stamp). The TSA's certificate is validated through the hook, not here:
    pyHanko's own token validation would build a second, throw-away path."""
    from asn1crypto import tsp
    from cryptography.hazmat.primitives import hashes
    from pyhanko.sign.general import extract_signer_info
    from pyhanko.sign.validation.generic_cms import extract_certs_for_validation, validate_sig_integrity
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    content = token["encap_content_info"]["content"]
    info = content.parsed
    if not isinstance(info, tsp.TSTInfo):
        raise ValueError("the token does not hold a TSTInfo")
    signer_info = extract_signer_info(token)
    tsa = extract_certs_for_validation(token).signer_cert
    problems = []
    imprint = info["message_imprint"]
    if expected_imprint(imprint["hash_algorithm"]["algorithm"].native) != imprint["hashed_message"].native:
        problems.append(mismatch)
    digest = hashes.Hash(get_pyca_cryptography_hash(signer_info["digest_algorithm"]["algorithm"].native))
    digest.update(bytes(content))
    intact, valid = validate_sig_integrity(
        signer_info, tsa, expected_content_type="tst_info", actual_digest=digest.finalize()
    )
    if not (intact and valid):
        problems.append("the time-stamp signature does not verify")
    return info["gen_time"].native, tsa, problems


def signature_timestamp(emb: Any, facts: FileFacts, messages: list[str]) -> TimestampInfo | None:
    """The signature time-stamp (B-T) if present: integrity here, the TSA's certificate by the hook.

    Kyso rule (issue 9, class 4): only an intact token over *this* signature value, signed with acceptable
    algorithms by a TSA that validates, is a proof of existence (``trusted``). A token copied from another
    signature (its imprint is another signature value's digest) is ignored, and a token from a TSA nobody trusts
    is reported but proves nothing: otherwise an attacker holding a revoked key would back-date his signature with
    a time-stamp of his own, or with a genuine one taken from an older signature."""
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter, message_imprint_checker

    try:
        tokens = list(extract_tst_data_iter(emb.signer_info, signed=False))
    except Exception as exc:
        messages.append(f"the signature time-stamp cannot be read: {exc.__class__.__name__}")
        return None
    if not tokens:
        return None
    return judge_signature_timestamp(
        tokens[0],
        message_imprint_checker(emb.signer_info),
        facts.options.validation.allow_weak,
        lambda tsa, certs: facts.validate(
            tsa,
            dataclasses.replace(
                facts.options.validation, purpose="timestamping", intermediates=intermediates(facts, certs)
            ),
        ),
        messages,
    )


def judge_signature_timestamp(
    token: Any,
    expected_imprint: Callable[[str], bytes],
    allow_weak: tuple[str, ...],
    validate_tsa: Callable[[bytes, list[Any]], Any],
    messages: list[str],
) -> TimestampInfo | None:
    """The rule of :func:`signature_timestamp` for one token of any format (PDF, XAdES): ``expected_imprint``
    gives the digest of this signature's stamped bytes, ``validate_tsa(der, token certificates)`` the TSA's
    certificate report."""
    from pyhanko.sign.general import extract_signer_info

    try:
        moment, tsa, problems = _check_token(
            token,
            expected_imprint,
            "its message imprint is not the digest of this signature value (a time-stamp of another signature)",
        )
        weak = cms_problem(extract_signer_info(token), tsa.public_key, allow_weak)
    except Exception as exc:
        messages.append(f"the signature time-stamp cannot be read: {exc.__class__.__name__}")
        return None
    if problems:
        messages.append(f"the signature time-stamp is damaged and was ignored: {'; '.join(problems)}")
        return None
    info = TimestampInfo(time=moment, authority=identity_of(tsa).common_name or tsa.subject.human_friendly)
    if weak is not None:
        info.trusted, info.problem = False, SubIndication.CRYPTO_CONSTRAINTS_FAILURE
        messages.append(f"the signature time-stamp is no proof of existence: {weak}")
        return info
    try:
        certs = [c.chosen for c in token["certificates"] if c.name == "certificate"]
    except Exception:
        certs = []
    tsa_report = validate_tsa(tsa.dump(), certs)
    info.trusted = tsa_report.indication is Indication.TOTAL_PASSED
    if not info.trusted:
        # the true cause (issue 16): an unknown root or an unreachable responder is not "an untrusted TSA"
        info.problem = tsa_report.sub_indication
        cause = (
            "the time-stamping authority is not trusted"
            if info.problem is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
            else f"the time-stamping authority's certificate did not validate ({info.problem})"
        )
        messages.append(f"{cause}, the time-stamp is no proof of existence: " + "; ".join(tsa_report.messages))
    return info


def verify_document_timestamp(emb: Any, facts: FileFacts) -> SignatureReport:
    """A document time-stamp (PAdES archive time-stamp): reported under ``timestamps``, never as a signature."""
    report = SignatureReport(id=str(emb.field_name), indication=Indication.TOTAL_PASSED)
    report.messages.append("document time-stamp")
    verdict = Verdict()
    # changes after a time-stamp are judged as after a signature: the time-stamp proves its own revision only
    check_coverage_and_changes(emb, facts, report, verdict)
    if not check_dictionary(emb, verdict, report.messages):
        report.indication, report.sub_indication = verdict.indication, verdict.sub_indication
        return report
    try:
        moment, tsa, problems = _check_token(emb.signed_data, emb.compute_digest)
    except Exception as exc:
        report.indication, report.sub_indication = Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE
        report.messages.append(f"the document time-stamp cannot be checked: {exc.__class__.__name__}")
        return report
    report.signer = identity_of(tsa)
    report.timestamp = TimestampInfo(time=moment, authority=report.signer.common_name)
    report.signing_time = moment
    if problems:
        sub = SubIndication.HASH_FAILURE if "changed" in problems[0] else SubIndication.SIG_CRYPTO_FAILURE
        verdict.lower(Indication.TOTAL_FAILED, sub)
        report.messages.extend(problems)
    allow = facts.options.validation.allow_weak
    lower_if_weak(
        cms_problem(emb.signer_info, tsa.public_key, allow), "the document time-stamp", verdict, report.messages
    )
    if verdict.indication is not Indication.TOTAL_FAILED:
        report.certificate = facts.validate(
            tsa.dump(),
            dataclasses.replace(
                facts.options.validation,
                purpose="timestamping",
                intermediates=intermediates(facts, emb.other_embedded_certs),
            ),
        )
        apply_certificate(report, report.certificate, verdict)
    report.indication, report.sub_indication = verdict.indication, verdict.sub_indication
    return report


_POE_SUBS = {SubIndication.REVOKED_NO_POE, SubIndication.OUT_OF_BOUNDS_NO_POE, SubIndication.TRY_LATER}


def validate_in_the_past(report: SignatureReport, cert: Any, validation: Any, facts: FileFacts) -> Any:
    """ETSI EN 319 102-1 validation in the past: a trusted signature time-stamp proves the signature existed at
    its time (POE). A certificate revoked (or expired, or without fresh revocation data) *after* that moment is
    validated as of the POE; revoked before it stays REVOKED, and without a POE it stays REVOKED_NO_POE."""
    first = report.certificate
    stamp = report.timestamp
    if first is None or first.sub_indication not in _POE_SUBS or stamp is None or not stamp.trusted:
        return None
    if first.validation_time is not None and stamp.time >= first.validation_time:
        return None
    revoked_at = first.revocation.revoked_at
    if first.sub_indication is SubIndication.REVOKED_NO_POE and (revoked_at is None or revoked_at <= stamp.time):
        return None
    past = facts.validate(cert.dump(), dataclasses.replace(validation, at=stamp.time))
    if past.indication is not Indication.TOTAL_PASSED:
        return None
    past.messages.append(
        f"validated as of the signature time-stamp {vietnam_iso(stamp.time)} (proof of existence), "
        f"because at {vietnam_iso(first.validation_time) if first.validation_time else 'now'}: "
        + "; ".join(first.messages)
    )
    return past


def baseline_level(emb: Any, facts: FileFacts, timestamped: bool) -> Level:
    """PAdES baseline level (EN 319 142-1): T by a signature time-stamp or a later document time-stamp, LT with
    a DSS, LTA when a document time-stamp follows the DSS."""
    later = [rev for rev in facts.timestamp_revisions if rev > emb.signed_revision]
    if not (timestamped or later):
        return Level.B_B
    if facts.dss_revision is None:
        return Level.B_T
    if any(rev >= facts.dss_revision for rev in later):  # the time-stamp covers the revision adding the DSS
        return Level.B_LTA
    return Level.B_LT
