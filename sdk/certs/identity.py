"""Who a certificate names, read with asn1crypto (UTF-8 Vietnamese names decoded as such), and what a văn thư checks
it by: title, serial, SHA-256 fingerprint, validity dates, the test-material marker."""

from __future__ import annotations

import hashlib
from typing import Any

from kyso.core.models import SignerIdentity

TEST_MATERIAL_MARKERS = ("chứng thư thử nghiệm", "test material", "không có giá trị pháp lý")
"""Words by which a certificate says it is test material (Kyso's test and demo PKIs put them in an organizational
unit): compared in lower case with the subject's organizational units."""


def identity_of(cert: Any) -> SignerIdentity:
    """A :class:`SignerIdentity` from an ``asn1crypto.x509.Certificate``."""
    subject = cert.subject.native
    validity = cert["tbs_certificate"]["validity"]
    units = subject.get("organizational_unit_name") or []
    units = [units] if isinstance(units, str) else list(units)
    return SignerIdentity(
        common_name=_first(subject.get("common_name")),
        organization=_first(subject.get("organization_name")),
        subject=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly,
        serial=format(cert.serial_number, "x"),
        title=_first(subject.get("title")),
        sha256=hashlib.sha256(cert.dump()).hexdigest(),
        not_before=validity["not_before"].native,
        not_after=validity["not_after"].native,
        test_material=any(marker in str(unit).lower() for unit in units for marker in TEST_MATERIAL_MARKERS),
    )


def _first(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        return str(value[0]) if value else None
    return None if value is None else str(value)
