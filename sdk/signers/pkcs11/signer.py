"""A signing key on a PKCS#11 token (USB token, smart card, HSM), through python-pkcs11, the binding pyHanko uses.

One run, one login: :func:`open_token_signer` loads the module (once per process, :func:`load_module`), finds the
token and the key, logs in once and keeps the session for every signature until :meth:`Pkcs11Signer.close` logs
out. Signing hashes locally and asks the token for the raw mechanism (``CKM_RSA_PKCS`` over a DigestInfo,
``CKM_ECDSA`` over the digest), which every token offers; a key marked ``CKA_ALWAYS_AUTHENTICATE`` gets its
context-specific login before each signature. Every signature is checked against the certificate before it is
returned, so a wrong certificate or a faulty token never ends up in a document.

The PIN is kept only in memory, for ``CKA_ALWAYS_AUTHENTICATE`` keys; it is never in a message, a log or ``repr``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kyso.core.errors import (
    CertificateMismatchError,
    CertificateMissingError,
    KeyNotFoundError,
    ModuleLoadError,
    PinLockedError,
    SignerError,
    TokenAbsentError,
    TokenRemovedError,
    UsageError,
    WrongPinError,
)
from kyso.signers.held import HeldCertificate

MAX_CERTIFICATE_FILE = 256 * 1024

MODULES: dict[str, Any] = {}
"""Loaded PKCS#11 modules by absolute path: each is loaded and initialised once per process. ``kyso.testing``
puts a fault-injecting stand-in here (:class:`kyso.testing.token.FaultyModule`)."""

_LOCK = threading.RLock()


def load_module(path: str | os.PathLike[str]) -> Any:
    """The PKCS#11 module at ``path`` (a ``pkcs11.lib``), loaded and initialised on the first call only.

    :raises ModuleLoadError: no such file, not a PKCS#11 library, or a library of another bitness than this Python.
    """
    where = os.path.abspath(os.fspath(path))
    with _LOCK:
        if where in MODULES:
            return MODULES[where]
        if not os.path.isfile(where):
            raise ModuleLoadError(f"{path}: no such file", vi=f"{path}: không có tệp này")
        import pkcs11
        from pkcs11.exceptions import PKCS11Error

        try:
            module = pkcs11.lib(where)
        except PKCS11Error as exc:
            raise ModuleLoadError(_load_failure(path, str(exc))) from None
        MODULES[where] = module
        return module


def _load_failure(path: str | os.PathLike[str], reason: str) -> str:
    """The OS's reason, with the usual cause of each spelled out (never more than the OS said)."""
    import platform
    import struct

    bits = struct.calcsize("P") * 8
    if "wrong ELF class" in reason or "%1 is not a valid Win32" in reason or "incompatible architecture" in reason:
        return (
            f"{path}: built for another bitness or architecture than this {bits}-bit Python "
            f"({platform.machine()}); install the token's {bits}-bit module, or a Python matching the module"
        )
    if "C_GetFunctionList" in reason:
        return f"{path}: not a PKCS#11 module (no C_GetFunctionList)"
    return f"{path}: cannot be loaded as a PKCS#11 module ({reason.rsplit(': ', 1)[-1]})"


# ---------------------------------------------------------------------------------------------------------------
# one login per token and process
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class _Login:
    """A logged-in session shared by every signer of the process on one token (PKCS#11 login state belongs to the
    application, not to a session: a second ``C_Login`` would only answer ``CKR_USER_ALREADY_LOGGED_IN``)."""

    session: Any
    pin_digest: bytes
    users: int = 0


_LOGINS: dict[tuple[int, int, bytes], _Login] = {}


def _pin_digest(pin: str | None) -> bytes:
    return hashlib.sha256(b"kyso-pin\0" + (pin or "").encode("utf-8")).digest()


def _login(module: Any, token: Any, pin: str | None) -> tuple[tuple[int, int, bytes], _Login]:
    """The token's logged-in session: the existing one when this process is logged in with the same PIN."""
    key = (id(module), token.slot.slot_id, bytes(token.serial))
    with _LOCK:
        login = _LOGINS.get(key)
        if login is not None:
            if not hmac.compare_digest(login.pin_digest, _pin_digest(pin)):
                raise WrongPinError(f"token {token.label!r}: wrong PIN (the token is open with another one)")
            login.users += 1
            return key, login
        login = _Login(_open_session(token, pin), _pin_digest(pin), users=1)
        _LOGINS[key] = login
        return key, login


