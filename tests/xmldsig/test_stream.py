"""Issue 13, peak memory: large XML documents signed and verified as a stream (``kyso.xmldsig.stream``).

The stream must give exactly the tree's canonical bytes (generated documents of every shape, in batches of a few
bytes), the same verdicts as the tree on every attack, the same hardened reading batch by batch, and hand the
verifier nothing it could be fooled with: a reference into what was cut out sends it back to the tree.
"""

from __future__ import annotations

import random
import re

import pytest
from lxml import etree

import kyso
from kyso.core.errors import InputError
from kyso.xmldsig import stream, xmlsafe
from kyso.xmldsig.c14n import detached, digest_tree
from kyso.xmldsig.policy import DSIG

NS = {"ds": DSIG}
TINY_BATCH = 211


def register(records: int, *, newline: str = "\n", root_attributes: str = "") -> bytes:
    """A voucher register of ``records`` small records (the benchmark's shape)."""
    lines = [f'<?xml version="1.0" encoding="UTF-8"?>{newline}<So xmlns="urn:example:so"{root_attributes}>{newline}']
    for number in range(records):
        lines.append(
            f'  <ChungTu Id="ct{number}"><SoCT>PC-{number:05d}</SoCT><DienGiai>Chi tạm ứng &amp; công tác '
            f"{number % 7}</DienGiai><SoTien>{number * 7919 % 10**6}</SoTien></ChungTu>{newline}"
        )
    lines.append(f"</So>{newline}")
    return "".join(lines).encode()


