"""Where token drivers live, and what a token holds: the listing behind ``kyso tokens``.

The module names are those of the tokens sold in Vietnam (Ban Cơ yếu's SafeNet, Bit4id for vgca-pkimgr, Viettel,
VNPT, BKAV, FPT, NC-CA, CA2, the ST3, EPS2003 and Shuttle chips) plus SoftHSM2 and OpenSC. Only system folders are
searched, never the current folder: loading a module runs its code.
"""

from __future__ import annotations

import os
import platform
import struct
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

MODULE_NAMES: tuple[str, ...] = (
    "eTPKCS11",  # SafeNet Authentication Client (Ban Cơ yếu's TokenManager)
    "eTPkcs11",
    "bit4xpki",  # Bit4id (vgca-pkimgr)
    "viettel-ca_v6",
    "vnpt-ca_csp11",
    "vnptca_p11_v8",
    "BkavCA",
    "fpt-ca",
    "ncca_csp11_v1",
    "CA2_csp11",
    "st3csp11",
    "eps2003csp11",
    "ShuttleCsp11_3003",
    "softhsm2",
    "opensc-pkcs11",
)
"""Base names of the PKCS#11 modules searched (``NAME.dll``, ``libNAME.so``, ``NAME.dylib`` ...)."""

EXTRA_ENV = "KYSO_PKCS11_MODULES"
"""More modules to list, separated by the path separator (``:`` or ``;``)."""


def python_bits() -> int:
    """32 or 64: a module is only loadable by a Python of its own bitness."""
    return struct.calcsize("P") * 8


def candidate_paths(system: str | None = None, env: Mapping[str, str] | None = None) -> list[str]:
    """Every path where a known module may be, for ``system`` (``platform.system()``: Windows, Darwin, Linux)."""
    system = system or platform.system()
    env = os.environ if env is None else env
    extra = [p for p in env.get(EXTRA_ENV, "").split(os.pathsep) if p]
    if system == "Windows":
        root = env.get("SystemRoot", r"C:\Windows")
        # a 32-bit Python sees SysWOW64 as System32; a 64-bit one finds 32-bit modules only in SysWOW64 (unusable)
        folders = [rf"{root}\System32"]
        programs = [
            env.get("ProgramFiles", r"C:\Program Files"),
            env.get("ProgramFiles(x86)", r"C:\Program Files (x86)"),
        ]
        paths = [rf"{folder}\{name}.dll" for folder in folders for name in MODULE_NAMES]
        paths += [rf"{p}\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll" for p in programs]
        paths += [r"C:\SoftHSM2\lib\softhsm2-x64.dll", r"C:\SoftHSM2\lib\softhsm2.dll"]
        return extra + paths
    if system == "Darwin":
        folders = [
            "/usr/local/lib",
            "/Library/OpenSC/lib",
            "/opt/homebrew/lib",
            "/usr/local/lib/softhsm",
            "/opt/homebrew/lib/softhsm",
            "/usr/local/lib/bit4id",
        ]
        shapes: tuple[str, ...] = ("lib{}.dylib", "{}.dylib", "lib{}.so", "{}.so")
    else:
        folders = [
            "/usr/lib",
            "/usr/lib64",
            "/usr/local/lib",
            "/usr/lib/x86_64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu",
            "/usr/lib/softhsm",
            "/usr/lib/x86_64-linux-gnu/softhsm",
            "/usr/local/lib/softhsm",
            "/usr/lib/pkcs11",
            "/usr/lib/x86_64-linux-gnu/pkcs11",
            "/usr/lib/bit4id",
            "/usr/lib/i386-linux-gnu",
        ]
        shapes = ("lib{}.so", "{}.so")
    paths = [f"{folder}/{shape.format(name)}" for folder in folders for name in MODULE_NAMES for shape in shapes]
    return extra + paths


def find_modules(paths: Iterable[str] | None = None) -> list[str]:
    """The known modules present on this machine, each once (links resolved), in search order."""
    found: dict[str, str] = {}
    for path in candidate_paths() if paths is None else paths:
        if os.path.isfile(path):
            found.setdefault(os.path.realpath(path), path)
    return list(found.values())


@dataclass
class CertificateInfo:
    """One certificate on a token, as a văn thư picks it."""

    label: str | None
    id: str
    holder: str
    issuer: str
    serial: str
    not_before: str
    not_after: str
    key_usage: list[str]
    has_key: bool
    """A key with the same id (or label), and the certificate's public key, is on the token: this certificate can
    sign. Read without logging in, so it is the key's public half (a private key is visible only after the PIN)."""


@dataclass
class TokenInfo:
    slot: int
    label: str
    serial: str
    manufacturer: str
    model: str
    pin_flags: list[str] = field(default_factory=list)
    """``count_low``, ``final_try``, ``locked`` as the token reports them."""
    certificates: list[CertificateInfo] = field(default_factory=list)
    error: str | None = None


