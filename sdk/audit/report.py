"""The audit's reduction and its outputs: what a province reports on the use of digital signatures (Chỉ thị
02/CT-TTg, 3.e and 1.e), from the facts of each document (:mod:`kyso.audit.facts`).

:class:`AuditTally` keeps counters only (per agency, month, kind, reason, algorithm, distinct certificates), and
bounded lists of examples, so its memory does not grow with the number of documents; per-document rows go to
the CSV as they come (:class:`DocumentRows`).

Roots are classified by the chain's trust anchor: RootCA chuyên dùng Chính phủ G2 = dedicated (chuyên dùng),
Vietnam National Root CA = public (công cộng); :func:`root_classes` reads a mapping that adds or replaces entries
(test roots stand in for the real ones). Only a chain that reached a trust anchor has a root to classify, so a
self-made certificate naming itself after the Government's root is never counted as dedicated.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kyso.core.errors import UsageError

DEDICATED = "dedicated"
PUBLIC = "public"
UNKNOWN = "unknown"

DEFAULT_ROOTS: dict[str, str] = {
    "RootCA chuyên dùng Chính phủ G2": DEDICATED,
    "Vietnam National Root CA": PUBLIC,
}
"""Root common names → class (the real roots of DESIGN.md)."""

EXAMPLES = 200
"""Documents listed by name per section of the HTML report (the CSV lists every document)."""

KIND_NAMES = {
    "approval": "Ký duyệt",
    "issuance": "Ký phát hành",
    "attachment": "Văn bản kèm theo",
    "copy": "Bản sao điện tử",
    "income": "Văn bản đến",
    None: "Không ghi loại",
}
INDICATION_NAMES = {
    "TOTAL_PASSED": "Hợp lệ",
    "TOTAL_FAILED": "Không hợp lệ",
    "INDETERMINATE": "Chưa xác định",
    "NO_SIGNATURE": "Không có chữ ký",
    "failed": "Không đọc được",
}
CLASS_NAMES = {DEDICATED: "Chuyên dùng Chính phủ", PUBLIC: "Công cộng", UNKNOWN: "Không xác định"}


def root_classes(path: Path | None) -> dict[str, str]:
    """:data:`DEFAULT_ROOTS` updated with the JSON object in ``path`` (``{"root CN": "dedicated"|"public"}``)."""
    mapping = dict(DEFAULT_ROOTS)
    if path is None:
        return {k.casefold(): v for k, v in mapping.items()}
    from kyso.files import read_bounded

    try:
        given = json.loads(read_bounded(path, limit=1024 * 1024, what="a root mapping"))
    except ValueError:
        raise UsageError(f"{path}: not a JSON object of root names to dedicated/public") from None
    if not isinstance(given, dict) or any(v not in (DEDICATED, PUBLIC) for v in given.values()):
        raise UsageError(f'{path}: expected {{"root common name": "dedicated" or "public"}}')
    mapping.update({str(k): str(v) for k, v in given.items()})
    return {k.casefold(): v for k, v in mapping.items()}


@dataclass
class AgencyTally:
    documents: int = 0
    valid: int = 0
    dedicated: int = 0
    public: int = 0
    certificates: set[str] = field(default_factory=set)


@dataclass
class AuditTally:
    """The audit's counters, fed one document result at a time (:meth:`add`)."""

    roots: Mapping[str, str]
    expiring_within: int = 30
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    documents: int = 0
    indications: Counter[str] = field(default_factory=Counter)
    agencies: dict[tuple[str, str], AgencyTally] = field(default_factory=lambda: defaultdict(AgencyTally))
    months: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    kinds: dict[str | None, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    reasons: Counter[str] = field(default_factory=Counter)
    algorithms: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    classes: Counter[str] = field(default_factory=Counter)
    expiring: dict[str, dict[str, Any]] = field(default_factory=dict)
    weak_documents: list[dict[str, Any]] = field(default_factory=list)
    weak_count: int = 0
    received_invalid: list[dict[str, Any]] = field(default_factory=list)
    received_invalid_count: int = 0
    received: int = 0
    public_documents: list[dict[str, Any]] = field(default_factory=list)
    public_count: int = 0
    years: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def classify(self, root: str | None) -> str:
        return self.roots.get(root.casefold(), UNKNOWN) if root else UNKNOWN

    def add(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """Count one batch item (its ``facts``, or a failure); returns the document's row for the CSV."""
        self.documents += 1
        facts = item.get("facts") or {}
        name = item.get("relative") or item.get("input") or "?"
        indication = facts.get("indication") or "failed"
        self.indications[indication] += 1
        valid = indication == "TOTAL_PASSED"
        if not valid:
            self.reasons[(facts.get("reason") or item.get("reason") or "?")[:160]] += 1
        signatures = facts.get("signatures") or []
        classes = {self.classify(s.get("root")) for s in signatures if s.get("indication") == "TOTAL_PASSED"}
        dedicated, public = DEDICATED in classes, PUBLIC in classes and DEDICATED not in classes
        agency_key = (facts.get("agency_id") or "", facts.get("agency") or "")
        agency = self.agencies[agency_key]
        agency.documents += 1
        agency.valid += valid
        agency.dedicated += dedicated
        agency.public += public
        date = facts.get("date") or ""
        month, year = date[:7] or "không rõ", date[:4] or "không rõ"
        self.months[month]["documents"] += 1
        self.months[month]["valid"] += valid
        for signature in signatures:
            kind = signature.get("kind")
            self.kinds[kind]["signatures"] += 1
            self.kinds[kind]["valid"] += signature.get("indication") == "TOTAL_PASSED"
            self.classes[self.classify(signature.get("root"))] += 1
            self.algorithms[
                (signature.get("mechanism") or "?", signature.get("key") or "?", "yếu" if signature.get("weak") else "")
            ] += 1
            certificate = f"{signature.get('issuer')}#{signature.get('serial')}"
            agency.certificates.add(certificate)
            self._expiring(certificate, signature, name)
        if any(s.get("weak") for s in signatures):
            self.weak_count += 1
            _keep(self.weak_documents, {"document": name, "weak": next(s["weak"] for s in signatures if s.get("weak"))})
        received = bool(facts.get("received"))
        if received:
            self.received += 1
            if not valid:
                self.received_invalid_count += 1
                _keep(
                    self.received_invalid,
                    {
                        "document": name,
                        "indication": indication,
                        "reason": facts.get("reason") or item.get("reason") or "",
                    },
                )
        if public:
            self.public_count += 1
            _keep(
                self.public_documents,
                {
                    "document": name,
                    "agency": agency_key[1],
                    "signer": next((s.get("signer") for s in signatures if self.classify(s.get("root")) == PUBLIC), ""),
                },
            )
        figures = self.years[year]
        figures["documents"] += 1
        figures["dedicated_valid"] += dedicated
        if received:
            figures["axis"] += 1
            figures["axis_valid"] += valid
            figures["axis_dedicated"] += dedicated
        return {
            "document": name,
            "format": facts.get("format") or "",
            "agency_id": agency_key[0],
            "agency": agency_key[1],
            "date": date,
            "indication": indication,
            "reason": "" if valid else (facts.get("reason") or item.get("reason") or ""),
            "kinds": " ".join(str(s.get("kind") or "-") for s in signatures),
            "signers": "; ".join(str(s.get("signer") or "?") for s in signatures),
            "roots": " ".join(self.classify(s.get("root")) for s in signatures),
            "algorithms": " ".join(f"{s.get('mechanism')}/{s.get('key')}" for s in signatures),
            "weak": "; ".join(s["weak"] for s in signatures if s.get("weak")),
            "received": "yes" if received else "",
        }

    def _expiring(self, certificate: str, signature: Mapping[str, Any], name: str) -> None:
        not_after = signature.get("not_after")
        if not not_after or certificate in self.expiring:
            return
        moment = datetime.fromisoformat(not_after)
        if moment - self.now <= timedelta(days=self.expiring_within):
            self.expiring[certificate] = {
                "signer": signature.get("signer"),
                "organization": signature.get("organization"),
                "not_after": not_after[:10],
                "expired": moment < self.now,
                "example": name,
            }

    def to_dict(self) -> dict[str, Any]:
        """The whole audit as JSON: every counter, the examples, the yearly figures."""
        return {
            "documents": self.documents,
            "expiring_within_days": self.expiring_within,
            "indications": dict(self.indications),
            "agencies": [
                {
                    "organ_id": k[0],
                    "agency": k[1],
                    "documents": a.documents,
                    "valid": a.valid,
                    "dedicated": a.dedicated,
                    "public": a.public,
                    "certificates": len(a.certificates),
                }
                for k, a in sorted(self.agencies.items())
            ],
            "months": {m: dict(c) for m, c in sorted(self.months.items())},
            "kinds": {str(k): dict(c) for k, c in self.kinds.items()},
            "reasons": dict(self.reasons.most_common(50)),
            "algorithms": [
                {"mechanism": k[0], "key": k[1], "weak": bool(k[2]), "signatures": n}
                for k, n in self.algorithms.most_common()
            ],
            "roots": dict(self.classes),
            "weak": {"documents": self.weak_count, "examples": self.weak_documents},
            "expiring_certificates": sorted(self.expiring.values(), key=lambda c: c["not_after"]),
            "received": {
                "documents": self.received,
                "without_valid_signature": self.received_invalid_count,
                "examples": self.received_invalid,
            },
            "public_where_dedicated_expected": {"documents": self.public_count, "examples": self.public_documents},
            "yearly": self.yearly(),
        }

    def yearly(self) -> list[dict[str, Any]]:
        """Per year, the figures of the directive's yearly report (1.e)."""
        rows = []
        for year, figures in sorted(self.years.items()):
            axis = figures["axis"]
            rows.append(
                {
                    "year": year,
                    "documents": figures["documents"],
                    "signed_dedicated_valid": figures["dedicated_valid"],
                    "axis_documents": axis,
                    "axis_dedicated_valid": figures["axis_dedicated"],
                    "axis_valid": figures["axis_valid"],
                    "axis_valid_share": round(figures["axis_valid"] / axis, 4) if axis else None,
                }
            )
        return rows


def _keep(examples: list[dict[str, Any]], row: dict[str, Any]) -> None:
    if len(examples) < EXAMPLES:
        examples.append(row)


CSV_COLUMNS = (
    "document",
    "format",
    "agency_id",
    "agency",
    "date",
    "indication",
    "reason",
    "kinds",
    "signers",
    "roots",
    "algorithms",
    "weak",
    "received",
)


class DocumentRows:
    """Per-document rows streamed to a CSV file as results come (written atomically when closed)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._handle: Any = None
        if path is not None:
            import tempfile

            from kyso.files import check_output

            check_output(path)
            self._handle = tempfile.NamedTemporaryFile(
                "w",
                encoding="utf-8-sig",
                newline="",
                dir=path.parent or ".",
                prefix=".kyso-",
                suffix=".partial",
                delete=False,
            )
            self._writer = csv.DictWriter(self._handle, CSV_COLUMNS)
            self._writer.writeheader()

    def write(self, row: Mapping[str, Any]) -> None:
        if self._handle is not None:
            from kyso.text import printable

            self._writer.writerow({k: _cell(printable(str(row.get(k, "")))) for k in CSV_COLUMNS})

    def close(self, *, keep: bool) -> None:
        import os

        if self._handle is None:
            return
        self._handle.close()
        if keep and self.path is not None:
            os.replace(self._handle.name, self.path)
        else:
            Path(self._handle.name).unlink(missing_ok=True)
        self._handle = None


def _cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula (names come from documents)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def xlsx_bytes(tally: AuditTally) -> bytes:
    """The audit's tables as an XLSX workbook (openpyxl), one sheet per table, headers in Vietnamese."""
    from openpyxl import Workbook

    data = tally.to_dict()
    book = Workbook()
    sheets = [
        (
            "Cơ quan",
            ["Mã định danh", "Cơ quan", "Văn bản", "Hợp lệ", "Chuyên dùng", "Công cộng", "Chứng thư"],
            [
                [a["organ_id"], a["agency"], a["documents"], a["valid"], a["dedicated"], a["public"], a["certificates"]]
                for a in data["agencies"]
            ],
        ),
        (
            "Theo tháng",
            ["Tháng", "Văn bản", "Hợp lệ"],
            [[m, c.get("documents", 0), c.get("valid", 0)] for m, c in data["months"].items()],
        ),
        (
            "Loại chữ ký",
            ["Loại", "Chữ ký", "Hợp lệ"],
            [
                [KIND_NAMES.get(k if k != "None" else None, k), c.get("signatures", 0), c.get("valid", 0)]
                for k, c in data["kinds"].items()
            ],
        ),
        (
            "Thuật toán",
            ["Thuật toán", "Khoá", "Yếu", "Chữ ký"],
            [[a["mechanism"], a["key"], "có" if a["weak"] else "", a["signatures"]] for a in data["algorithms"]],
        ),
        (
            "Chứng thư sắp hết hạn",
            ["Người ký", "Cơ quan", "Hết hạn", "Đã hết hạn"],
            [
                [c["signer"], c["organization"], c["not_after"], "có" if c["expired"] else ""]
                for c in data["expiring_certificates"]
            ],
        ),
        (
            "Số liệu năm",
            ["Năm", "Văn bản", "Ký số chuyên dùng hợp lệ", "Văn bản trên trục", "Trục: hợp lệ", "Trục: tỉ lệ hợp lệ"],
            [
                [
                    y["year"],
                    y["documents"],
                    y["signed_dedicated_valid"],
                    y["axis_documents"],
                    y["axis_valid"],
                    y["axis_valid_share"],
                ]
                for y in data["yearly"]
            ],
        ),
    ]
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(header)
        for row in rows:
            sheet.append([_cell(v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = ["AuditTally", "DEFAULT_ROOTS", "DocumentRows", "root_classes", "xlsx_bytes"]
