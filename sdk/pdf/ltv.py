"""PAdES long-term validity: B-LT (validation data in the document security store) and B-LTA (archive time-stamps).

A signature made at B-LT or B-LTA is first made at B-T, then extended in later incremental updates, exactly as an
existing document is extended with ``kyso extend``:

- **B-LT**: the certificates, OCSP responses and CRLs needed to validate every signature and its time-stamp are
  fetched (through Kyso's cached fetchers) and written to the DSS, so the document verifies offline;
- **B-LTA**: a document time-stamp then covers the whole file. Extending a B-LTA document again first adds the
  validation data of its last time-stamp (and of every signature made after it), then a new document time-stamp
  (archive time-stamp renewal), so the chain of time-stamps keeps the evidence verifiable after the TSA's
  certificate expires.

The signed revisions are never rewritten: each step is an incremental update, and the input bytes are untouched.
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO
from typing import Any

from kyso.core.errors import InputError, KysoError, ServiceError, SigningError, TimestampError, UsageError
from kyso.core.models import Level, NetworkBudget

LTV_LEVELS = (Level.B_LT, Level.B_LTA)


def extend_pdf(
    data: bytes,
    *,
    level: Level | str,
    tsa: str | None = None,
    trust: tuple[bytes, ...] = (),
    timeout: float = 30.0,
    budget: NetworkBudget | None = None,
) -> bytes:
    """``data`` extended to ``level`` (B-LT or B-LTA) in new incremental updates; ``data`` itself is unchanged.

    :param tsa: RFC 3161 time-stamping authority, required for B-LTA.
    :param trust: extra trust anchors (DER) for the paths whose validation data is collected.
    :param timeout: total seconds of network calls (OCSP, CRL, AIA, TSA), unless ``budget`` is given.
    :raises UsageError: for a level other than B-LT / B-LTA, or B-LTA without a TSA.
    :raises ServiceError: when OCSP, CRL or the TSA cannot be reached or answer garbage (nothing is written).
    """
    level = Level(level)
    if level not in LTV_LEVELS:
        raise UsageError(f"extend goes to B-LT or B-LTA, not {level}")
    if level is Level.B_LTA and not tsa:
        raise UsageError(
            "level B-LTA needs a time-stamping authority's URL",
            parameter="tsa",
            vi="mức B-LTA cần địa chỉ (URL) của dịch vụ cấp dấu thời gian",
        )
    try:
        return _extend(data, level, tsa, trust, budget if budget is not None else NetworkBudget(timeout))
    except KysoError:
        raise
    except Exception as exc:
        text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else exc.__class__.__name__
        if "timestamp" in exc.__class__.__name__.lower():
            raise TimestampError(f"time-stamping authority {tsa} failed: {text}", url=tsa) from None
        raise ServiceError(f"cannot collect the validation data: {text}") from None


def _extend(data: bytes, level: Level, tsa: str | None, trust: tuple[bytes, ...], budget: NetworkBudget) -> bytes:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import add_validation_info

    reader = _reader(data)
    try:
        signatures = _embedded(reader)
    except Exception as exc:  # a signature field holding no readable CMS: the document, not a service, is at fault
        raise InputError(f"damaged PDF: a signature cannot be read ({exc.__class__.__name__})") from None
    if not signatures:
        raise InputError("the document has no signature to extend")
    context = _context(reader, signatures, trust, budget)
    timestamps = [s for s in signatures if s.sig_object_type == "/DocTimeStamp"]
    pending = list(range(len(signatures)))
    if level is Level.B_LTA and timestamps:
        last = max(timestamps, key=lambda s: s.signed_revision)
        newer = [i for i, s in enumerate(signatures) if s.signed_revision > last.signed_revision]
        if not newer:
            return _renew_archive_timestamp(reader, context, tsa or "", budget)
        # signatures made after the last archive time-stamp (an issuance after a B-LTA approval) need their own
        # validation data, and the last time-stamp its own, before the new archive time-stamp covers them all
        pending = [signatures.index(last), *newer]
    current = data
    for index in pending:
        # each update is made on top of the previous one: re-read the document to extend the latest revision
        latest = _embedded(PdfFileReader(BytesIO(current)))[index]
        out = BytesIO()
        add_validation_info(latest, context, in_place=False, output=out)
        current = out.getvalue()
    if level is Level.B_LTA:
        current = _document_timestamp(current, context, tsa or "", budget)
    return current


def _renew_archive_timestamp(reader: Any, context: Any, tsa: str, budget: NetworkBudget) -> bytes:
    """Validation data of the last document time-stamp, then a new document time-stamp over everything."""
    from pyhanko.sign import signers

    from kyso.pdf.signing import bounded_timestamper

    out = BytesIO()
    stamper = signers.PdfTimeStamper(bounded_timestamper(tsa, budget))
    stamper.update_archival_timestamp_chain(reader, context, in_place=False, output=out)
    return out.getvalue()


def _document_timestamp(data: bytes, context: Any, tsa: str, budget: NetworkBudget) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    from kyso.pdf.signing import bounded_timestamper

    out = BytesIO()
    stamper = signers.PdfTimeStamper(bounded_timestamper(tsa, budget))
    stamper.timestamp_pdf(IncrementalPdfFileWriter(BytesIO(data)), "sha256", validation_context=context, output=out)
    return out.getvalue()


def _reader(data: bytes) -> Any:
    from kyso.pdf.reading import open_reader

    return open_reader(data)


def _embedded(reader: Any) -> list[Any]:
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    return [EmbeddedPdfSignature(reader, field, name) for name, value, field in _fields(reader) if value is not None]


def _fields(reader: Any) -> list[Any]:
    from pyhanko.sign.fields import enumerate_sig_fields

    return list(enumerate_sig_fields(reader))


def _context(reader: Any, signatures: list[Any], trust: tuple[bytes, ...], budget: NetworkBudget) -> Any:
    """A validation context that fetches (with Kyso's cache) whatever the signatures' paths need.

    The anchors are the configured ones, ``trust``, and the self-signed certificates the document carries: this
    context only *collects* validation data; whether the signatures are trusted is decided at verification."""
    from kyso.certs.parsing import parse_certificate
    from kyso.certs.truststore import configured_certificates

    anchors, intermediates = configured_certificates()
    carried: list[bytes] = []
    for signature in signatures:
        try:
            carried.extend(c.chosen.dump() for c in signature.signed_data["certificates"] if c.name == "certificate")
            for token in _timestamp_tokens(signature):
                carried.extend(c.chosen.dump() for c in token["certificates"] if c.name == "certificate")
        except Exception:
            continue
    self_signed = [der for der in carried if parse_certificate(der).self_signed == "maybe"]
    others = [der for der in carried if der not in self_signed]
    return collecting_context((*anchors, *trust, *self_signed), (*intermediates, *others), budget)


def collecting_context(roots: Iterable[bytes], others: Iterable[bytes], budget: NetworkBudget) -> Any:
    """A validation context that fetches (with Kyso's cache, within ``budget``) the revocation data a path from
    ``roots`` needs, the end entity's required: what B-LT embeds (PAdES DSS, XAdES RevocationValues)."""
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.policy_decl import (
        CertRevTrustPolicy,
        RevocationCheckingPolicy,
        RevocationCheckingRule,
    )

    from kyso.certs.cache import answer_cache
    from kyso.certs.fetching import CachingFetcherBackend
    from kyso.certs.parsing import parse_certificate

    return ValidationContext(
        trust_roots=[parse_certificate(d) for d in dict.fromkeys(roots)],
        other_certs=[parse_certificate(d) for d in dict.fromkeys(others)],
        allow_fetching=True,
        revinfo_policy=CertRevTrustPolicy(
            RevocationCheckingPolicy(
                ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
                intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED,
            )
        ),
        fetcher_backend=CachingFetcherBackend(answer_cache(), budget.seconds, budget),
    )


def _timestamp_tokens(signature: Any) -> list[Any]:
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

    try:
        return list(extract_tst_data_iter(signature.signer_info, signed=False))
    except Exception:
        return []


def sign_ltv(request: Any, sign_b_t: Any) -> bytes:
    """Sign at B-T with ``sign_b_t``, then extend to the requested B-LT or B-LTA."""
    import dataclasses

    if not request.tsa:
        raise UsageError(
            f"level {request.level} needs a time-stamping authority's URL",
            parameter="tsa",
            vi=f"mức {request.level} cần địa chỉ (URL) của dịch vụ cấp dấu thời gian",
        )
    signed = sign_b_t(dataclasses.replace(request, level=Level.B_T))
    signer_chain = (request.signer.certificate, *request.signer.chain)
    try:
        return extend_pdf(
            signed,
            level=request.level,
            tsa=request.tsa,
            trust=_roots(signer_chain),
            timeout=request.timeout,
            budget=request.budget,
        )
    except ServiceError as exc:
        raise SigningError(f"signed, but the {request.level} validation data could not be added: {exc}") from None


def _roots(ders: tuple[bytes, ...]) -> tuple[bytes, ...]:
    from kyso.certs.parsing import parse_certificate

    return tuple(der for der in ders if parse_certificate(der).self_signed == "maybe")
