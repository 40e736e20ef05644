"""Two-step (external) signing: ``kyso.prepare`` gives the digest to sign, ``kyso.finish`` puts the signature in.

The key is somewhere Kyso cannot call synchronously (a phone, a browser extension, a remote service driven by
another program): :func:`prepare` builds the signed document up to its signature value and returns a
:class:`Prepared`, the digest to sign (already hashed) and its algorithms plus a serialisable state that embeds the
prepared document; :func:`finish` takes that state (in this process or another: JSON) and the raw signature value
(PKCS#1 v1.5 for RSA, DER ECDSA) and returns the signed document.

- PDF: pyHanko's interrupted signing (:mod:`kyso.pdf.external`); B-T time-stamps and B-LT / B-LTA validation data
  are added at :func:`finish`, when the signature exists.
- Other formats (edXML, and any XML format of the :mod:`kyso.xmldsig` engine): the format plugin signs through
  ``kyso_sign`` as usual with a signer that records what it is asked to sign and answers a random placeholder of
  the right size; :func:`finish` puts the real value in the placeholder's place.

The state, and what binds it (Kyso rule: a state file is outside input):

- it **expires** (``expires``, default 600 s after :func:`prepare`): later is :class:`PreparedExpiredError`;
- the **signature** is verified with the state's certificate over the state's digest, and the digest must be the
  hash of the state's data-to-be-signed: another key, another digest or garbage is
  :class:`SignatureMismatchError`;
- the **document** is bound to that data: the embedded document's SHA-256 is checked, a PDF's ``/ByteRange`` is
  hashed again and compared with the digest inside the signed attributes, and the finished document is verified
  (cryptographically, with the state's own chain) before it is returned: an altered state is
  :class:`PreparedStateError`, never a document with a broken signature.

What the state does not protect: whoever holds it can edit ``expires``; it carries no secret, so it needs no
secrecy, but the digest a signer is shown must come from the state the finisher holds.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kyso.certs.loading import CertificateSource, certificates_from_bytes, load_certificates
from kyso.core.aio import outside_event_loop
from kyso.core.errors import (
    InputError,
    PreparedExpiredError,
    PreparedStateError,
    SignatureMismatchError,
    SignerError,
    UsageError,
)
from kyso.core.models import Box, Level
from kyso.core.signer import Signer, SigningControl

STATE_VERSION = 1
DEFAULT_EXPIRES_IN = 600
MAX_EXPIRES_IN = 7 * 24 * 3600
MAX_STATE = 256 * 1024 * 1024
"""The largest state accepted (it embeds the document, base64)."""
DIGEST_ALGORITHM = "sha256"


@dataclass(frozen=True)
class Prepared:
    """What :func:`prepare` returns: the digest to sign and the state :func:`finish` needs."""

    state: Mapping[str, Any]
    """The serialisable state (:meth:`to_json`): the prepared document (base64), the data to be signed, the
    certificates, the level and the expiry."""

    @property
    def digest(self) -> bytes:
        """What the external signer signs, already hashed with :attr:`digest_algorithm` (sign it "prehashed")."""
        return _b64d(self.state["digest"], "digest")

    @property
    def digest_algorithm(self) -> str:
        """``"sha256"``, ``"sha384"`` or ``"sha512"``."""
        return str(self.state["digest_algorithm"])

    @property
    def signature_algorithm(self) -> str:
        """``"rsa-pkcs1v15"`` or ``"ecdsa"`` (the signature value :func:`finish` takes: raw PKCS#1 or DER)."""
        return str(self.state["signature_algorithm"])

    @property
    def expires(self) -> datetime:
        return datetime.fromisoformat(str(self.state["expires"]))

    @property
    def to_be_signed(self) -> bytes:
        """The data whose hash is :attr:`digest` (CMS signed attributes, a canonical ``SignedInfo``), for signers
        that hash themselves (``Signer.sign_raw``)."""
        return _b64d(self.state["to_be_signed"], "to_be_signed")

    def to_json(self) -> str:
        return json.dumps(dict(self.state), ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str | bytes) -> Prepared:
        """A state read back (from a file, a database, a request): checked for shape, not yet for integrity."""
        if len(text) > MAX_STATE:
            raise PreparedStateError(f"the state is larger than {MAX_STATE // (1024 * 1024)} MB")
        try:
            state = json.loads(text)
        except (ValueError, UnicodeDecodeError):
            raise PreparedStateError("the state is not JSON") from None
        if not isinstance(state, dict) or state.get("kyso_prepared") != STATE_VERSION:
            raise PreparedStateError(f"not a Kyso signing state (version {STATE_VERSION})")
        missing = [k for k in _REQUIRED if k not in state]
        if missing:
            raise PreparedStateError(f"the state lacks {', '.join(missing)}")
        return cls(state)


_REQUIRED = (
    "format", "digest", "digest_algorithm", "signature_algorithm", "expires", "created", "certificate", "chain",
    "document", "document_sha256", "to_be_signed", "level",
)  # fmt: skip


@outside_event_loop
def prepare(
    data: bytes,
    *,
    certificate: CertificateSource,
    chain: Iterable[CertificateSource] = (),
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
    expires_in: int = DEFAULT_EXPIRES_IN,
    **appearance: Any,
) -> Prepared:
    """The digest to sign for ``data`` (format detected from the bytes) and the state to finish it with.

    Takes :func:`kyso.sign`'s options (``kind`` and its appearance options, ``field``, ``page``/``box``, ``level``,
    ``tsa`` ...); the certificate stands in for the signer. ``data`` is not changed.

    :param certificate: the signer's certificate (PEM or DER bytes, or a file).
    :param chain: its issuing CAs (PEM or DER, files), nearest first: embedded in the signature.
    :param expires_in: seconds the state stays usable (1 to 7 days' worth; default 600).
    """
    from kyso.api import _document_bytes, sign_request
    from kyso.core.manager import get_plugin_manager
    from kyso.signers.values import key_algorithm, signature_algorithm

    data = _document_bytes(data, "data", "prepare")
    if not 1 <= int(expires_in) <= MAX_EXPIRES_IN:
        raise UsageError(f"expires_in must be 1 to {MAX_EXPIRES_IN} seconds", parameter="expires_in")
    ders = load_certificates([certificate])
    if not ders:
        raise InputError("no certificate given", parameter="certificate")
    chain_ders = tuple(load_certificates(list(chain))) + tuple(ders[1:])
    leaf = ders[0]
    capturing = _Capturing(leaf, chain_ders, key_algorithm(leaf))
    request = sign_request(
        data, capturing, level=level, kind=kind, box=box, name=name, appearance=appearance,
        tsa=tsa, field=field, page=page, reason=reason, location=location, timeout=timeout,
    )  # fmt: skip
    chosen, pm, format_name = request.level, get_plugin_manager(), request.document.format
    pdf: dict[str, Any] | None = None
    placeholder: str | None = None
    if format_name == "pdf":
        if chosen is not Level.B_B and not tsa:
            raise UsageError(f"level {chosen} needs a time-stamping authority's URL", parameter="tsa")
        import dataclasses

        from kyso.pdf.external import prepare_pdf

        spec, values = pm.kinds.check(request.kind, format_name, request.appearance)  # as pm.sign checks them
        request = dataclasses.replace(request, kind=spec.name if spec else None, appearance=values)
        document, to_be_signed, pdf = prepare_pdf(request)
    else:
        document = pm.sign(request)
        if capturing.captured is None:
            raise UsageError(f"format {format_name!r} cannot be prepared for two-step signing", parameter="data")
        to_be_signed = capturing.captured
        placeholder = capturing.placeholder_text
        if document.count(placeholder.encode("ascii")) != 1:
            raise UsageError(f"format {format_name!r} does not write the signature value as it is: no two-step signing")
    now = datetime.now(UTC).replace(microsecond=0)
    state: dict[str, Any] = {
        "kyso_prepared": STATE_VERSION,
        "format": format_name,
        "name": name,
        "digest": _b64(hashlib.new(DIGEST_ALGORITHM, to_be_signed).digest()),
        "digest_algorithm": DIGEST_ALGORITHM,
        "signature_algorithm": signature_algorithm(leaf),
        "created": now.isoformat(),
        "expires": (now + timedelta(seconds=int(expires_in))).isoformat(),
        "level": str(chosen),
        "tsa": tsa,
        "timeout": timeout,
        "certificate": _b64(leaf),
        "chain": [_b64(der) for der in chain_ders],
        "input_sha256": hashlib.sha256(data).hexdigest(),
        "document": _b64(document),
        "document_sha256": hashlib.sha256(document).hexdigest(),
        "to_be_signed": _b64(to_be_signed),
        "pdf": pdf,
        "placeholder": placeholder,
    }
    return Prepared(state)


@outside_event_loop
def finish(
    prepared: Prepared | Mapping[str, Any] | str | bytes, signature: bytes, *, now: datetime | None = None
) -> bytes:
    """The signed document: ``signature`` (raw PKCS#1 v1.5, or DER ECDSA, over :attr:`Prepared.digest`) put into
    the prepared document, time-stamps and validation data added for B-T and above.

    :param prepared: a :class:`Prepared`, its state (a mapping) or its JSON.
    :raises PreparedExpiredError: the state has expired.
    :raises SignatureMismatchError: the signature is not by the state's certificate over the state's digest.
    :raises PreparedStateError: the state is unreadable or altered.
    """
    from kyso.signers.values import check_signature

    if not isinstance(prepared, Prepared):
        prepared = Prepared.from_json(prepared) if isinstance(prepared, str | bytes) else Prepared(dict(prepared))
    state = prepared.state
    if not isinstance(signature, bytes | bytearray) or not signature:
        raise UsageError("the signature value must be non-empty bytes", parameter="signature")
    moment = now or datetime.now(UTC)
    try:
        expires = prepared.expires
        created = datetime.fromisoformat(str(state["created"]))
    except ValueError:
        raise PreparedStateError("the state's dates are not ISO 8601") from None
    if moment > expires:
        raise PreparedExpiredError(
            f"the state expired at {expires.isoformat()}", vi=f"tệp trạng thái đã hết hạn lúc {expires.isoformat()}"
        )
    if moment < created - timedelta(minutes=5):
        raise PreparedStateError("the state was created in the future")
    certificate = _b64d(state["certificate"], "certificate")
    chain = tuple(_b64d(c, "chain") for c in state["chain"])
    to_be_signed = prepared.to_be_signed
    digest = prepared.digest
    if prepared.digest_algorithm != DIGEST_ALGORITHM or hashlib.sha256(to_be_signed).digest() != digest:
        raise PreparedStateError("the state's digest is not the hash of its data to be signed (the state was altered)")
    document = _b64d(state["document"], "document")
    if hashlib.sha256(document).hexdigest() != state["document_sha256"]:
        raise PreparedStateError("the embedded document does not match its hash (the state was altered)")
    check_signature(certificate, digest, bytes(signature), prepared.digest_algorithm, what="the signature value")
    value_signer = _FixedValue(certificate, chain, bytes(signature), to_be_signed)
    level = Level(str(state["level"]))
    if state["format"] == "pdf":
        from kyso.pdf.external import finish_pdf

        if not isinstance(state.get("pdf"), dict):
            raise PreparedStateError("the state lacks its PDF facts")
        signed = finish_pdf(
            document, to_be_signed, state["pdf"], value_signer, level=level, tsa=state.get("tsa"),
            timeout=float(state.get("timeout") or 30.0),
        )  # fmt: skip
    else:
        placeholder = str(state.get("placeholder") or "")
        if not placeholder or document.count(placeholder.encode("ascii")) != 1:
            raise PreparedStateError("the prepared document has no placeholder for the signature value")
        value = _xml_value(bytes(signature), certificate, value_signer.key_algorithm)
        signed = document.replace(placeholder.encode("ascii"), _b64(value).encode("ascii"))
    _verify_finished(signed, certificate, chain)
    return signed


@outside_event_loop
def sign_batch(
    documents: Iterable[bytes],
    *,
    signer: Signer,
    control: SigningControl | None = None,
    **options: Any,
) -> list[bytes]:
    """Sign several documents with one call to the signer: for a remote signer (VNPT SmartCA, Viettel MySign, a CSC
    service) **one confirmation on the phone for the whole batch**; any other signer signs them one by one.

    Each document is prepared (:func:`prepare`, with :func:`kyso.sign`'s ``options``), the batch of digests goes to
    the signer at once (:func:`kyso.core.signer.sign_many`), and each is finished (:func:`finish`). All or nothing:
    a rejected, expired or cancelled confirmation raises before any document is returned.
    """
    from kyso.core.signer import sign_many

    prepared = [
        prepare(data, certificate=signer.certificate, chain=tuple(signer.chain), **options) for data in documents
    ]
    signatures = sign_many(signer, [p.to_be_signed for p in prepared], DIGEST_ALGORITHM, control=control)
    return [finish(p, s) for p, s in zip(prepared, signatures, strict=True)]


def _verify_finished(signed: bytes, certificate: bytes, chain: tuple[bytes, ...]) -> None:
    """Kyso rule: nothing is returned whose new signature does not verify (hash and signature checked with the
    state's own chain, revocation off: trust is for the verifier to judge later)."""
    from kyso.api import verify
    from kyso.certs.identity import identity_of
    from kyso.certs.parsing import parse_certificate

    roots = [der for der in (certificate, *chain) if parse_certificate(der).self_signed == "maybe"]
    report = verify(signed, trust=roots, revocation="off", offline=True)
    serial = identity_of(parse_certificate(certificate)).serial
    ours = [s for s in report.signatures if s.signer.serial == serial]
    crypto = {"HASH_FAILURE", "SIG_CRYPTO_FAILURE", "FORMAT_FAILURE", "SIGNED_DATA_NOT_FOUND"}
    if not ours or any(str(s.sub_indication) in crypto for s in ours):
        raise PreparedStateError(
            "the finished document's signature does not verify (the state was altered): nothing written",
            vi="chữ ký trên tài liệu hoàn tất không kiểm tra được (tệp trạng thái đã bị sửa): không tạo tệp",
        )


class _Capturing:
    """A stand-in signer for :func:`prepare`: records what it is asked to sign, answers a random placeholder of
    the key's signature size (raw r||s after the XML engine's conversion, for EC)."""

    def __init__(self, certificate: bytes, chain: tuple[bytes, ...], key_algorithm: str) -> None:
        self.certificate, self.chain, self.key_algorithm = certificate, chain, key_algorithm
        self.captured: bytes | None = None
        size = _key_bytes(certificate)
        if key_algorithm == "rsa":
            self._value = b"\x01" + secrets.token_bytes(size - 1)
            self.placeholder_text = _b64(self._value)
        else:
            from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

            r, s = (int.from_bytes(b"\x40" + secrets.token_bytes(size - 1), "big") for _ in range(2))
            self._value = encode_dss_signature(r, s)
            self.placeholder_text = _b64(r.to_bytes(size, "big") + s.to_bytes(size, "big"))

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        if digest_algorithm.lower() != DIGEST_ALGORITHM:
            raise SignerError(f"two-step signing uses {DIGEST_ALGORITHM}, not {digest_algorithm}")
        if self.captured is not None:
            raise UsageError("the format asks for more than one signature: no two-step signing")
        self.captured = data
        return self._value


class _FixedValue:
    """A signer that answers the one signature value :func:`finish` was given, for exactly the data it covers."""

    def __init__(self, certificate: bytes, chain: tuple[bytes, ...], value: bytes, to_be_signed: bytes) -> None:
        from kyso.signers.values import key_algorithm

        self.certificate, self.chain, self.key_algorithm = certificate, chain, key_algorithm(certificate)
        self._value, self._to_be_signed = value, to_be_signed

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        if data != self._to_be_signed:
            raise SignatureMismatchError("the document asks for another signature than the one the state prepared")
        return self._value


def _xml_value(signature: bytes, certificate: bytes, key_algorithm: str) -> bytes:
    """XML-DSig writes an ECDSA signature as r || s, each as long as the curve order; RSA as it is."""
    if key_algorithm != "ec":
        return signature
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    size = _key_bytes(certificate)
    r, s = decode_dss_signature(signature)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def _key_bytes(certificate: bytes) -> int:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    key = x509.load_der_x509_certificate(certificate).public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return (key.key_size + 7) // 8
    if isinstance(key, ec.EllipticCurvePublicKey):
        return (key.curve.key_size + 7) // 8
    raise SignerError("unsupported key type (RSA or EC keys only)")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64d(value: Any, what: str) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise PreparedStateError(f"the state's {what} is not base64") from None


def certificate_bytes(source: CertificateSource) -> list[bytes]:
    """DER of the certificates in one source (bytes or a file), for the CLI's ``--cert`` / ``--chain``."""
    if isinstance(source, bytes | bytearray):
        return certificates_from_bytes(bytes(source))
    return list(load_certificates([source]))


__all__ = ["DEFAULT_EXPIRES_IN", "Prepared", "finish", "prepare", "sign_batch"]
