"""Verification of an enveloped XML-DSig signature that judges only what was signed.

In ETSI order (format, then cryptography, then the certificate through the ``validate_certificate`` hook):

- exactly one ``Signature`` in the whole document (the namespaces that count are the format's, :class:`Profile`)
  and one ``SignedInfo``, the ``Signature`` with the XML-DSig children in order; several signatures, several
  ``SignedInfo``, stray elements or duplicate IDs are refused (signature wrapping: the verified node would not be
  the one a reader sees); a ``Signature`` set inside text is refused too;
- every ``Reference`` is resolved inside the document only (:mod:`kyso.xmldsig.policy`: same-document ``#id`` to
  exactly one element, never a file or the network; transforms enveloped-signature and C14N 1.0 only);
- the signature is TOTAL_PASSED only if a reference covers the whole document (``URI=""``): a signature over one
  element alone is PARTIAL and fails even when its digest is right;
- the digest is computed on the parsed tree with the ``Signature`` taken out, streaming the canonical form into
  the hash (:mod:`kyso.xmldsig.c14n`), so the caller can read that same tree afterwards (what was verified);
- legacy signatures are read for what they are: a ``Signature`` outside the XML-DSig namespace is at best
  INDETERMINATE (FORMAT_FAILURE), SHA-1 at best INDETERMINATE (CRYPTO_CONSTRAINTS_FAILURE, the one algorithm
  policy :mod:`kyso.certs.algorithms`), a truncated certificate gives NO_SIGNING_CERTIFICATE_FOUND; none raises;
- the certificate's verdict and an unexpected failure are turned into the signature's verdict by the rules every
  format shares (:mod:`kyso.verdicts`).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import hashlib
import re
from typing import Any

from kyso.certs.algorithms import digest_problem
from kyso.core.models import (
    CertificateValidator,
    Coverage,
    Indication,
    SignatureReport,
    SubIndication,
    Verdict,
    VerificationReport,
    VerifyOptions,
)
from kyso.verdicts import apply_certificate, guarded, lower_if_weak
from kyso.xmldsig.c14n import TakenTexts, c14n_element, detached, digest_tree
from kyso.xmldsig.policy import (
    DIGEST_METHODS,
    DSIG,
    SIGNATURE_METHODS,
    IdIndex,
    Profile,
    Refused,
    algorithm_of,
    c14n_method,
    certificate_key_problem,
    check_reference_count,
    transform_chain,
)
from kyso.xmldsig.xmlsafe import child_elements, local_name, namespace_uri

DEFAULT_PROFILE = Profile()


def find_signatures(root: Any, profile: Profile = DEFAULT_PROFILE) -> list[Any]:
    """Every element that may be a signature: ``Signature`` in one of the profile's namespaces, in document order."""
    tags = [f"{{{namespace}}}Signature" if namespace else "Signature" for namespace in profile.signature_namespaces]
    return list(root.iter(*tags))


def verify_tree_report(
    tree: Any,
    name: str | None,
    options: VerifyOptions,
    validate: CertificateValidator,
    *,
    profile: Profile = DEFAULT_PROFILE,
    keep_tree: bool = True,
) -> tuple[VerificationReport, bool]:
    """(report, whether the whole document is covered by an intact signature) for a tree parsed by
    :func:`kyso.xmldsig.xmlsafe.parse`.

    :param profile: what the document format decides (report format, where signatures belong ...).
    :param keep_tree: leave the tree as it was (``False`` when nobody reads it afterwards: cheaper).
    """
    report = VerificationReport(document=name, format=profile.format)
    root = tree.getroot()
    signatures = find_signatures(root, profile)
    if not signatures:
        stray = [e for e in root.iter() if isinstance(e.tag, str) and local_name(e) in ("SignedInfo", "SignatureValue")]
        if stray:
            report.signatures.append(
                _failed("Signature1", f"{local_name(stray[0])} outside of any Signature element (signature wrapping)")
            )
        return report, False
    if len(signatures) > 1:
        for number, signature in enumerate(signatures, start=1):
            report.signatures.append(
                _failed(
                    signature.get("Id") or f"Signature{number}",
                    f"the {profile.document} carries {len(signatures)} Signature elements; {profile.one_signature} "
                    "(signature wrapping is refused)",
                )
            )
        return report, False
    signature = signatures[0]
    texts = TakenTexts(tree)
    try:  # a hostile document gets a verdict, never a traceback
        result = guarded(
            signature.get("Id") or "Signature1",
            lambda: verify_signature(tree, signature, options, validate, texts=texts, profile=profile),
        )
    finally:
        if keep_tree:
            texts.put_back()
    report.signatures.append(result)
    whole = result.coverage is Coverage.ENTIRE_FILE
    return report, whole and result.indication is Indication.TOTAL_PASSED


