"""PKCS#12 (.p12/.pfx) signer: the key is decrypted once and kept loaded for every signature.

Stock pyHanko's ``SimpleSigner`` re-parses the key on every signature (twice per PDF); keeping a loaded
``cryptography`` key object is most of the SDK's signing speed-up.
"""

from __future__ import annotations

import os
from typing import Any

from kyso.core import hookimpl
from kyso.core.errors import InputError, SignerError, WrongPasswordError
from kyso.core.signer import SignerBackend, SignerOption, SignerRegistry
from kyso.files import read_bounded
from kyso.signers.held import HeldCertificate

MAX_PKCS12_FILE = 1024 * 1024


class Pkcs12Signer(HeldCertificate):
    """A key and certificate chain read from a PKCS#12 file; implements :class:`kyso.core.signer.Signer`."""

    def __init__(self, private_key: Any, certificate: bytes, chain: tuple[bytes, ...]) -> None:
        from cryptography.hazmat.primitives.asymmetric import ec

        self._key = private_key
        self._hold(certificate, chain, "ec" if isinstance(private_key, ec.EllipticCurvePrivateKey) else "rsa")

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], password: str | bytes | None) -> Pkcs12Signer:
        """Open ``path`` with ``password``; raises :class:`WrongPasswordError` or :class:`InputError`."""
        data = read_bounded(path, limit=MAX_PKCS12_FILE, what="a PKCS#12 file")
        return cls.from_bytes(data, password, origin=str(path))

    @classmethod
    def from_bytes(cls, data: bytes, password: str | bytes | None, *, origin: str = "PKCS#12 data") -> Pkcs12Signer:
        from asn1crypto import pkcs12 as asn1_pkcs12
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec, rsa
        from cryptography.hazmat.primitives.serialization import pkcs12

        try:
            asn1_pkcs12.Pfx.load(data)["auth_safe"].native  # noqa: B018 - structure check only
        except Exception:
            vi = f"{origin}: không phải tệp khoá PKCS#12 (.p12, .pfx)"
            raise InputError(f"{origin}: not a PKCS#12 file", vi=vi) from None
        secret = password.encode("utf-8") if isinstance(password, str) else password
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, secret or None)
        except ValueError:
            raise WrongPasswordError(f"{origin}: wrong password for the PKCS#12 file", vi=str(origin)) from None
        except Exception as exc:
            raise InputError(f"{origin}: unreadable PKCS#12 file ({exc.__class__.__name__})") from None
        if key is None:
            raise SignerError(f"{origin}: the PKCS#12 file holds no private key")
        if cert is None:
            raise SignerError(f"{origin}: the PKCS#12 file holds no certificate for its key")
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise SignerError(f"{origin}: unsupported key type {type(key).__name__} (RSA or EC keys only)")
        spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        if cert.public_key().public_bytes(*spki) != key.public_key().public_bytes(*spki):
            raise SignerError(f"{origin}: the certificate does not belong to the private key")
        der = serialization.Encoding.DER
        chain = tuple(c.public_bytes(der) for c in extra or ())
        return cls(key, cert.public_bytes(der), chain)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        from cryptography.hazmat.primitives.asymmetric import ec, padding

        from kyso.signers import hash_algorithm

        digest = hash_algorithm(digest_algorithm)
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(digest))
        return self._key.sign(data, padding.PKCS1v15(), digest)

    def __repr__(self) -> str:  # never show key material
        return f"<Pkcs12Signer certificate={len(self._certificate)} bytes>"


def _open(*, file: str | os.PathLike[str], password: str) -> Pkcs12Signer:
    return Pkcs12Signer.from_file(file, password)


BACKEND = SignerBackend(
    name="pkcs12",
    description="key and certificate in a PKCS#12 (.p12/.pfx) file protected by a password",
    open=_open,
    options=(
        SignerOption("file", "PKCS#12 key store (.p12/.pfx).", type="path", required=True, metavar="FILE"),
        SignerOption("password", "the key store's password", secret=True, required=True),
    ),
    parallel=True,  # each worker process of a batch decrypts the file once and signs on its own
)
"""The built-in backend; the CLI's ``--p12 FILE`` is short for ``--signer pkcs12 --pkcs12-file FILE``."""


@hookimpl
def kyso_register_signers(registry: SignerRegistry) -> None:
    registry.add(BACKEND)