@dataclass
class ModuleInfo:
    path: str
    description: str = ""
    tokens: list[TokenInfo] = field(default_factory=list)
    error: str | None = None
    """Why the module could not be read (not loadable, another bitness ...)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def describe_module(path: str) -> ModuleInfo:
    """The tokens of the module at ``path`` and their certificates, read without logging in (certificates are
    public objects). A module that fails to load is described by its error, not raised."""
    from kyso.core.errors import KysoError
    from kyso.signers.pkcs11.signer import load_module

    info = ModuleInfo(path)
    try:
        module = load_module(path)
    except KysoError as exc:
        info.error = exc.diagnostics()
        return info
    from pkcs11 import TokenFlag
    from pkcs11.exceptions import PKCS11Error

    info.description = f"{module.manufacturer_id} {module.library_description}".strip()
    try:
        slots = module.get_slots(token_present=True)
    except PKCS11Error as exc:
        info.error = f"cannot list slots ({exc.__class__.__name__})"
        return info
    for slot in slots:
        try:
            token = slot.get_token()
        except PKCS11Error:
            continue  # a slot left behind by a token pulled out
        if not token.flags & TokenFlag.TOKEN_INITIALIZED:
            continue  # a blank card, or SoftHSM2's free slot
        info.tokens.append(_describe_token(slot, token))
    return info


def _describe_token(slot: Any, token: Any) -> TokenInfo:
    from pkcs11 import ObjectClass, TokenFlag
    from pkcs11.exceptions import PKCS11Error

    flags = token.flags
    row = TokenInfo(
        slot=int(slot.slot_id),
        label=str(token.label),
        serial=bytes(token.serial).decode("ascii", "replace"),
        manufacturer=str(token.manufacturer_id),
        model=str(token.model),
        pin_flags=[
            name
            for name, flag in (
                ("count_low", TokenFlag.USER_PIN_COUNT_LOW),
                ("final_try", TokenFlag.USER_PIN_FINAL_TRY),
                ("locked", TokenFlag.USER_PIN_LOCKED),
            )
            if flags & flag
        ],
    )
    try:
        with token.open() as session:
            keys = _objects(session, ObjectClass.PUBLIC_KEY) + _objects(session, ObjectClass.PRIVATE_KEY)
            for obj in _objects(session, ObjectClass.CERTIFICATE):
                described = _describe_certificate(obj, keys)
                if described is not None:
                    row.certificates.append(described)
    except PKCS11Error as exc:
        row.error = f"cannot read the token ({exc.__class__.__name__})"
    return row


def _objects(session: Any, object_class: Any) -> list[dict[str, Any]]:
    """The objects of a class the session sees: id, label, and a certificate's DER or a key's public value."""
    from pkcs11 import Attribute, ObjectClass

    from kyso.signers.pkcs11.signer import _attribute, public_value

    certificates = object_class == ObjectClass.CERTIFICATE
    return [
        {
            "id": bytes(_attribute(obj, Attribute.ID) or b""),
            "label": _attribute(obj, Attribute.LABEL),
            "value": _attribute(obj, Attribute.VALUE) if certificates else None,
            "public": None if certificates else public_value(obj),
        }
        for obj in session.get_objects({Attribute.CLASS: object_class})
    ]


_USAGES = {
    "digital_signature": "digital_signature",
    "content_commitment": "non_repudiation",
    "key_encipherment": "key_encipherment",
    "data_encipherment": "data_encipherment",
    "key_agreement": "key_agreement",
    "key_cert_sign": "key_cert_sign",
    "crl_sign": "crl_sign",
}


def _describe_certificate(obj: dict[str, Any], keys: list[dict[str, Any]]) -> CertificateInfo | None:
    from cryptography import x509

    from kyso.signers.pkcs11.signer import certificate_public_value

    if not obj["value"]:
        return None
    try:
        cert = x509.load_der_x509_certificate(bytes(obj["value"]))
    except ValueError:
        return None

    def common_name(name: x509.Name) -> str:
        names = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        return str(names[0].value) if names else name.rfc4514_string()

    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        usages = [label for attr, label in _USAGES.items() if getattr(usage, attr)]
    except (x509.ExtensionNotFound, ValueError):
        usages = []
    cid, label = obj["id"], obj["label"]
    mine = [k for k in keys if k["id"] == cid] if cid else [k for k in keys if k["label"] == label]
    expected = certificate_public_value(bytes(obj["value"]))
    return CertificateInfo(
        label=label,
        id=cid.hex(),
        holder=common_name(cert.subject),
        issuer=common_name(cert.issuer),
        serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc.date().isoformat(),
        not_after=cert.not_valid_after_utc.date().isoformat(),
        key_usage=usages,
        has_key=any(k["public"] is None or k["public"] == expected for k in mine),
    )


__all__ = ["MODULE_NAMES", "CertificateInfo", "ModuleInfo", "TokenInfo", "candidate_paths", "describe_module",
           "find_modules", "python_bits"]  # fmt: skip
