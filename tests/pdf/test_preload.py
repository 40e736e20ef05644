"""Signature dictionaries read ahead for verification (kyso.pdf.facts.preload_signature_dictionaries): the same
objects pyHanko's parser makes of the bytes, and nothing read ahead where the two readings could differ."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any

from conftest import make_pdf

import kyso
from kyso.pdf.facts import preload_signature_dictionaries


def _signature_refs(data: bytes) -> list[Any]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(data), strict=False)
    fields = [field.get_object() for field in reader.root["/AcroForm"]["/Fields"]]
    return [field.raw_get("/V").reference for field in fields if "/V" in field]


def _both_readings(data: bytes) -> tuple[Any, list[Any], list[Any]]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    refs = _signature_refs(data)
    plain = PdfFileReader(BytesIO(data), strict=False)
    ahead = PdfFileReader(BytesIO(data), strict=False)
    preload_signature_dictionaries(ahead, data)
    cached = [ahead.cache_get_indirect_object(ref.generation, ref.idnum) for ref in refs]
    return refs, [plain.get_object(ref) for ref in refs], cached


def test_the_dictionaries_read_ahead_are_pyhankos(signer_for: Callable, monkeypatch) -> None:
    from kyso.pdf import fastpath

    signed = kyso.sign(make_pdf(), signer=signer_for("person"), reason="Phê duyệt (bản chính)")
    with monkeypatch.context() as patch:  # one revision written by pyHanko's writer, one by the fast path
        patch.setattr(fastpath, "sign_fast", lambda request, reader, plan: None)
        signed = kyso.sign(signed, signer=signer_for("organisation"), location="Hà Nội")
    refs, plain, cached = _both_readings(signed)
    assert len(refs) == 2 and all(c is not None for c in cached)
    for theirs, ours in zip(plain, cached, strict=True):
        assert dict(theirs) == dict(ours)
        assert type(theirs["/Contents"]) is type(ours["/Contents"])
        assert bytes(theirs["/Contents"]) == bytes(ours["/Contents"])


def test_a_contents_that_is_not_one_plain_hex_string_is_left_to_pyhanko(signed_pdf: bytes) -> None:
    """Whitespace inside the hex string (pyHanko skips it, ``bytes.fromhex`` would too, but the geometry rule
    calls it no signature value) and a duplicate /Contents: nothing is read ahead, pyHanko reads the object."""
    end = signed_pdf.index(b"0000>", signed_pdf.index(b"/Contents <"))
    spaced = signed_pdf[:end] + b"00  >" + signed_pdf[end + 5 :]  # same length; bytes.fromhex would accept it
    duplicated = signed_pdf.replace(b"/Type /Sig", b"/Contents <00>", 1)
    for data in (spaced, duplicated):
        _, _, cached = _both_readings(data)
        assert cached == [None]
