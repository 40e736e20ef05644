"""Built-in plugin: generic XML (and e-invoices) for ``kyso sign`` / ``kyso verify`` / ``kyso.sign`` /
``kyso.verify``.

The format is registered last (``trylast``): any XML format another plugin knows (edXML) is sniffed before it, and
generic XML takes what is left that starts like XML. Its options are declared as data
(:class:`~kyso.core.models.FormatOption`): the CLI builds ``--xml-form`` ... from them, the API takes them as
keywords. Imported when the CLI starts: no XML or crypto library here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kyso.core import hookimpl
from kyso.core.formats import for_format
from kyso.core.models import DocumentFormat, FormatOption

if TYPE_CHECKING:
    from kyso.core.formats import FormatRegistry
    from kyso.core.models import CertificateValidator, Document, SignRequest, VerificationReport, VerifyOptions

FORMAT = "xml"
MEDIA_TYPE = "application/xml"
DETACHED_CONTENT = FormatOption(
    "detached_content",
    "XML: the content a detached signature signs (its bytes).",
    file=True,
    metavar="FILE",
)
SIGN_OPTIONS = (
    FormatOption("xml_form", "XML: dsig (default) or xades; --level B-T/B-LT imply xades.", choices=("dsig", "xades")),
    FormatOption("xml_id", "XML: sign the element with this Id instead of the whole document.", metavar="ID"),
    FormatOption(
        "xml_placement",
        "XML: enveloped (default), enveloping, or detached (a signature file over IN; verify with --detached-content).",
        choices=("enveloped", "enveloping", "detached"),
    ),
    FormatOption(
        "xml_into",
        "XML: where the enveloped signature goes, /a/b[2]/c[@Id='x'] (child steps only; default: last child of the "
        "root).",
        metavar="XPATH",
    ),
    FormatOption(
        "profile",
        "XML: einvoice signs as the seller of an e-invoice (Nghị định 123/2020): DLHDon, signature in DSCKS/NBan.",
        choices=("einvoice",),
    ),
)
VERIFY_OPTIONS = (
    FormatOption(
        "trust_key",
        "XML: a public key (PEM) pinned as trusted, for signatures with a bare key or none.",
        file=True,
        multiple=True,
        metavar="PEM",
    ),
    DETACHED_CONTENT,
)
_SNIFF_WINDOW = 1024


def looks_like_xml(data: bytes) -> bool:
    """Starts like an XML document: an optional UTF-8 BOM and whitespace, then ``<`` and a name, ``?xml`` or
    ``!--`` (the hardened reader decides the rest)."""
    head = bytes(data[:_SNIFF_WINDOW]).lstrip(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    return head[:1] == b"<" and (head[1:2].isalpha() or head[1:2] in (b"_", b"?", b"!"))


@hookimpl(trylast=True)
def kyso_register_formats(registry: FormatRegistry) -> None:
    registry.add(
        DocumentFormat(
            name=FORMAT,
            media_type=MEDIA_TYPE,
            sniff=looks_like_xml,
            extensions=(".xml",),
            sign_options=SIGN_OPTIONS,
            verify_options=VERIFY_OPTIONS,
        )
    )


@hookimpl
@for_format(FORMAT)
def kyso_sign(request: SignRequest) -> bytes:
    from kyso.xml.signing import sign_xml

    return sign_xml(request)


@hookimpl
@for_format(FORMAT)
def kyso_verify(
    document: Document, options: VerifyOptions, validate_certificate: CertificateValidator
) -> VerificationReport:
    from kyso.xml.verification import verify_xml

    return verify_xml(document.data, document.name, options, validate_certificate)
