"""Kyso's one algorithm policy: which digests and key sizes are too weak for a signature, for every format.

Kyso rule (issue 9, class 4): a SHA-1 (or MD5) digest or an RSA/DSA key below 2048 bits in a signature makes it
INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE (ETSI TS 119 312), even when the signer is trusted and the value verifies:
SHA-1 collisions are practical, so a SHA-1 signature may have been made over other bytes than the ones shown. PDF
(CMS signer info, signature time-stamps, the certificate chain through pyhanko-certvalidator) and edXML (XML-DSig
SignatureMethod and every DigestMethod) all ask this module, so changing what is weak is one line here.

Only the caller may accept weak material, explicitly and by name (``allow_weak=("sha1",)``, CLI
``--allow-weak sha1``): for old archives and interoperability vectors. MD5, MD2 and RSA/DSA keys below 1024 bits
are never accepted.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from kyso.core.errors import UsageError

WEAK_DIGESTS: frozenset[str] = frozenset({"md2", "md5", "sha1"})
"""Digest algorithms (asn1crypto / hashlib names) too weak for a signature."""
MIN_KEY_BITS = 2048
"""Smallest RSA or DSA key a signature may use."""

ALLOWABLE: dict[str, str] = {
    "sha1": "SHA-1 digests",
    "rsa1024": "RSA and DSA keys of 1024 to 2047 bits",
}
"""What a caller may accept with ``allow_weak``: name -> what it accepts."""
_ALLOWED_DIGESTS = {"sha1": "sha1"}
_LEAST_ALLOWABLE_BITS = 1024


def allowed(names: Iterable[str]) -> tuple[str, ...]:
    """The ``allow_weak`` names, checked and in a stable order; an unknown name is a :class:`UsageError` (a typo
    must not silently keep a weak algorithm refused, nor accept another one)."""
    given = set(names)
    unknown = sorted(given - ALLOWABLE.keys())
    if unknown:
        raise UsageError(f"unknown weak algorithm {unknown[0]!r} to allow (allowed: {', '.join(ALLOWABLE)})")
    return tuple(name for name in ALLOWABLE if name in given)


def digest_problem(digest: str, allow: Iterable[str] = ()) -> str | None:
    """Why the digest algorithm ``digest`` (``"sha1"``, ``"sha256"`` ...) is not acceptable, or ``None``."""
    name = digest.lower().replace("-", "")
    if name not in WEAK_DIGESTS:
        return None
    if name in {_ALLOWED_DIGESTS[a] for a in allow if a in _ALLOWED_DIGESTS}:
        return None
    hint = f" (accepted only with allow_weak {name})" if name in _ALLOWED_DIGESTS.values() else ""
    shown = "SHA-1" if name == "sha1" else name.upper()
    return f"{shown} is a weak digest algorithm{hint}"


def key_problem(kind: str, bits: int | None, allow: Iterable[str] = ()) -> str | None:
    """Why a ``kind`` (``"rsa"``, ``"dsa"``, ``"ec"`` ...) key of ``bits`` bits is not acceptable, or ``None``."""
    if kind not in ("rsa", "dsa") or bits is None or bits >= MIN_KEY_BITS:
        return None
    if "rsa1024" in allow and bits >= _LEAST_ALLOWABLE_BITS:
        return None
    hint = " (accepted only with allow_weak rsa1024)" if bits >= _LEAST_ALLOWABLE_BITS else ""
    return f"a {bits}-bit {kind.upper()} key is too small, at least {MIN_KEY_BITS} bits are required{hint}"


def public_key_problem(key: Any, allow: Iterable[str] = ()) -> str | None:
    """:func:`key_problem` for a ``cryptography`` public key."""
    from cryptography.hazmat.primitives.asymmetric import dsa, rsa

    if isinstance(key, rsa.RSAPublicKey):
        return key_problem("rsa", key.key_size, allow)
    if isinstance(key, dsa.DSAPublicKey):
        return key_problem("dsa", key.key_size, allow)
    return None


def cms_problem(signer_info: Any, public_key: Any, allow: Iterable[str] = ()) -> str | None:
    """Why the algorithms of a CMS signer info (its signature mechanism with ``public_key``, an asn1crypto
    ``PublicKeyInfo``; its digest; the two together) are not acceptable, or ``None``: this policy through pyHanko's
    CMS checks, for PDF signatures and time-stamp tokens."""
    from asn1crypto import algos
    from pyhanko.sign.validation.utils import CMSAlgorithmUsagePolicy

    policy = CMSAlgorithmUsagePolicy.lift_policy(usage_policy(allow))
    try:
        mechanism = signer_info["signature_algorithm"]
        digest = signer_info["digest_algorithm"]
        checks = (
            policy.signature_algorithm_allowed(mechanism, moment=None, public_key=public_key),
            policy.digest_algorithm_allowed(digest, moment=None),
            policy.digest_combination_allowed(
                signature_algo=mechanism,
                message_digest_algo=algos.DigestAlgorithm({"algorithm": digest["algorithm"].native}),
                moment=None,
            ),
        )
        names = f"{mechanism['algorithm'].native} / {digest['algorithm'].native}"
    except Exception as exc:
        return f"its algorithms cannot be assessed ({exc.__class__.__name__})"
    for verdict in checks:
        if not verdict:
            reason = verdict.failure_reason or ""
            return reason if reason and "AlgorithmUsageConstraint" not in reason else f"{names} is disallowed"
    return None


def usage_policy(allow: Iterable[str] = ()) -> Any:
    """The policy as a pyhanko-certvalidator ``AlgorithmUsagePolicy`` (certificate chains, OCSP, CRLs) that also
    serves pyHanko's CMS checks (lift it with ``CMSAlgorithmUsagePolicy.lift_policy``)."""
    return _usage_policy(allowed(allow))


@functools.cache
def _usage_policy(allow: tuple[str, ...]) -> Any:
    from pyhanko_certvalidator.policy_decl import AlgorithmUsageConstraint, AlgorithmUsagePolicy

    class KysoAlgorithmPolicy(AlgorithmUsagePolicy):
        """:func:`digest_problem` and :func:`key_problem` in pyhanko-certvalidator's terms."""

        def digest_algorithm_allowed(self, algo: Any, moment: Any) -> Any:
            problem = digest_problem(algo["algorithm"].native, allow)
            return AlgorithmUsageConstraint(allowed=problem is None, failure_reason=problem)

        def signature_algorithm_allowed(self, algo: Any, moment: Any, public_key: Any) -> Any:
            try:
                mechanism = algo.signature_algo
            except ValueError:
                mechanism = algo["algorithm"].native
            kind = "rsa" if mechanism.startswith("rsa") else "dsa" if mechanism == "dsa" else mechanism
            sized = public_key is not None and kind in ("rsa", "dsa")  # asn1crypto cannot size EdDSA keys
            problem = key_problem(kind, public_key.bit_size, allow) if sized else None
            if problem is None:
                try:
                    problem = digest_problem(algo.hash_algo, allow)
                except ValueError:  # RSASSA-PSS and EdDSA name their digest elsewhere (or have none)
                    problem = None
            return AlgorithmUsageConstraint(allowed=problem is None, failure_reason=problem)

    return KysoAlgorithmPolicy()
