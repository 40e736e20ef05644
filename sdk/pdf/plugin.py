"""Built-in plugin: PDF (PAdES) signing and verification."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kyso.core import hookimpl
from kyso.core.formats import FormatRegistry, for_format
from kyso.core.models import (
    CertificateValidator,
    Document,
    DocumentFormat,
    SignRequest,
    VerificationReport,
    VerifyOptions,
)
from kyso.pdf.reading import looks_like_pdf

if TYPE_CHECKING:
    import click

FORMAT = "pdf"


@hookimpl
def kyso_register_formats(registry: FormatRegistry) -> None:
    registry.add(DocumentFormat(name=FORMAT, media_type="application/pdf", sniff=looks_like_pdf, extensions=(".pdf",)))


@hookimpl
@for_format(FORMAT)
def kyso_sign(request: SignRequest) -> bytes:
    from kyso.pdf.signing import sign_pdf

    return sign_pdf(request)


@hookimpl
@for_format(FORMAT)
def kyso_verify(
    document: Document, options: VerifyOptions, validate_certificate: CertificateValidator
) -> VerificationReport:
    from kyso.pdf.verification import verify_pdf

    return verify_pdf(document, options, validate_certificate)


@hookimpl
def kyso_register_commands(cli: click.Group) -> None:
    from kyso.pdf.ltv_cli import extend_command

    cli.add_command(extend_command)
