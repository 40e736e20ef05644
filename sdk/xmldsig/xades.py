"""XAdES baseline (ETSI EN 319 132-1) and the e-invoice's signed ``SigningTime``, on top of the XML-DSig engine.

Writing (:func:`add_signed_properties`, :func:`add_signature_timestamp`, :func:`add_validation_data`):

- B-B: ``ds:Object/xades:QualifyingProperties[@Target]/xades:SignedProperties[@Id]`` with ``SigningTime`` and
  ``SigningCertificateV2`` (SHA-256 of the certificate, ``IssuerSerialV2``), signed by a Reference of type
  ``http://uri.etsi.org/01903#SignedProperties``;
- B-T: ``UnsignedSignatureProperties/SignatureTimeStamp``, an RFC 3161 token over the canonical ``SignatureValue``
  element, from the TSA through Kyso's bounded client (:func:`kyso.pdf.signing.bounded_timestamper`);
- B-LT: ``CertificateValues`` (the chain) and ``RevocationValues`` (OCSP responses, CRLs) fetched for the signing
  certificate within the signing's network budget.

Reading (:func:`read_properties`), only what is signed counts: unsigned SignedProperties are ignored with a note; a
SigningCertificate that does not name the KeyInfo certificate makes the signature INDETERMINATE (a substituted
certificate); a time-stamp counts only when its imprint is this SignatureValue's digest, it verifies and its TSA
validates (the PDF rule, :func:`kyso.pdf.timestamps.judge_signature_timestamp`); embedded values feed the certificate
validation as the document's own data.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from datetime import datetime
from typing import Any

from kyso.core.models import (
    CertificateValidator,
    Indication,
    Level,
    NetworkBudget,
    SignatureReport,
    SubIndication,
    TimestampInfo,
    ValidationOptions,
    Verdict,
    VerifyOptions,
)
from kyso.xmldsig.policy import C14N, C14N_METHODS, DIGEST_METHODS, DIGEST_URIS, DSIG, XADES
from kyso.xmldsig.xmlsafe import child_elements, local_name

_NS = {"ds": DSIG, "xades": XADES}


def _children(parent: Any, name: str) -> list[Any]:
    return [c for c in child_elements(parent) if local_name(c) == name]


def _first(parent: Any, *path: str) -> Any:
    current = parent
    for name in path:
        found = _children(current, name) if current is not None else []
        current = found[0] if found else None
    return current


def _b64decode(text: str | None) -> bytes:
    return base64.b64decode(re.sub(r"\s+", "", text or ""), validate=True)


def _is_signed(element: Any, targets: list[Any]) -> bool:
    """Whether a Reference target is ``element`` or one of its ancestors (its content is then signed)."""
    chain = [element, *element.iterancestors()]
    return any(t is c for t in targets for c in chain if not isinstance(t, str) and t is not None)


# -- reading -------------------------------------------------------------------------------------------------------


def read_properties(
    tree: Any,
    signature: Any,
    targets: list[Any],
    signer_der: bytes | None,
    report: SignatureReport,
    verdict: Verdict,
    options: VerifyOptions,
    validation: ValidationOptions,
    validate: CertificateValidator,
) -> ValidationOptions:
    """Read the signed signing time (e-invoice ``SignatureProperties``, XAdES ``SigningTime``) and the XAdES
    properties of ``signature`` into ``report``; return the validation options with the embedded B-LT data."""
    _signature_properties_time(signature, targets, report)
    qualifying = [q for o in _children(signature, "Object") for q in _children(o, "QualifyingProperties")]
    if not qualifying:
        return validation
    if len(qualifying) > 1:
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        report.messages.append("the signature has several QualifyingProperties (XAdES: exactly one)")
        return validation
    properties = qualifying[0]
    if signature.get("Id") is None or properties.get("Target") != "#" + signature.get("Id", ""):
        report.messages.append("XAdES QualifyingProperties do not target this signature: ignored")
        return validation
    signed = _first(properties, "SignedProperties")
    if signed is None or not _is_signed(signed, targets):
        report.messages.append("XAdES SignedProperties are not signed by a Reference: ignored")
        return validation
    moment = _first(signed, "SignedSignatureProperties", "SigningTime")
    if moment is not None:
        report.signing_time = _parse_time(moment.text)
    if not _signing_certificate_matches(signed, signer_der, report, verdict):
        return validation
    report.level = Level.B_B
    unsigned = _first(properties, "UnsignedProperties", "UnsignedSignatureProperties")
    if unsigned is None:
        return validation
    certificates = [_b64decode(e.text) for e in _values(unsigned, "CertificateValues", "EncapsulatedX509Certificate")]
    ocsps = [_b64decode(e.text) for e in _values(unsigned, "RevocationValues", "OCSPValues", "EncapsulatedOCSPValue")]
    crls = [_b64decode(e.text) for e in _values(unsigned, "RevocationValues", "CRLValues", "EncapsulatedCRLValue")]
    validation = dataclasses.replace(
        validation,
        intermediates=validation.intermediates + tuple(certificates),
        embedded_ocsps=validation.embedded_ocsps + tuple(ocsps),
        embedded_crls=validation.embedded_crls + tuple(crls),
    )
    stamp = _first(unsigned, "SignatureTimeStamp")
    if stamp is not None:
        report.timestamp = _signature_timestamp(signature, stamp, report.messages, validation, validate)
        if report.timestamp is not None and report.timestamp.trusted:
            report.level = Level.B_LT if certificates and (ocsps or crls) else Level.B_T
    return validation


def _values(parent: Any, *path: str) -> list[Any]:
    holder = _first(parent, *path[:-1])
    return _children(holder, path[-1]) if holder is not None else []


def _signature_properties_time(signature: Any, targets: list[Any], report: SignatureReport) -> None:
    """The e-invoice's ``Object/SignatureProperties/SignatureProperty/SigningTime`` (Nghị định 123/2020), when a
    Reference signs it."""
    for holder in _children(signature, "Object"):
        for prop in (p for s in _children(holder, "SignatureProperties") for p in _children(s, "SignatureProperty")):
            moment = _first(prop, "SigningTime")
            if moment is None:
                continue
            if _is_signed(prop, targets):
                report.signing_time = _parse_time(moment.text)
            else:
                report.messages.append("the SigningTime of SignatureProperties is not signed: ignored")


def _parse_time(text: str | None) -> datetime | None:
    """``yyyy-MM-ddTHH:mm:ss`` (Vietnam time when no offset is given, as e-invoices write it) or ISO 8601."""
    from kyso.api import parse_moment

    try:
        return parse_moment((text or "").strip())
    except Exception:
        return None


def _signing_certificate_matches(
    signed: Any, signer_der: bytes | None, report: SignatureReport, verdict: Verdict
) -> bool:
    """Kyso rule (XAdES): the signed SigningCertificate(V2) names the certificate that verified the signature;
    otherwise the KeyInfo certificate may have been substituted (INDETERMINATE)."""
    properties = _first(signed, "SignedSignatureProperties")
    holders = [h for name in ("SigningCertificateV2", "SigningCertificate") for h in _children(properties, name)]
    if not holders:
        report.messages.append("XAdES SignedProperties name no signing certificate: not a baseline signature")
        return False
    cert = _first(holders[0], "Cert")
    digest = _first(cert, "CertDigest") if cert is not None else None
    method = _first(digest, "DigestMethod") if digest is not None else None
    value = _first(digest, "DigestValue") if digest is not None else None
    name = DIGEST_METHODS.get(method.get("Algorithm", "") if method is not None else "")
    try:
        named = (
            name is not None
            and signer_der is not None
            and hashlib.new(name, signer_der).digest() == _b64decode(value.text if value is not None else "")
        )
    except ValueError:
        named = False
    if not named:
        verdict.lower(Indication.INDETERMINATE, SubIndication.NO_SIGNING_CERTIFICATE_FOUND)
        report.messages.append("the signed SigningCertificate does not name the certificate in KeyInfo")
    return named


def _signature_timestamp(
    signature: Any, stamp: Any, messages: list[str], validation: ValidationOptions, validate: CertificateValidator
) -> TimestampInfo | None:
    """The SignatureTimeStamp, judged by the rule of every format (:func:`kyso.pdf.timestamps
    .judge_signature_timestamp`): a proof of existence only over this SignatureValue, intact, with acceptable
    algorithms, from a TSA that validates."""
    from asn1crypto import cms

    from kyso.pdf.timestamps import judge_signature_timestamp
    from kyso.xmldsig.c14n import c14n_element

    method = _first(stamp, "CanonicalizationMethod")
    algorithm = method.get("Algorithm", C14N) if method is not None else C14N
    value = _first(signature, "SignatureValue")
    encapsulated = _first(stamp, "EncapsulatedTimeStamp")
    if algorithm not in C14N_METHODS or value is None or encapsulated is None:
        messages.append("the signature time-stamp is malformed and was ignored")
        return None
    canonical = c14n_element(value, exclusive=C14N_METHODS[algorithm], prefixes=None)
    try:
        token = cms.ContentInfo.load(_b64decode(encapsulated.text))["content"]
    except Exception as exc:
        messages.append(f"the signature time-stamp cannot be read: {exc.__class__.__name__}")
        return None
    return judge_signature_timestamp(
        token,
        lambda name: hashlib.new(name, canonical).digest(),
        validation.allow_weak,
        lambda tsa, certs: validate(
            tsa,
            dataclasses.replace(
                validation,
                purpose="timestamping",
                intermediates=validation.intermediates + tuple(c.dump() for c in certs),
            ),
        ),
        messages,
    )


# -- writing -------------------------------------------------------------------------------------------------------


def add_signed_properties(signature: Any, certificate: bytes, moment: datetime, digest: str = "sha256") -> Any:
    """Append the XAdES ``Object`` with ``SignedProperties`` (B-B) to ``signature``; return ``SignedProperties``
    (the caller signs it by a Reference of type :data:`~kyso.xmldsig.policy.SIGNED_PROPERTIES_TYPE`)."""
    from lxml import etree

    def x(parent: Any, name: str, **attributes: str) -> Any:
        return etree.SubElement(parent, f"{{{XADES}}}{name}", attributes)

    def ds(parent: Any, name: str, **attributes: str) -> Any:
        return etree.SubElement(parent, f"{{{DSIG}}}{name}", attributes)

    identifier = signature.get("Id")
    holder = etree.SubElement(signature, f"{{{DSIG}}}Object")
    qualifying = etree.SubElement(
        holder, f"{{{XADES}}}QualifyingProperties", {"Target": f"#{identifier}"}, nsmap={"xades": XADES}
    )
    signed = x(qualifying, "SignedProperties", Id=f"{identifier}-SignedProperties")
    properties = x(signed, "SignedSignatureProperties")
    x(properties, "SigningTime").text = moment.isoformat(timespec="seconds")
    cert = x(x(properties, "SigningCertificateV2"), "Cert")
    cert_digest = x(cert, "CertDigest")
    ds(cert_digest, "DigestMethod", Algorithm=DIGEST_URIS[digest])
    ds(cert_digest, "DigestValue").text = base64.b64encode(hashlib.new(digest, certificate).digest()).decode()
    x(cert, "IssuerSerialV2").text = base64.b64encode(_issuer_serial(certificate)).decode()
    return signed


def _issuer_serial(certificate: bytes) -> bytes:
    """DER ``IssuerSerial`` (RFC 5035) of a certificate, as ``IssuerSerialV2`` carries it."""
    from asn1crypto import tsp, x509

    cert = x509.Certificate.load(certificate)
    name = x509.GeneralName(name="directory_name", value=cert.issuer)
    return tsp.IssuerSerial({"issuer": [name], "serial_number": cert.serial_number}).dump()  # type: ignore[no-any-return]


def _unsigned_properties(signature: Any) -> Any:
    from lxml import etree

    qualifying = next(q for o in _children(signature, "Object") for q in _children(o, "QualifyingProperties"))
    unsigned = _first(qualifying, "UnsignedProperties")
    if unsigned is None:
        unsigned = etree.SubElement(qualifying, f"{{{XADES}}}UnsignedProperties")
        etree.SubElement(unsigned, f"{{{XADES}}}UnsignedSignatureProperties")
    return _first(unsigned, "UnsignedSignatureProperties")


def add_signature_timestamp(signature: Any, tsa: str, budget: NetworkBudget) -> None:
    """B-T: a ``SignatureTimeStamp`` over the canonical ``SignatureValue`` element, from ``tsa``."""
    from lxml import etree

    from kyso.core.aio import run_sync as run
    from kyso.core.errors import ServiceError
    from kyso.pdf.signing import bounded_timestamper
    from kyso.xmldsig.c14n import c14n_element

    value = _first(signature, "SignatureValue")
    imprint = hashlib.sha256(c14n_element(value, exclusive=False, prefixes=None)).digest()
    try:
        token = run(bounded_timestamper(tsa, budget).async_timestamp(imprint, "sha256"))
    except Exception as exc:
        raise ServiceError(f"the time-stamping authority failed: {exc}") from None
    stamp = etree.SubElement(_unsigned_properties(signature), f"{{{XADES}}}SignatureTimeStamp")
    etree.SubElement(stamp, f"{{{DSIG}}}CanonicalizationMethod", {"Algorithm": C14N})
    etree.SubElement(stamp, f"{{{XADES}}}EncapsulatedTimeStamp").text = base64.b64encode(token.dump()).decode()


def add_validation_data(signature: Any, chain: tuple[bytes, ...], budget: NetworkBudget) -> None:
    """B-LT: ``CertificateValues`` (the chains) and ``RevocationValues`` (the OCSP responses and CRLs that the
    paths of the signing certificate and of the time-stamp's TSA need, fetched now within ``budget``).

    :raises ServiceError: the revocation data cannot be fetched.
    """
    from asn1crypto import cms
    from lxml import etree

    unsigned = _unsigned_properties(signature)
    ocsps, crls = _revocation_values(chain, budget)
    extra: list[bytes] = []
    encapsulated = _first(unsigned, "SignatureTimeStamp", "EncapsulatedTimeStamp")
    if encapsulated is not None:
        token = cms.ContentInfo.load(_b64decode(encapsulated.text))["content"]
        from pyhanko.sign.validation.generic_cms import extract_certs_for_validation

        tsa = extract_certs_for_validation(token).signer_cert.dump()
        others = tuple(c.chosen.dump() for c in token["certificates"] if c.name == "certificate")
        tsa_chain = (tsa, *(d for d in others if d != tsa))
        if tsa_chain:
            more_ocsps, more_crls = _revocation_values(tsa_chain, budget)
            ocsps, crls = ocsps + more_ocsps, crls + more_crls
            extra = [d for d in tsa_chain if d not in chain]
    values = etree.SubElement(unsigned, f"{{{XADES}}}CertificateValues")
    for der in [*(chain[1:] or chain), *extra]:
        etree.SubElement(values, f"{{{XADES}}}EncapsulatedX509Certificate").text = base64.b64encode(der).decode()
    revocation = etree.SubElement(unsigned, f"{{{XADES}}}RevocationValues")
    if ocsps:
        holder = etree.SubElement(revocation, f"{{{XADES}}}OCSPValues")
        for der in ocsps:
            etree.SubElement(holder, f"{{{XADES}}}EncapsulatedOCSPValue").text = base64.b64encode(der).decode()
    if crls:
        holder = etree.SubElement(revocation, f"{{{XADES}}}CRLValues")
        for der in crls:
            etree.SubElement(holder, f"{{{XADES}}}EncapsulatedCRLValue").text = base64.b64encode(der).decode()


def _revocation_values(chain: tuple[bytes, ...], budget: NetworkBudget) -> tuple[list[bytes], list[bytes]]:
    """The OCSP responses and CRLs the path of ``chain[0]`` needs, fetched now (the collecting context of PAdES
    B-LT, :func:`kyso.pdf.ltv.collecting_context`)."""
    from pyhanko_certvalidator import CertificateValidator as PathValidator

    from kyso.certs.parsing import parse_certificate
    from kyso.certs.truststore import configured_certificates
    from kyso.core.aio import run_sync
    from kyso.core.errors import ServiceError
    from kyso.pdf.ltv import collecting_context

    anchors, intermediates = configured_certificates()
    roots = [d for d in chain if parse_certificate(d).self_signed == "maybe"]
    context = collecting_context((*anchors, *roots), (*intermediates, *chain[1:]), budget)
    try:
        run_sync(PathValidator(parse_certificate(chain[0]), validation_context=context).async_validate_usage(set()))
    except Exception as exc:
        raise ServiceError(f"the B-LT validation data could not be fetched: {exc.__class__.__name__}") from None
    return [o.dump() for o in context.ocsps], [c.dump() for c in context.crls]


__all__ = ["add_signature_timestamp", "add_signed_properties", "add_validation_data", "read_properties"]
