"""Issue 9, class 4: ``--revocation off`` and ``--offline`` make no network request at all, AIA included.

The signer's certificate names OCSP, CRL and AIA (caIssuers) URLs on a local HTTP server that counts requests
(``certs_helpers.hostile_server``), and its CA is left out of the signature, so that only AIA could complete the
chain: any fetch shows in the counts. ``off`` says in the report that revocation was not checked; ``--offline``
still checks revocation, from what the document embeds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from certs_helpers import Issued, MiniPKI, Route, ocsp_answer

# fixtures: importing one registers it here
from certs_helpers import hostile_server_fixture as hostile_server_fixture
from certs_helpers import mini_pki_fixture as mini_pki_fixture
from certs_helpers import trust_copies_fixture as trust_copies_fixture

import kyso
from kyso.certs.validation import REVOCATION_OFF, clear_memory_caches
from kyso.core.manager import get_plugin_manager
from kyso.core.models import RevocationPolicy, ValidationOptions
from kyso.testing.pki import TestPKI


@pytest.fixture(autouse=True)
def _fresh_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty answer cache: an answer cached by another test would hide a request (the rule is about requests
    that would be *made*)."""
    monkeypatch.setenv("KYSO_CACHE_DIR", str(tmp_path / "cache"))
    clear_memory_caches()


def _signer_everywhere(pki: MiniPKI, name: str) -> tuple[Issued, dict[str, str]]:
    """A certificate whose OCSP, CRL and AIA URLs are all on the counting server, and those paths."""
    paths = {"ocsp_url": f"nonet/{name}/ocsp", "crl_url": f"nonet/{name}/crl", "aia_url": f"nonet/{name}/ca.crt"}
    pki.server.routes[paths["aia_url"]] = Route(pki.ca.der, "application/pkix-cert")  # AIA would work
    return pki.person(name, **paths), paths


def _requests(pki: MiniPKI, paths: dict[str, str]) -> int:
    return sum(pki.server.hits.get(path, 0) for path in paths.values())


def _signed_pdf(person: Issued, pdf: bytes) -> bytes:
    """A PDF signed by ``person`` with only its own certificate in the signature (no CA: the chain needs AIA)."""
    return kyso.sign(pdf, signer=kyso.Pkcs12Signer(person.key, person.der, ()))


def test_control_soft_fetches_the_missing_ca_through_aia(mini_pki: MiniPKI) -> None:
    """Control: online, the same certificate makes requests (so zero below means the rule, not a dead server)."""
    person, paths = _signer_everywhere(mini_pki, "control")
    kyso.validate_certificate(person.pem, trust=[mini_pki.root.pem], revocation="soft", timeout=2)
    assert mini_pki.server.hits.get(paths["aia_url"], 0) >= 1


@pytest.mark.parametrize("options", [{"revocation": "off"}, {"offline": True}, {"offline": True, "revocation": "hard"}])
def test_no_request_at_all(mini_pki: MiniPKI, options: dict[str, object]) -> None:
    person, paths = _signer_everywhere(mini_pki, "-".join(f"{k}-{v}" for k, v in options.items()))
    report = kyso.validate_certificate(person.pem, trust=[mini_pki.root.pem], timeout=2, **options)  # type: ignore[arg-type]
    assert _requests(mini_pki, paths) == 0, mini_pki.server.hits
    # without AIA the CA is missing: an honest "no chain", never a pass
    assert (report.indication, report.sub_indication) == ("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND")


def test_off_says_revocation_was_not_checked(mini_pki: MiniPKI) -> None:
    person, paths = _signer_everywhere(mini_pki, "off-note")
    report = kyso.validate_certificate(
        person.pem, trust=[mini_pki.root.pem], intermediates=[mini_pki.ca.pem], revocation="off"
    )
    assert report.indication == "TOTAL_PASSED", report.messages
    assert REVOCATION_OFF in report.messages and "not checked" in REVOCATION_OFF
    assert (report.revocation.status, report.revocation.source) == ("unknown", "none")
    assert _requests(mini_pki, paths) == 0