def _open_session(token: Any, pin: str | None) -> Any:
    import pkcs11
    from pkcs11 import TokenFlag, exceptions

    if pin is None:
        if not token.flags & TokenFlag.PROTECTED_AUTHENTICATION_PATH:
            raise UsageError("no PIN for the token", parameter="pin")
        credential: Any = pkcs11.PROTECTED_AUTH  # the token's own PIN pad
    else:
        credential = pin
    try:
        return token.open(user_pin=credential)
    except (exceptions.PinIncorrect, exceptions.PinInvalid, exceptions.PinLenRange):
        raise _wrong_pin(token) from None
    except exceptions.PinLocked:
        raise PinLockedError(f"token {token.label!r}: the user PIN is locked") from None
    except (exceptions.TokenNotPresent, exceptions.DeviceRemoved, exceptions.SlotIDInvalid):
        raise TokenAbsentError(f"token {token.label!r} is no longer present") from None
    except exceptions.UserAlreadyLoggedIn:
        raise SignerError(f"token {token.label!r} is already logged in by another part of this program") from None
    except exceptions.PKCS11Error as exc:
        raise SignerError(f"token {token.label!r} refused the login ({exc.__class__.__name__})") from None


def _wrong_pin(token: Any, *, context: bool = False) -> WrongPinError | PinLockedError:
    """The refusal with the token's warning flags, read again after the failed try (they change with it)."""
    from pkcs11 import TokenFlag
    from pkcs11.exceptions import PKCS11Error

    try:
        flags = token.slot.get_token().flags
    except PKCS11Error:
        flags = TokenFlag(0)
    what = f"token {token.label!r}: wrong PIN" + (" for the key" if context else "")
    if flags & TokenFlag.USER_PIN_LOCKED:
        return PinLockedError(f"{what}; the user PIN is now locked")
    final_try = bool(flags & TokenFlag.USER_PIN_FINAL_TRY)
    count_low = bool(flags & TokenFlag.USER_PIN_COUNT_LOW)
    if final_try:
        what += "; one more wrong PIN locks the token"
        vi = "còn một lần thử: nhập sai lần nữa USB token sẽ bị khoá"
    elif count_low:
        what += "; few tries left before the token locks"
        vi = "chỉ còn ít lần thử trước khi USB token bị khoá"
    else:
        vi = f"USB token {token.label!r}"
    return WrongPinError(what, count_low=count_low, final_try=final_try, vi=vi)


def _logout(key: tuple[int, int, bytes]) -> None:
    from pkcs11.exceptions import PKCS11Error

    with _LOCK:
        login = _LOGINS.get(key)
        if login is None:
            return
        login.users -= 1
        if login.users > 0:
            return
        del _LOGINS[key]
        try:
            login.session.close()  # C_Logout, C_CloseSession
        except PKCS11Error:
            pass  # the token is gone: nothing left to log out of


# ---------------------------------------------------------------------------------------------------------------
# the signer
# ---------------------------------------------------------------------------------------------------------------


