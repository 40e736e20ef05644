"""The facts the audit counts, for one document: its verdict (:func:`kyso.verify`), who signed, for which agency,
when, of which kind, with which algorithms and certificate, and where the certificate's chain ends.

Run in the batch's workers (:class:`kyso.batch.operations.Audit`); the result is a small plain dictionary (no
document bytes), reduced in the calling process by :class:`kyso.audit.report.AuditTally`.

The algorithms and the certificate's expiry are read from the signature itself (CMS signer info of a PDF
signature, ``SignatureMethod`` / ``DigestMethod`` / ``X509Certificate`` of an edXML XML-DSig signature), whether or
not the signature verifies: a weak algorithm is exactly what the audit must show even where it broke the verdict.
"""

from __future__ import annotations

from typing import Any

from kyso.core.errors import KysoError

_URI_NAMES = {
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1": "sha1_rsa",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": "sha256_rsa",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": "sha384_rsa",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": "sha512_rsa",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256": "sha256_ecdsa",
}


def document_facts(data: bytes, options: Any) -> dict[str, Any]:
    """The audit's facts of one document (``options``: :class:`kyso.batch.operations.VerifyOptions`)."""
    report = options.verify(data, None)
    facts: dict[str, Any] = {
        "format": report.format,
        "indication": str(report.indication),
        "reason": _reason(report),
        "agency_id": None,
        "agency": None,
        "date": None,
        "received": False,
        "signatures": [],
    }
    details = _signature_details(data, report.format)
    for index, signature in enumerate(report.signatures):
        detail = _matching(details, signature.signer.serial, index)
        chain = signature.certificate.chain if signature.certificate else []
        facts["signatures"].append(
            {
                "kind": signature.kind,
                "indication": str(signature.indication),
                "sub_indication": None if signature.sub_indication is None else str(signature.sub_indication),
                "signer": signature.signer.common_name,
                "organization": signature.signer.organization,
                "serial": signature.signer.serial,
                "issuer": signature.signer.issuer,
                "signing_time": signature.signing_time.isoformat() if signature.signing_time else None,
                "root": _common_name(chain[-1]) if len(chain) > 1 else None,
                "certificate_valid": bool(signature.certificate)
                and str(signature.certificate.indication) == "TOTAL_PASSED",
                "reason": (signature.messages[0] if signature.messages else "")[:300],
                **detail,
            }
        )
    signed = [s for s in facts["signatures"] if s["signing_time"]]
    if signed:
        facts["date"] = signed[0]["signing_time"][:10]
    if facts["signatures"]:
        facts["agency"] = facts["signatures"][0]["organization"]
    if any(s["kind"] == "income" for s in facts["signatures"]):
        facts["received"] = True
    if report.format == "edxml":
        _edxml_header(data, facts)
    return facts


def _reason(report: Any) -> str:
    from kyso.batch.operations import _first_reason

    return _first_reason(report)[:300]


def _matching(details: list[dict[str, Any]], serial: str | None, index: int) -> dict[str, Any]:
    for detail in details:
        if serial is not None and detail.get("serial_hex") == serial:
            return {k: v for k, v in detail.items() if k != "serial_hex"}
    if index < len(details):
        return {k: v for k, v in details[index].items() if k != "serial_hex"}
    return {"digest": None, "mechanism": None, "key": None, "weak": None, "not_after": None}


def _common_name(subject: str) -> str:
    """The CN of an asn1crypto ``human_friendly`` subject (``Common Name: X; Organization: Y``)."""
    for part in subject.split("; "):
        if part.startswith("Common Name: "):
            return part.removeprefix("Common Name: ")
    return subject


def _certificate_detail(cert: Any, digest: str | None, mechanism: str | None) -> dict[str, Any]:
    """Algorithms, key and expiry of a signing certificate (asn1crypto), weak ones named by Kyso's policy."""
    from kyso.certs.algorithms import digest_problem, key_problem

    key_kind = cert.public_key.algorithm
    bits = cert.public_key.bit_size if key_kind in ("rsa", "dsa", "ec") else None
    problems = [p for p in (digest_problem(digest) if digest else None, key_problem(key_kind, bits)) if p]
    return {
        "serial_hex": format(cert.serial_number, "x"),
        "digest": digest,
        "mechanism": mechanism,
        "key": f"{key_kind.upper()}-{bits}" if bits else key_kind.upper(),
        "weak": "; ".join(problems) or None,
        "not_after": cert["tbs_certificate"]["validity"]["not_after"].native.isoformat(),
    }


def _signature_details(data: bytes, fmt: str) -> list[dict[str, Any]]:
    try:
        if fmt == "pdf":
            return _pdf_details(data)
        if fmt == "edxml":
            return _xml_details(data)
    except (KysoError, Exception):  # unreadable structure: the verdict already says why
        return []
    return []


def _pdf_details(data: bytes) -> list[dict[str, Any]]:
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    details = []
    for embedded in PdfFileReader(BytesIO(data), strict=False).embedded_signatures:
        if embedded.sig_object_type != "/Sig":
            continue
        info = embedded.signer_info
        digest = info["digest_algorithm"]["algorithm"].native
        try:
            mechanism = info["signature_algorithm"].signature_algo
        except ValueError:
            mechanism = info["signature_algorithm"]["algorithm"].native
        details.append(_certificate_detail(embedded.signer_cert, digest, f"{digest}_{mechanism}"))
    return details


def _xml_details(data: bytes) -> list[dict[str, Any]]:
    import base64

    from asn1crypto import x509

    from kyso.xmldsig.xmlsafe import local_name, parse

    root = parse(data)
    details = []
    for signature in (e for e in root.iter() if isinstance(e.tag, str) and local_name(e) == "Signature"):
        found: dict[str, Any] = {}
        for element in signature.iter():
            if not isinstance(element.tag, str):
                continue
            name = local_name(element)
            if name == "SignatureMethod":
                found.setdefault("mechanism", element.get("Algorithm"))
            elif name == "DigestMethod":
                found.setdefault("digest", element.get("Algorithm"))
            elif name == "X509Certificate" and "cert" not in found:
                found["cert"] = x509.Certificate.load(base64.b64decode("".join((element.text or "").split())))
        if "cert" in found:
            digest = _URI_NAMES.get(found.get("digest") or "", found.get("digest"))
            mechanism = _URI_NAMES.get(found.get("mechanism") or "", found.get("mechanism"))
            weakest = "sha1" if "sha1" in (digest or "") + (mechanism or "") else digest
            details.append(_certificate_detail(found["cert"], weakest, mechanism))
    return details


def _edxml_header(data: bytes, facts: dict[str, Any]) -> None:
    """Agency (``From``: OrganId, OrganName) and date of an edXML package: a package came over the axis."""
    try:
        from kyso_edxml import codec

        message = codec.parse(data)
    except Exception:
        return
    header = getattr(message, "header", None)
    sender = getattr(header, "from_", None)
    if sender is not None:
        facts["agency_id"] = sender.organ_id
        facts["agency"] = sender.organ_name or sender.organization_in_charge or facts["agency"]
    promulgation = getattr(header, "promulgation_info", None)
    if promulgation is not None and promulgation.promulgation_date is not None:
        facts["date"] = promulgation.promulgation_date.isoformat()
    facts["received"] = True


__all__ = ["document_facts"]
