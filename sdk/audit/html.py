"""The audit's HTML report, in Vietnamese: one static file, charts drawn by matplotlib as inline SVG (no script,
no network, opens from a USB stick). Every name from a document or certificate is HTML-escaped."""

from __future__ import annotations

import html
import io
from collections.abc import Iterable, Sequence
from typing import Any

from kyso.audit.report import CLASS_NAMES, INDICATION_NAMES, KIND_NAMES, AuditTally
from kyso.reasons import reason_vi

_STYLE = """
body{font-family:"Times New Roman","Liberation Serif",serif;margin:2em;color:#111;max-width:1100px}
h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #999;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #bbb;padding:.25em .6em;text-align:left}
th{background:#eef}td.n{text-align:right}.weak{color:#b00;font-weight:bold}.charts{display:flex;flex-wrap:wrap;gap:1em}
.charts figure{margin:0}.note{color:#555;font-size:.92em}
"""


_COLOURS = {"TOTAL_PASSED": "#2e7d32", "TOTAL_FAILED": "#c62828", "INDETERMINATE": "#f9a825", "NO_SIGNATURE": "#757575"}


def _e(value: Any) -> str:
    from kyso.text import printable

    return html.escape(printable("" if value is None else str(value)))


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="n">{v}</td>' if isinstance(v, int | float) else f"<td>{_e(v)}</td>" for v in row)
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>" if body else '<p class="note">Không có.</p>'


def _reasons(counts: dict[str, int]) -> list[list[Any]]:
    """The reasons in Vietnamese, as ``kyso verify`` gives them (:func:`kyso.reasons.reason_vi`); two notes with the
    same Vietnamese reason are one row."""
    merged: dict[str, int] = {}
    for reason, count in counts.items():
        said = reason_vi(reason)
        merged[said] = merged.get(said, 0) + count
    return [[reason, count] for reason, count in sorted(merged.items(), key=lambda kv: -kv[1])]


def _svg(figure: Any) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight")
    text = out.getvalue()
    return text[text.index("<svg") :]


