"""The printable verification report, "Kết quả kiểm tra chữ ký số": one A4 PDF a văn thư can file or hand over.

Behind ``kyso verify --report-pdf FILE`` and the page of ``kyso serve``. It shows the verdict, the document's
SHA-256 and, per signature, the certificate details (holder, issuer, serial, SHA-256 fingerprint, validity dates)
and the revocation answers with their source and time. The certificate details come from the report where it has
them (``serial``, ``sha256``, ``not_before``, ``not_after``, ``title``, ``test_material``, read with ``.get``), else
from the signer certificate the document embeds (PDF), else they are left out. Drawn with pyHanko's PDF writer and
the bundled Liberation Serif (every Vietnamese letter), as the sample letter of ``kyso demo``.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from kyso.core.models import VerificationReport, vietnam_iso

__all__ = ["render_report_pdf", "signer_certificates"]

_TITLE = {"vi": "KẾT QUẢ KIỂM TRA CHỮ KÝ SỐ", "en": "DIGITAL SIGNATURE VERIFICATION RESULT"}
_MORE = {
    "vi": {
        "sha256_document": "Mã băm SHA-256 của tài liệu",
        "checked_at": "Thời điểm kiểm tra",
        "holder": "Người/tổ chức được cấp",
        "title": "Chức danh",
        "serial": "Số hiệu chứng thư",
        "fingerprint": "Dấu vân tay SHA-256",
        "validity": "Hiệu lực",
        "validity_range": "từ {start} đến {end}",
        "test_material": "CHỨNG THƯ THỬ NGHIỆM: không có giá trị pháp lý",
        "footer": "Tạo bởi Kyso; kết quả có giá trị tại thời điểm kiểm tra. Trang {page}/{pages}",
        "answer": "{subject}: {status}, nguồn {source}{when}",
    },
    "en": {
        "sha256_document": "SHA-256 of the document",
        "checked_at": "Checked at",
        "holder": "Certificate holder",
        "title": "Title",
        "serial": "Certificate serial number",
        "fingerprint": "SHA-256 fingerprint",
        "validity": "Validity",
        "validity_range": "from {start} to {end}",
        "test_material": "TEST CERTIFICATE: no legal value",
        "footer": "Made by Kyso; the result holds as of the time of checking. Page {page}/{pages}",
        "answer": "{subject}: {status}, source {source}{when}",
    },
}
_COLOURS = {"TOTAL_PASSED": b"0 0.45 0.1 rg", "TOTAL_FAILED": b"0.75 0 0 rg"}
_OTHER_COLOUR = b"0.7 0.4 0 rg"


def render_report_pdf(
    report: VerificationReport,
    document: bytes,
    *,
    lang: str = "vi",
    certificates: Mapping[str, bytes] | None = None,
    checked_at: datetime | None = None,
) -> bytes:
    """The report as PDF bytes.

    :param document: the verified document's bytes (its SHA-256 is printed; a PDF's signer certificates are read
        from it when ``certificates`` is ``None``).
    :param certificates: DER signer certificates by signature id, when the caller has them.
    """
    from kyso.reports import _LABELS, _REVOCATION, _SOURCES, _VERDICT, _WHY, _cn, moment_text

    if certificates is None:
        certificates = signer_certificates(document) if report.format == "pdf" else {}
    label, more = _LABELS[lang], _MORE[lang]
    data = report.to_dict()
    page = _Pages()
    page.heading(_TITLE[lang])
    page.field(label["document"], f"{data.get('document') or '-'} ({data.get('format')})")
    page.field(more["sha256_document"], hashlib.sha256(document).hexdigest(), size=9)  # on one line
    page.field(more["checked_at"], moment_text(checked_at or datetime.now(UTC), lang))
    verdict = _VERDICT[lang][report.indication]
    page.verdict(f"{label['verdict']}: {verdict}", _COLOURS.get(str(report.indication), _OTHER_COLOUR))
    if not report.signatures:
        page.line(label["no_signature"])
    for number, (signature, entry) in enumerate(zip(report.signatures, data["signatures"], strict=True), start=1):
        page.gap()
        colour = _COLOURS.get(entry["indication"], _OTHER_COLOUR)
        page.verdict(f"{label['signature']} {number} ({entry['id']}): {_VERDICT[lang][signature.indication]}", colour)
        details = _certificate_details(entry, certificates.get(entry["id"]))
        signer = entry.get("signer") or {}
        page.field(more["holder"], signer.get("common_name") or signer.get("subject") or "-")
        if signer.get("organization"):
            page.field(label["organization"], signer["organization"])
        if details.get("title"):
            page.field(more["title"], details["title"])
        if signer.get("issuer"):
            page.field(label["issuer"], _cn(signer["issuer"]))
        if details.get("serial"):
            page.field(more["serial"], details["serial"])
        if details.get("sha256"):
            page.field(more["fingerprint"], details["sha256"], size=9)  # on one line, like the document's hash
        if details.get("not_before") and details.get("not_after"):
            start, end = (moment_text(details[key], lang) for key in ("not_before", "not_after"))
            dates = more["validity_range"].format(start=start, end=end)
            page.field(more["validity"], dates)
        if details.get("test_material"):
            page.verdict(more["test_material"], _OTHER_COLOUR, size=10)
        if signature.signing_time is not None:
            page.field(label["signing_time"], moment_text(signature.signing_time, lang))
        if signature.timestamp is not None:
            stamped = moment_text(signature.timestamp.time, lang)
            page.field(label["timestamp"], f"{stamped} ({signature.timestamp.authority or '-'})")
        if entry.get("kind"):
            from kyso.core.manager import get_plugin_manager

            page.field(label["kind"], get_plugin_manager().kinds.label(entry["kind"], lang))
        if entry.get("level"):
            page.field(label["level"], entry["level"])
        if signature.sub_indication is not None:
            why = _WHY[lang].get(signature.sub_indication, str(signature.sub_indication))
            page.field(label["reason"], f"{why} ({signature.sub_indication})")
        certificate = entry.get("certificate") or {}
        if certificate.get("chain"):
            page.field(label["chain"], " → ".join(_cn(s) for s in certificate["chain"]))
        revocation = certificate.get("revocation") or {}
        if revocation:
            status = _REVOCATION[lang].get(str(revocation.get("status")), revocation.get("status"))
            source = _SOURCES[lang].get(str(revocation.get("source")), revocation.get("source"))
            page.field(label["revocation"], f"{status} ({label['source']}: {source})")
        for answer in certificate.get("revocations") or []:
            when = f", {moment_text(answer['time'], lang)}" if answer.get("time") else ""
            said = _REVOCATION[lang].get(str(answer.get("status")), answer.get("status"))
            source = _SOURCES[lang].get(str(answer.get("source")), answer.get("source"))
            text = more["answer"].format(
                subject=_cn(answer.get("subject") or "-"), status=said, source=source, when=when
            )
            page.field("", "- " + text)
        for note in _notes(entry.get("messages") or [], lang):
            page.field(label["details"], note)
    return page.finish(more["footer"])


def _notes(messages: list[str], lang: str) -> list[str]:
    """A signature's notes, each once: in Vietnamese through the one table of :mod:`kyso.reasons` (a note it does
    not know is left out, as in the text report without ``--verbose``), the raw text in English."""
    raw = list(dict.fromkeys(messages))
    if lang != "vi":
        return ["; ".join(raw)] if raw else []
    from kyso.reasons import SAID_ELSEWHERE, explain

    said = [explain(message) for message in raw]
    return list(dict.fromkeys(s for s in said if s is not None and s != SAID_ELSEWHERE))


def signer_certificates(document: bytes) -> dict[str, bytes]:
    """The signer certificate (DER) of each signature field of a PDF, by field name; empty when unreadable."""
    try:
        from kyso.pdf.reading import open_reader

        reader = open_reader(document)
        return {str(s.field_name): s.signer_cert.dump() for s in reader.embedded_signatures}
    except Exception:  # a document the report could not read either: the report's own fields are shown
        return {}


def _certificate_details(entry: dict[str, Any], der: bytes | None) -> dict[str, Any]:
    """What the report says about the signer's certificate, completed from the certificate itself."""
    summary: dict[str, Any] = {}
    for source in (entry.get("certificate") or {}, entry.get("signer") or {}):
        for key in ("title", "serial", "sha256", "not_before", "not_after", "test_material"):
            if source.get(key) is not None and key not in summary:
                summary[key] = source[key]
    if der is not None:
        try:
            from kyso.certs.parsing import parse_certificate
            from kyso.certs.truststore import fingerprint

            cert = parse_certificate(der)
            validity = cert["tbs_certificate"]["validity"]
            summary.setdefault("serial", format(cert.serial_number, "x"))
            summary.setdefault("sha256", fingerprint(der))
            summary.setdefault("not_before", vietnam_iso(validity["not_before"].native))
            summary.setdefault("not_after", vietnam_iso(validity["not_after"].native))
        except ValueError:
            pass
    return summary


