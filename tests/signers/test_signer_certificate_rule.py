"""Issue 16, item 8: ``kyso sign`` with a certificate that cannot sign (expired, not yet valid, a key usage that
excludes signing; revoked at B-LT / B-LTA or with --check-revocation) refuses by default and says why; ``--force``
(``force=True``) signs anyway. The offline checks are one rule in the library (kyso.certs.signing_certificate)."""

from __future__ import annotations

import pytest

import kyso
from kyso.core.errors import SignerCertificateError

OFFLINE = [("expired", "expired"), ("not_yet_valid", "not_yet_valid"), ("wrong_key_usage", "key_usage")]


@pytest.mark.parametrize(("entity", "reason"), OFFLINE)
def test_the_library_refuses_a_certificate_that_cannot_sign(entity, reason, signer_for, unsigned_pdf, kyso_pki):
    kyso_pki.reset_request_count()
    with pytest.raises(SignerCertificateError) as caught:
        kyso.sign(unsigned_pdf, signer=signer_for(entity))
    assert caught.value.reason == reason
    assert sum(kyso_pki.request_count.values()) == 0  # decided offline


@pytest.mark.parametrize(("entity", "reason"), OFFLINE)
def test_force_signs_anyway(entity, reason, signer_for, unsigned_pdf):
    assert kyso.sign(unsigned_pdf, signer=signer_for(entity), force=True).startswith(unsigned_pdf)


@pytest.mark.parametrize(
    ("entity", "vietnamese"),
    [
        ("expired", "đã hết hạn từ"),
        ("not_yet_valid", "chưa có hiệu lực, bắt đầu từ"),
        ("wrong_key_usage", "không cho phép ký"),
    ],
)
def test_kyso_sign_refuses_says_why_and_writes_nothing(entity, vietnamese, kyso_cli, kyso_pki, tmp_path, unsigned_pdf):
    (tmp_path / "in.pdf").write_bytes(unsigned_pdf)
    args = ["sign", tmp_path / "in.pdf", "-o", tmp_path / "out.pdf", "--p12", kyso_pki.p12(entity)]
    env = {"P12": kyso_pki.password}
    refused = kyso_cli(*args, "--password-env", "P12", env=env)
    assert refused.exit_code == 2 and vietnamese in refused.stderr and "--force" in refused.stderr, refused.stderr
    assert not (tmp_path / "out.pdf").exists()
    forced = kyso_cli(*args, "--password-env", "P12", "--force", env=env)
    assert forced.exit_code == 0 and (tmp_path / "out.pdf").exists(), forced.stderr


def test_revocation_is_checked_when_asked_and_at_b_lt(signer_for, unsigned_pdf, kyso_pki):
    revoked = signer_for("revoked")
    kyso.sign(unsigned_pdf, signer=revoked)  # B-B, not asked: no network, signs (verification will say REVOKED)
    with pytest.raises(SignerCertificateError) as caught:
        kyso.sign(unsigned_pdf, signer=revoked, check_revocation=True)
    assert caught.value.reason == "revoked"
    with pytest.raises(SignerCertificateError):
        kyso.sign(unsigned_pdf, signer=revoked, level="B-LT", tsa=kyso_pki.tsa_url)
    kyso.sign(unsigned_pdf, signer=signer_for("person"), check_revocation=True)  # a good one still signs


def test_a_good_signer_signs_without_a_network_request(signer_for, unsigned_pdf, kyso_pki):
    kyso_pki.reset_request_count()
    kyso.sign(unsigned_pdf, signer=signer_for("person"))
    assert sum(kyso_pki.request_count.values()) == 0
