"""X.509 chain constraints enforced by validate_certificate, with certomancer-made certificates: basic constraints,
path length, name constraints, key usage for document signing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import kyso

CONFIG = """
external-url-prefix: "http://127.0.0.1:9"
keysets:
  c:
    path-prefix: keys
    keys:
{keys}
pki-architectures:
  c:
    keyset: c
    entity-defaults:
      country-name: VN
      organizational-unit-name: "kyso constraints test - không có giá trị"
    entities:
{entities}
    certs:
      root:
        subject: root
        issuer: root
        validity: {validity}
        profiles: [simple-ca]
      ca0:
        subject: ca0
        issuer: root
        validity: {validity}
        profiles:
          - id: simple-ca
            params: {{max-path-len: 0}}
      sub:
        subject: sub
        issuer: ca0
        validity: {validity}
        profiles: [simple-ca]
      under_sub:
        subject: ee
        issuer: sub
        validity: {validity}
        extensions: [{signing}]
      under_ca0:
        subject: ee
        issuer: ca0
        validity: {validity}
        extensions: [{signing}]
      not_ca:
        subject: notca
        issuer: root
        validity: {validity}
        extensions: [{signing}]
      under_not_ca:
        subject: ee
        issuer: notca
        validity: {validity}
        extensions: [{signing}]
      nc_ca:
        subject: ncca
        issuer: root
        validity: {validity}
        profiles: [simple-ca]
        extensions:
          - id: name_constraints
            critical: true
            value:
              permitted_subtrees:
                - base: {{rfc822_name: "nghean.gov.vn"}}
{name_constrained}
      encipher_only:
        subject: ee
        issuer: ca0
        validity: {validity}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [key_encipherment]}}
"""

ENTITIES = {
    "root": "Constraints Root",
    "ca0": "CA with path length 0",
    "sub": "Sub-CA below a path length 0 CA",
    "notca": "End entity, not a CA",
    "ncca": "CA limited to nghean.gov.vn",
    "ee": "Nguyễn Văn An",
}
NAME_CONSTRAINED = {"nc_inside": "an@nghean.gov.vn", "nc_outside": "an@hanoi.gov.vn"}
"""Leaves of the CA limited to nghean.gov.vn, and the e-mail address each carries."""
NAME_CONSTRAINED_LEAF = """\
      {label}:
        subject: ee
        issuer: ncca
        validity: {validity}
        extensions:
          - {signing}
          - id: subject_alt_name
            smart-value: {{schema: general-names, params: [{{type: email, value: "{email}"}}]}}"""
SIGNING = (
    "{id: key_usage, critical: true, smart-value: {schema: key-usage, params: [digital_signature, non_repudiation]}}"
)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    import yaml
    from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    directory: Path = tmp_path_factory.mktemp("constraints-pki")
    (directory / "keys").mkdir()
    for name in ENTITIES:
        key = ec.generate_private_key(ec.SECP256R1())
        (directory / "keys" / f"{name}.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    now = datetime.now(UTC).replace(microsecond=0)
    start, end = (now - timedelta(days=10)).isoformat(), (now + timedelta(days=300)).isoformat()
    validity = f'{{valid-from: "{start}", valid-to: "{end}"}}'
    text = CONFIG.format(
        keys="\n".join(f"      {n}: {{path: {n}.pem}}" for n in ENTITIES),
        entities="\n".join(f'      {n}: {{common-name: "{cn}"}}' for n, cn in ENTITIES.items()),
        validity=validity,
        signing=SIGNING,
        name_constrained="\n".join(
            NAME_CONSTRAINED_LEAF.format(label=label, email=email, validity=validity, signing=SIGNING)
            for label, email in NAME_CONSTRAINED.items()
        ),
    )
    arch = CertomancerConfig(yaml.safe_load(text), key_search_dir=str(directory)).get_pki_arch(ArchLabel("c"))
    labels = ["root", "ca0", "sub", "not_ca", "nc_ca", "under_sub", "under_ca0", "under_not_ca", "nc_inside"]
    labels += ["nc_outside", "encipher_only"]
    return {label: arch.get_cert(CertLabel(label)).dump() for label in labels}


def check(certs: dict[str, bytes], leaf: str, *intermediates: str, **options: Any) -> Any:
    """``leaf`` validated through ``intermediates`` to the root, offline, revocation off; ``options`` add to it."""
    return kyso.validate_certificate(
        certs[leaf],
        trust=[certs["root"]],
        intermediates=[certs[i] for i in intermediates],
        revocation="off",
        offline=True,
        **options,
    )


def test_a_chain_within_its_constraints_passes(certs: dict[str, bytes]) -> None:
    report = check(certs, "under_ca0", "ca0")
    assert report.indication == "TOTAL_PASSED", report.messages
    assert [c.split("Common Name: ")[1].split(", ")[0] for c in report.chain] == [
        "Nguyễn Văn An",
        "CA with path length 0",
        "Constraints Root",
    ]


def assert_constraints_failure(report: Any, fragment: str) -> None:
    """INDETERMINATE / CHAIN_CONSTRAINTS_FAILURE, with a message that names the broken constraint."""
    assert report.indication == "INDETERMINATE"
    assert report.sub_indication == "CHAIN_CONSTRAINTS_FAILURE", report.messages
    assert fragment in " ".join(report.messages)


def test_path_length_exceeded(certs: dict[str, bytes]) -> None:
    assert_constraints_failure(check(certs, "under_sub", "ca0", "sub"), "path length")


def test_end_entity_acting_as_a_ca(certs: dict[str, bytes]) -> None:
    assert_constraints_failure(check(certs, "under_not_ca", "not_ca"), "not a CA")


def test_name_constraints(certs: dict[str, bytes]) -> None:
    assert check(certs, "nc_inside", "nc_ca").indication == "TOTAL_PASSED"
    assert_constraints_failure(check(certs, "nc_outside", "nc_ca"), "permitted namespace")


def test_key_usage_must_allow_document_signing(certs: dict[str, bytes]) -> None:
    assert_constraints_failure(check(certs, "encipher_only", "ca0"), "key usage")


def test_time_stamping_needs_the_time_stamping_eku(certs: dict[str, bytes]) -> None:
    report = check(certs, "under_ca0", "ca0", purpose="timestamping")
    assert report.sub_indication == "CHAIN_CONSTRAINTS_FAILURE"


def test_validity_at_a_moment(certs: dict[str, bytes]) -> None:
    before = check(certs, "under_ca0", "ca0", at=datetime.now(UTC) - timedelta(days=30))
    assert before.indication == "INDETERMINATE"
    assert before.sub_indication in ("NOT_YET_VALID", "CERTIFICATE_CHAIN_GENERAL_FAILURE")
    after = check(certs, "under_ca0", "ca0", at=datetime.now(UTC) + timedelta(days=400))
    assert after.indication == "INDETERMINATE"
    assert after.sub_indication in ("OUT_OF_BOUNDS_NO_POE", "CERTIFICATE_CHAIN_GENERAL_FAILURE")
