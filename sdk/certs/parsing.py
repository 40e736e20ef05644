"""One parse per certificate: DER bytes to a fully parsed ``asn1crypto`` certificate, cached.

The same trust anchors, CA certificates and signer certificates come back for every document of a batch; parsing
them again (and having pyhanko-certvalidator recompute their name hashes) was most of the SDK's overhead over raw
pyHanko validation. Parsed certificates are treated as read-only everywhere.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.lru_cache(maxsize=1024)
def parse_certificate(der: bytes) -> Any:
    """The ``asn1crypto.x509.Certificate`` of ``der``, parsed completely; raises ``ValueError`` for garbage."""
    from asn1crypto import x509

    try:
        cert = x509.Certificate.load(der)
        cert.native  # noqa: B018 - parse every field now so that garbage fails here, not deep in validation
    except Exception as exc:
        raise ValueError(f"not a valid X.509 certificate ({exc.__class__.__name__})") from None
    return cert
