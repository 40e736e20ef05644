"""Hostile and faulty inputs for the service tests: an edXML package with a zip bomb attachment."""

from __future__ import annotations

import io
import zipfile


def edxml_package(attachment: bytes = b"%PDF-1.7 van ban kem theo\n", name: str = "van-ban.pdf") -> bytes:
    """A small unsigned edXML package with one attachment."""
    from kyso_edxml import codec
    from kyso_edxml.model import Attachment, EdXMLMessage, MessageHeader, Organization

    message = EdXMLMessage(
        header=MessageHeader(
            from_=Organization(organ_id="000.00.00.H41", organ_name="UBND tỉnh Nghệ An"),
            to=[Organization(organ_id="000.00.00.G22", organ_name="Văn phòng Chính phủ")],
            subject="V/v kiểm tra chữ ký số",
        ),
        attachments=[
            Attachment(content_id="cid:1", attachment_name=name, content_type="application/zip", data=attachment)
        ],
    )
    return codec.build(message)


def zip_bomb(expanded: int = 256 * 1024**2) -> bytes:
    """A ZIP whose one member inflates to ``expanded`` bytes of zeros (about 1000:1), built without holding them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("bomb.pdf", "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(expanded // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def pdf_forgeries(signed: bytes) -> dict[str, bytes]:
    """The PDF attack classes of the security issue (issue 9), from the PDF tests' own forgery helpers."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pdf"))  # tests/pdf/pdf_forgery.py
    from pdf_forgery import forge_literal_contents, forge_moved_range, update_page

    return {
        "length-only /Contents": forge_literal_contents(signed),
        "moved /ByteRange": forge_moved_range(signed),
        "page replaced after signing": update_page(signed),
        "truncated": signed[: len(signed) // 2],
    }
