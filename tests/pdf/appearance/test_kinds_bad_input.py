"""Bad input for signature kinds: a clear error, the input untouched, no output written."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from kinds_helpers import letter_fixture, marks_fixture  # noqa: F401 (fixtures)

import kyso
from kyso.core.errors import InputError, UsageError
from kyso.fonts import VIETNAMESE_LETTERS, serif_regular


def png_bytes(width: int, height: int, *, dpi: int | None = None) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 0, 200, 255)).save(out, format="PNG", **({"dpi": (dpi, dpi)} if dpi else {}))
    return out.getvalue()


def huge_png() -> bytes:
    """A 20000 x 20000 PNG header with a tiny (invalid) body: refused on its size before decoding."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 20000, 20000, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")
    )


@pytest.fixture
def ascii_font(tmp_path: Path) -> Path:
    """Liberation Serif cut down to ASCII: a font lacking the Vietnamese letters."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(serif_regular())
    subsetter = subset.Subsetter(subset.Options())
    subsetter.populate(unicodes=range(0x20, 0x7F))
    subsetter.subset(font)
    path = tmp_path / "ascii.ttf"
    font.save(path)
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a" + b"\0" * 64, "not a PNG"),
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "damaged PNG"),
        (None, "too large"),
    ],
    ids=["not-png", "corrupt", "huge"],
)
def test_bad_signature_image(content, message, letter, signer_for: Callable, tmp_path: Path) -> None:
    image = tmp_path / "signature.png"
    image.write_bytes(content if content is not None else huge_png())
    with pytest.raises(InputError, match=message):
        kyso.sign(letter.pdf, signer=signer_for("person"), kind="approval", image=image, anchor="CHỦ TỊCH")


def test_image_file_too_many_bytes(letter, signer_for: Callable, tmp_path: Path) -> None:
    image = tmp_path / "big.png"
    image.write_bytes(png_bytes(10, 10) + b"\0" * (9 * 1024 * 1024))
    with pytest.raises(InputError, match="too large"):
        kyso.sign(letter.pdf, signer=signer_for("person"), kind="approval", image=image, anchor="CHỦ TỊCH")


def test_anchor_not_found_names_the_pages_searched(letter, marks, signer_for: Callable) -> None:
    with pytest.raises(InputError, match=r"'GIÁM ĐỐC' was not found on page 1 \(searched 1 page"):
        kyso.sign(letter.pdf, signer=signer_for("person"), kind="approval", image=marks["signature"], anchor="GIÁM ĐỐC")


def test_anchor_not_found_on_the_given_page(marks, signer_for: Callable) -> None:
    from tests_support_pdf import text_pdf

    pdf = text_pdf(pages=3)
    with pytest.raises(InputError, match="not found on page 2"):
        kyso.sign(
            pdf, signer=signer_for("person"), kind="approval", image=marks["signature"], anchor="CHỦ TỊCH", page=2
        )
    with pytest.raises(InputError, match=r"not found on pages 1-3 \(searched 3 page"):
        kyso.sign(pdf, signer=signer_for("person"), kind="approval", image=marks["signature"], anchor="CHỦ TỊCH")


@pytest.mark.parametrize("box", [(500, 700, 700, 900), (-10, 10, 100, 100), (100, 100, 50, 200)])
def test_box_outside_the_page(box, signed_pdf: bytes, signer_for: Callable) -> None:
    with pytest.raises(UsageError, match="--box"):
        kyso.sign(signed_pdf, signer=signer_for("organisation"), kind="copy", copy_form="SAO Y", organization="X",
                 page=1, box=box)  # fmt: skip


def test_font_lacking_vietnamese_names_the_missing_letters(ascii_font: Path, signed_pdf, signer_for) -> None:
    with pytest.raises(UsageError) as caught:
        kyso.sign(
            signed_pdf, signer=signer_for("organisation"), kind="copy", copy_form="SAO Y",
            organization="Sở Tư pháp", font=ascii_font,
        )  # fmt: skip
    message = str(caught.value)
    assert "ascii.ttf" in message and "ở ư á" in message


def test_issuance_without_approval_signature(signed_pdf: bytes, marks, signer_for: Callable) -> None:
    with pytest.raises(InputError, match="no approval signature"):
        kyso.sign(signed_pdf, signer=signer_for("organisation"), kind="issuance", seal=marks["seal"])
    # with an explicit box the seal goes there
    signed = kyso.sign(
        signed_pdf, signer=signer_for("organisation"), kind="issuance", seal=marks["seal"], page=1,
        box=(300, 100, 500, 300),
    )  # fmt: skip
    assert signed.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "approval", "anchor": "X"}, "needs --image"),
        ({"kind": "issuance"}, "needs --seal"),
        ({"kind": "attachment"}, "needs --doc-number"),
        ({"kind": "copy", "copy_form": "BẢN CHỤP", "organization": "X"}, "--copy-form must be one of"),
        ({"kind": "copy", "organization": "X"}, "needs --copy-form"),
        ({"kind": "attachment", "doc_number": "1/X", "issued_date": "22/11/2026"}, "YYYY-MM-DD"),
        ({"kind": "income", "meta": ["no equals sign"]}, "KEY=VALUE"),
        ({"kind": "copy", "copy_form": "SAO Y", "organization": "X", "seal": "s.png"}, "--seal applies to"),
        ({"doc_number": "1/X"}, "needs --kind"),
        ({"kind": "copy", "colour": "red"}, "unknown signing option --colour"),
    ],
)
def test_usage_errors(kwargs, message, signed_pdf: bytes, signer_for: Callable) -> None:
    with pytest.raises(UsageError, match=message):
        kyso.sign(signed_pdf, signer=signer_for("organisation"), **kwargs)


def test_cli_bad_input_leaves_no_output_and_input_untouched(letter, pki, kyso_cli, tmp_path: Path, files_unchanged):
    source, out, image = tmp_path / "cv.pdf", tmp_path / "out.pdf", tmp_path / "sig.png"
    source.write_bytes(letter.pdf)
    image.write_bytes(b"JFIF not a png")
    files_unchanged(source, image)
    base = ["sign", source, "-o", out, "--p12", pki.p12("person"), "--password-env", "P"]
    cases = [
        (["--kind", "approval", "--image", image, "--anchor", "CHỦ TỊCH"], "not a PNG"),
        (["--kind", "approval", "--image", pki.p12("person"), "--anchor", "CHỦ TỊCH"], "not a PNG"),
        (["--kind", "attachment", "--doc-number", "1/X", "--page", "1", "--box", "0,0,900,100"], "outside page 1"),
        (["--kind", "issuance", "--seal", image], "not a PNG"),
    ]
    for extra, message in cases:
        result = kyso_cli(*base, *extra, env={"P": pki.password})
        assert result.exit_code == 2, result.stderr
        assert message in result.stderr
        assert not out.exists()
    assert VIETNAMESE_LETTERS  # the module is importable without pyHanko side effects


def test_anchor_on_a_page_with_a_broken_content_stream_is_an_input_error(signer_for: Callable) -> None:
    """The anchor search reads the page's text: a content stream that cannot be decompressed is damaged input (one
    line), not a zlib traceback."""
    from conftest import make_pdf
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(make_pdf()))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    broken = generic.StreamObject(
        {generic.NameObject("/Filter"): generic.NameObject("/FlateDecode")}, encoded_data=b"not zlib data"
    )
    page[generic.NameObject("/Contents")] = writer.add_object(broken)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(InputError, match="content of page 1"):
        kyso.sign(out.getvalue(), signer=signer_for("person"), kind="approval", image=png_bytes(60, 24), anchor="Kyso")


def test_line_breaks_in_income_metadata_are_spaces(signer_for: Callable, pki) -> None:
    """A metadata value with a line break or a tab (MetaData from a web form) is laid out as one spaced line, as the
    other text options are, instead of failing on a character no font draws."""
    from conftest import make_pdf

    from kyso.core.manager import get_plugin_manager

    _, values = get_plugin_manager().kinds.check("income", "pdf", {"meta": [("Số đến", "12\n34\t56\r\n78")]})
    assert values["meta"] == (("Số đến", "12 34 56 78"),)
    signed = kyso.sign(make_pdf(), signer=signer_for("organisation"), kind="income", meta=[("Số đến", "12\n34")])
    assert kyso.verify(signed, trust=[pki.root_cert], revocation="off").indication == "TOTAL_PASSED"
