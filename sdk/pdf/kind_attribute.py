"""The signature kind as a signed CMS attribute: written when signing, read back by verification.

Apart from the drawing code (:mod:`kyso.pdf.appearance`) on purpose: verification reads the kind and must not load
fonts, images or pyHanko's stamps. The kind is covered by the signature, so ``kyso verify`` reports it.
"""

from __future__ import annotations

import re
from typing import Any

from kyso.core.models import SignatureKind

KIND_OID = "2.25.239402209588434121330778099343328295540"
"""Signed CMS attribute holding the Kyso signature kind as a UTF8String (``approval`` ...). The OID is a UUID-based
one (ITU-T X.667, arc 2.25), which needs no registration."""

_NAME = re.compile(r"[a-z][a-z0-9_-]{0,63}")
"""What a kind's name looks like: anything else read from a file is not reported as a kind."""


def kind_attribute(kind: str, *details: str) -> Any:
    """The signed CMS attribute recording ``kind`` (first value) and ``details`` (``key=value`` strings, e.g. what
    an issuance wrote into the document: :func:`issuance_details`)."""
    from asn1crypto import cms, core

    values = (core.UTF8String(str(kind)), *(core.UTF8String(d) for d in details))
    return cms.CMSAttribute({"type": cms.CMSAttributeType(KIND_OID), "values": values})


def issuance_details(doc_number: str | None, issued_date: str | None) -> tuple[str, ...]:
    """The ``key=value`` details of an issuance that wrote its number and / or date into the document."""
    return tuple(f"{key}={value}" for key, value in (("doc_number", doc_number), ("issued_date", issued_date)) if value)


def read_details(signer_info: Any) -> dict[str, str]:
    """The ``key=value`` details recorded after the kind (keys ``doc_number``, ``issued_date``); bounded, and only
    printable text of at most 200 characters is kept."""
    from asn1crypto import core

    found: dict[str, str] = {}
    try:
        for attr in signer_info["signed_attrs"]:
            if attr["type"].dotted != KIND_OID:
                continue
            for value in list(attr["values"])[1:8]:
                text = value.parse(core.UTF8String).native if isinstance(value, core.Any) else value.native
                key, _, item = str(text).partition("=")
                if key in ("doc_number", "issued_date") and 0 < len(item) <= 200 and item.isprintable():
                    found.setdefault(key, item)
    except (ValueError, KeyError, TypeError):
        return {}
    return found


def read_kind(signer_info: Any) -> str | None:
    """The kind recorded by Kyso in a signer info's signed attributes (a :class:`SignatureKind` for the built-in
    ones, the name of a plugin's kind otherwise), or ``None``."""
    from asn1crypto import core

    try:
        for attr in signer_info["signed_attrs"]:
            if attr["type"].dotted == KIND_OID:
                value = attr["values"][0]
                text = value.parse(core.UTF8String).native if isinstance(value, core.Any) else value.native
                if not isinstance(text, str) or not _NAME.fullmatch(text):
                    return None
                return SignatureKind(text) if text in SignatureKind.__members__.values() else text
    except (ValueError, KeyError, TypeError):
        return None
    return None


__all__ = ["KIND_OID", "issuance_details", "kind_attribute", "read_details", "read_kind"]
