"""The keys of XML-DSig verification: the signing certificate's, a bare ``KeyValue``, a key the caller pinned, and
the check of ``SignatureValue`` with one of them.

A ``KeyValue`` (RSA or EC) lets the signature value be checked, but binds the key to nobody: the verdict stays
INDETERMINATE unless the caller pinned that very key (``trust_key``, compared as DER SubjectPublicKeyInfo). A
pinned key is also tried when the signature carries no key at all (SAML metadata style).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from typing import Any

from kyso.core.errors import InputError
from kyso.xmldsig.xmlsafe import child_elements, local_name

_CURVES = {
    "urn:oid:1.2.840.10045.3.1.7": "secp256r1",
    "urn:oid:1.3.132.0.34": "secp384r1",
    "urn:oid:1.3.132.0.35": "secp521r1",
}


def spki(key: Any) -> bytes:
    """DER SubjectPublicKeyInfo of a public key: what pinning compares."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)  # type: ignore[no-any-return]


def load_public_key(data: bytes) -> Any:
    """A public key from PEM or DER: a SubjectPublicKeyInfo, a PKCS#1 RSA key, or a certificate (its key).

    :raises InputError: none of these.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    loaders = (
        serialization.load_pem_public_key,
        serialization.load_der_public_key,
        lambda d: x509.load_pem_x509_certificate(d).public_key(),
        lambda d: x509.load_der_x509_certificate(d).public_key(),
    )
    for loader in loaders:
        try:
            return loader(data)
        except Exception:
            continue
    raise InputError("the trusted key is not a PEM or DER public key or certificate", parameter="trust_key")


def pinned_keys(sources: Iterable[bytes]) -> dict[bytes, Any]:
    """The caller's pinned keys by their SubjectPublicKeyInfo."""
    keys = [load_public_key(bytes(source)) for source in sources]
    return {spki(key): key for key in keys}


def certificate_key(der: bytes) -> Any:
    from cryptography import x509

    try:
        return x509.load_der_x509_certificate(der).public_key()
    except Exception:
        return None


def key_value(key_info: Any) -> Any:
    """The RSA or EC key of ``KeyInfo/KeyValue`` (``RSAKeyValue``; XML-DSig 1.1 ``ECKeyValue`` with a named
    curve), or None."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if key_info is None:
        return None
    for value in (c for c in child_elements(key_info) if local_name(c) == "KeyValue"):
        for key in child_elements(value):
            parts = {local_name(c): c for c in child_elements(key)}
            try:
                if local_name(key) == "RSAKeyValue":
                    modulus, exponent = (_integer(parts[n].text) for n in ("Modulus", "Exponent"))
                    return rsa.RSAPublicNumbers(exponent, modulus).public_key()
                if local_name(key) == "ECKeyValue":
                    curve = _CURVES[parts["NamedCurve"].get("URI", "")]
                    point = _b64(parts["PublicKey"].text)
                    return ec.EllipticCurvePublicKey.from_encoded_point(getattr(ec, curve.upper())(), point)
            except (KeyError, ValueError, binascii.Error):
                return None
    return None


def matching_pinned(pinned: dict[bytes, Any], canonical: bytes, value: str, key_type: str, digest: str) -> Any:
    """The pinned key the signature value verifies with, for a signature that carries no key; or None."""
    for key in pinned.values():
        if check_signature_value(canonical, value, key, key_type, digest) is None:
            return key
    return None


def check_signature_value(canonical: bytes, text: str, key: Any, key_type: str, digest: str) -> str | None:
    """``None`` when the signature value verifies with ``key``, else the reason."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    try:
        value = _b64(text)
    except (binascii.Error, ValueError):
        return "SignatureValue is not base64"
    algorithm: hashes.HashAlgorithm = {
        "sha1": hashes.SHA1,
        "sha224": hashes.SHA224,
        "sha256": hashes.SHA256,
        "sha384": hashes.SHA384,
        "sha512": hashes.SHA512,
    }[digest]()  # type: ignore[abstract]  # the table holds concrete classes
    try:
        if key_type == "rsa" and isinstance(key, rsa.RSAPublicKey):
            key.verify(value, canonical, padding.PKCS1v15(), algorithm)
        elif key_type == "ec" and isinstance(key, ec.EllipticCurvePublicKey):
            half = len(value) // 2
            if not value or len(value) % 2:
                return "the ECDSA signature value has an odd length"
            der = encode_dss_signature(int.from_bytes(value[:half], "big"), int.from_bytes(value[half:], "big"))
            key.verify(der, canonical, ec.ECDSA(algorithm))
        else:
            return "the signature method does not match the signing key's type"
    except InvalidSignature:
        return (
            "the signature value does not verify with the signing key (SignedInfo was changed or signed by another key)"
        )
    return None


def _b64(text: str | None) -> bytes:
    return base64.b64decode(re.sub(r"\s+", "", text or ""), validate=True)


def _integer(text: str | None) -> int:
    return int.from_bytes(_b64(text), "big")


__all__ = [
    "certificate_key",
    "check_signature_value",
    "key_value",
    "load_public_key",
    "matching_pinned",
    "pinned_keys",
    "spki",
]
