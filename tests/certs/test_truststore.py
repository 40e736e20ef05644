"""The trust store: the real roots known by pin, `kyso trust list|add|remove|fetch`, anchors from the config file,
KYSO_TRUST and --trust. Downloads come from a local server on 127.0.0.1 serving the shared copies."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from certs_helpers import HostileServer, Route, issue

# fixtures: importing one registers it here
from certs_helpers import hostile_server_fixture as hostile_server_fixture
from certs_helpers import mini_pki_fixture as mini_pki_fixture
from certs_helpers import trust_copies_fixture as trust_copies_fixture

import kyso
from kyso.certs import truststore


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty configuration directory per test."""
    directory = tmp_path / "config"
    monkeypatch.setenv("KYSO_CONFIG_DIR", str(directory))
    monkeypatch.delenv("KYSO_TRUST", raising=False)
    return directory


def colon_sha256(data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, 64, 2))


def der_of(path: Path) -> bytes:
    from kyso.certs.loading import certificates_from_bytes

    return certificates_from_bytes(path.read_bytes())[0]


def test_the_pins_match_the_copies_of_the_real_certificates(trust_copies: Path) -> None:
    for item in truststore.KNOWN:
        assert colon_sha256(der_of(trust_copies / f"{item.name}.crt")) == item.sha256, item.name


def test_known_names_and_official_urls() -> None:
    names = {k.name: k for k in truststore.KNOWN}
    assert names["rootcag2"].subject == "RootCA chuyên dùng Chính phủ G2"
    assert names["rootcag2"].url == "http://ca.gov.vn/pki/pub/crt/rootcag2.crt"
    assert names["cpcag2"].subject == "CA phục vụ các cơ quan Nhà nước G2"
    assert names["vnrca256"].url == "https://rootca.gov.vn/crt/vnrca256.p7b"
    assert not names["cpcag2"].anchor  # an issuing CA helps to build paths; it is not trusted by itself


def test_list_shows_known_roots_not_installed(kyso_cli) -> None:
    result = kyso_cli("trust", "list", "--format", "json")
    assert result.exit_code == 0, result.stderr
    listing = {e["name"]: e for e in json.loads(result.stdout)}
    assert listing["rootcag2"]["source"] == "not installed"
    assert listing["rootcag2"]["sha256"].startswith("F0:4B:A4:B4")


def test_fetch_installs_only_a_certificate_matching_its_pin(
    trust_copies: Path, hostile_server: HostileServer, kyso_cli, config_dir: Path
) -> None:
    hostile_server.routes["trust/rootcag2.crt"] = Route((trust_copies / "rootcag2.crt").read_bytes())
    hostile_server.routes["trust/fake-rootcag2.crt"] = Route(issue("RootCA chuyên dùng Chính phủ G2", ca=True).pem)

    refused = kyso_cli("trust", "fetch", "rootcag2", "--url", hostile_server.url("trust/fake-rootcag2.crt"))
    assert refused.exit_code == 2
    assert "fingerprint mismatch" in refused.stderr
    assert "F0:4B:A4:B4" in refused.stderr
    assert not list((config_dir / "trust").glob("*.pem")) if (config_dir / "trust").exists() else True

    fetched = kyso_cli("trust", "fetch", "rootcag2", "--url", hostile_server.url("trust/rootcag2.crt"))
    assert fetched.exit_code == 0, fetched.stderr
    assert "pin matches" in fetched.stdout
    listing = kyso_cli("trust", "list")
    assert "rootcag2  RootCA chuyên dùng Chính phủ G2  [anchor, store]" in listing.stdout
    assert "SHA-256 F0:4B:A4:B4:59:A7:C9:A1" in listing.stdout


def test_fetch_reads_a_pkcs7_bundle(trust_copies: Path, hostile_server: HostileServer, kyso_cli) -> None:
    from asn1crypto import cms, tsp  # noqa: F401 - tsp first: it registers tst_info before ContentType maps are built
    from asn1crypto import x509 as ax

    bundle = cms.ContentInfo(
        {
            "content_type": "signed_data",
            "content": {
                "version": "v1",
                "digest_algorithms": [],
                "encap_content_info": {"content_type": "data"},
                "certificates": [ax.Certificate.load(der_of(trust_copies / "vnrca256.crt"))],
                "signer_infos": [],
            },
        }
    ).dump()
    hostile_server.routes["trust/vnrca256.p7b"] = Route(bundle, "application/x-pkcs7-certificates")
    result = kyso_cli("trust", "fetch", "vnrca256", "--url", hostile_server.url("trust/vnrca256.p7b"))
    assert result.exit_code == 0, result.stderr
    anchors, _ = truststore.configured_certificates()
    assert der_of(trust_copies / "vnrca256.crt") in anchors


