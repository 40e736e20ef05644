"""Verification of XML-DSig signatures (enveloped, enveloping, detached; XAdES) that judges only what was signed.

In ETSI order (format, then cryptography, then the certificate through the ``validate_certificate`` hook):

- one ``Signature`` in the whole document, or, where the format's :class:`Profile` allows several (generic XML,
  e-invoices), at most :data:`~kyso.xmldsig.policy.MAX_SIGNATURES`, each judged on its own; exactly one
  ``SignedInfo`` per ``Signature`` in the whole document, the ``Signature`` with the XML-DSig children in order;
  several signatures where one is allowed, extra or wrapped ``SignedInfo``, stray elements or duplicate IDs are
  refused (signature wrapping: the verified node would not be the one a reader sees); a ``Signature`` set inside
  text is refused too;
- every ``Reference`` is resolved inside the document (:mod:`kyso.xmldsig.policy`: same-document ``#id`` to
  exactly one element) or to the one detached content the caller gave, never a file or the network; the
  transforms are the fixed safe set of the policy;
- the key is the signing certificate's (``X509Data``), else a bare ``KeyValue`` checked but bound to nobody
  (INDETERMINATE) unless the caller pinned it (``trust_key``); HMAC is refused with its reason;
- where the profile requires it (edXML), the signature passes only if a reference covers the whole document
  (``URI=""``); otherwise a signature over one element passes, ``coverage: PARTIAL``, and the report names the
  element (``signed_element``); ``signed`` collects the verified nodes themselves, for callers that read what was
  signed and never the document as given;
- XAdES properties (signing time, signing certificate, signature time-stamp, validation data) are read by
  :mod:`kyso.xmldsig.xades` only when signed;
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
    BASE64,
    DIGEST_METHODS,
    DSIG,
    MAX_SIGNATURES,
    IdIndex,
    Profile,
    Refused,
    algorithm_of,
    c14n_method,
    certificate_key_problem,
    check_c14n11_subset,
    check_reference_count,
    signature_method,
    transform_chain,
)
from kyso.xmldsig.stream import Canonical, StreamedDocument, StreamMiss
from kyso.xmldsig.xmlsafe import child_elements, element_path, local_name, namespace_uri, text_before

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
    signed: list[Any] | None = None,
    big_texts: bool = True,
    streamed: StreamedDocument | None = None,
) -> tuple[VerificationReport, bool]:
    """(report, whether the whole document is covered by an intact signature) for a tree parsed by
    :func:`kyso.xmldsig.xmlsafe.parse`.

    :param profile: what the document format decides (report format, where signatures belong ...).
    :param keep_tree: leave the tree as it was (``False`` when nobody reads it afterwards: cheaper).
    :param signed: receives, per TOTAL_PASSED signature, the elements it signs (the root for ``URI=""``).
    :param big_texts: ``False`` when the caller knows no element text is big
        (:func:`kyso.xmldsig.c14n.may_hold_big_text`): the digest skips looking for them.
    :param streamed: ``tree`` is what is left of a document read as a stream (:mod:`kyso.xmldsig.stream`), which
        answers for the rest: the whole-document digest and the Ids cut out.

    :raises StreamMiss: (with ``streamed``) the stream cannot answer exactly: verify the document's whole tree.
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
    refusal = None
    if len(signatures) > 1 and not profile.several:
        refusal = f"the {profile.document} carries {len(signatures)} Signature elements; {profile.one_signature}"
    elif len(signatures) > MAX_SIGNATURES:
        refusal = f"the {profile.document} carries {len(signatures)} Signature elements; at most {MAX_SIGNATURES}"
    if refusal:
        for number, signature in enumerate(signatures, start=1):
            report.signatures.append(
                _failed(signature.get("Id") or f"Signature{number}", refusal + " (signature wrapping is refused)")
            )
        return report, False
    texts = TakenTexts(tree, big=big_texts)
    ids = IdIndex(root, trimmed=streamed.resolve if streamed is not None else None)
    whole = False
    missed: list[StreamMiss] = []

    def check(signature: Any, found: list[Any]) -> SignatureReport:
        try:
            return verify_signature(
                tree,
                signature,
                options,
                validate,
                texts=texts,
                profile=profile,
                signed=found,
                signature_count=len(signatures),
                ids=ids.fresh(),
                streamed=streamed,
            )
        except StreamMiss as exc:  # not a verdict: the caller reads the whole tree
            missed.append(exc)
            raise

    try:  # a hostile document gets a verdict, never a traceback
        for number, signature in enumerate(signatures, start=1):
            found: list[Any] = []
            result = guarded(
                signature.get("Id") or f"Signature{number}",
                lambda: check(signature, found),  # noqa: B023 - called right away
            )
            if missed:
                raise missed[0]
            if result.indication is Indication.TOTAL_PASSED and signed is not None:
                signed.extend(found)
            whole = whole or (result.coverage is Coverage.ENTIRE_FILE and result.indication is Indication.TOTAL_PASSED)
            report.signatures.append(result)
    finally:
        if keep_tree:
            texts.put_back()
    return report, whole


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
    signed: list[Any] | None = None,
    signature_count: int = 1,
    ids: IdIndex | None = None,
    streamed: StreamedDocument | None = None,
) -> SignatureReport:
    """The verdict on one ``Signature`` element of ``tree``: format, then cryptography, then the certificate
    through ``validate`` (ETSI order). ``coverage`` is ENTIRE_FILE only when a Reference covers the whole document.

    :param texts: the big texts of ``tree``, taken out on first need and left out for the caller to put back
        (cheaper when nobody reads the tree afterwards); without it, the tree is left as it was.
    :param signed: receives the elements the signature's content references resolve to (even when it fails: the
        caller keeps them only for a TOTAL_PASSED verdict).
    :param signature_count: how many signatures the document holds (each has exactly one ``SignedInfo``).
    :param ids: the document's Id index, shared by its signatures (built once).
    :param streamed: see :func:`verify_tree_report`.
    """
    if texts is None:
        own = TakenTexts(tree)
        try:
            return verify_signature(
                tree,
                signature,
                options,
                validate,
                texts=own,
                profile=profile,
                signed=signed,
                signature_count=signature_count,
                ids=ids,
                streamed=streamed,
            )
        finally:
            own.put_back()
    report = SignatureReport(id=signature.get("Id") or "Signature1", indication=Indication.TOTAL_PASSED)
    report.role = profile.role(signature) if profile.role is not None else None
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
        signed_info, signature_value, key_info = _structure(root, signature, namespace, profile, signature_count)
        canonicalization, prefixes = c14n_method(_only(signed_info, "CanonicalizationMethod", namespace), messages)
        method = signature_method(_only(signed_info, "SignatureMethod", namespace))
        # canonicalize SignedInfo before any reference is digested: taking the signature out of the tree for the
        # enveloped transform makes lxml reconcile its namespace declarations, which can change its prefixes
        canonical = c14n_element(signed_info, exclusive=canonicalization, prefixes=prefixes)
        references = [c for c in child_elements(signed_info) if local_name(c) == "Reference"]
        ids = ids.fresh() if ids is not None else IdIndex(root)
        targets: list[Any] = []
        covered = []
        whole = False
        for number, reference in enumerate(references):
            target, what = check_reference(
                tree,
                signature,
                reference,
                number,
                verdict,
                messages,
                texts,
                ids,
                allow_weak=options.validation.allow_weak,
                profile=profile,
                detached_content=options.format_options.get("detached_content"),
                streamed=streamed,
            )
            whole = whole or target is WHOLE
            targets.append(target)
            covered.append(what)
    except Refused as exc:
        report.indication, report.sub_indication = Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE
        if exc.indeterminate:
            report.indication, report.sub_indication = Indication.INDETERMINATE, SubIndication(exc.indeterminate)
        messages.append(str(exc))
        return report
    content = [(t, w) for t, w in zip(targets, covered, strict=True) if _is_content(t, signature)]
    if content:
        first = content[0][0]
        if streamed is not None and first is not WHOLE and not isinstance(first, str):
            raise StreamMiss("the path of a signed element counts siblings the stream cut out")
        report.signed_element = "/" if first is WHOLE else first if isinstance(first, str) else element_path(first)
        if signed is not None:
            signed.extend(root if t is WHOLE else t for t, _ in content if not isinstance(t, str))
    if whole or _enveloping_whole(root, signature, targets):
        report.coverage = Coverage.ENTIRE_FILE
    else:
        report.coverage = Coverage.PARTIAL
        if not content and any((r.get("Type") or "").endswith("#Manifest") for r in references):
            verdict.lower(Indication.INDETERMINATE, SubIndication.SIGNED_DATA_NOT_FOUND)
            messages.append("the signed content is listed in a Manifest, whose references Kyso does not follow")
        elif not content:
            verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
            messages.append(f"the signature signs none of the {profile.document}'s content, only its own parts")
        elif profile.whole_required:
            verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
            messages.append(f"the signature covers only {', '.join(covered)}, not the whole {profile.document}")
        else:
            parts = ", ".join(w for _, w in content)
            messages.append(f"the signature covers {parts}, not the whole {profile.document}")
    key_type, digest = method
    # Kyso rule (issue 9, class 4): the SignatureMethod's digest is judged by itself: rsa-sha1 over SHA-256
    # reference digests is still a SHA-1 signature (a SignedInfo collision forges it whatever the references use)
    lower_if_weak(digest_problem(digest, options.validation.allow_weak), "the signature method", verdict, messages)
    certificates, problems = _certificates(key_info, namespace)
    messages.extend(problems)
    from kyso.xmldsig import keys

    pinned = keys.pinned_keys(options.format_options.get("trust_key") or ())
    signer_der, others = _signer_certificate(certificates) if certificates else (None, [])
    key = keys.certificate_key(signer_der) if signer_der else keys.key_value(key_info)
    if key is None and pinned and not certificates:
        key = keys.matching_pinned(pinned, canonical, signature_value.text or "", key_type, digest)
    if key is None:
        verdict.lower(Indication.INDETERMINATE, SubIndication.NO_SIGNING_CERTIFICATE_FOUND)
        messages.append("no usable signing certificate or key in KeyInfo")
        report.indication, report.sub_indication = verdict.indication, verdict.sub_indication
        return report
    if signer_der is not None:
        from kyso.certs.identity import identity_of
        from kyso.certs.parsing import parse_certificate

        report.signer = identity_of(parse_certificate(signer_der))
        lower_if_weak(
            certificate_key_problem(signer_der, options.validation.allow_weak), "the signing key", verdict, messages
        )
    problem = keys.check_signature_value(canonical, signature_value.text or "", key, key_type, digest)
    if problem:
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.SIG_CRYPTO_FAILURE)
        messages.append(problem)
    validation = dataclasses.replace(options.validation, intermediates=options.validation.intermediates + tuple(others))
    if verdict.indication is not Indication.TOTAL_FAILED:
        from kyso.xmldsig import xades

        validation = xades.read_properties(
            tree, signature, targets, signer_der, report, verdict, options, validation, validate
        )
    if verdict.indication is Indication.TOTAL_FAILED:
        pass
    elif keys.spki(key) in pinned:
        messages.append("verified with a pinned public key (trust_key): no certificate was validated")
    elif signer_der is None:
        verdict.lower(Indication.INDETERMINATE, SubIndication.NO_SIGNING_CERTIFICATE_FOUND)
        messages.append(
            "the signature verifies with the bare key in KeyValue, which no certificate binds to anyone "
            "(pin it with trust_key / --trust-key)"
        )
    else:
        report.certificate = validate(signer_der, validation)
        apply_certificate(report, report.certificate, verdict)
    report.indication, report.sub_indication = verdict.indication, verdict.sub_indication
    return report


