"""Built-in plugin: certificate validation (``kyso_validate_certificate``)."""

from __future__ import annotations

from sdk.core import hookimpl
from sdk.core.models import CertificateReport, ValidationOptions


@hookimpl(trylast=True)
def kyso_validate_certificate(certificate: bytes, options: ValidationOptions) -> CertificateReport | None:
    from sdk.certs.validation import validate

    return validate(certificate, options)
