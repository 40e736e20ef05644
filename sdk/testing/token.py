"""A real software token for tests: SoftHSM2 in its own directory, loaded with keys and certificates of the test PKI.

TEST MATERIAL. :meth:`TestToken.provision` writes a ``softhsm2.conf`` pointing at a fresh token directory, sets
``SOFTHSM2_CONF`` for the process (SoftHSM2 reads it when the module is initialised), initialises two tokens
with ``softhsm2-util`` and imports the keys with python-pkcs11:

=================  ======  ==============================================================================
key label          id      what
=================  ======  ==============================================================================
``person``         ``01``  RSA, the test PKI's ``person`` key and certificate (with the CA certificates)
``ec``             ``02``  EC P-256, a certificate issued on the spot by the test PKI's issuing CA
``always``         ``03``  RSA ``organisation`` key marked ``CKA_ALWAYS_AUTHENTICATE`` (a PIN per signature)
``no-cert``        ``04``  RSA key with no certificate on the token
``mismatch``       ``05``  RSA key whose certificate (same id) is another entity's
=================  ======  ==============================================================================

The second token, :data:`REMOVABLE_LABEL`, holds ``person`` only: it is the one a test pulls out
(:meth:`TestToken.remove`), for good: SoftHSM2 cannot plug a token back into a running process.

:class:`FaultyModule` stands in for a loaded module to play what SoftHSM2 never does (the PIN warning flags of a
real token, a refused PIN) and counts the logins (``C_Login`` through ``Token.open``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kyso.signers.pkcs11 import Pkcs11Signer
    from kyso.testing.pki import TestPKI

__all__ = ["FaultyModule", "LABEL", "PIN", "REMOVABLE_LABEL", "TestToken", "TokenKey", "injected", "softhsm_module"]

LABEL = "kyso-test"
REMOVABLE_LABEL = "kyso-removable"
PIN = "kyso-Token-PIN-7391"  # distinctive: tests look for it in every output
SO_PIN = "kyso-so-pin-2048"
PIN_ENV = "KYSO_TOKEN_PIN"

SOFTHSM_MODULES = (
    "/usr/lib/softhsm/libsofthsm2.so",  # Debian, Ubuntu
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",  # Fedora
    "/usr/local/lib/softhsm/libsofthsm2.so",
    "/opt/homebrew/lib/softhsm/libsofthsm2.so",  # macOS, Homebrew
)


def softhsm_module() -> str | None:
    """The SoftHSM2 module of this machine, or ``None`` (then the token tests skip)."""
    if shutil.which("softhsm2-util") is None:
        return None
    return next((path for path in SOFTHSM_MODULES if os.path.isfile(path)), None)


@dataclass(frozen=True)
class TokenKey:
    label: str
    id: str
    algorithm: str
    entity: str | None
    """The test PKI entity whose certificate goes with the key (``None``: none, or one issued here)."""


KEYS: dict[str, TokenKey] = {
    k.label: k
    for k in (
        TokenKey("person", "01", "rsa", "person"),
        TokenKey("ec", "02", "ec", None),
        TokenKey("always", "03", "rsa", "organisation"),
        TokenKey("no-cert", "04", "rsa", None),
        TokenKey("mismatch", "05", "rsa", "not_yet_valid"),
    )
}


class TestToken:
    """The provisioned SoftHSM2 tokens of one test session."""

    __test__ = False

    def __init__(self, module: str, directory: Path, conf: Path, saved_conf: str | None) -> None:
        self.module = module
        self.directory = directory
        self.conf = conf
        self.label = LABEL
        self.removable_label = REMOVABLE_LABEL
        self.pin = PIN
        self.pin_env = PIN_ENV
        self.keys = KEYS
        self._saved_conf = saved_conf

    @classmethod
    def provision(cls, directory: Path, pki: TestPKI, *, module: str | None = None) -> TestToken:
        """Two fresh tokens in ``directory``, loaded with the keys of :data:`KEYS`; sets ``SOFTHSM2_CONF``."""
        module = module or softhsm_module()
        if module is None:
            raise RuntimeError("SoftHSM2 is not installed (Debian: apt-get install softhsm2)")
        directory = Path(directory)
        tokens = directory / "tokens"
        tokens.mkdir(parents=True, exist_ok=True)
        conf = directory / "softhsm2.conf"
        conf.write_text(
            f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = true\n",
            encoding="utf-8",
        )
        token = cls(module, directory, conf, os.environ.get("SOFTHSM2_CONF"))
        os.environ["SOFTHSM2_CONF"] = str(conf)
        for label in (LABEL, REMOVABLE_LABEL):
            token._util("--init-token", "--free", "--label", label, "--pin", PIN, "--so-pin", SO_PIN)
        from kyso.signers.pkcs11 import load_module

        library = load_module(module)
        library.reinitialize()  # SoftHSM2 reads SOFTHSM2_CONF at C_Initialize: this session's directory
        token._import(library, pki)
        return token

    def _util(self, *args: str) -> None:
        subprocess.run(
            ["softhsm2-util", *args], check=True, capture_output=True, timeout=60,
            env={**os.environ, "SOFTHSM2_CONF": str(self.conf)},
        )  # fmt: skip

    def _import(self, library: Any, pki: TestPKI) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec, rsa

        def pem_cert(name: str) -> Any:
            return x509.load_pem_x509_certificate(pki.cert(name).read_bytes())

        def pem_key(name: str) -> Any:
            return serialization.load_pem_private_key(pki.key(name).read_bytes(), None)

        cas = [pem_cert("issuing_ca"), pem_cert("root")]
        ec_key = ec.generate_private_key(ec.SECP256R1())
        material: dict[str, tuple[Any, Any, bool]] = {
            "person": (pem_key("person"), pem_cert("person"), False),
            "ec": (ec_key, _issue_ec_certificate(ec_key, pki), False),
            "always": (pem_key("organisation"), pem_cert("organisation"), True),
            "no-cert": (rsa.generate_private_key(65537, 2048), None, False),
            "mismatch": (pem_key("revoked"), pem_cert("not_yet_valid"), False),
        }
        main = library.get_token(token_label=LABEL)
        with main.open(rw=True, user_pin=PIN) as session:
            for label, (key, cert, always) in material.items():
                _store(session, label, bytes.fromhex(KEYS[label].id), key, cert, always=always)
            for number, ca in enumerate(cas, start=1):
                _store_certificate(session, f"ca-{number}", bytes([0xCA, number]), ca)
        removable = library.get_token(token_label=REMOVABLE_LABEL)
        with removable.open(rw=True, user_pin=PIN) as session:
            key, cert, _ = material["person"]
            _store(session, "person", b"\x01", key, cert, always=False)
            for number, ca in enumerate(cas, start=1):
                _store_certificate(session, f"ca-{number}", bytes([0xCA, number]), ca)

    def signer(self, key: str | None = "person", **options: Any) -> Pkcs11Signer:
        """A signer for ``key`` of the main token (close it, or use it in a ``with`` block)."""
        from kyso.signers.pkcs11 import open_token_signer

        options.setdefault("token_label", self.label)
        options.setdefault("pin", self.pin)
        return open_token_signer(self.module, key_label=key, **options)

    def cli_args(self, key: str = "person", *, token_label: str | None = None) -> list[str]:
        """``kyso sign`` options for ``key``, the PIN from the environment variable :attr:`pin_env`."""
        return [
            "--signer", "pkcs11", "--module", self.module, "--token-label", token_label or self.label,
            "--key-label", key, "--pin-env", self.pin_env,
        ]  # fmt: skip

    def remove(self, label: str = REMOVABLE_LABEL) -> None:
        """Pull token ``label`` out: its directory is deleted (``softhsm2-util --delete-token``)."""
        self._util("--delete-token", "--token", label)

    def close(self) -> None:
        """Give ``SOFTHSM2_CONF`` its value from before :meth:`provision`."""
        if self._saved_conf is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = self._saved_conf

    def __repr__(self) -> str:
        return f"<TestToken {self.label!r} in {self.directory}>"


def _issue_ec_certificate(key: Any, pki: TestPKI) -> Any:
    """An EC certificate for ``person``'s name (and "(EC)"), issued by the test PKI's issuing CA."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import NameOID

    from kyso.testing.certificates import certificate, key_usage

    ca = x509.load_pem_x509_certificate(pki.cert("issuing_ca").read_bytes())
    ca_key = serialization.load_pem_private_key(pki.key("issuing_ca").read_bytes(), None)
    person = x509.load_pem_x509_certificate(pki.cert("person").read_bytes())
    subject = x509.Name(
        [a for a in person.subject if a.oid != NameOID.COMMON_NAME]
        + [x509.NameAttribute(NameOID.COMMON_NAME, "Nguyễn Văn An (EC)")]
    )
    ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return certificate(
        subject,
        public_key=key.public_key(),
        signing_key=ca_key,
        issuer=ca.subject,
        extensions=[
            (key_usage("digital_signature", "content_commitment"), True),
            (x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), False),
            (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False),
        ],
    )


