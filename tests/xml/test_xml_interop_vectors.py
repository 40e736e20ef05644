"""Issue 13, item 5: the 20 XML-DSig vectors of ``shared/interop/xml`` get the verdicts MANIFEST.md lists.

Each row: the vector, the options a valid one needs (the anchor or pinned key, a past validation time, the weak
algorithms to allow explicitly) and the verdict with them; a valid vector without them is INDETERMINATE, never
TOTAL_FAILED; the wrapping vectors are refused whatever the options, and what they name is never reported signed.
"""

from __future__ import annotations

import pytest
from xml_support import INTEROP, TRUST

import kyso

pytestmark = [pytest.mark.interop, pytest.mark.skipif(not INTEROP.is_dir(), reason="shared/interop/xml is absent")]

WEAK = ("sha1", "rsa1024")
VALID = "valid"
FAILED = "failed"
WRAPPING = "wrapping"

VECTORS = [
    # vector, expected, trust (anchor), trust_key (pinned), at, allow_weak
    ("w3c-phaos_signature-rsa-enveloped.xml", VALID, "phaos_rsa-cert.pem", None, "2010-06-01T00:00:00Z", WEAK),
    (
        "w3c-phaos_signature-rsa-enveloped-bad-digest-val.xml",
        FAILED,
        "phaos_rsa-cert.pem",
        None,
        "2010-06-01T00:00:00Z",
        WEAK,
    ),
    ("w3c-phaos_signature-rsa-enveloped-bad-sig.xml", FAILED, "phaos_rsa-cert.pem", None, "2010-06-01T00:00:00Z", WEAK),
    (
        "signxml-aleksey_enveloped-sha256-rsa-sha256-test-1.xml",
        VALID,
        "signxml-aleksey-enveloped_cacert.pem",
        None,
        None,
        (),
    ),
    (
        "signxml-aleksey_enveloped-sha256-rsa-sha256-test-2.xml",
        VALID,
        "signxml-aleksey-enveloped_cacert.pem",
        None,
        None,
        (),
    ),
    (
        "signxml-aleksey_enveloped-sha256-rsa-sha256-test-8.xml",
        VALID,
        "signxml-aleksey-enveloped_cacert.pem",
        None,
        None,
        (),
    ),
    ("signxml-aleksey_invalid_enveloped_transform.xml", FAILED, "signxml-aleksey-enveloped_cacert.pem", None, None, ()),
    ("w3c-tr2012_signature-enveloping-p256_sha256.xml", "indeterminate", None, None, None, ()),
    ("w3c-tr2012_signature-enveloping-rsa-sha256.xml", "indeterminate", None, None, None, WEAK),
    ("w3c-tr2012_signature-enveloping-hmac-sha256.xml", "hmac", None, None, None, ()),
    ("signxml-wsjs_valid_wss_resp.xml", VALID, None, "wsjs_server_public.pem", None, WEAK),
    ("signxml-wsjs_invalid_wss_resp_changed_content.xml", FAILED, None, "wsjs_server_public.pem", None, WEAK),
    ("signxml-pyxmlsecurity_SAML_assertion_sha256.xml", VALID, None, "pyxmlsecurity_test.pem", None, WEAK),
    ("xmlcrypto_valid_saml.xml", VALID, None, "xmlcrypto_feide_public.pem", None, WEAK),
    ("xmlcrypto_valid_saml_signature_wrapping.xml", WRAPPING, None, "xmlcrypto_feide_public.pem", None, WEAK),
    ("xmlcrypto_valid_saml_withcomments.xml", "outer-failed", None, "xmlcrypto_feide_public.pem", None, WEAK),
    (
        "xmlcrypto_saml_multiple_signed_info_nodes.xml",
        WRAPPING,
        None,
        "xmlcrypto_saml_external_ns_pubkey.pem",
        None,
        WEAK,
    ),
    (
        "xmlcrypto_saml_wrapped_signed_info_node.xml",
        WRAPPING,
        None,
        "xmlcrypto_saml_external_ns_pubkey.pem",
        None,
        WEAK,
    ),
    ("py3saml_signed_message_response.xml", VALID, None, "py3saml_settings1_idp_x509cert.pem", None, WEAK),
    ("py3saml_signature_wrapping_attack.xml", WRAPPING, None, "py3saml_settings1_idp_x509cert.pem", None, WEAK),
]


