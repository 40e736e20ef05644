"""Verify every signature and document time-stamp of a PDF.

pyHanko supplies integrity (digest and signature value), coverage and difference analysis; certificates go through
the ``kyso_validate_certificate`` hook. Kyso adds rules where pyHanko's defaults let an attack through or disagree
with the EU DSS reference validator; each rule below says which attack or which file of the interop corpus
(``shared/interop/MANIFEST.md``) made it necessary:

- a form field other than a signature field filled after signing (shadow "replace" attack) is reported;
- bytes after the end of the last revision that no revision explains make the coverage PARTIAL;
- the byte-range geometry is Kyso's own check (``kyso.pdf.byterange``, also used by ``kyso.pdf.raw``): pyHanko's
  coverage level is arithmetic on lengths, fooled by a literal-string /Contents (``docs/security.md``);
- a signature dictionary without /Filter, or with a /SubFilter Kyso does not verify (legacy SHA-1 formats
  included), is INDETERMINATE;
- pages added or removed after signing fail the signature (incremental saving attack, DSS ``BBB_FC_DSFREAP``);
- revisions added after signing that cannot be parsed count as unexplained modifications (shadow "hide");
- a signature container that is not well-formed ASN.1 (X.690) is never reported valid (strict validators, e.g. DSS,
  do not even see it as a signature);
- the byte range is judged before the digest, as ETSI format checks precede cryptographic checks;
- an updated VRI entry of the document security store is an LTA update, not a suspicious change (DSS's own LT/LTA
  extension rewrites VRI entries, which pyHanko refuses);
- weak algorithms (Kyso's one policy, :mod:`kyso.certs.algorithms`: no MD5/SHA-1, RSA >= 2048 bits, unless the
  caller allows them by name) make a signature INDETERMINATE, as pyHanko's own validation does (the low-level
  integrity check used here does not apply any policy by itself);
- a file pyHanko cannot open at all still gets a verdict from its raw byte ranges (``kyso.pdf.raw``), and anything
  a check trips over makes that one signature INDETERMINATE, never a traceback.

Time-stamp tokens (signature and document time-stamps) are checked for integrity here and their TSA certificate
goes through the hook, with the token's certificates and the DSS certificates as intermediates. A signature
time-stamp is a proof of existence only when its imprint is this signature value's digest, its algorithms are not
weak and its TSA validates (issue 9: back-dating by an attacker's TSA or by a token copied from another signature).

Everything per file (DSS certificates, page count, revision of the DSS) is computed once; per signature, only what
pyHanko does anyway plus a walk over the few kilobytes of the signature container.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kyso.certs.identity import identity_of
from kyso.certs.parsing import parse_certificate
from kyso.core.errors import EncryptedDocumentError, InputError, KysoError
from kyso.core.models import (
    CertificateValidator,
    Coverage,
    Document,
    Indication,
    Level,
    Modifications,
    SignatureReport,
    SubIndication,
    TimestampInfo,
    Verdict,
    VerificationReport,
    VerifyOptions,
    vietnam_iso,
)
from kyso.pdf.reading import open_reader
from kyso.verdicts import apply_certificate, guarded

_PDF_WHITESPACE = b"\x00\t\n\x0c\r "


@dataclasses.dataclass
class _FileFacts:
    """What every signature of one file needs, read once per file."""

    data: bytes
    reader: Any
    options: VerifyOptions
    validate: CertificateValidator
    signature_fields: set[str]
    dss_certificates: tuple[bytes, ...]
    dss_revision: int | None
    """First revision holding a document security store (/DSS), if any."""
    timestamp_revisions: list[int]
    page_count: int | None
    trailing_bytes: int
    """Bytes after the end of the last revision that are not whitespace: appended outside of any revision."""
    signed_revisions: dict[tuple[int, int], int] = dataclasses.field(default_factory=dict)
    """Reference of each signature dictionary of the file -> the revision its signature covers."""
    widgets: list[Any] | None = None
    """Visible annotations of the last revision (``kyso.pdf.overlays``), read on first use."""

    def pages_at(self, revision: int) -> int | None:
        try:
            return int(self.reader.get_historical_resolver(revision).root["/Pages"]["/Count"])
        except Exception:
            return None


def verify_pdf(document: Document, options: VerifyOptions, validate: CertificateValidator) -> VerificationReport:
    """The verification report of a PDF; :class:`InputError` only when no signature can be read at all."""
    from kyso.pdf import raw

    report = VerificationReport(document=document.name, format="pdf")
    try:
        reader = open_reader(document.data)
        fields = _signature_fields(reader)
    except EncryptedDocumentError:
        raise
    except Exception as exc:
        # pyHanko cannot parse the file (e.g. the "/Encrypt null" trailer of DSS's signature-dictionary spoofing
        # sample): judge what the raw byte ranges still tell, or give up cleanly
        reason = exc.diagnostics() if isinstance(exc, KysoError) else f"damaged PDF: {exc.__class__.__name__}"
        found = raw.verify_raw(document.data, options, validate, reason=reason)
        if found is None:
            raise exc if isinstance(exc, InputError) else InputError(reason) from None
        report.signatures = found
        return report
    if isinstance(fields, raw.Unreadable):
        report.signatures = raw.verify_raw(document.data, options, validate, reason=fields.reason) or []
        return report
    names, filled = fields
    filled, copies = _distinct_signatures(filled)
    embedded = _embedded_signatures(reader, filled)
    if not embedded:
        return report
    facts = _file_facts(document.data, reader, options, validate, names, embedded)
    for emb in embedded:
        if isinstance(emb, SignatureReport):
            target, checked = report.signatures, emb
        elif emb.sig_object_type == "/DocTimeStamp":
            check = functools.partial(_verify_document_timestamp, emb, facts)
            target, checked = report.timestamps, guarded(str(emb.field_name), check)
        else:
            check = functools.partial(_verify_signature, emb, facts)
            target, checked = report.signatures, guarded(str(emb.field_name), check)
        others = copies.get(checked.id, [])
        if others:
            shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
            checked.messages.append(
                f"{len(others)} more signature fields hold this same signature ({shown}); it was verified once"
            )
        target.append(checked)
    return report


def _distinct_signatures(filled: list[tuple[Any, Any]]) -> tuple[list[tuple[Any, Any]], dict[str, list[str]]]:
    """The filled fields with one field per signature dictionary, and the names of the other fields holding each.

    Kyso rule (issue 9, parser costs): 800 fields pointing at one signature dictionary (71 KB) took 44 s to verify,
    each field analysed as a signature of its own. A signature is analysed once, under its first field; the other
    fields are named in its report."""
    from pyhanko.pdf_utils import generic

    first: dict[Any, str] = {}
    kept: list[tuple[Any, Any]] = []
    copies: dict[str, list[str]] = {}
    for name, field in filled:
        try:
            value = field.get_object().raw_get("/V")
            key: Any = (value.idnum, value.generation) if isinstance(value, generic.IndirectObject) else id(value)
        except Exception:
            key = id(field)
        if key in first:
            copies.setdefault(first[key], []).append(str(name))
            continue
        first[key] = str(name)
        kept.append((name, field))
    return kept, copies


def _signature_fields(reader: Any) -> Any:
    """(names of all signature fields, the filled ones as pyHanko lists them), or ``raw.Unreadable``."""
    from pyhanko.sign.fields import enumerate_sig_fields

    from kyso.pdf import raw

    try:
        # pyHanko reads the trailer lazily: touch it here so that a damaged one lands in the raw fallback
        reader.root  # noqa: B018
        fields = list(enumerate_sig_fields(reader))
    except Exception as exc:
        return raw.Unreadable(f"signature fields cannot be read: {exc.__class__.__name__}")
    return {str(name) for name, _, _ in fields}, [(name, field) for name, value, field in fields if value is not None]


def _embedded_signatures(reader: Any, filled: list[tuple[Any, Any]]) -> list[Any]:
    """pyHanko's view of each filled signature field, in signing order; a field pyHanko cannot load becomes a
    FORMAT_FAILURE report instead of hiding the others."""
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    loaded: list[Any] = []
    for name, field in filled:
        try:
            loaded.append(EmbeddedPdfSignature(reader, field, name))
        except Exception as exc:
            broken = SignatureReport(
                id=str(name), indication=Indication.TOTAL_FAILED, sub_indication=SubIndication.FORMAT_FAILURE
            )
            if _subfilter(field) == "/adbe.x509.rsa_sha1":
                # a legacy PKCS#1 signature is not broken, just not a format Kyso verifies: never TOTAL_FAILED
                broken.indication = Indication.INDETERMINATE
                broken.messages.append("adbe.x509.rsa_sha1 (PKCS#1) signatures are not supported")
            else:
                broken.messages.append(f"the signature field holds no readable signature ({exc.__class__.__name__})")
            loaded.append(broken)
    revision = {id(e): getattr(e, "signed_revision", 1 << 30) for e in loaded}
    return sorted(loaded, key=lambda e: revision[id(e)])


def _subfilter(field: Any) -> str | None:
    try:
        return str(field.get_object()["/V"]["/SubFilter"])
    except Exception:
        return None


def _file_facts(
    data: bytes,
    reader: Any,
    options: VerifyOptions,
    validate: CertificateValidator,
    names: set[str],
    embedded: list[Any],
) -> _FileFacts:
    facts = _FileFacts(
        data=data,
        reader=reader,
        options=options,
        validate=validate,
        signature_fields=names,
        dss_certificates=(),
        dss_revision=None,
        timestamp_revisions=[
            e.signed_revision
            for e in embedded
            if not isinstance(e, SignatureReport) and e.sig_object_type == "/DocTimeStamp"
        ],
        page_count=None,
        trailing_bytes=_unexplained_tail(data, reader),
    )
    facts.page_count = facts.pages_at(reader.xrefs.total_revisions - 1)
    facts.signed_revisions = _signed_revisions(embedded)
    facts.dss_certificates, facts.dss_revision = _dss(reader)
    ocsps, crls = _dss_revocation_data(reader)
    if ocsps or crls:
        # B-LT / B-LTA: the document's own OCSP responses and CRLs, checked like fetched ones (offline validation)
        facts.options = dataclasses.replace(
            options,
            validation=dataclasses.replace(
                options.validation,
                embedded_ocsps=options.validation.embedded_ocsps + ocsps,
                embedded_crls=options.validation.embedded_crls + crls,
            ),
        )
    return facts


def _signed_revisions(embedded: list[Any]) -> dict[tuple[int, int], int]:
    found: dict[tuple[int, int], int] = {}
    for emb in embedded:
        try:
            ref = emb.sig_field.raw_get("/V")
            found[(ref.idnum, ref.generation)] = emb.signed_revision
        except Exception:
            continue
    return found


def _unexplained_tail(data: bytes, reader: Any) -> int:
    """Non-whitespace bytes after the ``%%EOF`` that closes the last revision the cross-reference chain knows.

    Measured from the revisions, not from the last ``%%EOF`` in the file: objects appended after a signature and
    closed with a ``startxref`` to an old cross-reference section and a ``%%EOF`` belong to no revision either."""
    try:
        xrefs = reader.xrefs
        end = max(xrefs.get_xref_container_info(rev).end_location for rev in range(xrefs.total_revisions))
    except Exception:
        end = data.rfind(b"%%EOF")
    eof = data.find(b"%%EOF", max(end, 0))
    if eof < 0:
        return 0
    return len(data[eof + 5 :].replace(b"%%EOF", b"").strip(_PDF_WHITESPACE))


def _dss_revocation_data(reader: Any) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    """DER of the OCSP responses and CRLs in the document security store (garbage is left to the validator)."""
    try:
        if "/DSS" not in reader.root:
            return (), ()
        dss = reader.root["/DSS"]
        found = []
        for key in ("/OCSPs", "/CRLs"):
            blobs = []
            for stream in list(dss[key]) if key in dss else []:
                try:
                    blobs.append(stream.get_object().data)
                except Exception:
                    continue
            found.append(tuple(blobs))
        return found[0], found[1]
    except Exception:
        return (), ()


def _dss(reader: Any) -> tuple[tuple[bytes, ...], int | None]:
    """Certificates of the document security store (they complete chains of LT/LTA signatures and time-stamps,
    as pyHanko's own PAdES validation uses them) and the first revision that has a DSS."""

    try:
        if "/DSS" not in reader.root:
            return (), None
        dss = reader.root["/DSS"]
        streams = list(dss["/Certs"]) if "/Certs" in dss else []
    except Exception:
        return (), None
    certs = []
    for stream in streams:
        try:
            der = stream.get_object().data
            parse_certificate(der)  # skip garbage here rather than in the hook
            certs.append(der)
        except Exception:
            continue
    return tuple(certs), next((rev for rev in range(reader.xrefs.total_revisions) if _has_dss(reader, rev)), None)


def _has_dss(reader: Any, revision: int) -> bool:
    try:
        return "/DSS" in reader.get_historical_resolver(revision).root
    except Exception:
        return False


def _verify_signature(emb: Any, facts: _FileFacts) -> SignatureReport:
    report = SignatureReport(id=str(emb.field_name), indication=Indication.TOTAL_PASSED)
    verdict = Verdict()
    messages = report.messages
    try:
        cert = emb.signer_cert
    except Exception:
        report.indication, report.sub_indication = Indication.INDETERMINATE, SubIndication.NO_SIGNING_CERTIFICATE_FOUND
        messages.append("the signing certificate is not in the signature")
        return report
    report.signer = identity_of(cert)
    report.signing_time = _claimed_time(emb)
    report.kind = _kind(emb)
    # ETSI EN 319 102-1 runs format checks before cryptographic ones: a malformed byte range is a FORMAT_FAILURE
    # even when it also breaks the digest (DSS-2451: overlapping byte ranges)
    _check_coverage_and_changes(emb, facts, report, verdict)
    if not _check_dictionary(emb, verdict, messages):
        report.indication, report.sub_indication = verdict.indication, verdict.sub_indication
        return report
    _check_encoding(emb, verdict, messages)
    _check_integrity(emb, cert, verdict, messages)
    _check_algorithms(emb.signer_info, cert, facts, verdict, messages)
    report.timestamp = _signature_timestamp(emb, facts, messages)
    report.level = _level(emb, facts, report.timestamp is not None)
    if verdict.indication is not Indication.TOTAL_FAILED:
        ocsps, crls = _adobe_revocation_data(emb)
        validation = dataclasses.replace(
            facts.options.validation,
            intermediates=_intermediates(facts, emb.other_embedded_certs),
            embedded_ocsps=facts.options.validation.embedded_ocsps + ocsps,
            embedded_crls=facts.options.validation.embedded_crls + crls,
        )
        report.certificate = facts.validate(cert.dump(), validation)
        report.certificate = _validate_in_the_past(report, cert, validation, facts) or report.certificate
        apply_certificate(report, report.certificate, verdict)
    report.indication, report.sub_indication = verdict.indication, verdict.sub_indication
    return report


def _adobe_revocation_data(emb: Any) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    """OCSP responses and CRLs in the signed ``adbe-revocationInfoArchival`` attribute (Adobe-style LT), if any."""
    from pyhanko.sign.general import find_unique_cms_attribute

    try:
        archival = find_unique_cms_attribute(emb.signer_info["signed_attrs"], "adobe_revocation_info_archival")
        return (
            tuple(item.dump() for item in archival["ocsp"] or ()),
            tuple(item.dump() for item in archival["crl"] or ()),
        )
    except Exception:
        return (), ()


_POE_SUBS = {SubIndication.REVOKED_NO_POE, SubIndication.OUT_OF_BOUNDS_NO_POE, SubIndication.TRY_LATER}


def _validate_in_the_past(report: SignatureReport, cert: Any, validation: Any, facts: _FileFacts) -> Any:
    """ETSI EN 319 102-1 validation in the past: a trusted signature time-stamp proves the signature existed at
    its time (POE). A certificate revoked (or expired, or without fresh revocation data) *after* that moment is
    validated as of the POE; revoked before it stays REVOKED, and without a POE it stays REVOKED_NO_POE."""
    first = report.certificate
    stamp = report.timestamp
    if first is None or first.sub_indication not in _POE_SUBS or stamp is None or not stamp.trusted:
        return None
    if first.validation_time is not None and stamp.time >= first.validation_time:
        return None
    revoked_at = first.revocation.revoked_at
    if first.sub_indication is SubIndication.REVOKED_NO_POE and (revoked_at is None or revoked_at <= stamp.time):
        return None
    past = facts.validate(cert.dump(), dataclasses.replace(validation, at=stamp.time))
    if past.indication is not Indication.TOTAL_PASSED:
        return None
    past.messages.append(
        f"validated as of the signature time-stamp {vietnam_iso(stamp.time)} (proof of existence), "
        f"because at {vietnam_iso(first.validation_time) if first.validation_time else 'now'}: "
        + "; ".join(first.messages)
    )
    return past


def _intermediates(facts: _FileFacts, embedded: list[Any]) -> tuple[bytes, ...]:
    return facts.options.validation.intermediates + tuple(c.dump() for c in embedded) + facts.dss_certificates


_SUBFILTERS = {"/Sig": ("/adbe.pkcs7.detached", "/ETSI.CAdES.detached"), "/DocTimeStamp": ("/ETSI.RFC3161",)}
"""The /SubFilter values Kyso verifies, per /Type of the signature dictionary (ISO 32000-2 12.8, PAdES)."""
_LEGACY_SUBFILTERS = ("/adbe.pkcs7.sha1", "/adbe.x509.rsa_sha1")


def _check_dictionary(emb: Any, verdict: Verdict, messages: list[str]) -> bool:
    """Kyso rule (issue 9, class 2): a signature is judged only in a format Kyso knows. /Filter must be present (any
    handler name: Adobe.PPKLite, Adobe.PPKMS ... all write the same formats) and /SubFilter must be one of
    ``_SUBFILTERS`` for the dictionary's /Type: a detached CMS/CAdES signature, or an RFC 3161 token for a document
    time-stamp. Anything else, the legacy SHA-1 formats included, is INDETERMINATE / FORMAT_FAILURE with the reason
    and is not checked further (pyHanko would read any CMS it finds, whatever the dictionary says it is)."""
    from pyhanko.pdf_utils import generic

    def name(key: str) -> str | None:
        try:
            value = emb.sig_object.get(key)
        except Exception:
            return None
        return str(value)[:64] if isinstance(value, generic.NameObject) else None

    kind, handler, subfilter = name("/Type") or "/Sig", name("/Filter"), name("/SubFilter")
    if subfilter in _LEGACY_SUBFILTERS:
        problem = f"the legacy signature format {subfilter[1:]} (SHA-1) is not supported"
    elif handler is None:
        problem = "the signature dictionary has no /Filter"
    elif subfilter is None:
        problem = "the signature dictionary has no /SubFilter"
    elif subfilter not in _SUBFILTERS.get(kind, ()):
        problem = f"the signature format {subfilter[1:]} is not a known one for {kind[1:]}"
    else:
        return True
    verdict.lower(Indication.INDETERMINATE, SubIndication.FORMAT_FAILURE)
    messages.append(problem)
    return False


def _check_encoding(emb: Any, verdict: Verdict, messages: list[str]) -> None:
    """Kyso rule (dss_BadEncodedCMS.pdf): ISO 32000-1 12.8.3.3 wants a DER-encoded CMS object. asn1crypto, and so
    pyHanko, reads INTEGERs with redundant leading octets, which X.690 8.3.2 forbids even in BER; strict decoders
    (Bouncy Castle, so EU DSS) refuse the whole container and find no signature at all. A signature that verifies
    in one product and does not exist in another must not be reported valid: INDETERMINATE / FORMAT_FAILURE."""
    try:
        problem = _x690_problem(emb.signed_data["signer_infos"].dump())
    except Exception:
        problem = "unreadable signer information"
    if problem:
        verdict.lower(Indication.INDETERMINATE, SubIndication.FORMAT_FAILURE)
        messages.append(f"the CMS signature is not well-formed ASN.1 ({problem}); strict validators reject it")


def _x690_problem(blob: bytes) -> str | None:
    """The first X.690 violation in a BER/DER blob (non-minimal INTEGER, length beyond its container), or None."""
    stack: list[tuple[int, int]] = [(0, len(blob))]
    while stack:
        offset, end = stack.pop()
        while offset < end:
            start = offset
            if blob[offset] == 0 and offset + 1 < end and blob[offset + 1] == 0:
                offset += 2  # end-of-contents of an indefinite length (valid BER)
                continue
            tag = blob[offset]
            offset += 1
            if tag & 0x1F == 0x1F:
                while offset < end and blob[offset] & 0x80:
                    offset += 1
                offset += 1
            if offset >= end:
                return f"truncated element at byte {start}"
            first = blob[offset]
            offset += 1
            if first == 0x80:
                if not tag & 0x20:
                    return f"indefinite length on a primitive element at byte {start}"
                stack.append((offset, end))  # contents run up to the end-of-contents marker
                break
            if first & 0x80:
                count = first & 0x7F
                length = int.from_bytes(blob[offset : offset + count], "big")
                offset += count
            else:
                length = first
            if offset + length > end:
                return f"element at byte {start} is longer than its container"
            if tag & 0x20:
                stack.append((offset + length, end))
                stack.append((offset, offset + length))
                break
            if tag == 0x02 and length > 1:
                lead, second = blob[offset], blob[offset + 1]
                if (lead == 0 and second < 0x80) or (lead == 0xFF and second >= 0x80):
                    return f"INTEGER with redundant leading octets at byte {start} (X.690 8.3.2)"
            offset += length
    return None


def _check_integrity(emb: Any, cert: Any, verdict: Verdict, messages: list[str]) -> None:
    from asn1crypto import core
    from pyhanko.sign.general import CMSStructuralError
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    eci = emb.signed_data["encap_content_info"]
    if eci["content"] is not core.VOID and not isinstance(eci["content"], core.Void):
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        messages.append("CMS structural error: a detached PDF signature must not encapsulate content")
        return
    try:
        intact, valid = validate_sig_integrity(
            emb.signer_info,
            cert,
            expected_content_type=eci["content_type"].native,
            actual_digest=emb.compute_digest(),
        )
    except CMSStructuralError as exc:
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        messages.append(f"CMS structural error: {exc.failure_message}")
        return
    except Exception as exc:
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        messages.append(f"the signature cannot be checked: {exc.__class__.__name__}")
        return
    if not intact:
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)
        messages.append("the signed bytes were changed: the document digest does not match")
    elif not valid:
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.SIG_CRYPTO_FAILURE)
        messages.append("the signature value does not verify with the signer's public key")