class Pkcs11Signer(HeldCertificate):
    """A private key on a token and its certificate; implements :class:`kyso.core.signer.Signer`.

    Open it with :func:`open_token_signer`; :meth:`close` (or leaving a ``with`` block) logs out.
    """

    def __init__(
        self,
        *,
        module: Any,
        module_path: str,
        token: Any,
        login_key: tuple[int, int, bytes],
        key: Any,
        key_algorithm: str,
        certificate: bytes,
        chain: tuple[bytes, ...],
        always_authenticate: bool,
        pin: str | None,
    ) -> None:
        self._module = module
        self.module_path = module_path
        self._token = token
        self._login_key: tuple[int, int, bytes] | None = login_key
        self._key = key
        self._hold(certificate, chain, key_algorithm)
        self.always_authenticate = always_authenticate
        self._pin = pin if always_authenticate else None
        self._public_key: Any = None

    @property
    def token_label(self) -> str:
        return str(self._token.label)

    @property
    def token_serial(self) -> str:
        return bytes(self._token.serial).decode("ascii", "replace")

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        """Hash ``data`` here and have the token sign the digest: PKCS#1 v1.5 for RSA, DER ECDSA for EC.

        :raises TokenRemovedError: the token is gone (pulled out, or its session lost).
        :raises WrongPinError: a ``CKA_ALWAYS_AUTHENTICATE`` key refused the PIN.
        :raises CertificateMismatchError: the signature does not verify with the certificate.
        """
        from pkcs11 import Mechanism, exceptions

        if self._login_key is None:
            raise SignerError("the token signer is closed")
        from kyso.signers import hash_algorithm

        algorithm = hash_algorithm(digest_algorithm).name  # refuses what no signer may sign with
        digest = hashlib.new(algorithm, data).digest()
        if self._key_algorithm == "rsa":
            payload, mechanism = _digest_info(algorithm, digest), Mechanism.RSA_PKCS
        else:
            payload, mechanism = digest, Mechanism.ECDSA
        try:
            raw = self._key.sign(payload, mechanism=mechanism, pin=self._pin)
        except (exceptions.PinIncorrect, exceptions.PinInvalid, exceptions.PinLenRange):
            raise _wrong_pin(self._token, context=True) from None
        except exceptions.PinLocked:
            raise PinLockedError(f"token {self.token_label!r}: the user PIN is locked") from None
        except exceptions.PKCS11Error as exc:
            raise self._failure(exc) from None
        if self._key_algorithm == "ec":
            from pkcs11.util.ec import encode_ecdsa_signature

            raw = encode_ecdsa_signature(raw)  # PKCS#11 gives r || s; CMS and Kyso's Signer want DER
        self._check(raw, data, algorithm)
        return bytes(raw)

    def _failure(self, exc: Exception) -> SignerError:
        """A token error while signing: the token pulled out (checked by asking for it again) or another fault."""
        from pkcs11 import exceptions

        removed = (
            exceptions.DeviceRemoved,
            exceptions.TokenNotPresent,
            exceptions.SessionClosed,
            exceptions.SessionHandleInvalid,
        )
        if isinstance(exc, removed) or not self._present():
            return TokenRemovedError(
                f"token {self.token_label!r} was removed ({exc.__class__.__name__})",
                vi=f"USB token {self.token_label!r} không còn trả lời ({exc.__class__.__name__})",
            )
        return SignerError(f"token {self.token_label!r} failed to sign ({exc.__class__.__name__})")

    def _present(self) -> bool:
        from pkcs11.exceptions import PKCS11Error

        try:
            return bytes(self._token.slot.get_token().serial) == bytes(self._token.serial)
        except PKCS11Error:
            return False

    def _check(self, signature: bytes, data: bytes, algorithm: str) -> None:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric import ec, padding

        from kyso.signers import hash_algorithm

        if self._public_key is None:
            from cryptography import x509

            self._public_key = x509.load_der_x509_certificate(self._certificate).public_key()
        digest = hash_algorithm(algorithm)
        try:
            if self._key_algorithm == "ec":
                self._public_key.verify(signature, data, ec.ECDSA(digest))
            else:
                self._public_key.verify(signature, data, padding.PKCS1v15(), digest)
        except (InvalidSignature, TypeError, ValueError):
            raise CertificateMismatchError(
                f"token {self.token_label!r}: the key's signature does not verify with the certificate"
            ) from None

    def close(self) -> None:
        """Log out (when no other signer of this process uses the token's login) and forget the PIN; idempotent."""
        key, self._login_key, self._pin = self._login_key, None, None
        if key is not None:
            _logout(key)

    def __enter__(self) -> Pkcs11Signer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:  # never the PIN
        size = len(self._certificate)
        return f"<Pkcs11Signer token={self.token_label!r} key={self._key_algorithm} certificate={size} bytes>"


def _digest_info(algorithm: str, digest: bytes) -> bytes:
    from asn1crypto import algos, core

    return bytes(
        algos.DigestInfo(
            {"digest_algorithm": {"algorithm": algorithm, "parameters": core.Null()}, "digest": digest}
        ).dump()
    )


