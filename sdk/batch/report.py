"""The batch's per-item report (``--report FILE.json|.csv``), streamed to a temporary file beside the target and
renamed into place at the end (all or nothing, like every output of Kyso), and the summary table."""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kyso.core.errors import UsageError

COLUMNS = ("input", "relative", "status", "indication", "reason", "output", "sha256", "seconds", "resumed")

STATUS_NAMES = {
    "vi": {
        "passed": "hợp lệ",
        "not_passed": "không hợp lệ",
        "signed": "đã ký",
        "extended": "đã gia hạn",
        "current": "còn hạn",
        "failed": "lỗi",
    },
    "en": {
        "passed": "passed",
        "not_passed": "not passed",
        "signed": "signed",
        "extended": "extended",
        "current": "current",
        "failed": "failed",
    },
}


class ItemReport:
    """Rows written as items finish; :meth:`close` puts the file in place (or removes it)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._handle: Any = None
        self._first = True
        if path is None:
            return
        suffix = path.suffix.lower()
        if suffix not in (".json", ".csv"):
            raise UsageError(f"{path}: the report is .json or .csv", parameter="report")
        from kyso.files import check_output

        check_output(path)
        self.kind = suffix[1:]
        self._handle = tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", newline="", dir=path.parent, prefix=".kyso-", suffix=".partial", delete=False
        )
        if self.kind == "csv":
            self._csv = csv.DictWriter(self._handle, COLUMNS, extrasaction="ignore")
            self._csv.writeheader()
        else:
            self._handle.write('{"items": [\n')

    def write(self, item: Mapping[str, Any]) -> None:
        if self._handle is None:
            return
        from kyso.text import printable

        row = {k: item.get(k) for k in COLUMNS}
        if self.kind == "csv":
            self._csv.writerow({k: "" if v is None else _cell(printable(str(v))) for k, v in row.items()})
        else:
            if "report" in item:
                row["report"] = item["report"]
            self._handle.write(("" if self._first else ",\n") + json.dumps(row, ensure_ascii=False))
            self._first = False

    def close(self, summary: Mapping[str, Any] | None) -> None:
        """Finish the file with ``summary`` and rename it into place; ``None`` (the run broke) removes it."""
        if self._handle is None:
            return
        handle, self._handle = self._handle, None
        try:
            if summary is not None and self.kind == "json":
                handle.write('\n], "summary": ' + json.dumps(summary, ensure_ascii=False) + "}\n")
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            if summary is not None and self.path is not None:
                os.replace(handle.name, self.path)
                return
        except OSError as exc:
            Path(handle.name).unlink(missing_ok=True)
            from kyso.core.errors import InputError

            raise InputError(f"{self.path}: cannot write the report ({exc.strerror})") from None
        Path(handle.name).unlink(missing_ok=True)


def _cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula (names come from documents)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _reason(failure: Mapping[str, Any], lang: str) -> str:
    """A failure's reason, in Vietnamese as ``kyso verify`` gives it (:func:`kyso.reasons.reason_vi`); the raw
    text in English (and always in the CSV/JSON report)."""
    if not failure.get("reason"):
        return STATUS_NAMES.get(lang, STATUS_NAMES["en"]).get(failure["status"], failure["status"])
    if lang != "vi":
        return str(failure["reason"])
    from kyso.reasons import reason_vi

    return reason_vi(failure["reason"])


def summary_table(summary: Mapping[str, Any], lang: str) -> str:
    """The summary printed at the end: counts by status, then the items that failed, each with its reason."""
    from kyso.text import printable

    names = STATUS_NAMES.get(lang, STATUS_NAMES["en"])
    vi = lang == "vi"
    lines = [
        f"{'kết quả' if vi else 'status':<16}{'số văn bản' if vi else 'documents':>12}",
        *(f"{names.get(status, status):<16}{count:>12}" for status, count in sorted(summary["counts"].items())),
        f"{'tổng' if vi else 'total':<16}{summary['total']:>12}",
    ]
    if summary["resumed"]:
        lines.append(
            f"{summary['resumed']} " + ("văn bản đã xong ở lần chạy trước" if vi else "done in an earlier run")
        )
    seconds = summary["seconds"]
    if seconds:
        rate = summary["total"] / seconds
        lines.append(f"{seconds:.1f} s, {rate:.1f} " + ("văn bản/giây" if vi else "documents/s"))
    if summary["failures"]:
        lines.append("không xử lý được / không hợp lệ:" if vi else "failed or not passed:")
        lines.extend(printable(f"  {f['input']}: {_reason(f, lang)}") for f in summary["failures"])
    return "\n".join(lines) + "\n"


__all__ = ["COLUMNS", "ItemReport", "STATUS_NAMES", "summary_table"]