# ---------------------------------------------------------------------------------------------------- layout


class _Pages:
    """A4 pages filled top to bottom: label in bold, value wrapped beside it; a new page when one is full."""

    LEFT, RIGHT, TOP, BOTTOM = 56.0, 539.0, 60.0, 780.0
    VALUE_X = 215.0
    SIZE, LEADING = 10.5, 14.0

    def __init__(self) -> None:
        from pyhanko.pdf_utils.writer import PdfFileWriter

        from kyso.demo.letter import _Canvas, _Font
        from kyso.fonts import serif_bold, serif_regular

        self.writer = PdfFileWriter()
        self.regular = _Font(self.writer, serif_regular(), "F1")
        self.bold = _Font(self.writer, serif_bold(), "F2")
        self._canvas_type = _Canvas
        self.canvases = [_Canvas()]
        self.y = self.TOP

    @property
    def canvas(self) -> Any:
        return self.canvases[-1]

    def _room(self, height: float) -> None:
        if self.y + height > self.BOTTOM:
            self.canvases.append(self._canvas_type())
            self.y = self.TOP

    def heading(self, text: str) -> None:
        self.canvas.centred(self.bold, 16, (self.LEFT + self.RIGHT) / 2, self.y, _nfc(text))
        self.y += 30

    def verdict(self, text: str, colour: bytes, size: float = 13) -> None:
        self._room(size + 6)
        self.y += 4
        self.canvas.ops.append(colour)
        for line in self._wrap(self.bold, size, _nfc(text), self.RIGHT - self.LEFT):
            self.canvas.text(self.bold, size, self.LEFT, self.y, line)
            self.y += size + 4
        self.canvas.ops.append(b"0 g")
        self.y += 2

    def field(self, name: str, value: str, size: float = SIZE) -> None:
        lines = self._wrap(self.regular, size, _nfc(value), self.RIGHT - self.VALUE_X)
        self._room(self.LEADING * min(len(lines), 3))
        if name:
            for i, part in enumerate(self._wrap(self.bold, self.SIZE, _nfc(name) + ":", self.VALUE_X - self.LEFT - 8)):
                self.canvas.text(self.bold, self.SIZE, self.LEFT, self.y + i * self.LEADING, part)
        for line in lines:
            self._room(self.LEADING)
            self.canvas.text(self.regular, size, self.VALUE_X, self.y, line)
            self.y += self.LEADING
        if not lines:
            self.y += self.LEADING

    def line(self, text: str) -> None:
        self._room(self.LEADING)
        self.canvas.text(self.regular, self.SIZE, self.LEFT, self.y, _nfc(text))
        self.y += self.LEADING

    def gap(self) -> None:
        self.y += 6
        self._room(60)
        self.canvas.rule(self.LEFT, self.RIGHT, self.y - 6, 0.4)
        self.y += 8

    def _wrap(self, font: Any, size: float, text: str, width: float) -> list[str]:
        """Words on lines of ``width``; a word longer than a line (a fingerprint, a hash) is cut."""
        lines: list[str] = []
        current = ""
        for word in text.split():
            while font.width(word, size) > width:
                cut = len(word)
                while cut > 1 and font.width(word[:cut], size) > width:
                    cut -= 1
                if current:
                    lines.append(current)
                    current = ""
                lines.append(word[:cut])
                word = word[cut:]
            candidate = f"{current} {word}" if current else word
            if current and font.width(candidate, size) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        if current:
            lines.append(current)
        return lines

    def finish(self, footer: str) -> bytes:
        from pyhanko.pdf_utils import generic
        from pyhanko.pdf_utils.writer import PageObject

        from kyso.demo.letter import PAGE_HEIGHT, PAGE_WIDTH

        fonts = generic.DictionaryObject(
            {generic.pdf_name("/" + f.resource_name): f.engine.as_resource() for f in (self.regular, self.bold)}
        )
        resources = self.writer.add_object(generic.DictionaryObject({generic.pdf_name("/Font"): fonts}))
        for number, canvas in enumerate(self.canvases, start=1):
            canvas.gray(0.35)
            text = _nfc(footer.format(page=number, pages=len(self.canvases)))
            canvas.centred(self.regular, 8, (self.LEFT + self.RIGHT) / 2, PAGE_HEIGHT - 30, text)
            content = generic.StreamObject(stream_data=b"\n".join(canvas.ops))
            content.compress()
            box = (0, 0, round(PAGE_WIDTH, 2), round(PAGE_HEIGHT, 2))
            self.writer.insert_page(PageObject(self.writer.add_object(content), box, resources))
        self.writer.root[generic.pdf_name("/Lang")] = generic.pdf_string("vi")
        out = io.BytesIO()
        self.writer.write(out)
        return out.getvalue()


def _nfc(text: str) -> str:
    """One code point per Vietnamese letter (one glyph each), control characters escaped (document text)."""
    from kyso.text import printable

    return printable(unicodedata.normalize("NFC", text))