# ---------------------------------------------------------------------------------------------------------------
# opening: module, token, key, certificate
# ---------------------------------------------------------------------------------------------------------------


def open_token_signer(
    module: str | os.PathLike[str] | None = None,
    *,
    slot: int | None = None,
    token_label: str | None = None,
    token_serial: str | None = None,
    key_label: str | None = None,
    key_id: str | bytes | None = None,
    cert: str | os.PathLike[str] | bytes | None = None,
    pin: str | None = None,
) -> Pkcs11Signer:
    """Log in to a token and return its signer: the names are those of ``--signer pkcs11`` (``--token-label`` is
    ``token_label=``).

    :param module: the token's PKCS#11 library; default: the only one :func:`kyso.signers.pkcs11.discovery.find_modules`
        finds in the usual places.
    :param slot: the slot ID (as ``kyso tokens`` shows it); ``token_label`` / ``token_serial`` pick a token by name.
        Without any of them, the only token present.
    :param key_label: the private key's label; ``key_id`` (hex or bytes) its id. Without them, the token's only key.
    :param cert: the signing certificate (a PEM or DER file, or its bytes; more PEM certificates after it are the
        chain); default: the certificate on the token with the key's id (else its label).
    :param pin: the user PIN; ``None`` only for a token with its own PIN pad.
    :raises ModuleLoadError, TokenAbsentError, WrongPinError, PinLockedError, KeyNotFoundError,
        CertificateMissingError, CertificateMismatchError: each naming what to fix, never the PIN.
    """
    if module is None:
        from kyso.signers.pkcs11.discovery import find_modules

        found = find_modules()
        if not found:
            raise ModuleLoadError("no PKCS#11 module found in the usual places", parameter="module")
        if len(found) > 1:
            raise UsageError(f"several PKCS#11 modules found ({', '.join(found)}): name one", parameter="module")
        module = found[0]
    wanted_id = _key_id(key_id)
    certificate = _given_certificates(cert) if cert is not None else None
    library = load_module(module)
    token = find_token(library, slot=slot, token_label=token_label, token_serial=token_serial)
    login_key, login = _login(library, token, pin)
    try:
        return _signer(library, str(module), token, login_key, login.session, key_label, wanted_id, certificate, pin)
    except BaseException:
        _logout(login_key)
        raise


def _key_id(key_id: str | bytes | None) -> bytes | None:
    if key_id is None or isinstance(key_id, bytes):
        return key_id
    try:
        return bytes.fromhex(key_id.replace(":", ""))
    except ValueError:
        raise UsageError(f"key id {key_id!r} is not hexadecimal", parameter="key_id") from None


def find_token(
    library: Any, *, slot: int | None = None, token_label: str | None = None, token_serial: str | None = None
) -> Any:
    """The one token present matching ``slot`` (ID), ``token_label`` and ``token_serial``.

    A slot whose token does not answer is skipped (a token pulled out may leave its slot behind).
    :raises TokenAbsentError: none matches; :class:`UsageError`: several do and none was named.
    """
    from pkcs11 import TokenFlag
    from pkcs11.exceptions import PKCS11Error

    try:
        slots = library.get_slots(token_present=True)
    except PKCS11Error as exc:
        raise TokenAbsentError(f"the PKCS#11 module lists no slots ({exc.__class__.__name__})") from None
    matching = []
    for candidate in slots:
        if slot is not None and candidate.slot_id != slot:
            continue
        try:
            token = candidate.get_token()
        except PKCS11Error:
            continue
        if not token.flags & TokenFlag.TOKEN_INITIALIZED:
            continue  # a blank card, or SoftHSM2's free slot
        if token_label is not None and token.label != token_label:
            continue
        if token_serial is not None and bytes(token.serial).decode("ascii", "replace") != token_serial:
            continue
        matching.append(token)
    asked = ", ".join(
        f"{name} {value!r}"
        for name, value in (("slot", slot), ("label", token_label), ("serial", token_serial))
        if value is not None
    )
    if not matching:
        detail = f"no token with {asked}" if asked else "no token present"
        vi = f"không có USB token nào ({asked})" if asked else "không có USB token nào được cắm"
        raise TokenAbsentError(detail + " (kyso tokens lists them)", vi=vi + " (lệnh kyso tokens liệt kê các token)")
    if len(matching) > 1:
        labels = ", ".join(repr(t.label) for t in matching)
        raise UsageError(
            f"several tokens present ({labels}): name one by label, serial or slot", parameter="token_label"
        )
    return matching[0]


