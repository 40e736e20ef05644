"""Helpers and fixtures of the edXML tests: a fully populated message, the same signed by the test PKI, loaded test
keys, and a hand-made signer for signatures the SDK itself never writes (SHA-1, partial references, legacy namespace).

Not a ``conftest.py``: other test modules import the top-level ``conftest`` by name, which a second one would shadow.
Test modules import the fixtures they use from here."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

import kyso
from kyso.testing.pki import TestPKI
from kyso_edxml import codec
from kyso_edxml.model import (
    Attachment,
    Bussiness,
    BussinessDocumentInfo,
    Code,
    DocumentType,
    EdXMLMessage,
    ManifestReference,
    MessageHeader,
    Organization,
    OtherInfo,
    PromulgationInfo,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    TraceHeader,
)

SHARED = Path(os.environ.get("KYSO_SHARED", Path(__file__).resolve().parents[2] / ".." / "shared")).resolve()
SAMPLES = SHARED / "interop" / "edxml"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
ALGORITHMS = {
    "sha1": ("http://www.w3.org/2000/09/xmldsig#sha1", "http://www.w3.org/2000/09/xmldsig#rsa-sha1"),
    "sha256": (
        "http://www.w3.org/2001/04/xmlenc#sha256",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    ),
}


def full_message(attachment: bytes = b"%PDF-1.7 van ban kem theo\n") -> EdXMLMessage:
    """A document package with every field of the model filled."""
    organ = Organization(
        organ_id="000.00.00.H41",
        organization_in_charge="UBND Tỉnh Nghệ An",
        organ_name="Văn phòng UBND tỉnh Nghệ An",
        organ_add="Số 03, đường Trường Thi, Thành phố Vinh",
        email="vanphong@nghean.gov.vn",
        telephone="0238 3840418",
        fax="0238 3843049",
        website="www.nghean.gov.vn",
    )
    message = EdXMLMessage(
        header=MessageHeader(
            from_=organ,
            to=[
                Organization(organ_id="000.00.00.G22", organ_name="Văn phòng Chính phủ", email="vpcp@chinhphu.vn"),
                Organization(organ_id="000.00.00.H53", organ_name="UBND tỉnh Tây Ninh", organ_add=""),
            ],
            document_id="000.00.00.H41,2026/11/20,1234/UBND-VX",
            code=Code(code_number="1234", code_notation="UBND-VX"),
            promulgation_info=PromulgationInfo(place="Nghệ An", promulgation_date=date(2026, 11, 20)),
            document_type=DocumentType(type=1, type_detail=0, type_name="Công văn"),
            subject="V/v triển khai chữ ký số chuyên dùng Chính phủ",
            content="Ủy ban nhân dân tỉnh đề nghị các sở, ban, ngành triển khai ký số văn bản điện tử.",
            signer_info=SignerInfo(competence="TM. UBND TỈNH", position="Chủ tịch", full_name="Nguyễn Văn An"),
            due_date=date(2026, 12, 31),
            to_places=["Như trên", "Lưu: VT, VX"],
            other_info=OtherInfo(
                priority=0,
                sphere_of_promulgation="Liên thông văn bản quốc gia",
                typer_notation="NVA",
                promulgation_amount=3,
                page_amount=2,
                direction=False,
                appendixes=["Phụ lục I", "Phụ lục II"],
            ),
            steering_type=1,
            response_for=[
                ResponseFor(
                    organ_id="000.00.00.G22",
                    code="7816/VPCP-TTĐT",
                    promulgation_date=date(2026, 9, 30),
                    document_id="000.00.00.G22,2026/09/30,7816/VPCP-TTĐT",
                )
            ],
        ),
        trace_headers=[
            TraceHeader(organ_id="000.00.00.H41", timestamp=datetime(2026, 11, 20, 9, 15, 0)),
            TraceHeader(organ_id="000.00.00.G22", timestamp=datetime(2026, 11, 20, 9, 16, 30)),
        ],
        bussiness=Bussiness(
            document_id="000.00.00.H41,2026/11/20,1234/UBND-VX",
            bussiness_doc_type=2,
            bussiness_doc_reason="Cập nhật văn bản điện tử",
            paper=0,
            document_info=BussinessDocumentInfo(
                document_info="1",
                document_receiver="1",
                receivers=[Receiver("000.00.00.G22", 0), Receiver("000.00.00.H53", 1)],
            ),
            replacements=[ReplacementInfo("000.00.00.H41,2026/11/01,1200/UBND-VX", ["000.00.00.G22"])],
            staff_info=StaffInfo(department="Văn thư", staff="Trần Thị Bình", mobile="0912000001", email="vt@x.vn"),
        ),
        attachments=[
            Attachment(
                content_id="cid:1",
                attachment_name="1234-UBND-VX.pdf",
                description="Văn bản chính",
                content_type="application/pdf",
                data=attachment,
            )
        ],
    )
    message.manifest = [
        ManifestReference(a.content_id, a.content_type, a.description, a.attachment_name) for a in message.attachments
    ]
    return message


def pem_to_der(path: Path) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.load_pem_x509_certificate(path.read_bytes()).public_bytes(Encoding.DER)


def hand_sign(
    data: bytes,
    key: Any,
    certificates: list[bytes],
    *,
    uri: str = "",
    digest: str = "sha256",
    namespace: str = DSIG,
    target_id: tuple[str, str] | None = None,
) -> bytes:
    """An enveloped signature written without the SDK: any digest, any reference, any namespace.

    ``target_id`` = (local name, id) sets an ``Id`` on that element first (for ``#id`` references).
    """
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    from lxml import etree

    root = etree.fromstring(data, etree.XMLParser(huge_tree=True))
    if target_id:
        element = next(e for e in root.iter() if isinstance(e.tag, str) and e.tag.endswith("}" + target_id[0]))
        element.set("Id", target_id[1])
    node = root.getroottree() if uri == "" else next(e for e in root.iter() if e.get("Id") == uri[1:])
    canonical = etree.tostring(node, method="c14n", exclusive=True, with_comments=False)
    digest_uri, method_uri = ALGORITHMS[digest]
    value = base64.b64encode(hashlib.new(digest, canonical).digest()).decode()
    header = next(e for e in root.iter() if isinstance(e.tag, str) and e.tag.endswith("}edXMLHeader"))
    n = f"{{{namespace}}}"
    signature = etree.SubElement(header, n + "Signature", nsmap={None: namespace})
    info = etree.SubElement(signature, n + "SignedInfo")
    etree.SubElement(info, n + "CanonicalizationMethod", Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
    etree.SubElement(info, n + "SignatureMethod", Algorithm=method_uri)
    reference = etree.SubElement(info, n + "Reference", URI=uri)
    transforms = etree.SubElement(reference, n + "Transforms")
    etree.SubElement(transforms, n + "Transform", Algorithm=DSIG + "enveloped-signature")
    etree.SubElement(transforms, n + "Transform", Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
    etree.SubElement(reference, n + "DigestMethod", Algorithm=digest_uri)
    etree.SubElement(reference, n + "DigestValue").text = value
    signed_info = etree.tostring(info, method="c14n", exclusive=True, with_comments=False)
    hash_class = hashes.SHA1 if digest == "sha1" else hashes.SHA256
    raw = key.sign(signed_info, padding.PKCS1v15(), hash_class())
    etree.SubElement(signature, n + "SignatureValue").text = base64.b64encode(raw).decode()
    x509 = etree.SubElement(etree.SubElement(signature, n + "KeyInfo"), n + "X509Data")
    for der in certificates:
        etree.SubElement(x509, n + "X509Certificate").text = base64.b64encode(der).decode()
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


@pytest.fixture(scope="session", name="unsigned_edxml")
def unsigned_edxml_fixture() -> bytes:
    return codec.build(full_message())


@pytest.fixture(scope="session", name="signed_edxml")
def signed_edxml_fixture(unsigned_edxml: bytes, signer_for: Callable[[str], kyso.Pkcs12Signer]) -> bytes:
    return kyso.sign(unsigned_edxml, signer=signer_for("person"))


@pytest.fixture(scope="session", name="private_key")
def private_key_fixture(pki: TestPKI) -> Callable[[str], Any]:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    cache: dict[str, Any] = {}

    def load(name: str) -> Any:
        if name not in cache:
            cache[name] = load_pem_private_key(pki.key(name).read_bytes(), None)
        return cache[name]

    return load