def _check_algorithms(signer_info: Any, cert: Any, facts: _FileFacts, verdict: Verdict, messages: list[str]) -> None:
    """Kyso rule (issue 9, class 4): weak algorithms (:mod:`kyso.certs.algorithms`: SHA-1, RSA < 2048 bits ...) make
    a signature INDETERMINATE per ETSI, as pyHanko's own validation does; the low-level integrity check used here
    does not apply any policy by itself, so without this a trusted signer's SHA-1 signature would pass."""
    problem = _algorithm_problem(signer_info, cert, facts.options.validation.allow_weak)
    if problem is not None:
        verdict.lower(Indication.INDETERMINATE, SubIndication.CRYPTO_CONSTRAINTS_FAILURE)
        messages.append(problem)


def _algorithm_problem(signer_info: Any, cert: Any, allow: tuple[str, ...]) -> str | None:
    """Why the algorithms of a CMS signer info (digest, signature mechanism and key) are not acceptable, or None."""
    from asn1crypto import algos
    from pyhanko.sign.validation.utils import CMSAlgorithmUsagePolicy

    from kyso.certs.algorithms import usage_policy

    policy = CMSAlgorithmUsagePolicy.lift_policy(usage_policy(allow))
    try:
        mechanism = signer_info["signature_algorithm"]
        digest = signer_info["digest_algorithm"]
        checks = (
            policy.signature_algorithm_allowed(mechanism, moment=None, public_key=cert.public_key),
            policy.digest_algorithm_allowed(digest, moment=None),
            policy.digest_combination_allowed(
                signature_algo=mechanism,
                message_digest_algo=algos.DigestAlgorithm({"algorithm": digest["algorithm"].native}),
                moment=None,
            ),
        )
        names = f"{mechanism['algorithm'].native} / {digest['algorithm'].native}"
    except Exception as exc:
        return f"the signature algorithms cannot be assessed: {exc.__class__.__name__}"
    for allowed in checks:
        if not allowed:
            reason = allowed.failure_reason or ""
            why = f": {reason}" if reason and "AlgorithmUsageConstraint" not in reason else ""
            return f"the signature uses weak or disallowed algorithms ({names}){why}"
    return None