def _signer(
    library: Any,
    module_path: str,
    token: Any,
    login_key: tuple[int, int, bytes],
    session: Any,
    key_label: str | None,
    key_id: bytes | None,
    given: list[bytes] | None,
    pin: str | None,
) -> Pkcs11Signer:
    from pkcs11 import Attribute, KeyType, ObjectClass
    from pkcs11.exceptions import PKCS11Error

    template: dict[Any, Any] = {Attribute.CLASS: ObjectClass.PRIVATE_KEY}
    if key_label is not None:
        template[Attribute.LABEL] = key_label
    if key_id is not None:
        template[Attribute.ID] = key_id
    try:
        keys = list(session.get_objects(template))
    except PKCS11Error as exc:
        raise SignerError(f"token {token.label!r}: cannot list its keys ({exc.__class__.__name__})") from None
    asked = " and ".join(
        f"{name} {value!r}" for name, value in (("label", key_label), ("id", key_id and key_id.hex())) if value
    )
    if not keys:
        raise KeyNotFoundError(f"token {token.label!r} has no private key" + (f" with {asked}" if asked else ""))
    if len(keys) > 1:
        names = ", ".join(repr(_attribute(k, Attribute.LABEL)) for k in keys)
        raise KeyNotFoundError(f"token {token.label!r} has several keys ({names}): name one by label or id")
    (key,) = keys
    key_type = _attribute(key, Attribute.KEY_TYPE)
    if key_type not in (KeyType.RSA, KeyType.EC):
        raise SignerError(f"token {token.label!r}: unsupported key type {key_type!r} (RSA or EC keys only)")
    found_id = _attribute(key, Attribute.ID) or b""
    found_label = _attribute(key, Attribute.LABEL)
    on_token = _certificates(session)
    if given:
        certificate, chain = given[0], list(given[1:])
    else:
        mine = [
            der
            for der, cid, clabel in on_token
            if (found_id and cid == found_id) or (not found_id and clabel == found_label)
        ]
        if not mine:
            raise CertificateMissingError(
                f"token {token.label!r}: key {found_label!r} (id {found_id.hex() or '-'}) has no certificate on the "
                "token; give it with --cert FILE"
            )
        certificate, chain = mine[0], []
    algorithm = "rsa" if key_type == KeyType.RSA else "ec"
    _match(key, session, certificate, algorithm, found_id, token.label)
    chain += _issuers(certificate, [der for der, _, _ in on_token], have=chain)
    return Pkcs11Signer(
        module=library,
        module_path=module_path,
        token=token,
        login_key=login_key,
        key=key,
        key_algorithm=algorithm,
        certificate=certificate,
        chain=tuple(chain),
        always_authenticate=bool(_attribute(key, Attribute.ALWAYS_AUTHENTICATE)),
        pin=pin,
    )


def _attribute(obj: Any, attribute: Any) -> Any:
    """An attribute of a token object, ``None`` when the token does not have it for this object."""
    from pkcs11.exceptions import PKCS11Error

    try:
        return obj[attribute]
    except (PKCS11Error, KeyError, TypeError):
        return None


def _certificates(session: Any) -> list[tuple[bytes, bytes, str | None]]:
    """Every X.509 certificate on the token: (DER, id, label)."""
    from pkcs11 import Attribute, CertificateType, ObjectClass
    from pkcs11.exceptions import PKCS11Error

    found = []
    try:
        for obj in session.get_objects(
            {Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: CertificateType.X_509}
        ):
            value = _attribute(obj, Attribute.VALUE)
            if value:
                found.append(
                    (bytes(value), bytes(_attribute(obj, Attribute.ID) or b""), _attribute(obj, Attribute.LABEL))
                )
    except PKCS11Error:
        pass
    return found