def test_offline_checks_revocation_from_embedded_answers(mini_pki: MiniPKI) -> None:
    """--offline is not --revocation off: an embedded, issuer-signed "revoked" answer still decides, and a hard
    policy without any embedded answer is TRY_LATER, all without a request."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509 import ocsp

    person, paths = _signer_everywhere(mini_pki, "offline-embedded")
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(person.cert, x509.load_der_x509_certificate(mini_pki.ca.der), hashes.SHA1())
        .build()
        .public_bytes(serialization.Encoding.DER)
    )

    def offline(policy: RevocationPolicy, embedded: tuple[bytes, ...]) -> kyso.CertificateReport:
        options = ValidationOptions(
            trust=(mini_pki.root.der,),
            intermediates=(mini_pki.ca.der,),
            revocation=policy,
            allow_fetching=False,
            embedded_ocsps=embedded,
        )
        return get_plugin_manager().validate_certificate(person.der, options)

    good = offline(RevocationPolicy.HARD, (ocsp_answer(request, issuer=mini_pki.ca, nonce=None),))
    assert good.indication == "TOTAL_PASSED", good.messages
    assert (good.revocation.status, good.revocation.source) == ("good", "embedded")
    revoked = offline(RevocationPolicy.SOFT, (ocsp_answer(request, issuer=mini_pki.ca, revoked=True, nonce=None),))
    assert (revoked.indication, revoked.sub_indication) == ("INDETERMINATE", "REVOKED_NO_POE"), revoked.messages
    missing = offline(RevocationPolicy.HARD, ())
    assert (missing.indication, missing.sub_indication) == ("INDETERMINATE", "TRY_LATER"), missing.messages
    assert _requests(mini_pki, paths) == 0, mini_pki.server.hits


@pytest.mark.parametrize("flags", [("--revocation", "off"), ("--offline",)])
def test_kyso_verify_makes_no_request(
    mini_pki: MiniPKI, unsigned_pdf: bytes, tmp_path: Path, kyso_cli, flags: tuple[str, ...]
) -> None:
    person, paths = _signer_everywhere(mini_pki, "cli" + "".join(flags))
    path = tmp_path / "signed.pdf"
    path.write_bytes(_signed_pdf(person, unsigned_pdf))
    root = tmp_path / "root.pem"
    root.write_bytes(mini_pki.root.pem)
    result = kyso_cli("verify", path, "--trust", root, "--lang", "en", "--timeout", "2", *flags)
    assert _requests(mini_pki, paths) == 0, mini_pki.server.hits
    assert result.exit_code == 1 and "NO_CERTIFICATE_CHAIN_FOUND" in result.stdout, result.stdout
    if flags == ("--revocation", "off"):
        assert "revocation not checked" in result.stdout


def test_kyso_verify_offline_uses_the_embedded_validation_data(
    pki: TestPKI, unsigned_pdf: bytes, signer_for, tmp_path: Path, kyso_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A B-LT document (its DSS carries OCSP answers and CRLs) verifies --offline under a hard policy with no
    request to the session PKI's services."""
    signed = tmp_path / "lt.pdf"
    signed.write_bytes(kyso.sign(unsigned_pdf, signer=signer_for("person"), level="B-LT", tsa=pki.tsa_url))
    monkeypatch.setenv("KYSO_CACHE_DIR", str(tmp_path / "empty-cache"))  # what signing fetched is not cached
    clear_memory_caches()
    pki.reset_request_count()
    result = kyso_cli(
        "verify", signed, "--trust", pki.root_cert, "--offline", "--revocation", "hard", "--format", "json"
    )
    assert sum(pki.request_count.values()) == 0, pki.request_count
    assert result.exit_code == 0, result.stdout
