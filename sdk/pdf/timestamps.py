"""RFC 3161 time-stamp tokens: integrity of the token and of what it time-stamps.

pyHanko's own time-stamp validation also builds a certificate path; Kyso checks only the token here and sends the
TSA's certificate through the ``kyso_validate_certificate`` hook like every other certificate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class TokenCheck:
    """What a time-stamp token proves, before its TSA certificate is validated."""

    time: datetime
    tsa_certificate: Any
    """``asn1crypto.x509.Certificate`` of the time-stamping unit."""
    embedded_certificates: tuple[bytes, ...]
    intact: bool
    """The message imprint matches the data said to be time-stamped."""
    valid: bool
    """The token's signature verifies with the TSA's key."""


def check_token(signed_data: Any, stamped: bytes | None = None, *, digest: bytes | None = None) -> TokenCheck:
    """Check a time-stamp token (``SignedData`` holding a ``TSTInfo``) against ``stamped`` bytes or a ``digest``
    already computed with the token's imprint algorithm. Raises ``ValueError`` for a structurally broken token."""
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    content = signed_data["encap_content_info"]
    if content["content_type"].native != "tst_info":
        raise ValueError("not a time-stamp token")
    tst_info = content["content"].parsed
    imprint = tst_info["message_imprint"]
    algorithm = imprint["hash_algorithm"]["algorithm"].native
    if digest is None:
        digest = hashlib.new(algorithm, stamped or b"").digest()
    signer_info = signed_data["signer_infos"][0]
    certificates = [c.chosen for c in signed_data["certificates"] if c.name == "certificate"]
    tsa = _signer_certificate(signer_info, certificates)
    token_digest = hashlib.new(signer_info["digest_algorithm"]["algorithm"].native, content["content"].contents)
    token_intact, signature_valid = validate_sig_integrity(
        signer_info, tsa, expected_content_type="tst_info", actual_digest=token_digest.digest()
    )
    return TokenCheck(
        time=tst_info["gen_time"].native,
        tsa_certificate=tsa,
        embedded_certificates=tuple(c.dump() for c in certificates if c is not tsa),
        intact=imprint["hashed_message"].native == digest,
        valid=token_intact and signature_valid,
    )


def signature_timestamp_token(signer_info: Any) -> Any | None:
    """The ``SignedData`` of the signature time-stamp (B-T) in a CMS signer's unsigned attributes, if any."""
    attributes = signer_info["unsigned_attrs"]
    if attributes.native is None:
        return None
    for attribute in attributes:
        if attribute["type"].native == "signature_time_stamp_token":
            return attribute["values"][0]["content"]
    return None


def _signer_certificate(signer_info: Any, certificates: list[Any]) -> Any:
    sid = signer_info["sid"]
    for cert in certificates:
        if sid.name == "issuer_and_serial_number":
            if cert.issuer == sid.chosen["issuer"] and cert.serial_number == sid.chosen["serial_number"].native:
                return cert
        elif cert.key_identifier == sid.chosen.native:
            return cert
    raise ValueError("the time-stamp token does not hold its TSA certificate")