WHOLE = object()
"""What a ``URI=""`` Reference (with the enveloped-signature transform) resolves to: the whole document."""


def _is_content(target: Any, signature: Any) -> bool:
    """Whether a Reference target is the document's content rather than the signature's own parts (KeyInfo,
    XAdES or e-invoice properties objects); a detached content (its URI) is content."""
    if target is WHOLE or isinstance(target, str) or target is None:
        return target is not None
    if not any(ancestor is signature for ancestor in target.iterancestors()):
        return True
    if local_name(target) != "Object" or target.getparent() is not signature:
        return False
    first = child_elements(target)
    return not first or local_name(first[0]) not in ("QualifyingProperties", "SignatureProperties")


def _enveloping_whole(root: Any, signature: Any, targets: list[Any]) -> bool:
    """An enveloping signature (the document's root) covers the whole document when every content Object is
    signed."""
    if root is not signature:
        return False
    objects = [c for c in child_elements(signature) if local_name(c) == "Object" and _is_content(c, signature)]
    return bool(objects) and all(any(t is o for t in targets) for o in objects)


def _check_placement(signature: Any) -> None:
    """Refuse a Signature set inside text: the enveloped transform joins the text around it again, so the digest
    holds while a reader of ``element.text`` sees only the part before it (a moved-signature wrapping)."""
    parent = signature.getparent()
    if parent is None:
        return
    if (text_before(signature) or "").strip() or (signature.tail or "").strip():
        raise Refused(f"the Signature sits inside the text of {local_name(parent)} (signature wrapping is refused)")