def _charts(tally: AuditTally) -> list[str]:
    """Charts: documents per month (valid / not), verdicts, signatures per root class, top agencies."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.figure import Figure

    plt.rcParams["svg.fonttype"] = "none"  # text stays text: the browser draws the Vietnamese letters
    charts = []
    months = sorted(tally.months)
    if months:
        figure = Figure(figsize=(6.4, 3.2))
        axes = figure.subplots()
        valid = [tally.months[m]["valid"] for m in months]
        other = [tally.months[m]["documents"] - tally.months[m]["valid"] for m in months]
        axes.bar(months, valid, color="#2e7d32", label="Hợp lệ")
        axes.bar(months, other, bottom=valid, color="#c62828", label="Không hợp lệ / chưa xác định")
        axes.set_title("Văn bản theo tháng")
        axes.tick_params(axis="x", rotation=45)
        axes.legend(fontsize=8)
        charts.append(_svg(figure))
    if tally.indications:
        figure = Figure(figsize=(4.2, 3.2))
        axes = figure.subplots()
        labels = [INDICATION_NAMES.get(k, k) for k in tally.indications]
        colours = [_COLOURS.get(k, "#9e9e9e") for k in tally.indications]
        axes.pie(
            list(tally.indications.values()),
            labels=labels,
            colors=colours,
            autopct="%1.0f%%",
            textprops={"fontsize": 8},
        )
        axes.set_title("Kết quả kiểm tra")
        charts.append(_svg(figure))
    if tally.classes:
        figure = Figure(figsize=(4.2, 3.2))
        axes = figure.subplots()
        names = [CLASS_NAMES.get(k, k) for k in tally.classes]
        axes.bar(names, list(tally.classes.values()), color=["#1565c0", "#ef6c00", "#757575"][: len(names)])
        axes.set_title("Chữ ký theo loại chứng thư (gốc)")
        axes.tick_params(axis="x", labelsize=8)
        charts.append(_svg(figure))
    agencies = sorted(tally.agencies.items(), key=lambda kv: -kv[1].documents)[:10]
    if agencies:
        figure = Figure(figsize=(6.4, 0.5 + 0.35 * len(agencies)))
        axes = figure.subplots()
        names = [(k[1] or k[0] or "không rõ")[:40] for k, _ in agencies][::-1]
        axes.barh(names, [a.valid for _, a in agencies][::-1], color="#2e7d32", label="Hợp lệ")
        axes.barh(
            names,
            [a.documents - a.valid for _, a in agencies][::-1],
            left=[a.valid for _, a in agencies][::-1],
            color="#c62828",
            label="Khác",
        )
        axes.set_title("Văn bản theo cơ quan")
        axes.legend(fontsize=8)
        charts.append(_svg(figure))
    return charts


def render_html(tally: AuditTally, *, title: str = "Báo cáo tình hình sử dụng chữ ký số") -> str:
    """The whole report as one HTML page."""
    data = tally.to_dict()
    figures = "".join(f"<figure>{svg}</figure>" for svg in _charts(tally))
    passed = data["indications"].get("TOTAL_PASSED", 0)
    parts = [
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p>Tổng số văn bản đã kiểm tra: <b>{data['documents']}</b>; có chữ ký số hợp lệ: <b>{passed}</b>. "
        f"Theo Chỉ thị 02/CT-TTg (mục 3.e và 1.e).</p>",
        f'<div class="charts">{figures}</div>',
        "<h2>1. Số liệu báo cáo hằng năm</h2>",
        _table(
            [
                "Năm",
                "Số văn bản",
                "Ký số chuyên dùng hợp lệ",
                "Văn bản gửi/nhận trên trục",
                "Trên trục: ký số chuyên dùng hợp lệ",
                "Tỉ lệ văn bản trên trục có chữ ký hợp lệ",
            ],
            [
                [
                    y["year"],
                    y["documents"],
                    y["signed_dedicated_valid"],
                    y["axis_documents"],
                    y["axis_dedicated_valid"],
                    "—" if y["axis_valid_share"] is None else f"{y['axis_valid_share'] * 100:.1f}%",
                ]
                for y in data["yearly"]
            ],
        ),
        "<h2>2. Theo cơ quan</h2>",
        _table(
            ["Mã định danh", "Cơ quan", "Văn bản", "Hợp lệ", "Chuyên dùng", "Công cộng", "Số chứng thư ký"],
            [
                [
                    a["organ_id"] or "—",
                    a["agency"] or "không rõ",
                    a["documents"],
                    a["valid"],
                    a["dedicated"],
                    a["public"],
                    a["certificates"],
                ]
                for a in data["agencies"]
            ],
        ),
        "<h2>3. Theo tháng</h2>",
        _table(
            ["Tháng", "Văn bản", "Hợp lệ"],
            [[m, c.get("documents", 0), c.get("valid", 0)] for m, c in data["months"].items()],
        ),
        "<h2>4. Theo loại chữ ký (Nghị định 30/2020/NĐ-CP)</h2>",
        _table(
            ["Loại", "Số chữ ký", "Hợp lệ"],
            [
                [KIND_NAMES.get(None if k == "None" else k, k), c.get("signatures", 0), c.get("valid", 0)]
                for k, c in data["kinds"].items()
            ],
        ),
        "<h2>5. Kết quả và lý do không hợp lệ</h2>",
        _table(["Kết quả", "Văn bản"], [[INDICATION_NAMES.get(k, k), n] for k, n in data["indications"].items()]),
        _table(["Lý do", "Văn bản"], _reasons(data["reasons"])),
        "<h2>6. Thuật toán</h2>",
        _table(
            ["Thuật toán", "Khoá", "Đánh giá", "Số chữ ký"],
            [[a["mechanism"], a["key"], "YẾU" if a["weak"] else "đạt", a["signatures"]] for a in data["algorithms"]],
        ),
        f'<p>Văn bản dùng thuật toán yếu: <b class="weak">{data["weak"]["documents"]}</b></p>',
        _table(["Văn bản", "Vấn đề"], [[w["document"], w["weak"]] for w in data["weak"]["examples"]]),
        f"<h2>7. Chứng thư hết hạn trong {data['expiring_within_days']} ngày tới</h2>",
        _table(
            ["Người ký", "Cơ quan", "Hết hạn", "Tình trạng", "Ví dụ văn bản"],
            [
                [
                    c["signer"],
                    c["organization"],
                    c["not_after"],
                    "đã hết hạn" if c["expired"] else "sắp hết hạn",
                    c["example"],
                ]
                for c in data["expiring_certificates"]
            ],
        ),
        "<h2>8. Văn bản đến không có chữ ký hợp lệ</h2>",
        f"<p>{data['received']['without_valid_signature']} trên {data['received']['documents']} văn bản đến "
        "(gói edXML nhận qua trục, văn bản có chữ ký văn bản đến).</p>",
        _table(
            ["Văn bản", "Kết quả", "Lý do"],
            [
                [
                    r["document"],
                    INDICATION_NAMES.get(r["indication"], r["indication"]),
                    reason_vi(r["reason"]) if r["reason"] else "",
                ]
                for r in data["received"]["examples"]
            ],
        ),
        "<h2>9. Ký bằng chứng thư công cộng thay vì chuyên dùng</h2>",
        f"<p>{data['public_where_dedicated_expected']['documents']} văn bản chỉ có chữ ký hợp lệ từ chứng thư "
        "công cộng (gốc Vietnam National Root CA), cần chuyển sang chữ ký số chuyên dùng Chính phủ.</p>",
        _table(
            ["Văn bản", "Cơ quan", "Người ký"],
            [[r["document"], r["agency"], r["signer"]] for r in data["public_where_dedicated_expected"]["examples"]],
        ),
        '<p class="note">Danh sách chi tiết từng văn bản: tệp CSV / XLSX kèm theo. Tạo bởi Kyso.</p>',
        "</body></html>",
    ]
    return "\n".join(parts)


__all__ = ["render_html"]
