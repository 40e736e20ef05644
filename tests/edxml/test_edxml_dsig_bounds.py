"""Issue 9, class 7: checking the References of an XML-DSig costs bounded time (a capped count, one pass for the Id
lookup, each URI digested once). The hostile signatures are built here."""

from __future__ import annotations

import base64
import time

from edxml_support import full_message

import kyso
from kyso.xmldsig.policy import MAX_REFERENCES
from kyso_edxml import codec

DSIG = "http://www.w3.org/2000/09/xmldsig#"


def _with_references(uris: list[str], *, ids: int = 0, filler: int = 0) -> bytes:
    """An edXML message with ``ids`` elements carrying ``Id="i<n>"``, ``filler`` more elements, and a Signature
    whose SignedInfo has one Reference per URI (digests and signature value are garbage: the references are
    checked first)."""
    from lxml import etree

    root = etree.fromstring(codec.build(full_message()))
    header = next(e for e in root.iter() if isinstance(e.tag, str) and e.tag.endswith("}edXMLHeader"))
    body = next(e for e in root.iter() if isinstance(e.tag, str) and e.tag.endswith("}edXMLBody"))
    holder = etree.SubElement(body, "{urn:kyso:test}Holder")
    for number in range(ids):
        etree.SubElement(holder, "{urn:kyso:test}x", Id=f"i{number}")
    for _ in range(filler):
        etree.SubElement(holder, "{urn:kyso:test}y")
    d = f"{{{DSIG}}}"
    signature = etree.SubElement(header, d + "Signature", nsmap={None: DSIG})
    info = etree.SubElement(signature, d + "SignedInfo")
    etree.SubElement(info, d + "CanonicalizationMethod", Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
    etree.SubElement(info, d + "SignatureMethod", Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
    for uri in uris:
        reference = etree.SubElement(info, d + "Reference", URI=uri)
        transforms = etree.SubElement(reference, d + "Transforms")
        etree.SubElement(transforms, d + "Transform", Algorithm=DSIG + "enveloped-signature")
        etree.SubElement(reference, d + "DigestMethod", Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
        etree.SubElement(reference, d + "DigestValue").text = base64.b64encode(bytes(32)).decode()
    etree.SubElement(signature, d + "SignatureValue").text = "AAAA"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_8000_references_are_refused_quickly() -> None:
    data = _with_references([f"#i{n}" for n in range(8000)], ids=8000)
    start = time.perf_counter()
    report = kyso.verify(data, revocation="off")
    elapsed = time.perf_counter() - start
    signature = report.signatures[0]
    assert (signature.indication, signature.sub_indication.value) == ("TOTAL_FAILED", "FORMAT_FAILURE")
    assert f"8000 References; at most {MAX_REFERENCES}" in signature.messages[0]
    assert elapsed < 3.0  # measured: 0.2 s; before, 2 000 of them took 29 s (each rescanned the document)


def test_8000_whole_message_references_are_refused_quickly() -> None:
    data = _with_references([""] * 8000)
    start = time.perf_counter()
    report = kyso.verify(data, revocation="off")
    assert report.signatures[0].sub_indication.value == "FORMAT_FAILURE"
    assert time.perf_counter() - start < 3.0  # measured: 0.2 s; before, each digested the whole message again


def test_a_repeated_reference_uri_is_refused() -> None:
    report = kyso.verify(_with_references(["", "#i0", "#i0"], ids=1), revocation="off")
    signature = report.signatures[0]
    assert signature.sub_indication.value == "FORMAT_FAILURE"
    assert "Reference 2 repeats the URI '#i0'" in signature.messages[-1]


def test_the_id_lookup_is_one_pass_over_the_message() -> None:
    # the most References accepted, over a message of 150 000 elements: each is looked up in one index
    data = _with_references([f"#i{n}" for n in range(MAX_REFERENCES)], ids=MAX_REFERENCES, filler=150_000)
    start = time.perf_counter()
    report = kyso.verify(data, revocation="off")
    elapsed = time.perf_counter() - start
    assert report.signatures[0].sub_indication.value == "HASH_FAILURE"
    assert "Reference 0 (x (#i0)): digest mismatch" in report.signatures[0].messages[0]
    assert elapsed < 5.0  # measured: about 0.5 s with the index, 2.5 s with one scan per Reference


def test_duplicate_ids_are_still_refused() -> None:
    from lxml import etree

    data = _with_references(["#i0"], ids=1)
    root = etree.fromstring(data)
    holder = next(e for e in root.iter() if e.tag == "{urn:kyso:test}Holder")
    etree.SubElement(holder, "{urn:kyso:test}x", ID="i0")
    report = kyso.verify(etree.tostring(root), revocation="off")
    assert "names 2 elements (duplicate IDs" in report.signatures[0].messages[0]


def test_reference_checks_are_linear_even_without_the_cap(monkeypatch) -> None:
    # the cap is one wall; the other is that n References cost one pass for their Ids, not n passes: with the cap
    # lifted, 4 000 References to distinct Ids take a fraction of a second (one scan each took about 2 minutes)
    from kyso.xmldsig import policy as dsig

    monkeypatch.setattr(dsig, "MAX_REFERENCES", 10_000)
    data = _with_references([f"#i{n}" for n in range(4000)], ids=4000)
    start = time.perf_counter()
    report = kyso.verify(data, revocation="off")
    elapsed = time.perf_counter() - start
    assert report.signatures[0].sub_indication.value == "HASH_FAILURE"
    assert elapsed < 3.0  # measured: 0.2 s