def _failed(identifier: str, message: str) -> SignatureReport:
    return SignatureReport(
        id=identifier,
        indication=Indication.TOTAL_FAILED,
        sub_indication=SubIndication.FORMAT_FAILURE,
        messages=[message],
    )


def verify_signature(
    tree: Any,
    signature: Any,
    options: VerifyOptions,
    validate: CertificateValidator,
    *,
    texts: TakenTexts | None = None,
    profile: Profile = DEFAULT_PROFILE,
) -> SignatureReport:
    """The verdict on one ``Signature`` element of ``tree``: format, then cryptography, then the certificate
    through ``validate`` (ETSI order). ``coverage`` is ENTIRE_FILE only when a Reference covers the whole document.

    :param texts: the big texts of ``tree``, taken out on first need and left out for the caller to put back
        (cheaper when nobody reads the tree afterwards); without it, the tree is left as it was.
    """
    if texts is None:
        own = TakenTexts(tree)
        try:
            return verify_signature(tree, signature, options, validate, texts=own, profile=profile)
        finally:
            own.put_back()
    report = SignatureReport(id=signature.get("Id") or "Signature1", indication=Indication.TOTAL_PASSED)
    verdict = Verdict()
    messages = report.messages
    root = tree.getroot()
    namespace = namespace_uri(signature)
    if namespace != DSIG:
        verdict.lower(Indication.INDETERMINATE, SubIndication.FORMAT_FAILURE)
        messages.append(
            f"the Signature element is not in the XML-DSig namespace ({namespace or 'no namespace'}): a legacy "
            "signature, read tolerantly and never accepted as valid"
        )
    parent = signature.getparent()
    if profile.home is not None and (parent is None or local_name(parent) != profile.home):
        messages.append(f"the Signature is not in {profile.home}, where {profile.home_rule} places it")
    try:
        _check_placement(signature)
        signed_info, signature_value, key_info = _structure(root, signature, namespace, profile)
        canonicalization, prefixes = c14n_method(_only(signed_info, "CanonicalizationMethod", namespace), messages)
        method = algorithm_of(_only(signed_info, "SignatureMethod", namespace), SIGNATURE_METHODS, "signature method")
        # canonicalize SignedInfo before any reference is digested: taking the signature out of the tree for the
        # enveloped transform makes lxml reconcile its namespace declarations, which can change its prefixes
        canonical = c14n_element(signed_info, exclusive=canonicalization, prefixes=prefixes)
        references = [c for c in child_elements(signed_info) if local_name(c) == "Reference"]
        ids = IdIndex(root)
        whole = False
        covered = []
        for number, reference in enumerate(references):
            allow_weak = options.validation.allow_weak
            is_whole, what = check_reference(
                tree,
                signature,
                reference,
                number,
                verdict,
                messages,
                texts,
                ids,
                allow_weak=allow_weak,
                profile=profile,
            )
            whole = whole or is_whole
            covered.append(what)
    except Refused as exc:
        report.indication, report.sub_indication = Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE
        messages.append(str(exc))
        return report
    if whole:
        report.coverage = Coverage.ENTIRE_FILE
    else:
        report.coverage = Coverage.PARTIAL
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        messages.append(f"the signature covers only {', '.join(covered)}, not the whole {profile.document}")
    key_type, digest = method
    # Kyso rule (issue 9, class 4): the SignatureMethod's digest is judged by itself: rsa-sha1 over SHA-256
    # reference digests is still a SHA-1 signature (a SignedInfo collision forges it whatever the references use)
    lower_if_weak(digest_problem(digest, options.validation.allow_weak), "the signature method", verdict, messages)
    certificates, problems = _certificates(key_info, namespace)
    messages.extend(problems)
    if not certificates:
        verdict.lower(Indication.INDETERMINATE, SubIndication.NO_SIGNING_CERTIFICATE_FOUND)
        messages.append("no usable signing certificate in KeyInfo")
    else:
        signer_der, others = _signer_certificate(certificates)
        from kyso.certs.identity import identity_of
        from kyso.certs.parsing import parse_certificate

        report.signer = identity_of(parse_certificate(signer_der))
        lower_if_weak(
            certificate_key_problem(signer_der, options.validation.allow_weak), "the signing key", verdict, messages
        )
        problem = _check_signature_value(canonical, signature_value.text or "", signer_der, key_type, digest)
        if problem:
            verdict.lower(Indication.TOTAL_FAILED, SubIndication.SIG_CRYPTO_FAILURE)
            messages.append(problem)
        if verdict.indication is not Indication.TOTAL_FAILED:
            report.certificate = validate(
                signer_der,
                dataclasses.replace(options.validation, intermediates=options.validation.intermediates + tuple(others)),
            )
            apply_certificate(report, report.certificate, verdict)  # no signing time in XML-DSig: as it says
    report.indication, report.sub_indication = verdict.indication, verdict.sub_indication
    return report