@pytest.fixture
def streaming(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every document streams, in batches of a few hundred bytes (each batch boundary falls somewhere new)."""
    monkeypatch.setattr(stream, "STREAM_FROM", 0)
    monkeypatch.setattr(stream, "BATCH_MIN", TINY_BATCH)
    monkeypatch.setattr(stream, "BATCH_MAX", TINY_BATCH)


@pytest.fixture
def no_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """The document's whole tree is never built: a call of the tree reader fails the test."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("the whole tree was read")

    monkeypatch.setattr(xmlsafe, "parse", refuse)


def _verify(pki, data: bytes, **options):
    return kyso.verify(data, trust=[pki.root_cert], revocation="off", **options)


def _both(pki, data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[list, list]:
    """(streamed, tree) verdicts of ``data``: indication, sub-indication and messages of each signature."""

    def verdicts(report):
        return [
            (s.indication, s.sub_indication, s.coverage, s.messages, s.signed_element, s.role)
            for s in report.signatures
        ]

    streamed = verdicts(_verify(pki, data))
    with monkeypatch.context() as patch:
        patch.setattr(stream, "STREAM_FROM", 1 << 40)
        tree = verdicts(_verify(pki, data))
    return streamed, tree


# -- the canonical bytes --------------------------------------------------------------------------------------


def _generated(seed: int) -> tuple[bytes, bool]:
    """A random document: namespaces declared, redeclared and undeclared (``xmlns=""``), prefixed attributes,
    entities and character references, CDATA, comments, PIs inside, before and after the root; maybe one
    signature somewhere. (document, whether it holds a signature)."""
    chance = random.Random(seed)
    uris = ["urn:a", "urn:b", DSIG]
    signature = [chance.random() < 0.5]

    texts = ["x", " ", "\n", "&amp;", "&lt;", "&gt;", "&#13;", "ố", "\t", "]]&gt;"]
    values = ["v", "&amp;", "&lt;", "&quot;", ">", "&#9;", "&#10;", "&#13;", " ", "ư"]

    def text() -> str:
        return "".join(chance.choice(texts) for _ in range(chance.randint(0, 5)))

    def value() -> str:
        return "".join(chance.choice(values) for _ in range(chance.randint(0, 4)))

    def element(depth: int, scope: dict) -> str:
        declared, inner = [], dict(scope)
        for _ in range(chance.choice([0, 0, 1, 2])):
            prefix = chance.choice([None, "p", "q"])
            uri = chance.choice([*uris, ""]) if prefix is None else chance.choice(uris)
            if prefix not in [p for p, _ in declared]:
                declared.append((prefix, uri))
                inner[prefix] = uri
        prefix = chance.choice([None, "p", "q"])
        name = (f"{prefix}:" if prefix in inner and prefix else "") + chance.choice(["a", "rec", "Field"])
        attributes, seen = [], set()
        for _ in range(chance.choice([0, 1, 2])):
            owner = chance.choice([None, "p", "xml"])
            local = "lang" if owner == "xml" else chance.choice(["Id", "k"])
            key = (inner.get(owner, owner), local)
            if (owner in (None, "xml") or owner in inner) and key not in seen:
                seen.add(key)
                attributes.append(f'{owner + ":" if owner else ""}{local}="{value()}"')
        parts = ["<" + name + "".join(f' xmlns{":" + p if p else ""}="{u}"' for p, u in declared)]
        parts.append("".join(" " + a for a in attributes) + ">")
        for _ in range(chance.randint(0, 4 if depth < 5 else 0)):
            pick = chance.random()
            if pick < 0.45:
                parts.append(element(depth + 1, inner))
            elif pick < 0.55:
                parts.append(f"<?pi{chance.randint(0, 2)} data x?>")
            elif pick < 0.62:
                parts.append("<![CDATA[ a < b & c ]]>")
            elif pick < 0.68:
                parts.append("<!-- comment -->")
            elif pick < 0.76 and signature[0]:
                signature[0] = False
                parts.append(
                    f'<ds:Signature xmlns:ds="{DSIG}"><ds:SignedInfo>{text()}</ds:SignedInfo>'
                    "<ds:SignatureValue>AA</ds:SignatureValue></ds:Signature>"
                )
            else:
                parts.append(text())
        parts.append(f"</{name}>")
        return "".join(parts)

    wanted = signature[0]
    body = element(0, {})
    prolog = chance.choice(["", '<?xml version="1.0" encoding="UTF-8"?>\n', "<?pi before?>\n<!-- c -->"])
    epilog = chance.choice(["", "\n", "\n<?pi after?>", "<!-- end -->\n"])
    return (prolog + body + epilog).encode(), wanted and not signature[0]


def _tree_digest(data: bytes, exclusive: bool, prefixes: list[str] | None, signed: bool) -> bytes:
    tree = xmlsafe.parse(data, xmlsafe.GENERIC_LIMITS)
    signatures = list(tree.getroot().iter(f"{{{DSIG}}}Signature"))
    if signed:
        with detached(signatures[0]):
            return digest_tree(tree, "sha256", exclusive=exclusive, prefixes=prefixes)
    return digest_tree(tree, "sha256", exclusive=exclusive, prefixes=prefixes)


@pytest.mark.parametrize("seed", range(60))
def test_the_stream_digests_the_trees_canonical_bytes(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    data, signed = _generated(seed)
    chance = random.Random(-seed)
    for exclusive, prefixes in ((True, None), (False, None), (True, ["p", ""])):
        batch = chance.choice([1, 7, 40, 300])
        monkeypatch.setattr(stream, "BATCH_MIN", batch)
        monkeypatch.setattr(stream, "BATCH_MAX", batch)
        canonical = stream.Canonical(exclusive, tuple(prefixes) if prefixes else None)
        streamed = stream.StreamedDocument(
            data, xmlsafe.GENERIC_LIMITS, canonical, signature_namespaces=(DSIG, None) if signed else None
        )
        assert streamed.digest == _tree_digest(data, exclusive, prefixes, signed), (exclusive, prefixes, batch)


def test_the_tree_is_cut_as_it_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """What is left after reading is the root and the last batch, not the document (the memory goal)."""
    monkeypatch.setattr(stream, "BATCH_MIN", 4096)
    monkeypatch.setattr(stream, "BATCH_MAX", 4096)
    data = register(3000)
    streamed = stream.StreamedDocument(data, xmlsafe.GENERIC_LIMITS, stream.Canonical(True))
    assert len(streamed.tree.getroot()) < 100
    assert streamed.digest == _tree_digest(data, True, None, False)


# -- signing and verifying ------------------------------------------------------------------------------------


def test_a_large_document_is_signed_and_verified_without_its_tree(pki, signer_for, no_tree) -> None:
    """At the default threshold: a register over :data:`STREAM_FROM` is signed and verified as a stream; the
    signature is written into the document's own bytes, before the root's end tag; signxml agrees."""
    from signxml import XMLVerifier

    data = register(4000)
    assert len(data) >= stream.STREAM_FROM
    signed = kyso.sign(data, signer=signer_for("person"))
    end = data.rindex(b"</So>")
    assert signed.startswith(data[:end]) and signed.endswith(data[end:])
    assert re.search(rb"</ChungTu>\n  <Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">", signed)
    report = _verify(pki, signed)
    assert (report.indication, report.signatures[0].coverage, report.signatures[0].signed_element) == (
        "TOTAL_PASSED",
        "ENTIRE_FILE",
        "/",
    )
    XMLVerifier().verify(signed, ca_pem_file=str(pki.root_cert), parser=etree.XMLParser(huge_tree=True))


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_streamed_signatures_verify_both_ways(pki, signer_for, streaming, monkeypatch, newline: str) -> None:
    """CRLF line ends, a prefixed attribute with a character reference on the root: the stream's signature
    verifies as a stream and as a tree."""
    from kyso.xmldsig import signing

    data = register(120, newline=newline, root_attributes=' xmlns:x="urn:x" x:k="a&#13;b"')
    with monkeypatch.context() as patch:
        patch.setattr(signing, "sign_enveloped", None)  # the tree's signing is not called
        signed = kyso.sign(data, signer=signer_for("person"))
    streamed, tree = _both(pki, signed, monkeypatch)
    assert streamed == tree and streamed[0][0] == "TOTAL_PASSED"


def test_xades_levels_are_signed_as_a_stream(pki, signer_for, streaming, no_tree) -> None:
    signed = kyso.sign(register(80), signer=signer_for("person"), xml_form="xades")
    report = _verify(pki, signed)
    assert (report.indication, report.signatures[0].level) == ("TOTAL_PASSED", "B-B")


def test_a_change_in_a_cut_batch_is_caught(pki, signer_for, streaming) -> None:
    signed = kyso.sign(register(200), signer=signer_for("person"))
    for forged in (
        signed.replace(b"<SoTien>791900</SoTien>", b"<SoTien>991900</SoTien>"),  # one amount, same length
        signed.replace(b'<ChungTu Id="ct50">', b'<ChungTu Id="ct50"><Them>1</Them>', 1),  # an element added
        signed.replace(b"Chi t\xe1\xba\xa1m \xe1\xbb\xa9ng &amp; c\xc3\xb4ng t\xc3\xa1c 3", b"Chi 3", 1),
    ):
        assert forged != signed
        (verdict,) = _verify(pki, forged).signatures
        assert (verdict.indication, verdict.sub_indication) == ("TOTAL_FAILED", "HASH_FAILURE")


def _in_the_middle(signed: bytes, piece: bytes) -> bytes:
    middle = signed.index(b'<ChungTu Id="ct100">')
    return signed[:middle] + piece + signed[middle:]


def _signature_of(signed: bytes) -> bytes:
    return signed[signed.index(b"<Signature") : signed.index(b"</Signature>") + len(b"</Signature>")]


@pytest.mark.parametrize(
    "attack",
    [
        "second signature in the bulk",
        "stray SignedInfo in the bulk",
        "decoy reference in a trailing comment",
        "signature inside text",
        "signature at the end of a text",
        "text after the signature",
        "signature first",
        "kept parts too big",
    ],
)
def test_attacks_get_the_trees_verdict(pki, signer_for, streaming, monkeypatch, attack: str) -> None:
    signed = kyso.sign(register(200), signer=signer_for("person"))
    signature = _signature_of(signed)
    if attack == "second signature in the bulk":
        forged = _in_the_middle(signed, signature)
    elif attack == "stray SignedInfo in the bulk":
        info = signature[signature.index(b"<SignedInfo>") : signature.index(b"</SignedInfo>") + 13]
        forged = _in_the_middle(signed, info.replace(b"<SignedInfo>", b'<SignedInfo xmlns="' + DSIG.encode() + b'">'))
    elif attack == "decoy reference in a trailing comment":
        decoy = b'<!-- URI="" <DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/> -->'
        forged = signed.replace(b"</Signature>", b"</Signature>" + decoy)
    elif attack == "signature inside text":
        forged = signed.replace(b"\n  <Signature", b"\n  forged text<Signature")
    elif attack == "signature at the end of a text":
        # moved into a record's text: the enveloped transform still gives the signed bytes, the text is "cut"
        record = b"<SoCT>PC-00150</SoCT>"
        forged = signed.replace(signature, b"").replace(record, record[:-7] + signature + record[-7:])
    elif attack == "text after the signature":
        forged = signed.replace(b"</Signature>", b"</Signature>forged text")
    elif attack == "signature first":
        forged = signed.replace(signature, b"").replace(b'<ChungTu Id="ct0">', signature + b'<ChungTu Id="ct0">')
    else:
        monkeypatch.setattr(stream, "MAX_KEPT_BYTES", 100)
        forged = _in_the_middle(signed, b"")
    streamed, tree = _both(pki, forged, monkeypatch)
    assert streamed == tree
    if attack in ("decoy reference in a trailing comment", "kept parts too big", "signature first"):
        # the signature moved to the front is still valid: the enveloped transform takes it out wherever it is
        assert streamed[0][0] == "TOTAL_PASSED"
    else:
        assert any(v[0] != "TOTAL_PASSED" for v in streamed), attack


def test_xades_signed_properties_duplicated_in_the_bulk_are_refused(pki, signer_for, streaming, monkeypatch) -> None:
    signed = kyso.sign(register(200), signer=signer_for("person"), xml_form="xades")
    properties_id = re.search(rb'<xades:SignedProperties[^>]* Id="([^"]+)"', signed).group(1)
    forged = _in_the_middle(signed, b'<Copy Id="' + properties_id + b'"/>')
    streamed, tree = _both(pki, forged, monkeypatch)
    assert streamed == tree
    assert streamed[0][0] == "TOTAL_FAILED" and any("duplicate IDs" in m for m in streamed[0][3])


def test_a_reference_into_the_cut_part_goes_to_the_tree(pki, signer_for, streaming, monkeypatch) -> None:
    """Signature wrapping by trimming: a signature over the root by its Id, records added before the signed ones.
    The trimmed tree would still digest like the signed one; the stream never answers for it."""
    data = register(30).replace(b'<So xmlns="urn:example:so">', b'<So xmlns="urn:example:so" Id="so">')
    signed = kyso.sign(data, signer=signer_for("person"), xml_id="so")
    assert _verify(pki, signed).indication == "TOTAL_PASSED"
    bulk = b"".join(b'  <ChungTu Id="x%d"><SoTien>1</SoTien></ChungTu>\n' % n for n in range(300))
    forged = signed.replace(b'Id="so">\n', b'Id="so">\n' + bulk, 1)
    streamed, tree = _both(pki, forged, monkeypatch)
    assert streamed == tree
    assert streamed[0][:2] == ("TOTAL_FAILED", "HASH_FAILURE")


def test_a_trimmed_tree_that_digests_like_the_signed_one_is_never_trusted(pki, signer_for, monkeypatch) -> None:
    """The forgery trimming would allow: records put before the signed ones, in one batch that is cut out
    whole, leave a trimmed root that canonicalizes exactly like the signed root. Its Id reference is answered
    by the whole tree, which sees the records (a decoy whole-document Reference after the root makes the
    document stream)."""
    records = "".join(f'<R Id="r{n}"><V>{n}</V></R>' for n in range(20))
    data = f'<So xmlns="urn:example:so" Id="so">{records}</So>'.encode()
    signed = kyso.sign(data, signer=signer_for("person"), xml_id="so")
    bulk = b"".join(b"<R Id=\"b%d\"><V>1</V></R>" % n for n in range(len(signed) // 10))
    decoy = b'<!-- URI="" DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256" -->'  # makes it stream
    forged = signed.replace(b'Id="so">', b'Id="so">' + bulk, 1) + decoy
    inside_first = forged.index(b'<R Id="r0">') + len(b'<R Id="r0">') + 2
    assert 2 * inside_first >= len(forged)  # two batches: the first ends inside the first signed record
    monkeypatch.setattr(stream, "STREAM_FROM", 0)
    monkeypatch.setattr(stream, "BATCH_MIN", inside_first)
    monkeypatch.setattr(stream, "BATCH_MAX", inside_first)
    (verdict,) = _verify(pki, forged).signatures
    assert (verdict.indication, verdict.sub_indication) == ("TOTAL_FAILED", "HASH_FAILURE")


def _resigned(pki, signed: bytes, change) -> bytes:
    """``signed`` with ``change(signature)`` made to its Signature, signed again with the signer's own key: what
    only the key holder can write (the stream must still never vouch for a digest the tree would refuse)."""
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    root = etree.fromstring(signed, etree.XMLParser(huge_tree=True))
    signature = root.find("ds:Signature", NS)
    change(signature)
    canonical = etree.tostring(signature.find("ds:SignedInfo", NS), method="c14n", exclusive=True)
    key = load_pem_private_key(pki.key("person").read_bytes(), None)
    value = key.sign(canonical, padding.PKCS1v15(), hashes.SHA256())
    signature.find("ds:SignatureValue", NS).text = base64.b64encode(value).decode()
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def _content_object(signature) -> None:
    """An Object of content in the signature, signed by a second Reference."""
    import base64
    import hashlib

    holder = etree.SubElement(signature, f"{{{DSIG}}}Object", Id="obj")
    holder.text = "Thanh toán 1 đồng"
    reference = etree.Element(f"{{{DSIG}}}Reference", URI="#obj")
    transforms = etree.SubElement(reference, f"{{{DSIG}}}Transforms")
    etree.SubElement(transforms, f"{{{DSIG}}}Transform", Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
    etree.SubElement(reference, f"{{{DSIG}}}DigestMethod", Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
    digest = hashlib.sha256(etree.tostring(holder, method="c14n", exclusive=True)).digest()
    etree.SubElement(reference, f"{{{DSIG}}}DigestValue").text = base64.b64encode(digest).decode()
    signature.find("ds:SignedInfo", NS).insert(2, reference)


def _without_enveloped_transform(signature) -> None:
    transforms = signature.find("ds:SignedInfo/ds:Reference/ds:Transforms", NS)
    for transform in list(transforms):
        if transform.get("Algorithm").endswith("enveloped-signature"):
            transforms.remove(transform)


def _inside_a_late_record(signature) -> None:
    """The signature moved into the 150th record (records without Id: the path counts them), with an Object of
    content, whose path the report gives."""
    _content_object(signature)
    root = signature.getroottree().getroot()
    signature.getparent().remove(signature)
    root.findall("{urn:example:so}ChungTu")[150].append(signature)


@pytest.mark.parametrize("change", [_without_enveloped_transform, _inside_a_late_record])
def test_signatures_only_the_key_holder_could_write_get_the_trees_verdict(
    pki, signer_for, streaming, monkeypatch, change
) -> None:
    """A whole-document Reference without the enveloped-signature transform names the document with its own
    signature in it: the stream's digest (the signature taken out) must not answer for it. A signed element's
    path counts siblings: the stream's trimmed tree must not give it."""
    data = register(200).replace(b'<ChungTu Id="', b'<ChungTu N="')
    forged = _resigned(pki, kyso.sign(data, signer=signer_for("person")), change)
    streamed, tree = _both(pki, forged, monkeypatch)
    assert streamed == tree


def test_an_id_on_two_attributes_of_one_element_counts_once(streaming) -> None:
    data = register(50).replace(b'<ChungTu Id="ct7">', b'<ChungTu Id="ct7" id="ct7">')
    streamed = stream.StreamedDocument(
        data, xmlsafe.GENERIC_LIMITS, stream.Canonical(True), signature_namespaces=(DSIG, None), id_values=("ct7",)
    )
    assert streamed.trimmed_ids["ct7"] == 1


def test_a_large_invoice_keeps_its_roles(pki, signer_for, streaming) -> None:
    """An e-invoice's profile (the roles of its signatures) is decided on its whole tree: here a whole-document
    signature in the seller's place, whose role the trimmed tree (``DLHDon`` cut out) would not know."""
    lines = "".join(f"<HHDVu><STT>{n}</STT><THHDVu>Dịch vụ</THHDVu></HHDVu>" for n in range(300))
    invoice = (
        f'<HDon><DLHDon Id="HD-1"><TTChung><SHDon>1</SHDon></TTChung><NDHDon><DSHHDVu>{lines}</DSHHDVu>'
        f"</NDHDon></DLHDon><DSCKS><CCKSKhac>{'x' * 600}</CCKSKhac><NBan/></DSCKS></HDon>"
    ).encode()
    signed = kyso.sign(invoice, signer=signer_for("person"), xml_into="/HDon/DSCKS/NBan")
    (verdict,) = _verify(pki, signed).signatures
    assert (verdict.indication, verdict.role) == ("TOTAL_PASSED", "seller")


@pytest.mark.parametrize("stream_it", [True, False], ids=["stream", "tree"])
def test_a_root_ending_with_a_processing_instruction_signs_right(pki, signer_for, monkeypatch, stream_it) -> None:
    """The text before the signature is the last node's tail, a processing instruction's too (the tree's signing
    indented the last element's tail: HASH_FAILURE)."""
    monkeypatch.setattr(stream, "STREAM_FROM", 0 if stream_it else 1 << 40)
    data = register(40).replace(b"</So>", b"<?pi x?>\n</So>")
    signed = kyso.sign(data, signer=signer_for("person"))
    assert _verify(pki, signed).indication == "TOTAL_PASSED"


def test_a_namespace_c14n_refuses_is_an_input_error(pki, signer_for, streaming, monkeypatch) -> None:
    data = register(100).replace(b'<ChungTu Id="ct50">', b'<ChungTu Id="ct50" xmlns:r="relative/uri">')
    for stream_it in (True, False):
        monkeypatch.setattr(stream, "STREAM_FROM", 0 if stream_it else 1 << 40)
        with pytest.raises(InputError, match="cannot be canonicalized"):
            kyso.sign(data, signer=signer_for("person"))
    monkeypatch.setattr(stream, "STREAM_FROM", 0)
    signed = kyso.sign(register(100), signer=signer_for("person"))
    forged = signed.replace(b'<ChungTu Id="ct50">', b'<ChungTu Id="ct50" xmlns:r="relative/uri">')
    streamed, tree = _both(pki, forged, monkeypatch)
    assert streamed == tree and streamed[0][0] == "INDETERMINATE"


def test_the_stream_answers_only_for_its_signature(streaming) -> None:
    data = register(50).replace(b"</So>", f'<Signature xmlns="{DSIG}"><SignedInfo/></Signature></So>'.encode())
    streamed = stream.StreamedDocument(
        data, xmlsafe.GENERIC_LIMITS, stream.Canonical(True), signature_namespaces=(DSIG, None), id_values=("ct3",)
    )
    root = streamed.tree.getroot()
    with pytest.raises(stream.StreamMiss):
        streamed.check_target(root)
    with pytest.raises(stream.StreamMiss):
        streamed.whole_digest(streamed.signature, stream.Canonical(False))
    with pytest.raises(stream.StreamMiss):
        streamed.resolve("ct3", [])  # cut out: the one element with that Id is not in the tree
    with pytest.raises(stream.StreamMiss):
        streamed.resolve("ct4", [])  # not counted
    streamed.check_target(streamed.signature.find("ds:SignedInfo", NS))
    assert streamed.whole_digest(streamed.signature, stream.Canonical(True)) == streamed.digest


def test_shapes_the_stream_does_not_sign_go_to_the_tree(pki, signer_for, streaming) -> None:
    for data in (
        register(50).replace(b"</So>\n", b"</So>\n<!-- after the root -->\n"),
        register(50).replace(b"</So>\n", b"</So>\n<?pi after?>"),
        b'<So xmlns="urn:example:so" Id="empty"/>',
    ):
        signed = kyso.sign(data, signer=signer_for("person"))
        assert _verify(pki, signed).indication == "TOTAL_PASSED"


# -- the hardened reading, batch by batch ---------------------------------------------------------------------


def _middle(piece: str) -> bytes:
    data = register(300)
    middle = data.index(b'<ChungTu Id="ct150">')
    return data[:middle] + piece.encode() + data[middle:]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_middle("<d>" * 70 + "</d>" * 70), "nests deeper than 64"),
        (_middle("<e " + " ".join(f'a{n}="1"' for n in range(65)) + "/>"), "more than 64 attributes"),
        (_middle("<e>&undefined;</e>"), "not well-formed"),
        (register(300)[:-2000], "not well-formed"),
        (_middle("<e><f></e>"), "not well-formed"),
    ],
    ids=["depth", "attributes", "entity", "truncated", "mismatched"],
)
def test_hostile_batches_are_refused_as_the_tree_refuses_them(data: bytes, reason: str, streaming) -> None:
    for canonical in (stream.Canonical(True), stream.Canonical(False)):
        with pytest.raises(InputError, match=reason):
            stream.StreamedDocument(data, xmlsafe.GENERIC_LIMITS, canonical)
    with pytest.raises(InputError, match=reason):
        xmlsafe.parse(data, xmlsafe.GENERIC_LIMITS)


@pytest.mark.parametrize("data", [b"<a:></a:>", b"<:a></:a>", b"<a:b:c></a:b:c>"])
def test_a_root_name_lxml_refuses_is_an_input_error(data: bytes, streaming) -> None:
    """The root's name read on the bytes names the parser's events: one lxml refuses is the reader's error."""
    with pytest.raises(InputError):
        stream.StreamedDocument(data, xmlsafe.GENERIC_LIMITS, stream.Canonical(True))


def test_counts_add_up_over_the_batches(streaming) -> None:
    """Element and attribute bounds hold for the whole document, not for each batch."""
    data = register(300)
    elements = data.count(b"<ChungTu") * 4 + 1
    limits = xmlsafe.Limits(max_elements=elements - 1, max_attributes=10_000)
    with pytest.raises(InputError, match="more than"):
        stream.StreamedDocument(data, limits, stream.Canonical(True))
    with pytest.raises(InputError, match="more than 299 attributes"):
        stream.StreamedDocument(data, xmlsafe.Limits(max_attributes=299), stream.Canonical(True))
    stream.StreamedDocument(data, xmlsafe.Limits(max_elements=elements, max_attributes=300), stream.Canonical(True))


def test_the_guess_is_read_on_the_documents_end() -> None:
    signed_like = register(10).replace(
        b"</So>",
        (
            '<Old URI=""><DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/></Old>'
            f'<Signature xmlns="{DSIG}"><SignedInfo><Reference URI=""><Transforms>'
            '<Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
            '<Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/></Transforms>'
            '<DigestMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#sha384"/></Reference>'
            '<Reference URI="#props"/></SignedInfo></Signature></So>'
        ).encode(),
    )
    assert stream.guess_signature(signed_like) == (stream.Canonical(False, None, "sha384"), ("props",))
    assert stream.guess_signature(register(10)) is None