def _only(parent: Any, name: str, namespace: str | None) -> Any:
    found = [c for c in child_elements(parent) if local_name(c) == name]
    if len(found) != 1:
        raise Refused(f"{local_name(parent)} must have exactly one {name} (found {len(found)})")
    if namespace_uri(found[0]) != namespace:
        raise Refused(f"{name} is not in the namespace of its Signature")
    return found[0]


def _structure(
    root: Any, signature: Any, namespace: str | None, profile: Profile, signature_count: int = 1
) -> tuple[Any, Any, Any]:
    """SignedInfo, SignatureValue, KeyInfo (or None), after the checks that refuse wrapping."""
    children = child_elements(signature)
    names = [local_name(c) for c in children]
    if names[:2] != ["SignedInfo", "SignatureValue"] or any(n not in ("KeyInfo", "Object") for n in names[2:]):
        raise Refused(f"malformed Signature: children {', '.join(names) or 'none'}")
    if names.count("KeyInfo") > 1 or ("KeyInfo" in names and names.index("KeyInfo") != 2):
        raise Refused("malformed Signature: KeyInfo must come once, right after SignatureValue")
    if any(namespace_uri(c) != namespace for c in children):
        raise Refused("malformed Signature: its children are in another namespace")
    signed_infos = list(root.iter("{*}SignedInfo"))  # any namespace or none, filtered by libxml2
    if len(signed_infos) != signature_count:
        raise Refused(
            f"the {profile.document} holds {len(signed_infos)} SignedInfo elements for {signature_count} "
            "Signature (signature wrapping is refused)"
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
    detached_content: bytes | None = None,
    streamed: StreamedDocument | None = None,
) -> tuple[Any, str]:
    """Recompute one reference's digest; (what it resolves to: :data:`WHOLE`, an element, or the URI of a
    detached content; what it covers, in words).

    A URI that is not same-document names a detached content: it is digested as the bytes the caller gave
    (``detached_content``), with no transform, and without them the signature is INDETERMINATE
    (SIGNED_DATA_NOT_FOUND); nothing is ever fetched or opened by its URI.
    """
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
    enveloped, exclusive, prefixes, version11 = transform_chain(transforms, number, messages)
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
        target, what = WHOLE, f"the whole {profile.document}"
    elif uri.startswith("#") and not uri.startswith("#xpointer("):
        target = ids.resolve(uri[1:], number)
        if streamed is not None:
            streamed.check_target(target)
        what = f"{local_name(target)} (#{uri[1:]})"
        if version11:
            check_c14n11_subset(target, number)
    elif uri.startswith("#") or profile.several is False:
        raise Refused(f"Reference {number}: URI {uri!r} is not a same-document reference")
    else:
        return _detached_reference(uri, number, transforms, digest_name, expected, detached_content, verdict, messages)
    element: Any = None if target is WHOLE else target
    inside = element is None or any(ancestor is element for ancestor in signature.iterancestors())
    if inside and not enveloped:
        messages.append(f"Reference {number} covers its own signature without the enveloped-signature transform")
    streaming = element is None and streamed is not None  # the stream took the signature out already
    if streaming and not enveloped:
        raise StreamMiss("a whole-document Reference without the enveloped-signature transform")
    context = detached(signature) if inside and enveloped and not streaming else contextlib.nullcontext()
    decoded = [t.get("Algorithm") for t in transforms] == [BASE64]
    with context:
        if element is None:
            if decoded:
                raise Refused(f"Reference {number}: the base64 transform applies to one element, not the document")
            if streaming:
                wanted = Canonical(exclusive, tuple(prefixes) if prefixes else None, digest_name)
                actual = streamed.whole_digest(signature, wanted)  # type: ignore[union-attr]
            else:
                actual = digest_tree(tree, digest_name, exclusive=exclusive, prefixes=prefixes, taken=texts.take())
        elif decoded:
            texts.put_back()
            try:
                content = base64.b64decode(re.sub(r"\s+", "", "".join(element.itertext())), validate=True)
            except (binascii.Error, ValueError):
                raise Refused(f"Reference {number}: the base64 transform's input is not base64") from None
            actual = hashlib.new(digest_name, content).digest()
        else:
            texts.put_back()  # an element's own C14N must see its real text
            actual = hashlib.new(digest_name, c14n_element(element, exclusive=exclusive, prefixes=prefixes)).digest()
    if actual != expected:
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)
        messages.append(f"Reference {number} ({what}): digest mismatch, the content was changed after signing")
    if element is None and not enveloped:
        return None, what  # the document with its own signature in it cannot have been digested as it is
    if element is not None and element is tree.getroot() and inside and enveloped:
        return WHOLE, what
    return target, what


def _detached_reference(
    uri: str,
    number: int,
    transforms: list[Any],
    digest_name: str,
    expected: bytes,
    content: bytes | None,
    verdict: Verdict,
    messages: list[str],
) -> tuple[Any, str]:
    what = f"the detached content {uri!r}"
    if transforms:
        raise Refused(f"Reference {number}: a detached content is digested as bytes, without transforms")
    if content is None:
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIGNED_DATA_NOT_FOUND)
        messages.append(f"Reference {number} names {what}: give it (detached_content / --detached-content)")
        return f"detached:{uri}", what
    if hashlib.new(digest_name, content).digest() != expected:
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)
        messages.append(f"Reference {number} ({what}): digest mismatch, the detached content is not the signed one")
    return f"detached:{uri}", what


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


__all__ = [
    "DEFAULT_PROFILE",
    "WHOLE",
    "check_reference",
    "find_signatures",
    "verify_signature",
    "verify_tree_report",
]