def public_value(obj: Any) -> int | bytes | None:
    """What identifies a token key object's public key: the RSA modulus, or the EC point (uncompressed, as X9.62);
    ``None`` when the object shows neither (a private EC key has no point)."""
    from pkcs11 import Attribute

    modulus = _attribute(obj, Attribute.MODULUS)
    if modulus is not None:
        return int.from_bytes(modulus, "big")
    point = _attribute(obj, Attribute.EC_POINT)
    if point is None:
        return None
    from asn1crypto.core import OctetString

    try:
        return bytes(OctetString.load(bytes(point)).native)  # CKA_EC_POINT is a DER OCTET STRING (most tokens)
    except ValueError:
        return bytes(point)  # a few tokens store it raw


def certificate_public_value(certificate: bytes) -> int | bytes | None:
    """:func:`public_value` of a certificate's key (``None``: neither RSA nor EC, or not a certificate)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    try:
        public = x509.load_der_x509_certificate(certificate).public_key()
    except ValueError:
        return None
    if isinstance(public, rsa.RSAPublicKey):
        return public.public_numbers().n
    if isinstance(public, ec.EllipticCurvePublicKey):
        return public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return None


def _match(key: Any, session: Any, certificate: bytes, algorithm: str, key_id: bytes, label: str) -> None:
    """Refuse a certificate whose public key is not the key's: the RSA modulus of the key, or the EC point of its
    public object when the token has one (every signature is checked too, :meth:`Pkcs11Signer._check`)."""
    from pkcs11 import Attribute, ObjectClass
    from pkcs11.exceptions import PKCS11Error

    expected = certificate_public_value(certificate)
    if expected is None or isinstance(expected, int) != (algorithm == "rsa"):
        raise CertificateMismatchError(f"token {label!r}: the certificate is not for an {algorithm.upper()} key")
    found = public_value(key)
    if found is None and key_id:
        try:
            publics = list(session.get_objects({Attribute.CLASS: ObjectClass.PUBLIC_KEY, Attribute.ID: key_id}))
        except PKCS11Error:
            publics = []
        found = public_value(publics[0]) if publics else None
    if found is not None and found != expected:
        raise CertificateMismatchError(f"token {label!r}: the certificate does not belong to the key")


def _issuers(certificate: bytes, pool: list[bytes], *, have: list[bytes]) -> list[bytes]:
    """The certificates of ``pool`` that issue ``certificate`` and each other, nearest first (names matched)."""
    from cryptography import x509

    loaded = {}
    for der in pool:
        try:
            loaded[der] = x509.load_der_x509_certificate(der)
        except ValueError:
            continue
    chain: list[bytes] = []
    current = x509.load_der_x509_certificate(have[-1] if have else certificate)
    while current.issuer != current.subject:
        issuer = next(
            (
                der
                for der, c in loaded.items()
                if c.subject == current.issuer and der not in (certificate, *have, *chain)
            ),
            None,
        )
        if issuer is None:
            break
        chain.append(issuer)
        current = loaded[issuer]
    return chain


def _given_certificates(cert: str | os.PathLike[str] | bytes) -> list[bytes]:
    """The certificates of a ``--cert`` file or bytes, DER: the signer's first, then its chain."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    if isinstance(cert, bytes):
        data, origin = cert, "the certificate"
    else:
        from kyso.files import read_bounded

        data, origin = read_bounded(cert, limit=MAX_CERTIFICATE_FILE, what="a certificate file"), str(cert)
    try:
        if b"-----BEGIN" in data:
            return [c.public_bytes(Encoding.DER) for c in x509.load_pem_x509_certificates(data)]
        return [x509.load_der_x509_certificate(data).public_bytes(Encoding.DER)]
    except ValueError:
        raise CertificateMismatchError(f"{origin}: not a certificate (PEM or DER)", parameter="cert") from None


def _open(**options: Any) -> Pkcs11Signer:
    """The backend's factory: the CLI gives paths as :class:`Path`."""
    for name in ("module", "cert"):
        if isinstance(options.get(name), Path):
            options[name] = str(options[name])
    return open_token_signer(**options)


__all__ = ["MODULES", "Pkcs11Signer", "find_token", "load_module", "open_token_signer"]