def test_fetch_of_an_unreachable_url_is_a_clear_error(kyso_cli) -> None:
    result = kyso_cli("trust", "fetch", "rootcag2", "--url", "http://127.0.0.1:9/rootcag2.crt", "--timeout", "1")
    assert result.exit_code == 2
    assert "cannot download" in result.stderr


def test_add_and_remove(trust_copies: Path, kyso_cli, tmp_path: Path) -> None:
    added = kyso_cli("trust", "add", trust_copies / "rootcag2.crt")
    assert added.exit_code == 0, added.stderr
    assert "added rootcag2" in added.stdout  # recognised by its fingerprint
    leaf = tmp_path / "leaf.pem"
    leaf.write_bytes(issue("Not a CA").pem)
    refused = kyso_cli("trust", "add", leaf)
    assert refused.exit_code == 2 and "not a CA certificate" in refused.stderr
    assert kyso_cli("trust", "remove", "F04BA4B459A7").exit_code == 0  # by fingerprint prefix
    assert kyso_cli("trust", "remove", "rootcag2").exit_code == 2  # already gone


def test_cert_validate_decodes_the_vietnamese_names(trust_copies: Path, kyso_cli) -> None:
    """cpcag2.crt validated against rootcag2.crt (offline: no test touches the internet)."""
    result = kyso_cli(
        "cert",
        "validate",
        trust_copies / "cpcag2.crt",
        "--trust",
        trust_copies / "rootcag2.crt",
        "--revocation",
        "off",
        "--format",
        "json",
    )
    report = json.loads(result.stdout)
    assert "Common Name: CA phục vụ các cơ quan Nhà nước G2" in report["chain"][0]
    assert "Common Name: RootCA chuyên dùng Chính phủ G2" in report["chain"][1]
    assert "Ban Cơ yếu Chính phủ" in report["chain"][1]
    assert report["certificate"]["common_name"] == "CA phục vụ các cơ quan Nhà nước G2"
    text = kyso_cli(
        "cert", "validate", trust_copies / "cpcag2.crt", "--trust", trust_copies / "rootcag2.crt", "--revocation", "off"
    ).stdout
    assert "CA phục vụ các cơ quan Nhà nước G2 → RootCA chuyên dùng Chính phủ G2" in text


def test_anchors_from_store_config_file_and_environment(
    trust_copies: Path, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cpca = (trust_copies / "cpcag2.crt").read_bytes()

    def chain_length() -> int:
        return len(kyso.validate_certificate(cpca, revocation="off", offline=True).chain)

    assert chain_length() == 1  # nothing configured: no anchor
    monkeypatch.setenv("KYSO_TRUST", str(trust_copies / "rootcag2.crt"))
    assert chain_length() == 2
    monkeypatch.delenv("KYSO_TRUST")
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.toml").write_text(
        f'[trust]\nanchors = ["{(trust_copies / "rootcag2.crt").as_posix()}"]\n', encoding="utf-8"
    )
    assert chain_length() == 2
    listing = {e.name: e for e in truststore.entries()}
    assert listing["rootcag2"].source == "config"


def test_a_broken_config_file_is_a_clear_error(config_dir: Path, kyso_cli) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.toml").write_text("[trust\nanchors = 3", encoding="utf-8")
    result = kyso_cli("trust", "list")
    assert result.exit_code == 2
    assert "config.toml" in result.stderr


def test_a_bundle_with_one_unacceptable_certificate_adds_nothing(trust_copies: Path, kyso_cli, tmp_path: Path) -> None:
    """`trust add` is all or nothing: a CA followed by a leaf in one PEM file leaves the store as it was."""
    from asn1crypto import pem

    from kyso.certs.loading import certificates_from_bytes

    root = certificates_from_bytes((trust_copies / "rootcag2.crt").read_bytes())[0]
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(pem.armor("CERTIFICATE", root) + issue("Not a CA either").pem)
    refused = kyso_cli("trust", "add", bundle)
    assert refused.exit_code == 2 and "not a CA certificate" in refused.stderr
    assert truststore.configured_certificates() == ((), ())
    assert not truststore.store_dir().is_dir() or not list(truststore.store_dir().glob("*.pem"))
