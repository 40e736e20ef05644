"""Built-in plugin: the signature kinds of Nghị định 30/2020/NĐ-CP (Phụ lục I), declared once.

Each kind's name, options, assets, placement, labels and formats are here; the CLI, sync, the report and the PDF
planner (:mod:`kyso.pdf.appearance`) read them from the registry. Adding a kind is one :class:`KindSpec` (in a
plugin of its own, through ``kyso_register_kinds``), plus drawing code only for a new placement rule. This module
is imported when the CLI starts: it imports no PDF, image or font library.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from kyso.core import hookimpl
from kyso.core.kinds import KindOption, KindRegistry, KindSpec, OptionType, Placement
from kyso.core.models import SignatureKind

PDF = ("pdf",)

COPY_FORMS = ("SAO Y", "SAO LỤC", "TRÍCH SAO")
"""Forms of an electronic copy (Nghị định 30/2020/NĐ-CP, Điều 25)."""

FONT = KindOption(
    "font", OptionType.FILE, "TrueType font of the text mark (default: bundled)", asset=True, metavar="TTF"
)
"""The font of a text mark: any kind with a text mark may take it."""
DOC_NUMBER = KindOption(
    "doc_number", OptionType.TEXT, "number and notation of the (main) document: số, ký hiệu", metavar="TEXT"
)
ISSUED_DATE = KindOption("issued_date", OptionType.DATE, "date of issue", metavar="YYYY-MM-DD")

APPROVAL = KindSpec(
    name=SignatureKind.APPROVAL,
    labels={"vi": "ký duyệt", "en": "approval"},
    formats=PDF,
    options=(
        KindOption(
            "image",
            OptionType.FILE,
            "the handwritten signature, transparent background",
            required=True,
            asset=True,
            metavar="PNG",
        ),
        KindOption("anchor", OptionType.TEXT, "the signer's title or name to place the image by", metavar="TEXT"),
    ),
    placement=Placement.ANCHOR,
    image="image",
    reason=lambda values: "Ký duyệt văn bản",
    description="ký duyệt: the competent person's handwritten signature between their title and full name",
)


def _issuance_reason(values: Mapping[str, Any]) -> str:
    reason = "Ký phát hành văn bản"
    if values.get("doc_number"):
        reason += f" số {values['doc_number']}"
    if values.get("issued_date"):
        reason += f" ngày {values['issued_date'].isoformat()}"
    return reason


ISSUANCE = KindSpec(
    name=SignatureKind.ISSUANCE,
    labels={"vi": "ký phát hành", "en": "issuance"},
    formats=PDF,
    options=(
        KindOption(
            "seal",
            OptionType.FILE,
            "the organisation's seal, transparent background, at its real size (PNG resolution)",
            required=True,
            asset=True,
            metavar="PNG",
        ),
        DOC_NUMBER,
        ISSUED_DATE,
    ),
    placement=Placement.OVER_APPROVAL,
    image="seal",
    reason=_issuance_reason,
    description="ký phát hành: the organisation's seal over a third of the approval signature",
)


def _attached_to(values: Mapping[str, Any]) -> str:
    first = f"Kèm theo văn bản số {values['doc_number']}"
    if values.get("issued_date"):
        first += f" ngày {values['issued_date'].strftime('%d/%m/%Y')}"
    return first


ATTACHMENT = KindSpec(
    name=SignatureKind.ATTACHMENT,
    labels={"vi": "văn bản kèm theo", "en": "attachment"},
    formats=PDF,
    options=(
        dataclasses.replace(DOC_NUMBER, required=True),
        ISSUED_DATE,
        FONT,
    ),
    placement=Placement.TOP_RIGHT,
    lines=lambda values, moment: [_attached_to(values), moment],
    reason=_attached_to,
    description="văn bản kèm theo: the main document's number and the signing time",
)

COPY = KindSpec(
    name=SignatureKind.COPY,
    labels={"vi": "bản sao", "en": "copy"},
    formats=PDF,
    options=(
        KindOption(
            "copy_form",
            OptionType.CHOICE,
            '"SAO Y", "SAO LỤC" or "TRÍCH SAO"',
            required=True,
            choices=COPY_FORMS,
            metavar="FORM",
        ),
        KindOption("organization", OptionType.TEXT, "the copying organisation", required=True, metavar="TEXT"),
        FONT,
    ),
    placement=Placement.TOP_RIGHT,
    lines=lambda values, moment: [values["copy_form"], values["organization"], moment],
    reason=lambda values: f"{values['copy_form']} - {values['organization']}",
    description="bản sao điện tử: the copy form, the copying organisation and the signing time",
)


def _income_lines(values: Mapping[str, Any], moment: str) -> list[str]:
    organization = values.get("organization")
    lines = ["ĐẾN" + (f" - {organization}" if organization else "")]
    lines += [f"{key}: {value}" for key, value in values.get("meta", ())]
    lines.append(f"Thời gian: {moment}")
    return lines


INCOME = KindSpec(
    name=SignatureKind.INCOME,
    labels={"vi": "văn bản đến", "en": "income"},
    formats=PDF,
    options=(
        KindOption("organization", OptionType.TEXT, "the receiving organisation", metavar="TEXT"),
        KindOption("meta", OptionType.PAIRS, "a line of the mark (repeatable)", max_items=12, metavar="KEY=VALUE"),
        FONT,
    ),
    placement=Placement.FREE_CORNER,
    lines=_income_lines,
    framed=True,
    reason=lambda values: "Tiếp nhận văn bản đến",
    description="văn bản đến: a framed ĐẾN mark with the receiving metadata",
)

KINDS = (APPROVAL, ISSUANCE, ATTACHMENT, COPY, INCOME)


@hookimpl(tryfirst=True)
def kyso_register_kinds(registry: KindRegistry) -> None:
    """First, so that a plugin's kind of the same name replaces the built-in one."""
    for spec in KINDS:
        registry.add(spec)
