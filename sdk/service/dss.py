"""The DSS-compatible answer: a Kyso verification report as EU DSS 6's ``SimpleReport`` (its REST service
``/services/rest/validation/validateSignature``), so clients written for DSS can switch.

Field names follow DSS's simple-report schema as its JSON shows it: ``ValidationPolicy``, ``DocumentName``,
``ValidSignaturesCount``, ``SignaturesCount``, ``ValidationTime`` and ``signatureOrTimestampOrEvidenceRecord``, a
list of ``{"Signature": {...}}`` / ``{"Timestamp": {...}}`` with ``Id``, ``SignatureFormat``, ``SigningTime``,
``SignedBy``, ``Indication``, ``SubIndication`` and the messages, both as DSS 6 has them
(``AdESValidationDetails`` ``Error`` / ``Warning`` / ``Info`` of ``{"value", "Key"}``) and as the older flat lists
``Errors`` / ``Warnings`` / ``Infos`` some clients still read.
"""

from __future__ import annotations

from typing import Any

POLICY = {
    "PolicyName": "Kyso",
    "PolicyDescription": "ETSI EN 319 102-1 validation against the service's trust anchors (Kyso)",
}
_FORMATS = {"pdf": "PAdES_BASELINE_{level}", "edxml": "XML_NOT_ETSI", "xml": "XML_NOT_ETSI"}


def simple_report(report: dict[str, Any], validation_time: str) -> dict[str, Any]:
    """The ``SimpleReport`` of ``report`` (the JSON of ``kyso verify``)."""
    entries: list[dict[str, Any]] = []
    for signature in report.get("signatures", []):
        entries.append({"Signature": _entry(signature, report.get("format", ""))})
    for stamp in report.get("timestamps", []) or []:
        entries.append({"Timestamp": _entry(stamp, report.get("format", ""))})
    signatures = report.get("signatures", [])
    return {
        "ValidationPolicy": POLICY,
        "DocumentName": report.get("document"),
        "ValidSignaturesCount": sum(1 for s in signatures if s.get("indication") == "TOTAL_PASSED"),
        "SignaturesCount": len(signatures),
        "ValidationTime": validation_time,
        "ContainerType": None,
        "signatureOrTimestampOrEvidenceRecord": entries,
    }


def _entry(signature: dict[str, Any], document_format: str) -> dict[str, Any]:
    passed = signature.get("indication") == "TOTAL_PASSED"
    messages = list(signature.get("messages") or [])
    errors = [] if passed else messages
    warnings = messages if passed else []
    if signature.get("modifications") not in (None, "NONE"):
        warnings = [*warnings, f"changes after signing: {signature['modifications']}"]
    signer = signature.get("signer") or {}
    level = signature.get("level") or "B-B"
    pattern = _FORMATS.get(document_format, "XML_NOT_ETSI")
    timestamp = signature.get("timestamp") or {}
    return {
        "Id": signature.get("id"),
        "SignatureFormat": pattern.format(level=level.removeprefix("B-")),
        "SigningTime": signature.get("signing_time"),
        "BestSignatureTime": timestamp.get("time") or signature.get("signing_time"),
        "SignedBy": signer.get("common_name") or signer.get("subject"),
        "Indication": signature.get("indication"),
        "SubIndication": signature.get("sub_indication"),
        "AdESValidationDetails": {
            "Error": [{"value": m, "Key": "KYSO"} for m in errors],
            "Warning": [{"value": m, "Key": "KYSO"} for m in warnings],
            "Info": [],
        },
        "Errors": errors,
        "Warnings": warnings,
        "Infos": [],
        "SignatureScope": [
            {
                "name": "Full document" if signature.get("coverage") != "PARTIAL" else "Partial document",
                "scope": "FULL" if signature.get("coverage") != "PARTIAL" else "PARTIAL",
            }
        ],
    }
