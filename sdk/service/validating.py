"""One validation as the service runs it: the request's options checked, the trust set resolved, the document
verified through ``kyso.verify`` (its format dispatch: PDF, edXML and any format a plugin registers, e.g. generic
XML), and the outcome turned into what the audit table keeps.

Trust anchors are read once, when a worker starts (:class:`TrustSets`); a request names a set, never a path.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kyso.core.errors import InputError, UsageError
from kyso.core.models import CertificateReport, VerificationReport
from kyso.service.config import ServiceConfig

REVOCATION_POLICIES = ("off", "soft", "hard")
DEFAULT_SET = "default"


class TrustSets:
    """The DER anchors of the default trust set and of each named set, loaded once (on top of the trust store)."""

    def __init__(self, config: ServiceConfig) -> None:
        from kyso.certs.loading import load_certificates

        self.sets: dict[str, tuple[bytes, ...]] = {DEFAULT_SET: load_certificates(config.trust)}
        for name, paths in config.trust_sets.items():
            self.sets[name] = load_certificates(paths)

    def anchors(self, name: str | None) -> tuple[bytes, ...]:
        if not name:
            return self.sets[DEFAULT_SET]
        try:
            return self.sets[name]
        except KeyError:
            known = ", ".join(sorted(self.sets))
            raise UsageError(
                f"unknown trust set {name!r} (known: {known})",
                parameter="trust",
                vi=f"không có bộ CA tin cậy tên {name!r} (có: {known})",
            ) from None

    def listing(self) -> dict[str, Any]:
        """The anchors in use, with SHA-256 fingerprints: the trust store's, then each set's."""
        from kyso.certs import truststore
        from kyso.certs.identity import identity_of
        from kyso.certs.parsing import parse_certificate

        store = [
            {"name": e.name, "subject": e.subject, "sha256": e.sha256, "source": e.source, "anchor": e.anchor}
            for e in truststore.entries()
            if e.source != "not installed"
        ]
        sets = {}
        for name, ders in self.sets.items():
            sets[name] = [
                {"subject": identity_of(parse_certificate(der)).subject, "sha256": truststore.fingerprint(der)}
                for der in ders
            ]
        return {"store": store, "sets": sets}


@dataclass(frozen=True)
class Request:
    """A validation request, whatever way it came in (multipart form, JSON, DSS JSON)."""

    content: bytes
    name: str | None = None
    revocation: str | None = None
    at: str | None = None
    trust: str | None = None
    lang: str = "vi"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def decode_content(value: Any, field: str = "content") -> bytes:
    """Base64 of a JSON request, strictly: anything else is a :class:`UsageError` naming the field."""
    if not isinstance(value, str):
        raise UsageError(f"{field!r} must be a base64 string", parameter=field)
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise UsageError(f"{field!r} is not valid base64", parameter=field, vi=f"{field!r} không phải base64") from None


def request_from_fields(fields: Mapping[str, Any], content: bytes, name: str | None) -> Request:
    """The options of a request (form fields or JSON members), checked."""

    def text(key: str) -> str | None:
        value = fields.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str) or len(value) > 200:
            raise UsageError(f"{key!r} must be a short string", parameter=key)
        return value

    revocation = text("revocation")
    if revocation is not None and revocation not in REVOCATION_POLICIES:
        raise UsageError(f"revocation must be one of {', '.join(REVOCATION_POLICIES)}", parameter="revocation")
    lang = text("lang") or "vi"
    if lang not in ("vi", "en"):
        raise UsageError("lang must be vi or en", parameter="lang")
    if not content:
        raise InputError("the document is empty", vi="tài liệu rỗng")
    return Request(content, name, revocation, text("at"), text("trust"), lang)


def verify(request: Request, config: ServiceConfig, trust: TrustSets) -> VerificationReport:
    """``kyso.verify`` with the service's trust set, policy and network budget."""
    import kyso

    return kyso.verify(request.content, name=request.name, **_options(request, config, trust))


def validate_certificate(request: Request, config: ServiceConfig, trust: TrustSets) -> CertificateReport:
    import kyso

    return kyso.validate_certificate(request.content, **_options(request, config, trust))


def _options(request: Request, config: ServiceConfig, trust: TrustSets) -> dict[str, Any]:
    """The keywords both API functions take: the request's choices, else the service's defaults."""
    return {
        "trust": trust.anchors(request.trust),
        "revocation": request.revocation or config.revocation,
        "at": request.at,
        "timeout": config.network_timeout,
    }
