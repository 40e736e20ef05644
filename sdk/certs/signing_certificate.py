"""Kyso rule (issue 16, item 8): a signer whose certificate cannot sign is refused before anything is signed.

Checked offline, from the certificate alone (microseconds, no network): it is expired, not yet valid, or its key
usage allows neither ``digitalSignature`` nor ``nonRepudiation``. Revocation needs the network: it is checked where
the validation data is fetched anyway (levels B-LT and B-LTA) or when asked (``check_revocation=True``,
``kyso sign --check-revocation``). ``kyso.sign(..., force=True)`` (``--force``) signs anyway.

One rule for every path that signs: :func:`kyso.sign` and the sync engine (:func:`kyso.adapters.sync.check_signer`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from kyso.core.errors import SignerCertificateError

SIGNING_KEY_USAGES = ("digital_signature", "content_commitment")
"""Key usages of which one allows signing a document (``content_commitment`` is nonRepudiation)."""


def check_signing_certificate(certificate: bytes, *, at: datetime | None = None) -> None:
    """Refuse a certificate that cannot sign at ``at`` (default: now), offline.

    :raises SignerCertificateError: naming the reason (``reason``: ``expired``, ``not_yet_valid``, ``key_usage``).
    """
    from cryptography import x509

    cert = x509.load_der_x509_certificate(certificate)
    now = at or datetime.now(UTC)
    after, before = cert.not_valid_after_utc, cert.not_valid_before_utc
    if now > after:
        raise SignerCertificateError(
            f"the signer's certificate expired on {after:%Y-%m-%d %H:%M:%S} UTC",
            vi=f"chứng thư số của người ký đã hết hạn từ {after:%d/%m/%Y %H:%M:%S} (UTC)",
            reason="expired",
        )
    if now < before:
        raise SignerCertificateError(
            f"the signer's certificate is not valid before {before:%Y-%m-%d %H:%M:%S} UTC",
            vi=f"chứng thư số của người ký chưa có hiệu lực, bắt đầu từ {before:%d/%m/%Y %H:%M:%S} (UTC)",
            reason="not_yet_valid",
        )
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return  # no key usage extension: any use (RFC 5280, 4.2.1.3)
    if not any(getattr(usage, name) for name in SIGNING_KEY_USAGES):
        raise SignerCertificateError(
            "the signer's certificate does not allow signing (key usage has neither digitalSignature nor "
            "nonRepudiation)",
            vi="chứng thư số của người ký không cho phép ký (mục đích sử dụng khoá không có digitalSignature hay "
            "nonRepudiation)",
            reason="key_usage",
        )


def check_not_revoked(certificate: bytes, chain: Iterable[bytes], *, timeout: float = 30.0) -> None:
    """Refuse a certificate its CA says is revoked (OCSP / CRL over the network, through the validation hook).

    An unreachable responder does not refuse (``soft``): signing offline stays possible; the B-LT signing that
    follows fails by itself when it needs that data.

    :raises SignerCertificateError: ``reason="revoked"``.
    """
    import kyso

    chain = list(chain)
    report = kyso.validate_certificate(
        certificate, trust=chain[-1:] or [certificate], intermediates=chain, revocation="soft", timeout=timeout
    )
    sub: Any = report.sub_indication
    if sub is not None and str(getattr(sub, "value", sub)).startswith("REVOKED"):  # REVOKED, REVOKED_NO_POE
        raise SignerCertificateError(
            "the signer's certificate is revoked",
            vi="chứng thư số của người ký đã bị thu hồi",
            reason="revoked",
        )


__all__ = ["SIGNING_KEY_USAGES", "check_not_revoked", "check_signing_certificate"]