def _store(session: Any, label: str, key_id: bytes, key: Any, cert: Any, *, always: bool) -> None:
    """A private key (sensitive, not extractable), its public half and its certificate, all under ``key_id``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from pkcs11 import Attribute
    from pkcs11.util.ec import decode_ec_private_key, decode_ec_public_key
    from pkcs11.util.rsa import decode_rsa_private_key, decode_rsa_public_key

    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        private, public = decode_ec_private_key(der), decode_ec_public_key(spki)
    else:
        pkcs1 = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
        private, public = decode_rsa_private_key(der), decode_rsa_public_key(pkcs1)
    common = {Attribute.TOKEN: True, Attribute.ID: key_id, Attribute.LABEL: label}
    session.create_object(
        {
            **private,
            **common,
            Attribute.PRIVATE: True,
            Attribute.SENSITIVE: True,
            Attribute.EXTRACTABLE: False,
            Attribute.SIGN: True,
            Attribute.ALWAYS_AUTHENTICATE: always,
        }  # fmt: skip
    )
    session.create_object({**public, **common, Attribute.PRIVATE: False, Attribute.VERIFY: True})
    if cert is not None:
        _store_certificate(session, label, key_id, cert)


def _store_certificate(session: Any, label: str, key_id: bytes, cert: Any) -> None:
    from cryptography.hazmat.primitives import serialization
    from pkcs11 import Attribute
    from pkcs11.util.x509 import decode_x509_certificate

    attributes = decode_x509_certificate(cert.public_bytes(serialization.Encoding.DER))
    session.create_object(
        {**attributes, Attribute.TOKEN: True, Attribute.ID: key_id, Attribute.LABEL: label, Attribute.PRIVATE: False}
    )


# ---------------------------------------------------------------------------------------------------------------
# fault injection
# ---------------------------------------------------------------------------------------------------------------


class FaultyModule:
    """A stand-in for a loaded PKCS#11 module (``pkcs11.lib``) passing every call to the real one, except:

    - ``token_flags``: added to every token's flags (``TokenFlag.USER_PIN_FINAL_TRY`` ...), as a real token
      reports them after a wrong PIN (SoftHSM2 never does);
    - ``refuse_login``: an exception class (``pkcs11.exceptions.PinIncorrect``, ``PinLocked`` ...) raised by each
      login instead of logging in;
    - :attr:`logins` counts the logins asked for (``C_Login`` through ``Token.open(user_pin=...)``).

    Put it in place of the real module with :func:`injected`.
    """

    def __init__(self, inner: Any, *, token_flags: int = 0, refuse_login: type[Exception] | None = None) -> None:
        self._inner = inner
        self.token_flags = token_flags
        self.refuse_login = refuse_login
        self.logins = 0

    def get_slots(self, token_present: bool = False) -> list[Any]:
        return [_FaultySlot(slot, self) for slot in self._inner.get_slots(token_present=token_present)]

    def __getattr__(self, name: str) -> Any:  # manufacturer_id, library_description, reinitialize ...
        return getattr(self._inner, name)


class _FaultySlot:
    def __init__(self, inner: Any, module: FaultyModule) -> None:
        self._inner, self._module = inner, module

    def get_token(self) -> _FaultyToken:
        return _FaultyToken(self._inner.get_token(), self, self._module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _FaultyToken:
    def __init__(self, inner: Any, slot: _FaultySlot, module: FaultyModule) -> None:
        self._inner, self.slot, self._module = inner, slot, module

    @property
    def flags(self) -> Any:
        from pkcs11 import TokenFlag

        return TokenFlag(int(self._inner.flags) | self._module.token_flags)

    def open(self, user_pin: Any = None, **options: Any) -> Any:
        if user_pin is not None:
            self._module.logins += 1
            if self._module.refuse_login is not None:
                raise self._module.refuse_login()
        return self._inner.open(user_pin=user_pin, **options)

    def __getattr__(self, name: str) -> Any:  # label, serial, manufacturer_id, model
        return getattr(self._inner, name)


@contextmanager
def injected(module_path: str, **faults: Any) -> Iterator[FaultyModule]:
    """Within the block, the module at ``module_path`` is a :class:`FaultyModule` over the real one: every
    :func:`kyso.signers.pkcs11.load_module` of that path (``kyso sign``, ``kyso sync`` in-process) gets it."""
    from kyso.signers.pkcs11 import MODULES, load_module

    where = os.path.abspath(module_path)
    real = load_module(where)
    faulty = FaultyModule(real, **faults)
    MODULES[where] = faulty
    try:
        yield faulty
    finally:
        MODULES[where] = real
