"""Built-in plugin (entry point ``edxml`` in group ``kyso``): edXML packages of the national document-exchange
axis (QCVN 102:2016) for ``kyso sign`` / ``kyso verify`` / ``kyso.sign`` / ``kyso.verify``, and the
``kyso edxml pack|unpack|status`` commands.

Registered exactly like a third-party plugin. This module is imported when the CLI starts, so it imports no XML
or crypto library: lxml and cryptography load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kyso.core import hookimpl
from kyso.core.formats import for_format
from kyso.core.models import DocumentFormat

if TYPE_CHECKING:
    import click

    from kyso.core.formats import FormatRegistry
    from kyso.core.models import CertificateValidator, Document, SignRequest, VerificationReport, VerifyOptions

FORMAT = "edxml"
MEDIA_TYPE = "application/edxml+xml"
_SNIFF_WINDOW = 64 * 1024
_NAMESPACE = b"http://www.mic.gov.vn/TBT/QCVN_102_2016"


def looks_like_edxml(data: bytes) -> bool:
    """An XML document whose root is ``edXML`` in the QCVN 102 namespace (cheap: the first 64 KiB only)."""
    head = bytes(data[:_SNIFF_WINDOW])
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped.startswith(b"<"):
        return False
    return _NAMESPACE in head and (b"<edXML" in head or b":edXML " in head or b":edXML>" in head)


@hookimpl
def kyso_register_formats(registry: FormatRegistry) -> None:
    registry.add(
        DocumentFormat(name=FORMAT, media_type=MEDIA_TYPE, sniff=looks_like_edxml, extensions=(".edxml", ".xml"))
    )


@hookimpl
@for_format(FORMAT)
def kyso_sign(request: SignRequest) -> bytes:
    from kyso_edxml.dsig import check_signature_id, check_signing_request, sign_message

    check_signing_request(str(request.level.value), request.tsa, request.page, request.box)
    check_signature_id(request.field)
    return sign_message(request.document.data, request.signer, signature_id=request.field)


@hookimpl
@for_format(FORMAT)
def kyso_verify(
    document: Document, options: VerifyOptions, validate_certificate: CertificateValidator
) -> VerificationReport:
    from kyso_edxml.dsig import verify_message

    return verify_message(document, options, validate_certificate)


@hookimpl
def kyso_register_commands(cli: click.Group) -> None:
    from kyso_edxml.cli import edxml_group

    cli.add_command(edxml_group)
