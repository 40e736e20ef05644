"""Hostile XML is refused quickly, as unusable input (exit 2), before anything is resolved or fetched."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import kyso
from kyso.core.errors import InputError
from kyso.xmldsig import xmlsafe
from kyso_edxml import codec
from kyso_edxml.plugin import looks_like_edxml

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

XXE = f"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edXML xmlns="{NS}"><edXMLEnvelope><edXMLHeader><MessageHeader><Subject>&xxe;</Subject></MessageHeader>
</edXMLHeader></edXMLEnvelope></edXML>""".encode()

XXE_NETWORK = f"""<?xml version="1.0"?>
<!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/evil.dtd">
<edXML xmlns="{NS}"><edXMLEnvelope><edXMLHeader/></edXMLEnvelope></edXML>""".encode()

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE edXML [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode() for i in range(1, 10)
    )
    + f']>\n<edXML xmlns="{NS}"><edXMLEnvelope><edXMLHeader><MessageHeader><Subject>&lol9;</Subject>'
    "</MessageHeader></edXMLHeader></edXMLEnvelope></edXML>".encode()
)

HOSTILE = {"xxe": XXE, "xxe-network": XXE_NETWORK, "billion-laughs": BILLION_LAUGHS}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_xml_is_refused_quickly(name: str) -> None:
    start = time.perf_counter()
    with pytest.raises(InputError, match="DOCTYPE|entities"):
        codec.parse(HOSTILE[name])
    with pytest.raises(InputError):
        kyso.verify(HOSTILE[name])
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_xml_exits_2_in_every_command(name: str, tmp_path: Path, kyso_cli) -> None:
    path = tmp_path / f"{name}.edxml"
    path.write_bytes(HOSTILE[name])
    for args in (["verify", path], ["edxml", "unpack", path, "-d", tmp_path / "out"]):
        result = kyso_cli(*args)
        assert result.exit_code == 2, result.stdout + result.stderr
        assert "DOCTYPE" in result.stderr or "entit" in result.stderr
        assert "root:" not in result.stdout + result.stderr  # nothing of /etc/passwd leaked
    assert not (tmp_path / "out").exists()


def test_doctype_after_a_comment_is_still_found() -> None:
    data = b"<?xml version='1.0'?><!-- hello -->\n" + XXE.split(b"?>", 1)[1]
    with pytest.raises(InputError, match="DOCTYPE"):
        xmlsafe.parse(data)


def test_oversized_document_is_refused_before_parsing() -> None:
    data = codec.build(codec.parse(_minimal()))
    with pytest.raises(InputError, match="too large"):
        codec.parse(data, limits=xmlsafe.Limits(max_size=len(data) - 1))


def test_deep_nesting_is_refused() -> None:
    deep = b"<a>" * 100 + b"</a>" * 100
    data = _minimal().replace(b"<edXML:Subject>s</edXML:Subject>", b"<edXML:Subject>" + deep + b"</edXML:Subject>")
    with pytest.raises(InputError, match="deeper"):
        codec.parse(data)


def test_too_many_elements_is_refused() -> None:
    data = _minimal().replace(b"<edXML:Subject>s</edXML:Subject>", b"<x/>" * 50)
    with pytest.raises(InputError, match="more than"):
        codec.parse(data, limits=xmlsafe.Limits(max_elements=40))


def test_too_many_elements_is_refused_before_the_tree_is_built(monkeypatch) -> None:
    # a tree costs about 30 times the document: counting its elements afterwards bounds nothing (256 MB of <x/>
    # would take some 8 GB)
    from lxml import etree

    def no_tree(*args, **kwargs):
        raise AssertionError("the document was parsed")

    data = _minimal().replace(b"<edXML:Subject>s</edXML:Subject>", b"<x/>" * 500)
    monkeypatch.setattr(etree, "fromstring", no_tree)
    with pytest.raises(InputError, match="more than 40 elements"):
        xmlsafe.parse(data, xmlsafe.Limits(max_elements=40))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<edXML",
        b'<?xml version="1.0"?><edXML xmlns="' + NS.encode() + b'"><edXMLEnvelope>',  # truncated
        "<edXML/>".encode("utf-16"),
    ],
)
def test_malformed_xml_is_input_error(data: bytes) -> None:
    with pytest.raises(InputError):
        codec.parse(data)


def test_not_an_edxml_root_is_input_error() -> None:
    with pytest.raises(InputError, match="root element"):
        codec.parse(b"<html/>")


def test_sniffing() -> None:
    assert looks_like_edxml(_minimal())
    assert looks_like_edxml(b"\xef\xbb\xbf" + _minimal())
    assert not looks_like_edxml(b"%PDF-1.7\n" + _minimal())
    assert not looks_like_edxml(b"<html><body>edXML</body></html>")


def _minimal() -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML:edXML xmlns:edXML="{NS}"><edXML:edXMLEnvelope><edXML:edXMLHeader><edXML:MessageHeader>
<edXML:From><edXML:OrganId>000.00.00.H41</edXML:OrganId></edXML:From>
<edXML:To><edXML:OrganId>000.00.00.G22</edXML:OrganId></edXML:To>
<edXML:Subject>s</edXML:Subject></edXML:MessageHeader></edXML:edXMLHeader><edXML:edXMLBody/></edXML:edXMLEnvelope>
</edXML:edXML>""".encode()