@functools.cache
def _diff_policy() -> Any:
    """pyHanko's default difference policy with one Kyso change: updating an existing VRI entry of the DSS.

    Kyso rule (dss_PAdES-LT-multi.pdf): PAdES lets validation data be added to the DSS at any later revision, and
    EU DSS extending a document to LT/LTA rewrites existing VRI entries with more certificates and OCSP responses.
    pyHanko treats any change of an existing VRI key as suspicious and so rates such a signature OTHER. A VRI
    entry only lists validation data; it cannot change what the document shows. The updated entry is checked
    exactly as pyHanko checks a new one (key format, allowed keys, streams); deleting an entry stays suspicious.
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, StandardDiffPolicy, SuspiciousModification
    from pyhanko.sign.diff_analysis.rules.form_field_rules import DSSCompareRule

    def vri_of(resolver: Any) -> Any:
        return resolver.root["/DSS"]["/VRI"]

    class UpdatableVriRule(DSSCompareRule):
        def apply(self, old: Any, new: Any) -> Any:
            try:
                yield from super().apply(old, new)
            except SuspiciousModification as exc:
                # the VRI check is the last step of DSSCompareRule.apply: everything before it has been yielded
                if not str(exc).startswith("VRI key") or "was modified or deleted" not in str(exc):
                    raise
                try:
                    old_vri, new_vri = vri_of(old), vri_of(new)
                except Exception:
                    raise exc from None
                kept = generic.DictionaryObject(
                    {k: v for k, v in old_vri.items() if k not in new_vri or new_vri.raw_get(k) == v}
                )
                yield from DSSCompareRule._check_vri(old, new, kept, new_vri)

    rules = [
        UpdatableVriRule().as_qualified(r.level) if isinstance(getattr(r, "rule", None), DSSCompareRule) else r  # type: ignore[attr-defined]
        for r in DEFAULT_DIFF_POLICY.global_rules
    ]
    return StandardDiffPolicy(
        global_rules=rules,
        form_rule=DEFAULT_DIFF_POLICY.form_rule,
        reject_object_freeing=DEFAULT_DIFF_POLICY.reject_object_freeing,
        ignore_orphaned_objects=DEFAULT_DIFF_POLICY.ignore_orphaned_objects,
        ignore_identical_objects=DEFAULT_DIFF_POLICY.ignore_identical_objects,
    )


def _coverage(emb: Any, facts: _FileFacts, report: SignatureReport, verdict: Verdict) -> bool:
    """Coverage of the byte range; False when it is not a standard one (then nothing after signing can be
    analysed).

    Kyso rule (issue 9, literal-/Contents forgery; ``kyso.pdf.byterange``, ``docs/security.md``): pyHanko's coverage
    level is arithmetic on lengths, true only once Kyso has checked where the ranges and the /Contents token are.
    Do not remove this check in favour of ``evaluate_signature_coverage`` alone."""
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    from kyso.pdf import byterange

    try:
        geometry = byterange.check(facts.data, emb.byte_range, _dictionary_offset(emb))
        if geometry.contents != emb.pkcs7_content:
            raise byterange.GeometryError("the signature value between the byte ranges is not the one pyHanko read")
    except byterange.GeometryError as exc:
        report.coverage, report.modifications = Coverage.PARTIAL, Modifications.OTHER
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        report.messages.append(str(exc))
        return False
    try:
        # the geometry holds, so pyHanko's arithmetic is true: ENTIRE_FILE is decided from the real end above,
        # earlier revisions (ENTIRE_REVISION) by pyHanko's startxref and cross-reference checks
        coverage = SignatureCoverageLevel.ENTIRE_FILE if geometry.whole_file else emb.evaluate_signature_coverage()
        if coverage == SignatureCoverageLevel.ENTIRE_FILE and not geometry.whole_file:
            coverage = SignatureCoverageLevel.UNCLEAR
    except Exception as exc:
        coverage = SignatureCoverageLevel.UNCLEAR
        report.messages.append(f"the byte range cannot be related to the file: {exc.__class__.__name__}")
    emb.coverage = coverage
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        report.coverage = Coverage.ENTIRE_FILE
    elif coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        report.coverage = Coverage.ENTIRE_REVISION
    else:
        report.coverage = Coverage.PARTIAL
        report.modifications = Modifications.OTHER
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        report.messages.append("the signature does not cover the whole file (non-standard byte range)")
        return False
    if facts.trailing_bytes and coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        # Kyso rule (appended-bytes attack): pyHanko only diffs revisions the cross-reference chain knows; bytes
        # after the last %%EOF belong to no revision, yet recovering readers may still show objects from them
        report.coverage = Coverage.PARTIAL
        report.modifications = Modifications.OTHER
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE)
        report.messages.append(
            f"{facts.trailing_bytes} bytes after the end of the last revision are covered by no signature"
        )
    return True


def _dictionary_offset(emb: Any) -> int:
    """File offset of the signature dictionary pyHanko read (the latest definition of the /V object)."""
    from pyhanko.pdf_utils import generic

    from kyso.pdf import byterange

    value = emb.sig_field.raw_get("/V")
    location = emb.reader.xrefs[value.reference] if isinstance(value, generic.IndirectObject) else None
    if not isinstance(location, int):
        raise byterange.GeometryError("the signature dictionary is not stored as an object of its own in the file")
    return location


def _check_coverage_and_changes(emb: Any, facts: _FileFacts, report: SignatureReport, verdict: Verdict) -> None:
    from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification

    if not _coverage(emb, facts, report, verdict):
        return
    if emb.coverage.name == "ENTIRE_FILE":
        report.modifications = Modifications.NONE
        return
    try:
        diff = emb.evaluate_modifications(_diff_policy())
    except Exception as exc:
        # Kyso rule (dss_shadow-hide.pdf, rub_shadow-hide-form-via-form): the shadow "hide" files carry an
        # incremental update pyHanko cannot parse; an update nobody can analyse is an unexplained change
        report.modifications = Modifications.OTHER
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE)
        report.messages.append(
            f"the document was modified after signing and the changes cannot be analysed ({exc.__class__.__name__})"
        )
        return
    emb.diff_result = diff
    _check_pages(emb, facts, report, verdict)
    if isinstance(diff, SuspiciousModification):
        report.modifications = Modifications.OTHER
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE)
        report.messages.append(f"the document was modified after signing: {str(diff)[:200]}")
        return
    level = diff.modification_level
    if report.modifications is None:
        report.modifications = {
            ModificationLevel.NONE: Modifications.NONE,
            ModificationLevel.LTA_UPDATES: Modifications.NONE,
            ModificationLevel.FORM_FILLING: Modifications.FORM_FILLING,
            ModificationLevel.ANNOTATIONS: Modifications.ANNOTATIONS,
        }.get(level, Modifications.OTHER)
    if level.value > ModificationLevel.ANNOTATIONS.value:
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE)
        report.messages.append("the document was modified after signing (changes not allowed for a signed PDF)")
        return
    filled = set(getattr(diff, "changed_form_fields", ()) or ()) - facts.signature_fields
    if filled:
        # Kyso rule (dss_shadow-replace.pdf): pyHanko rates the shadow "replace" attack as mere form filling, as
        # a new value of a text field may legitimately follow an approval signature in PDF. In an issued document
        # nobody fills fields after signing, and an overlay value is how content is replaced: report it.
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE)
        report.messages.append(f"form fields were changed after signing: {', '.join(sorted(filled))}")
    _check_overlays(emb, facts, report, verdict)
    docmdp = emb.docmdp_level
    if docmdp is not None and level.value > docmdp.value:
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE)
        report.messages.append("changes after signing exceed what the certifying signature permits")


def _check_overlays(emb: Any, facts: _FileFacts, report: SignatureReport, verdict: Verdict) -> None:
    """Kyso rule (issue 9, overlay attack; see ``kyso.pdf.overlays``): pyHanko rates a new *unsigned* signature field
    as form filling whatever its appearance paints; a visible widget added or changed after signing that no later
    signature of its own field covers is a content change."""
    from kyso.pdf import overlays

    if facts.widgets is None:
        try:
            facts.widgets = overlays.visible_widgets(facts.reader, facts.signed_revisions)
        except Exception as exc:
            unreadable = f"annotations that cannot be read ({exc.__class__.__name__})"
            facts.widgets = [overlays.Widget(unreadable, 1 << 30, None)]
    painted = overlays.overlays(facts.widgets, emb.signed_revision)
    if painted:
        report.modifications = Modifications.OTHER
        verdict.lower(Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE)
        shown = ", ".join(sorted(set(painted))[:5]) + (" ..." if len(set(painted)) > 5 else "")
        report.messages.append(
            f"unsigned fields or annotations added or changed after signing paint over the page: {shown}"
        )


def _check_pages(emb: Any, facts: _FileFacts, report: SignatureReport, verdict: Verdict) -> None:
    """Kyso rule (dss_pdf-signed-added-page.pdf): pyHanko rates a page added after signing as just OTHER; EU DSS
    fails it (BBB_FC_DSFREAP, TOTAL_FAILED / FORMAT_FAILURE) since the reader sees pages nobody signed."""
    signed = facts.pages_at(emb.signed_revision)
    if signed is not None and facts.page_count is not None and signed != facts.page_count:
        report.modifications = Modifications.OTHER
        verdict.lower(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        report.messages.append(f"pages were added or removed after signing ({signed} signed, {facts.page_count} now)")


def _kind(emb: Any) -> Any:
    """The Nghị định 30 kind a Kyso signature records in its signed attributes (covered by the signature)."""
    from kyso.pdf.kind_attribute import read_kind

    try:
        return read_kind(emb.signer_info)
    except Exception:
        return None


def _claimed_time(emb: Any) -> datetime | None:
    from pyhanko.sign.validation.generic_cms import extract_self_reported_ts

    try:
        return extract_self_reported_ts(emb.signer_info) or emb.self_reported_timestamp
    except Exception:
        return None


def _check_token(
    token: Any, expected_imprint: Callable[[str], bytes], mismatch: str = "the time-stamped bytes were changed"
) -> tuple[datetime, Any, list[str]]:
    """Integrity of an RFC 3161 token: (time, TSA certificate, problems; ``mismatch`` when its message imprint is
    not the digest of what it should stamp). The TSA's certificate is validated through the hook, not here:
    pyHanko's own token validation would build a second, throw-away path."""
    from asn1crypto import tsp
    from cryptography.hazmat.primitives import hashes
    from pyhanko.sign.general import extract_signer_info
    from pyhanko.sign.validation.generic_cms import extract_certs_for_validation, validate_sig_integrity
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    content = token["encap_content_info"]["content"]
    info = content.parsed
    if not isinstance(info, tsp.TSTInfo):
        raise ValueError("the token does not hold a TSTInfo")
    signer_info = extract_signer_info(token)
    tsa = extract_certs_for_validation(token).signer_cert
    problems = []
    imprint = info["message_imprint"]
    if expected_imprint(imprint["hash_algorithm"]["algorithm"].native) != imprint["hashed_message"].native:
        problems.append(mismatch)
    digest = hashes.Hash(get_pyca_cryptography_hash(signer_info["digest_algorithm"]["algorithm"].native))
    digest.update(bytes(content))
    intact, valid = validate_sig_integrity(
        signer_info, tsa, expected_content_type="tst_info", actual_digest=digest.finalize()
    )
    if not (intact and valid):
        problems.append("the time-stamp signature does not verify")
    return info["gen_time"].native, tsa, problems


