"""`kyso demo`: the main job on the embedded default, end to end, offline."""

from __future__ import annotations

import json
from pathlib import Path

import kyso


def test_demo_signs_and_verifies_a_letter(kyso_cli, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = kyso_cli("demo", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert "Kết luận: HỢP LỆ" in result.stdout
    assert "Nguyễn Văn An" in result.stdout and "Ủy ban nhân dân tỉnh Nghệ An" in result.stdout
    assert "chưa bị thu hồi (nguồn: ocsp)" in result.stdout  # revocation was really checked over HTTP
    signed = (out / "cong-van-mau.signed.pdf").read_bytes()
    assert signed.startswith((out / "cong-van-mau.pdf").read_bytes()), "signatures are incremental updates"
    # the demo's files stand on their own: verify again from disk with the demo's trust anchor (services stopped)
    report = kyso.verify(signed, trust=[out / "pki" / "root.cert.pem"], revocation="off")
    assert report.indication == "TOTAL_PASSED"
    assert [s.signer.common_name for s in report.signatures] == ["Nguyễn Văn An", "Ủy ban nhân dân tỉnh Nghệ An"]
    assert all(s.level == "B-T" for s in report.signatures)
    assert [s.kind for s in report.signatures] == ["approval", "issuance"]
    assert "Loại chữ ký: ký duyệt" in result.stdout and "Loại chữ ký: ký phát hành" in result.stdout
    cli = kyso_cli(
        "verify",
        out / "cong-van-mau.signed.pdf",
        "--trust",
        out / "pki" / "root.cert.pem",
        "--revocation",
        "off",
        "--format",
        "json",
    )
    assert json.loads(cli.stdout)["indication"] == "TOTAL_PASSED"
    # the demo PKI is marked as test material
    assert "DEMO" in report.signatures[0].certificate.chain[-1]
