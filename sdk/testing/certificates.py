"""Hand-made X.509 certificates for tests that need one the test PKI does not issue (hostile names, weak keys,
another PKI): the builder steps every such test repeats, in one place. Imports ``cryptography`` when called."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

KEY_USAGES = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
    "encipher_only",
    "decipher_only",
)
"""The flags of the key usage extension (RFC 5280, 4.2.1.3), in the ``cryptography`` spelling."""


def key_usage(*allowed: str) -> Any:
    """A key usage extension value (an ``x509.KeyUsage``) that allows exactly the ``allowed`` uses."""
    from cryptography import x509

    unknown = set(allowed) - set(KEY_USAGES)
    if unknown:
        raise ValueError(f"not key usages: {sorted(unknown)}")
    return x509.KeyUsage(**{flag: flag in allowed for flag in KEY_USAGES})


def certificate(
    subject: Any,
    *,
    public_key: Any,
    signing_key: Any,
    issuer: Any = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    ca: bool | None = None,
    path_length: int | None = None,
    extensions: Iterable[tuple[Any, bool]] = (),
) -> Any:
    """An ``x509.Certificate`` of ``public_key`` for ``subject``, issued by ``issuer`` (each an ``x509.Name``, or a
    common name; self-issued when ``issuer`` is None) and signed with ``signing_key`` (SHA-256). Valid from a day
    ago for 30 days unless ``not_before`` / ``not_after`` say otherwise. ``ca`` adds a critical basic constraints
    extension (none when None); ``extensions`` are (value, critical) pairs added after it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    def name(value: Any) -> Any:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, value)]) if isinstance(value, str) else value

    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name(subject))
        .issuer_name(name(subject if issuer is None else issuer))
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(days=1))
        .not_valid_after(not_after or now + timedelta(days=30))
    )
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
    for value, critical in extensions:
        builder = builder.add_extension(value, critical=critical)
    return builder.sign(signing_key, hashes.SHA256())