def _signature_timestamp(emb: Any, facts: _FileFacts, messages: list[str]) -> TimestampInfo | None:
    """The signature time-stamp (B-T) if present: integrity here, the TSA's certificate by the hook.

    Kyso rule (issue 9, class 4): only an intact token over *this* signature value, signed with acceptable
    algorithms by a TSA that validates, is a proof of existence (``trusted``). A token copied from another
    signature (its imprint is another signature value's digest) is ignored, and a token from a TSA nobody trusts
    is reported but proves nothing: otherwise an attacker holding a revoked key would back-date his signature with
    a time-stamp of his own, or with a genuine one taken from an older signature."""
    from pyhanko.sign.general import extract_signer_info
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter, message_imprint_checker

    try:
        tokens = list(extract_tst_data_iter(emb.signer_info, signed=False))
        if not tokens:
            return None
        moment, tsa, problems = _check_token(
            tokens[0],
            message_imprint_checker(emb.signer_info),
            "its message imprint is not the digest of this signature value (a time-stamp of another signature)",
        )
        weak = _algorithm_problem(extract_signer_info(tokens[0]), tsa, facts.options.validation.allow_weak)
    except Exception as exc:
        messages.append(f"the signature time-stamp cannot be read: {exc.__class__.__name__}")
        return None
    if problems:
        messages.append(f"the signature time-stamp is damaged and was ignored: {'; '.join(problems)}")
        return None
    info = TimestampInfo(time=moment, authority=identity_of(tsa).common_name or tsa.subject.human_friendly)
    if weak is not None:
        info.trusted = False
        messages.append(f"the signature time-stamp is no proof of existence: {weak}")
        return info
    try:
        certs = [c.chosen for c in tokens[0]["certificates"] if c.name == "certificate"]
    except Exception:
        certs = []
    tsa_report = facts.validate(
        tsa.dump(),
        dataclasses.replace(
            facts.options.validation, purpose="timestamping", intermediates=_intermediates(facts, certs)
        ),
    )
    info.trusted = tsa_report.indication is Indication.TOTAL_PASSED
    if not info.trusted:
        messages.append(
            "the time-stamping authority is not trusted, the time-stamp is no proof of existence: "
            + "; ".join(tsa_report.messages)
        )
    return info