def test_every_vector_has_a_row() -> None:
    assert sorted(p.name for p in INTEROP.glob("*.xml")) == sorted(row[0] for row in VECTORS)


def _verify(name, trust=None, trust_key=None, at=None, allow_weak=()):
    return kyso.verify(
        (INTEROP / name).read_bytes(),
        trust=[TRUST / trust] if trust else [],
        trust_key=[(TRUST / trust_key).read_bytes()] if trust_key else [],
        at=at,
        allow_weak=allow_weak,
        revocation="off",
        offline=True,
    )


@pytest.mark.parametrize(("name", "expected", "trust", "trust_key", "at", "weak"), VECTORS, ids=[r[0] for r in VECTORS])
def test_vector_verdict(name, expected, trust, trust_key, at, weak) -> None:
    report = _verify(name, trust, trust_key, at, weak)
    indications = [s.indication for s in report.signatures]
    messages = [s.messages for s in report.signatures]
    if expected == VALID:
        assert set(indications) == {"TOTAL_PASSED"}, messages
        assert all(s.signed_element for s in report.signatures)
        bare = _verify(name)  # without what it needs: never failed for that alone
        assert all(s.indication == "INDETERMINATE" for s in bare.signatures), [s.messages for s in bare.signatures]
    elif expected == FAILED:
        assert indications and set(indications) == {"TOTAL_FAILED"}, messages
    elif expected == WRAPPING:
        assert indications and set(indications) == {"TOTAL_FAILED"}, messages
        assert all(s.sub_indication == "FORMAT_FAILURE" and s.signed_element is None for s in report.signatures)
        assert any("wrapping" in m or "malformed Signature" in m for ms in messages for m in ms), messages
    elif expected == "outer-failed":  # the Response's SignedInfo was changed; the Assertion's signature holds
        assert indications == ["TOTAL_FAILED", "TOTAL_PASSED"], messages
        assert report.signatures[0].sub_indication == "SIG_CRYPTO_FAILURE"
    elif expected == "hmac":
        (signature,) = report.signatures
        assert (signature.indication, signature.sub_indication) == ("INDETERMINATE", "SIG_CONSTRAINTS_FAILURE")
        assert any("HMAC" in m and "names no signer" in m for m in signature.messages)
    else:  # a bare KeyValue: the value checks out, the key is bound to nobody
        (signature,) = report.signatures
        assert (signature.indication, signature.sub_indication) == ("INDETERMINATE", "NO_SIGNING_CERTIFICATE_FOUND")
        assert any("bare key in KeyValue" in m for m in signature.messages), signature.messages


def test_a_pinned_key_makes_a_keyvalue_signature_pass() -> None:
    """The TR2012 P-256 vector carries its key in KeyValue: pinning that very key (``--trust-key``) passes it."""
    from cryptography.hazmat.primitives import serialization

    from kyso.xmldsig import keys, xmlsafe
    from kyso.xmldsig.verification import find_signatures

    data = (INTEROP / "w3c-tr2012_signature-enveloping-p256_sha256.xml").read_bytes()
    (signature,) = find_signatures(xmlsafe.parse(data).getroot())
    key_info = next(c for c in signature if str(c.tag).endswith("KeyInfo"))
    pem = keys.key_value(key_info).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    report = kyso.verify(data, trust_key=[pem], revocation="off", offline=True)
    assert report.indication == "TOTAL_PASSED", report.signatures[0].messages
    assert any("pinned public key" in m for m in report.signatures[0].messages)
