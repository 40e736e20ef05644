"""The small content-stream reader that finds the signer block: tokens, strings, lines, search."""

from __future__ import annotations

from kinds_helpers import letter_fixture  # noqa: F401 (fixture)

from kyso.pdf.appearance import text
from kyso.pdf.appearance.geometry import PageGeometry, geometry
from kyso.pdf.reading import open_reader


def ops(data: bytes) -> list[tuple[str, list]]:
    return [(op, args) for op, args in text._operations(data)]


def test_fast_and_careful_tokenisers_agree_on_the_sample_letter(letter) -> None:
    reader = open_reader(letter.pdf)
    from kyso.pdf.appearance.geometry import page_object

    data = page_object(reader, 0)["/Contents"].get_object().data
    fast, careful = ops(data), list(text._careful_operations(data))
    assert [op for op, _ in fast] == [op for op, _ in careful]
    assert [a for o, a in fast if o in ("TJ", "Tf", "Tm", "Td")] == [
        a for o, a in careful if o in ("TJ", "Tf", "Tm", "Td")
    ]


def test_strings_escapes_nesting_and_inline_images() -> None:
    assert ops(rb"BT (a\(b\)c\\d\101) Tj ET")[1] == ("Tj", [b"a(b)c\\dA"])
    assert ops(b"BT (outer (nested) text) Tj ET")[1] == ("Tj", [b"outer (nested) text"])  # careful path
    assert ops(b"BT [<0041 42> -250 (C)] TJ ET")[1] == ("TJ", [[b"\x00AB", -250.0, b"C"]])
    inline = b"q BI /W 2 /H 1 /BPC 8 /CS /G ID \x00\xff EI Q BT (x) Tj ET"
    assert [op for op, _ in ops(inline)] == ["q", "BI", "Q", "BT", "Tj", "ET"]  # image data skipped
    props = rb"/Span <</ActualText (\376\377\000A)>> BDC (A) Tj EMC"
    assert [op for op, _ in ops(props)] == ["BDC", "Tj", "EMC"]


def test_lines_of_the_sample_letter(letter) -> None:
    reader = open_reader(letter.pdf)
    lines = text.page_lines(reader, geometry(reader, 0))
    texts = [line.text for line in lines]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts
    assert "CHỦ TỊCH" in texts and "Nguyễn Văn An" in texts
    title = next(line for line in lines if line.text == "CHỦ TỊCH")
    name = next(line for line in lines if line.text == "Nguyễn Văn An")
    box = letter.signature_box  # the gap left for the signature lies between them
    assert name.bbox[3] <= box[1] + 2 and box[3] - 2 <= title.bbox[1]
    assert title.find("chủ tịch") is not None and title.find("chu tich") is None  # diacritics matter, case does not
    assert name.find("NguyễnVănAn") is not None  # spaces do not


def test_rotated_geometry_round_trips() -> None:
    for rotation in (0, 90, 180, 270):
        geom = PageGeometry(index=0, media_box=(0, 0, 595, 842), rotation=rotation)
        for point in ((10, 20), (500, 800), (0, 0)):
            user = geom.to_user(*point)
            assert geom.to_visual(*user) == (point[0], point[1])
        assert geom.visual_size == ((842, 595) if rotation in (90, 270) else (595, 842))