def _level(emb: Any, facts: _FileFacts, timestamped: bool) -> Level:
    """PAdES baseline level (EN 319 142-1): T by a signature time-stamp or a later document time-stamp, LT with
    a DSS, LTA when a document time-stamp follows the DSS."""
    later = [rev for rev in facts.timestamp_revisions if rev > emb.signed_revision]
    if not (timestamped or later):
        return Level.B_B
    if facts.dss_revision is None:
        return Level.B_T
    if any(rev >= facts.dss_revision for rev in later):  # the time-stamp covers the revision adding the DSS
        return Level.B_LTA
    return Level.B_LT


def _verify_document_timestamp(emb: Any, facts: _FileFacts) -> SignatureReport:
    """A document time-stamp (PAdES archive time-stamp): reported under ``timestamps``, never as a signature."""
    report = SignatureReport(id=str(emb.field_name), indication=Indication.TOTAL_PASSED)
    report.messages.append("document time-stamp")
    verdict = Verdict()
    # changes after a time-stamp are judged as after a signature: the time-stamp proves its own revision only
    _check_coverage_and_changes(emb, facts, report, verdict)
    if not _check_dictionary(emb, verdict, report.messages):
        report.indication, report.sub_indication = verdict.indication, verdict.sub_indication
        return report
    try:
        moment, tsa, problems = _check_token(emb.signed_data, emb.compute_digest)
    except Exception as exc:
        report.indication, report.sub_indication = Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE
        report.messages.append(f"the document time-stamp cannot be checked: {exc.__class__.__name__}")
        return report
    report.signer = identity_of(tsa)
    report.timestamp = TimestampInfo(time=moment, authority=report.signer.common_name)
    report.signing_time = moment
    if problems:
        sub = SubIndication.HASH_FAILURE if "changed" in problems[0] else SubIndication.SIG_CRYPTO_FAILURE
        verdict.lower(Indication.TOTAL_FAILED, sub)
        report.messages.extend(problems)
    _check_algorithms(emb.signer_info, tsa, facts, verdict, report.messages)
    if verdict.indication is not Indication.TOTAL_FAILED:
        report.certificate = facts.validate(
            tsa.dump(),
            dataclasses.replace(
                facts.options.validation,
                purpose="timestamping",
                intermediates=_intermediates(facts, emb.other_embedded_certs),
            ),
        )
        apply_certificate(report, report.certificate, verdict)
    report.indication, report.sub_indication = verdict.indication, verdict.sub_indication
    return report
