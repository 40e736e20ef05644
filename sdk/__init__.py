"""Kyso: sign, verify and validate with Vietnamese Government and public-CA digital signatures.

Public API (stable)::

    import sdk
    signer = sdk.Pkcs12Signer.from_file("person.p12", "password")
    signed = sdk.sign(pdf_bytes, signer=signer)
    report = sdk.verify(signed, trust=["root.pem"], revocation="off")
    report.to_dict()["indication"]

Plugin authors: ``from sdk import hookimpl``. Heavy libraries (pyHanko, certvalidator) load on first use, so that
``import sdk`` and ``kyso --help`` stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sdk.core import hookimpl
from sdk.core.errors import (
    EncryptedDocumentError,
    InputError,
    KysoError,
    PluginError,
    RevocationError,
    ServiceError,
    SignerError,
    SigningError,
    TimestampError,
    UnsupportedFormatError,
    UsageError,
    WrongPasswordError,
)
from sdk.core.lazy import lazy_attributes
from sdk.core.models import (
    CertificateReport,
    Indication,
    Level,
    RevocationPolicy,
    SignatureKind,
    SignatureReport,
    SubIndication,
    VerificationReport,
)

__version__ = "0.1.0"

if TYPE_CHECKING:
    from sdk.api import sign, validate_certificate, verify
    from sdk.signers.pkcs12 import Pkcs12Signer

_LAZY = {
    "sign": "sdk.api",
    "verify": "sdk.api",
    "validate_certificate": "sdk.api",
    "Pkcs12Signer": "sdk.signers.pkcs12",
}


__getattr__ = lazy_attributes(__name__, _LAZY)


__all__ = [
    "CertificateReport",
    "EncryptedDocumentError",
    "Indication",
    "InputError",
    "KysoError",
    "Level",
    "Pkcs12Signer",
    "PluginError",
    "RevocationError",
    "RevocationPolicy",
    "ServiceError",
    "SignatureKind",
    "SignatureReport",
    "SignerError",
    "SigningError",
    "SubIndication",
    "TimestampError",
    "UnsupportedFormatError",
    "UsageError",
    "VerificationReport",
    "WrongPasswordError",
    "__version__",
    "hookimpl",
    "sign",
    "validate_certificate",
    "verify",
]
