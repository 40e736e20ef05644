"""Who a certificate names, read with asn1crypto (UTF-8 Vietnamese names decoded as such)."""

from __future__ import annotations

from typing import Any

from kyso.core.models import SignerIdentity


def identity_of(cert: Any) -> SignerIdentity:
    """A :class:`SignerIdentity` from an ``asn1crypto.x509.Certificate``."""
    subject = cert.subject.native
    return SignerIdentity(
        common_name=_first(subject.get("common_name")),
        organization=_first(subject.get("organization_name")),
        subject=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly,
        serial=format(cert.serial_number, "x"),
    )


def _first(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        return str(value[0]) if value else None
    return None if value is None else str(value)
