"""Shared helpers of the generic XML tests: documents, an EC signer, and signxml's view of Kyso's signatures."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

SHARED = Path(os.environ.get("KYSO_SHARED", Path(__file__).resolve().parents[2] / ".." / "shared")).resolve()
INTEROP = SHARED / "interop" / "xml"
TRUST = SHARED / "interop" / "trust" / "xml"

VOUCHER = """<?xml version="1.0" encoding="UTF-8"?>
<ChungTu xmlns="urn:example:chungtu">
  <TTChung Id="tt1">
    <SoCT>PC-0042</SoCT>
    <NgayCT>2026-11-30</NgayCT>
  </TTChung>
  <NoiDung Id="nd1">
    <DienGiai>Chi tạm ứng công tác phí</DienGiai>
    <SoTien>2.500.000</SoTien>
  </NoiDung>
</ChungTu>
""".encode()

INVOICE = """<?xml version="1.0" encoding="UTF-8"?>
<HDon>
  <DLHDon Id="HD-2026-0001">
    <TTChung><PBan>2.1.0</PBan><THDon>Hóa đơn giá trị gia tăng</THDon><KHMSHDon>1</KHMSHDon>
      <KHHDon>C26TAA</KHHDon><SHDon>1</SHDon><NLap>2026-11-30</NLap><DVTTe>VND</DVTTe></TTChung>
    <NDHDon>
      <NBan><Ten>Công ty Cổ phần Kyso</Ten><MST>0101234567</MST></NBan>
      <NMua><Ten>Sở Thông tin và Truyền thông Quảng Ngãi</Ten><MST>4300123456</MST></NMua>
      <DSHHDVu><HHDVu><STT>1</STT><THHDVu>Dịch vụ ký số</THHDVu><SLuong>1</SLuong><DGia>1000000</DGia>
        <ThTien>1000000</ThTien><TSuat>10%</TSuat></HHDVu></DSHHDVu>
      <TToan><TgTCThue>1000000</TgTCThue><TgTThue>100000</TgTThue><TgTTTBSo>1100000</TgTTTBSo>
        <TgTTTBChu>Một triệu một trăm nghìn đồng</TgTTTBChu></TToan>
    </NDHDon>
  </DLHDon>
  <DSCKS><NBan/><NMua/><CCKSKhac/></DSCKS>
</HDon>
""".encode()


def ec_signer():
    """A self-signed P-256 signer (the test PKI is RSA): what ECDSA signing and verifying need."""
    import kyso
    from kyso.testing.certificates import certificate

    key = ec.generate_private_key(ec.SECP256R1())
    issued = certificate("EC test signer", public_key=key.public_key(), signing_key=key, ca=True)
    der = issued.public_bytes(serialization.Encoding.DER)
    return kyso.Pkcs12Signer(key, der, ()), issued.public_bytes(serialization.Encoding.PEM)