def _check_placement(signature: Any) -> None:
    """Refuse a Signature set inside text: the enveloped transform joins the text around it again, so the digest
    holds while a reader of ``element.text`` sees only the part before it (a moved-signature wrapping)."""
    parent = signature.getparent()
    if parent is None:
        return
    previous = signature.getprevious()
    before = previous.tail if previous is not None else parent.text
    if (before or "").strip() or (signature.tail or "").strip():
        raise Refused(f"the Signature sits inside the text of {local_name(parent)} (signature wrapping is refused)")


def _only(parent: Any, name: str, namespace: str | None) -> Any:
    found = [c for c in child_elements(parent) if local_name(c) == name]
    if len(found) != 1:
        raise Refused(f"{local_name(parent)} must have exactly one {name} (found {len(found)})")
    if namespace_uri(found[0]) != namespace:
        raise Refused(f"{name} is not in the namespace of its Signature")
    return found[0]


def _structure(root: Any, signature: Any, namespace: str | None, profile: Profile) -> tuple[Any, Any, Any]:
    """SignedInfo, SignatureValue, KeyInfo (or None), after the checks that refuse wrapping."""
    children = child_elements(signature)
    names = [local_name(c) for c in children]
    if names[:2] != ["SignedInfo", "SignatureValue"] or any(n not in ("KeyInfo", "Object") for n in names[2:]):
        raise Refused(f"malformed Signature: children {', '.join(names) or 'none'}")
    if names.count("KeyInfo") > 1 or ("KeyInfo" in names and names.index("KeyInfo") != 2):
        raise Refused("malformed Signature: KeyInfo must come once, right after SignatureValue")
    if any(namespace_uri(c) != namespace for c in children):
        raise Refused("malformed Signature: its children are in another namespace")
    signed_infos = [e for e in root.iter() if isinstance(e.tag, str) and local_name(e) == "SignedInfo"]
    if len(signed_infos) != 1:
        raise Refused(
            f"the {profile.document} holds {len(signed_infos)} SignedInfo elements (signature wrapping is refused)"
        )
    signed_info = children[0]
    info_names = [local_name(c) for c in child_elements(signed_info)]
    if (
        info_names[:2] != ["CanonicalizationMethod", "SignatureMethod"]
        or len(info_names) < 3
        or any(n != "Reference" for n in info_names[2:])
    ):
        raise Refused(f"malformed SignedInfo: children {', '.join(info_names) or 'none'}")
    check_reference_count(len(info_names) - 2)
    key_info = children[2] if len(children) > 2 and names[2] == "KeyInfo" else None
    return signed_info, children[1], key_info


