"""edXML signed with a key on a PKCS#11 token (SoftHSM2) verifies with signxml and with Kyso (issue 11, item 1)."""

from __future__ import annotations

import pytest
from edxml_support import unsigned_edxml_fixture  # noqa: F401 - registers the fixture

import kyso

pytest.importorskip("pkcs11")


@pytest.mark.parametrize("key", ["person", "ec"])
def test_token_signed_edxml_verifies_with_signxml(kyso_token, pki, unsigned_edxml, tmp_path, key):
    from signxml import XMLVerifier

    with kyso_token.signer(key) as signer:
        signed = kyso.sign(unsigned_edxml, signer=signer)
    XMLVerifier().verify(signed, ca_pem_file=str(pki.root_cert))
    report = kyso.verify(signed, trust=[pki.root_cert], revocation="off")
    assert report.indication == "TOTAL_PASSED", report.signatures[0].messages
