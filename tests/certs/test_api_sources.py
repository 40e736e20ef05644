"""``kyso.validate_certificate`` / ``kyso.verify``: certificate sources given one at a time."""

from __future__ import annotations

from certs_helpers import MiniPKI, issue

# fixtures: importing one registers it here
from certs_helpers import hostile_server_fixture as hostile_server_fixture
from certs_helpers import mini_pki_fixture as mini_pki_fixture
from certs_helpers import trust_copies_fixture as trust_copies_fixture


def test_one_intermediate_path_or_blob_is_accepted_as_trust_is(mini_pki: MiniPKI, tmp_path) -> None:  # noqa: ANN001
    """``intermediates="ca.pem"`` (one path, or one certificate's bytes) means that file, as ``trust=`` does; not
    one file per character."""
    import kyso

    ca = tmp_path / "ca.pem"
    ca.write_bytes(mini_pki.ca.pem)
    cert = issue("One intermediate", issuer=mini_pki.ca).pem
    for intermediates in (str(ca), ca, mini_pki.ca.pem):
        report = kyso.validate_certificate(
            cert, trust=mini_pki.root.pem, intermediates=intermediates, revocation="off"
        )  # fmt: skip
        assert report.indication == "TOTAL_PASSED", (intermediates, report.messages)
