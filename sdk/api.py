"""The public functions: thin over the hooks, with the same option names as the CLI flags."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from os import PathLike
from typing import Any

from kyso.certs.loading import CertificateSource, certificates_from_bytes, load_certificates
from kyso.core.aio import outside_event_loop
from kyso.core.errors import BytesExpectedError, UsageError
from kyso.core.manager import get_plugin_manager
from kyso.core.models import (
    Box,
    CertificateReport,
    Document,
    DocumentFormat,
    FormatOption,
    Level,
    RevocationPolicy,
    SignRequest,
    ValidationOptions,
    VerificationReport,
    VerifyOptions,
)
from kyso.core.signer import Signer
from kyso.external import Prepared, finish, prepare, sign_batch


@outside_event_loop
def sign(
    data: bytes,
    *,
    signer: Signer,
    level: Level | str = Level.B_B,
    tsa: str | None = None,
    kind: str | None = None,
    field: str | None = None,
    page: int | None = None,
    box: Box | None = None,
    reason: str | None = None,
    location: str | None = None,
    timeout: float = 30.0,
    name: str | None = None,
    format_options: Mapping[str, Any] | None = None,
    force: bool = False,
    check_revocation: bool = False,
    **appearance: Any,
) -> bytes:
    """Sign ``data`` (format detected from the bytes) and return the signed document; ``data`` is not changed.

    The signer's certificate is checked first (:mod:`kyso.certs.signing_certificate`): an expired or not yet
    valid certificate, or one whose key usage excludes signing, is refused offline; a revoked one at B-LT / B-LTA
    (the validation data is fetched anyway) or with ``check_revocation=True``. ``force=True`` signs anyway.

    :param level: ``"B-B"`` or ``"B-T"`` (needs ``tsa``).
    :param field, page, box: signature field name; a visible box ``(x1, y1, x2, y2)`` in points on page ``page``
        (1 = first page).
    :param timeout: total seconds of the signing's network calls (TSA; validation data for B-LT / B-LTA).
    :param kind: a kind of the kind registry: those of Nghị định 30/2020/NĐ-CP (``"approval"``, ``"issuance"``,
        ``"attachment"``, ``"copy"``, ``"income"``, see :mod:`kyso.pdf.kinds`) or a plugin's: recorded in the
        signature and drawn as its mark.
    :param appearance: the kind's options as it declares them, named as the CLI options: ``image`` (approval PNG),
        ``anchor`` (approval: the signer's title or name to place the image by), ``seal`` (issuance PNG),
        ``doc_number`` and ``issued_date`` (issuance, attachment), ``copy_form`` and ``organization`` (copy),
        ``organization`` and ``meta`` (income: ``{"Số đến": "456"}`` or ``["Số đến=456"]``), ``font`` (TrueType
        font of text marks). Images and fonts are paths or bytes (images); ``page``/``box`` override the placement.
        A keyword the document's format declares (:attr:`~kyso.core.models.DocumentFormat.sign_options`: XML's
        ``xml_form``, ``xml_id``, ``xml_placement``, ``xml_into``, ``profile``) goes to the format instead.
    :param format_options: the same format options as a mapping (the CLI passes them so).
    :raises UsageError: an option the kind does not take, or a kind (with its options) the document's format does
        not support (edXML takes no kind: ``kind="issuance", seal=...`` on edXML is refused, not ignored).
    :raises BytesExpectedError: ``data`` is a file name or anything else than bytes.
    :raises SignerCertificateError: the signer's certificate cannot sign (its ``reason``); not with ``force``.
    :raises KysoError: unusable input, signer or service failure.
    """
    data = _document_bytes(data, "data", "sign")
    chosen: Level = _enum(Level, level, "level")
    if not force:
        from kyso.certs.signing_certificate import check_not_revoked, check_signing_certificate

        check_signing_certificate(signer.certificate)
        if check_revocation or chosen in (Level.B_LT, Level.B_LTA):
            check_not_revoked(signer.certificate, signer.chain, timeout=timeout)
    request = sign_request(
        data, signer, level=chosen, kind=kind, box=box, name=name, appearance=appearance,
        format_options=format_options,
        tsa=tsa, field=field, page=page, reason=reason, location=location, timeout=timeout,
    )  # fmt: skip
    return get_plugin_manager().sign(request)


def sign_request(
    data: bytes,
    signer: Signer,
    *,
    level: Level | str = Level.B_B,
    kind: str | None = None,
    box: Box | None = None,
    name: str | None = None,
    appearance: dict[str, Any] | None = None,
    format_options: Mapping[str, Any] | None = None,
    **options: Any,
) -> SignRequest:
    """The :class:`SignRequest` of :func:`sign`'s arguments, the format detected from ``data``: one place for
    :func:`sign` and :func:`kyso.prepare`. ``options``: ``tsa``, ``field``, ``page``, ``reason``, ``location``,
    ``timeout``."""
    fmt = get_plugin_manager().detect_format(data)
    keywords = dict(appearance or {})
    own = _format_options(fmt, fmt.sign_options, format_options, keywords)  # takes the format's keywords out
    return SignRequest(
        document=Document(data=data, format=fmt.name, name=name),
        signer=signer,
        level=_enum(Level, level, "level"),
        kind=None if kind is None else str(kind),
        box=tuple(box) if box is not None else None,  # type: ignore[arg-type]
        appearance=keywords,
        format_options=own,
        **options,
    )


@outside_event_loop
def verify(
    data: bytes,
    *,
    trust: Iterable[CertificateSource] = (),
    revocation: RevocationPolicy | str = RevocationPolicy.SOFT,
    at: datetime | str | None = None,
    offline: bool = False,
    timeout: float = 30.0,
    name: str | None = None,
    allow_weak: Iterable[str] = (),
    format_options: Mapping[str, Any] | None = None,
    **options: Any,
) -> VerificationReport:
    """Verify every signature of ``data``; a bad signature is a verdict in the report, not an exception.

    :param trust: trust anchors: files, directories or certificate bytes (PEM or DER).
    :param revocation: ``"off"``, ``"soft"`` or ``"hard"``.
    :param at: validate as of this moment (ISO 8601 string or aware datetime); default now.
    :param offline: never fetch OCSP, CRL or certificates; only what the document embeds.
    :param allow_weak: weak algorithms to accept explicitly (``("sha1",)``, ``"rsa1024"``; see
        :mod:`kyso.certs.algorithms`), for old archives and interop vectors; by default they are INDETERMINATE.
    :param timeout: total seconds of the verify's network calls (every OCSP, CRL and AIA request together, see
        :class:`~kyso.core.models.NetworkBudget`).
    :param options: keywords the document's format declares (:attr:`~kyso.core.models.DocumentFormat
        .verify_options`: XML's ``trust_key`` (pinned public keys, PEM bytes) and ``detached_content``), or as
        ``format_options``.
    :raises BytesExpectedError: ``data`` is a file name or anything else than bytes.
    :raises InputError: when the document cannot be read at all.
    :raises UsageError: a keyword the document's format does not declare.
    """
    import dataclasses

    data = _document_bytes(data, "data", "verify")
    pm = get_plugin_manager()
    fmt = pm.detect_format(data)
    own = _format_options(fmt, fmt.verify_options, format_options, options)
    if options:
        unknown = next(iter(options))
        raise UsageError(f"unknown option {unknown!r} for {fmt.name} documents", parameter=unknown)
    result = verify_options(
        trust=trust, revocation=revocation, at=at, offline=offline, timeout=timeout, allow_weak=allow_weak
    )
    result = dataclasses.replace(result, format_options=own)
    return pm.verify(Document(data=data, format=fmt.name, name=name), result)


def verify_options(
    *,
    trust: Iterable[CertificateSource] = (),
    revocation: RevocationPolicy | str = RevocationPolicy.SOFT,
    at: datetime | str | None = None,
    offline: bool = False,
    timeout: float = 30.0,
    allow_weak: Iterable[str] = (),
) -> VerifyOptions:
    """The :class:`VerifyOptions` of :func:`verify`'s keyword arguments, for format plugins that offer their own
    verifying readers (e.g. ``kyso_edxml.open_verified``) with the same arguments and the same errors."""
    return VerifyOptions(
        validation=_validation_options(
            trust, (), at, revocation, timeout=timeout, offline=offline, allow_weak=allow_weak
        )
    )


@outside_event_loop
def validate_certificate(
    certificate: bytes,
    *,
    trust: Iterable[CertificateSource] = (),
    intermediates: Iterable[CertificateSource] = (),
    at: datetime | str | None = None,
    revocation: RevocationPolicy | str = RevocationPolicy.SOFT,
    purpose: str = "signing",
    timeout: float = 30.0,
    offline: bool = False,
    allow_weak: Iterable[str] = (),
) -> CertificateReport:
    """Validate one certificate (PEM or DER bytes) against ``trust`` as of ``at``."""
    ders = certificates_from_bytes(_document_bytes(certificate, "certificate", "validate_certificate"))
    options = _validation_options(
        trust,
        intermediates,
        at,
        revocation,
        timeout=timeout,
        offline=offline,
        extra_intermediates=ders[1:],
        allow_weak=allow_weak,
    )
    if purpose not in ("signing", "timestamping"):
        raise UsageError(f"unknown purpose {purpose!r} (signing, timestamping)", parameter="purpose")
    options = _replace(options, purpose=purpose)
    return get_plugin_manager().validate_certificate(ders[0], options)


def parse_moment(value: datetime | str | None) -> datetime | None:
    """An aware datetime from an ISO 8601 string or datetime; naive values are taken as Vietnam time (+07:00)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(
                f"not an ISO 8601 moment: {value!r} (e.g. 2026-11-22T10:05:30+07:00)",
                parameter="at",
                vi=f"{value!r} không phải một thời điểm ISO 8601 (ví dụ 2026-11-22T10:05:30+07:00)",
            ) from None
    if value.tzinfo is None:
        from datetime import timedelta, timezone

        value = value.replace(tzinfo=timezone(timedelta(hours=7)))
    return value


def _validation_options(
    trust: Iterable[CertificateSource],
    intermediates: Iterable[CertificateSource],
    at: datetime | str | None,
    revocation: RevocationPolicy | str,
    *,
    timeout: float,
    offline: bool,
    extra_intermediates: Iterable[bytes] = (),
    allow_weak: Iterable[str] = (),
) -> ValidationOptions:
    from kyso.certs.algorithms import allowed

    return ValidationOptions(
        trust=load_certificates(_sources(trust)),
        intermediates=load_certificates(_sources(intermediates)) + tuple(extra_intermediates),
        at=parse_moment(at),
        revocation=_enum(RevocationPolicy, revocation, "revocation"),
        timeout=timeout,
        allow_fetching=not offline,
        allow_weak=allowed(_names(allow_weak)),
    )


def _format_options(
    fmt: DocumentFormat,
    declared: tuple[FormatOption, ...],
    given: Mapping[str, Any] | None,
    keywords: dict[str, Any],
) -> dict[str, Any]:
    """The options the document's format declares, from ``given`` and from ``keywords`` (taken out of it), ``None``
    values left out; one given that this format does not declare is refused (``--xml-id`` on a PDF)."""
    names = {option.name for option in declared}
    own = {name: keywords.pop(name) for name in list(keywords) if name in names}
    for name, value in (given or {}).items():
        if name not in names and value not in (None, (), [], False):
            raise UsageError(f"option {name!r} does not apply to {fmt.name} documents", parameter=name)
        own.setdefault(name, value)
    return {name: value for name, value in own.items() if value not in (None, (), [])}


def _sources(sources: Iterable[CertificateSource] | CertificateSource) -> Iterable[CertificateSource]:
    """One path or one certificate's bytes is a source, not an iterable of characters or byte values."""
    if isinstance(sources, str | bytes | bytearray) or hasattr(sources, "__fspath__"):
        return [sources]  # type: ignore[list-item]
    return sources


def _names(names: Iterable[str] | str) -> Iterable[str]:
    """One name is one name, not an iterable of characters (``allow_weak="sha1"``)."""
    return [names] if isinstance(names, str) else names


def _replace(options: ValidationOptions, **changes: Any) -> ValidationOptions:
    import dataclasses

    return dataclasses.replace(options, **changes)


def _document_bytes(value: object, parameter: str, function: str) -> bytes:
    """``value`` as bytes; a file name (the most common slip) or any other type is a :class:`BytesExpectedError`
    with the line of code that reads the file."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str | PathLike):
        raise BytesExpectedError(
            f"{function}() takes the file's bytes, not its name {str(value)!r}",
            parameter=parameter,
            hint=f"{function}(Path({str(value)!r}).read_bytes(), ...)",
            vi=f"{function}() nhận nội dung (bytes) của tệp, không nhận tên tệp {str(value)!r}",
        )
    raise BytesExpectedError(
        f"{function}() takes bytes, not {type(value).__name__}",
        parameter=parameter,
        vi=f"{function}() nhận bytes, không nhận {type(value).__name__}",
    )


def _enum(cls: Any, value: Any, what: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in cls)
        raise UsageError(f"unknown {what} {value!r} (allowed: {allowed})", parameter=what) from None


__all__ = [
    "Prepared",
    "finish",
    "parse_moment",
    "prepare",
    "sign",
    "sign_batch",
    "validate_certificate",
    "verify",
    "verify_options",
]
