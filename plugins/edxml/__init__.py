"""edXML (QCVN 102:2016): build, sign, verify, pack and unpack national document-exchange packages.

::

    import kyso_edxml as edxml
    message = edxml.parse(data)                  # tolerant: message.warnings says what was off
    data = edxml.build(message)                  # strict
    data = edxml.pack(header, ["cong-van.pdf"])  # from header fields and files, ContentIds assigned
    signed = kyso.sign(data, signer=signer)       # format detected: enveloped XML-DSig, RSA-SHA256
    report, verified = edxml.open_verified(signed, trust=["root.pem"])   # the message as signed, or None

Light to import (the CLI imports the plugin at start-up): everything here loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kyso_edxml.api import open_verified, status_for
    from kyso_edxml.codec import build, parse
    from kyso_edxml.ids import DocumentId, check_organ_id, is_organ_id, parse_date
    from kyso_edxml.model import *  # noqa: F403  (model.__all__, which _MODEL repeats for the lazy map)
    from kyso_edxml.packing import pack

from kyso.core.lazy import lazy_attributes

_MODEL = (
    "NAMESPACE Attachment BusinessDocType Bussiness BussinessDocumentInfo Code DocumentType EdXMLMessage "
    "ManifestReference Message MessageHeader Organization OtherInfo PromulgationInfo Receiver ReplacementInfo "
    "ResponseFor SignerInfo StaffInfo StatusCode StatusHeader StatusMessage TraceHeader"
).split()
_LAZY = {
    **dict.fromkeys(_MODEL, "kyso_edxml.model"),
    **dict.fromkeys(("DocumentId", "check_organ_id", "is_organ_id", "parse_date"), "kyso_edxml.ids"),
    **dict.fromkeys(("parse", "build"), "kyso_edxml.codec"),
    **dict.fromkeys(("open_verified", "status_for"), "kyso_edxml.api"),
    "pack": "kyso_edxml.packing",
}


__getattr__ = lazy_attributes(__name__, _LAZY)


__all__ = [
    *_MODEL,
    "DocumentId",
    "build",
    "check_organ_id",
    "is_organ_id",
    "open_verified",
    "pack",
    "parse",
    "parse_date",
    "status_for",
]
