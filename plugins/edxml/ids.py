"""Agency identifiers (mã định danh, ``OrganId``) and document identifiers (``DocumentId``) of QCVN 102:2016."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kyso.core.errors import InputError

ORGAN_ID = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$", re.ASCII)  # \d alone takes any script's digits
"""An agency identifier, e.g. ``000.00.00.G22`` (Government Office) or ``000.00.00.H41`` (Nghệ An)."""

ORGAN_GROUPS = {
    "A": "Party organs",
    "G": "ministries, ministerial and central agencies",
    "H": "provinces and centrally-run cities",
    "K": "provincial people's councils",
}
"""Meaning of the letter of an agency identifier (the ones DESIGN.md names)."""


def is_organ_id(value: str | None) -> bool:
    """Whether ``value`` is a well-formed agency identifier."""
    return bool(value) and ORGAN_ID.fullmatch(value) is not None  # type: ignore[arg-type]


def check_organ_id(value: str | None, what: str = "OrganId") -> str:
    """``value`` when it is a well-formed agency identifier, else :class:`InputError` naming ``what``."""
    if not is_organ_id(value):
        raise InputError(f"{what} {value!r} is not an agency identifier (expected like 000.00.00.G22)")
    return value  # type: ignore[return-value]


@dataclass(frozen=True)
class DocumentId:
    """``{OrganId},{yyyy/MM/dd},{Number}/{Notation}``: who issued the document, when, under which number."""

    organ_id: str
    promulgation_date: date
    number: str
    notation: str

    def __str__(self) -> str:
        return f"{self.organ_id},{self.promulgation_date:%Y/%m/%d},{self.number}/{self.notation}"

    @classmethod
    def parse(cls, text: str) -> DocumentId:
        """Parse a document identifier strictly (well-formed agency identifier, real date, number/notation)."""
        parts = text.strip().split(",", 2)
        if len(parts) != 3:
            raise InputError(f"DocumentId {text!r} is not OrganId,yyyy/MM/dd,Number/Notation")
        organ_id, day, code = parts
        check_organ_id(organ_id, "the OrganId of DocumentId")
        moment = parse_date(day)
        if moment is None:
            raise InputError(f"DocumentId {text!r}: {day!r} is not a date (yyyy/MM/dd)")
        number, slash, notation = code.partition("/")
        if not slash or not number:
            raise InputError(f"DocumentId {text!r}: {code!r} is not Number/Notation")
        return cls(organ_id, moment, number, notation)


def parse_date(text: str) -> date | None:
    """A date written ``yyyy/MM/dd`` (QCVN 102) or ``dd/MM/yyyy`` (seen in the wild), or ``yyyy-MM-dd``; ``None``
    when the text is none of them or not a real date."""
    match = re.fullmatch(r"\s*(\d{4})[/-](\d{1,2})[/-](\d{1,2})\s*", text)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        match = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*", text)
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None
    return None


__all__ = ["ORGAN_ID", "DocumentId", "check_organ_id", "is_organ_id", "parse_date"]
