"""Kyso: sign, verify and validate with Vietnamese Government and public-CA digital signatures.

Public API (stable)::

    import kyso
    signer = kyso.Pkcs12Signer.from_file("person.p12", "password")
    signed = kyso.sign(pdf_bytes, signer=signer)
    report = kyso.verify(signed, trust=["root.pem"], revocation="off")
    report.to_dict()["indication"]

Plugin authors: ``from kyso import hookimpl``. Heavy libraries (pyHanko, certvalidator) load on first use, so that
``import kyso`` and ``kyso --help`` stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kyso.core import hookimpl
from kyso.core.errors import (
    BytesExpectedError,
    CertificateRevokedError,
    EncryptedDocumentError,
    InputError,
    KysoError,
    PluginError,
    PreparedExpiredError,
    PreparedStateError,
    QuotaExceededError,
    RemoteServiceError,
    RevocationError,
    ServiceError,
    SignatureMismatchError,
    SignerError,
    SigningCancelledError,
    SigningError,
    SigningExpiredError,
    SigningRejectedError,
    SigningTimeoutError,
    TimestampError,
    UnsupportedFormatError,
    UsageError,
    WrongPasswordError,
)
from kyso.core.lazy import lazy_attributes
from kyso.core.models import (
    CertificateReport,
    Indication,
    Level,
    RevocationPolicy,
    SignatureKind,
    SignatureReport,
    SubIndication,
    VerificationReport,
)

if TYPE_CHECKING:
    from kyso.api import Prepared, finish, prepare, sign, sign_batch, validate_certificate, verify
    from kyso.signers.pkcs12 import Pkcs12Signer

_LAZY = {
    "Prepared": "kyso.api",
    "finish": "kyso.api",
    "prepare": "kyso.api",
    "sign": "kyso.api",
    "sign_batch": "kyso.api",
    "verify": "kyso.api",
    "validate_certificate": "kyso.api",
    "Pkcs12Signer": "kyso.signers.pkcs12",
}


_lazy = lazy_attributes(__name__, _LAZY)


def __getattr__(name: str) -> object:
    """``__version__`` is the installed distribution's (written once, in pyproject.toml), read on first use:
    reading distribution metadata is half the cost of ``import kyso``; the rest as in :data:`_LAZY`."""
    if name == "__version__":
        from importlib.metadata import version

        globals()["__version__"] = value = version("kyso")
        return value
    return _lazy(name)


__all__ = [
    "BytesExpectedError",
    "CertificateReport",
    "CertificateRevokedError",
    "EncryptedDocumentError",
    "Indication",
    "InputError",
    "KysoError",
    "Level",
    "Pkcs12Signer",
    "PluginError",
    "Prepared",
    "PreparedExpiredError",
    "PreparedStateError",
    "QuotaExceededError",
    "RemoteServiceError",
    "RevocationError",
    "RevocationPolicy",
    "ServiceError",
    "SignatureKind",
    "SignatureMismatchError",
    "SignatureReport",
    "SignerError",
    "SigningCancelledError",
    "SigningError",
    "SigningExpiredError",
    "SigningRejectedError",
    "SigningTimeoutError",
    "SubIndication",
    "TimestampError",
    "UnsupportedFormatError",
    "UsageError",
    "VerificationReport",
    "WrongPasswordError",
    "__version__",
    "finish",
    "hookimpl",
    "prepare",
    "sign",
    "sign_batch",
    "validate_certificate",
    "verify",
]
