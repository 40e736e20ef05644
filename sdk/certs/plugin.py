"""Built-in plugin: certificate validation (``kyso_validate_certificate``) and the ``kyso trust`` commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kyso.core import hookimpl
from kyso.core.models import CertificateReport, ValidationOptions

if TYPE_CHECKING:
    import click


@hookimpl(trylast=True)
def kyso_validate_certificate(certificate: bytes, options: ValidationOptions) -> CertificateReport | None:
    from kyso.certs.validation import validate

    return validate(certificate, options)


@hookimpl
def kyso_register_commands(cli: click.Group) -> None:
    from kyso.certs.cli import trust_group

    cli.add_command(trust_group)
