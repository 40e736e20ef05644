"""A signature value checked against a certificate before anything is built on it.

A remote service, or whoever signs a ``kyso prepare`` digest, hands back bytes Kyso did not make: a wrong key, the
signature of another document, a broken or hostile service. Every such value is verified here, over the very digest
that was asked for, before a document is written (Kyso rule: nothing written from a signature that does not
verify).
"""

from __future__ import annotations

import functools
from typing import Any

from kyso.core.errors import SignatureMismatchError, SignerError

_SIGNATURE_ALGORITHMS = {"rsa": "rsa-pkcs1v15", "ec": "ecdsa"}


def signature_algorithm(certificate: bytes) -> str:
    """``"rsa-pkcs1v15"`` or ``"ecdsa"``: what the certificate's key signs with in Kyso."""
    return _SIGNATURE_ALGORITHMS[key_algorithm(certificate)]


def key_algorithm(certificate: bytes) -> str:
    """``"rsa"`` or ``"ec"`` for the certificate's public key; :class:`SignerError` for anything else."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    try:
        key = x509.load_der_x509_certificate(certificate).public_key()
    except ValueError:
        raise SignerError("the signing certificate cannot be read") from None
    if isinstance(key, rsa.RSAPublicKey):
        return "rsa"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "ec"
    raise SignerError(f"unsupported key type {type(key).__name__} (RSA or EC keys only)")


def check_signature(certificate: bytes, digest: bytes, signature: bytes, digest_algorithm: str, *, what: str) -> None:
    """Raise :class:`SignatureMismatchError` unless ``signature`` (PKCS#1 v1.5 or DER ECDSA) verifies with the
    certificate's key over ``digest`` (already hashed with ``digest_algorithm``).

    :param what: who gave the value, for the message (``"VNPT SmartCA"``, ``"the signature file"``).
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

    algorithms: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
        "sha256": hashes.SHA256,
        "sha384": hashes.SHA384,
        "sha512": hashes.SHA512,
    }
    if digest_algorithm not in algorithms:
        raise SignerError(f"digest algorithm {digest_algorithm!r} is not allowed for signing")
    prehashed = Prehashed(algorithms[digest_algorithm]())
    key = _public_key(certificate)
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, digest, padding.PKCS1v15(), prehashed)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, digest, ec.ECDSA(prehashed))
        else:
            raise SignerError(f"unsupported key type {type(key).__name__} (RSA or EC keys only)")
    except (InvalidSignature, ValueError):
        raise SignatureMismatchError(
            f"{what}: the signature value does not verify with the certificate's key over the digest asked for",
            vi=f"{what}: chữ ký không kiểm tra được bằng khoá công khai của chứng thư số trên giá trị băm đã gửi",
        ) from None


@functools.lru_cache(maxsize=32)
def _public_key(certificate: bytes) -> Any:
    """The certificate's public key, parsed once: OpenSSL's key set-up costs more than the verification itself, and
    a batch checks twenty values with one certificate."""
    from cryptography import x509

    return x509.load_der_x509_certificate(certificate).public_key()


__all__ = ["check_signature", "key_algorithm", "signature_algorithm"]