def check_reference(
    tree: Any,
    signature: Any,
    reference: Any,
    number: int,
    verdict: Verdict,
    messages: list[str],
    texts: TakenTexts,
    ids: IdIndex,
    *,
    allow_weak: tuple[str, ...] = (),
    profile: Profile = DEFAULT_PROFILE,
) -> tuple[bool, str]:
    """Recompute one reference's digest; (whether it covers the whole document, what it covers)."""
    uri = reference.get("URI")
    children = child_elements(reference)
    names = [local_name(c) for c in children]
    if names not in (["DigestMethod", "DigestValue"], ["Transforms", "DigestMethod", "DigestValue"]):
        raise Refused(f"malformed Reference {number}: children {', '.join(names)}")
    transforms = []
    if names[0] == "Transforms":
        transforms = [c for c in child_elements(children[0])]
        if any(local_name(t) != "Transform" for t in transforms):
            raise Refused(f"malformed Reference {number}: Transforms holds other elements")
    enveloped, exclusive, prefixes = transform_chain(transforms, number, messages)
    digest_name = algorithm_of(children[-2], DIGEST_METHODS, "digest method")
    lower_if_weak(digest_problem(digest_name, allow_weak), f"Reference {number}", verdict, messages)
    try:
        expected = base64.b64decode(re.sub(r"\s+", "", children[-1].text or ""), validate=True)
    except (binascii.Error, ValueError):
        raise Refused(f"Reference {number}: DigestValue is not base64") from None
    if uri is None:
        raise Refused(f"Reference {number} has no URI; only same-document references are accepted")
    ids.claim(uri, number)
    if uri == "":
        target, what = None, f"the whole {profile.document}"
    elif uri.startswith("#") and not uri.startswith("#xpointer("):
        target = ids.resolve(uri[1:], number)
        what = f"{local_name(target)} (#{uri[1:]})"
    else:
        raise Refused(f"Reference {number}: URI {uri!r} is not a same-document reference")
    inside = target is None or any(ancestor is target for ancestor in signature.iterancestors())
    if inside and not enveloped:
        messages.append(f"Reference {number} covers its own signature without the enveloped-signature transform")
    context = detached(signature) if inside and enveloped else contextlib.nullcontext()
    with context:
        if target is None:
            actual = digest_tree(tree, digest_name, exclusive=exclusive, prefixes=prefixes, taken=texts.take())
        else:
            texts.put_back()  # an element's own C14N must see its real text
            actual = hashlib.new(digest_name, c14n_element(target, exclusive=exclusive, prefixes=prefixes)).digest()
    if actual != expected:
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)
        messages.append(f"Reference {number} ({what}): digest mismatch, the content was changed after signing")
    return target is None and enveloped, what


def _certificates(key_info: Any, namespace: str | None) -> tuple[list[bytes], list[str]]:
    """DER of each readable X509Certificate in KeyInfo, and what was wrong with the others."""
    from kyso.certs.parsing import parse_certificate

    if key_info is None:
        return [], ["the signature has no KeyInfo"]
    found, problems = [], []
    for element in key_info.iter():
        if not isinstance(element.tag, str) or local_name(element) != "X509Certificate":
            continue
        try:
            der = base64.b64decode(re.sub(r"\s+", "", element.text or ""), validate=True)
            parse_certificate(der)
        except (binascii.Error, ValueError):
            problems.append("a certificate in KeyInfo is truncated or unreadable")
            continue
        found.append(der)
    return found, problems


def _signer_certificate(certificates: list[bytes]) -> tuple[bytes, list[bytes]]:
    """The signer's certificate (the one that issued none of the others; the first when unclear) and the rest."""
    from kyso.certs.parsing import parse_certificate

    parsed = [parse_certificate(d) for d in certificates]
    issuers = {p.issuer.dump() for p in parsed}
    leaves = [i for i, p in enumerate(parsed) if p.subject.dump() not in issuers or p.self_signed == "maybe"]
    index = leaves[0] if len(leaves) == 1 else 0
    return certificates[index], [d for i, d in enumerate(certificates) if i != index]


def _check_signature_value(canonical: bytes, text: str, certificate: bytes, key_type: str, digest: str) -> str | None:
    """``None`` when the signature value verifies, else the reason."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    try:
        value = base64.b64decode(re.sub(r"\s+", "", text), validate=True)
    except (binascii.Error, ValueError):
        return "SignatureValue is not base64"
    algorithm: hashes.HashAlgorithm = {
        "sha1": hashes.SHA1,
        "sha224": hashes.SHA224,
        "sha256": hashes.SHA256,
        "sha384": hashes.SHA384,
        "sha512": hashes.SHA512,
    }[digest]()  # type: ignore[abstract]  # the table holds concrete classes
    try:
        key = x509.load_der_x509_certificate(certificate).public_key()
    except Exception:
        return "the signing certificate's public key cannot be read"
    try:
        if key_type == "rsa" and isinstance(key, rsa.RSAPublicKey):
            key.verify(value, canonical, padding.PKCS1v15(), algorithm)
        elif key_type == "ec" and isinstance(key, ec.EllipticCurvePublicKey):
            half = len(value) // 2
            if not value or len(value) % 2:
                return "the ECDSA signature value has an odd length"
            der = encode_dss_signature(int.from_bytes(value[:half], "big"), int.from_bytes(value[half:], "big"))
            key.verify(der, canonical, ec.ECDSA(algorithm))
        else:
            return "the signature method does not match the signing certificate's key type"
    except InvalidSignature:
        return (
            "the signature value does not verify with the signing certificate (SignedInfo was changed or signed "
            "by another key)"
        )
    return None


__all__ = ["DEFAULT_PROFILE", "check_reference", "find_signatures", "verify_signature", "verify_tree_report"]
