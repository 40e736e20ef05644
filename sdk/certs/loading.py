"""Read certificates from files, directories or bytes, PEM or DER, with clear errors."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from kyso.certs.parsing import parse_certificate
from kyso.core.errors import InputError
from kyso.files import read_bounded

CertificateSource = str | os.PathLike[str] | bytes
"""A file or directory path, or the bytes of one or more certificates (PEM or DER)."""

_PEM_MARKER = b"-----BEGIN"
_CERT_SUFFIXES = {".pem", ".crt", ".cer", ".der", ".cert"}
MAX_CERTIFICATE_FILE = 10 * 1024 * 1024


_PEM_BEGIN = re.compile(rb"(?:---- |-----)BEGIN ([A-Z0-9 ]+)(?: ----|-----)")


def pem_blocks(data: bytes) -> Iterator[tuple[str, bytes]]:
    """(type, DER) of every PEM block of ``data``, in linear time; what lies between blocks is ignored.

    The same grammar as ``asn1crypto.pem.unarmor`` (``-----BEGIN X-----`` or ``---- BEGIN X ----`` lines, optional
    ``Name: value`` headers, a base64 body up to a line starting with dashes), which Kyso used before: asn1crypto
    appends each body line to a ``bytes`` object, quadratic in the body's size (a 4 MB PEM took seconds, and grew
    16-fold with every 4-fold). A body that is not base64 is :class:`InputError`."""
    state = "trash"
    kind = ""
    body: list[bytes] = []
    for line in data.splitlines():
        if not line:
            continue
        if state == "trash":
            begin = _PEM_BEGIN.match(line)
            if begin is not None:
                kind, state, body = begin.group(1).decode("ascii"), "headers", []
            continue
        if state == "headers":
            if b":" in line:
                continue
            state = "body"
        if line[:5] in (b"-----", b"---- "):
            try:
                der = base64.b64decode(b"".join(body))
            except ValueError:
                raise InputError(f"the PEM block {kind} is not valid base64") from None
            yield kind, der
            state, body = "trash", []
            continue
        body.append(line)


def certificates_from_bytes(data: bytes, origin: str = "certificate data") -> list[bytes]:
    """DER of every certificate in ``data``; PEM bundles and single DER certificates are both accepted."""
    if _PEM_MARKER in data:
        try:
            ders = [der for kind, der in pem_blocks(data) if kind in ("CERTIFICATE", "X509 CERTIFICATE")]
        except InputError as exc:
            raise InputError(f"{origin}: {exc}") from None
        if not ders:
            raise InputError(f"{origin}: PEM data holds no CERTIFICATE block")
    else:
        ders = [data]
    for der in ders:
        try:
            parse_certificate(der)
        except ValueError as exc:
            if is_pkcs12(der):
                raise InputError(
                    f"{origin}: this is a PKCS#12 key store (.p12/.pfx: a private key and its certificate, locked "
                    "by a password), not a certificate; use it to sign (kyso sign --p12 FILE), or export its "
                    "certificate (.cer/.pem) to validate it",
                    vi=f"{origin}: đây là tệp khoá ký PKCS#12 (.p12/.pfx: khoá bí mật kèm chứng thư số, có mật "
                    "khẩu), không phải một chứng thư số; dùng tệp này để ký (kyso sign --p12 TỆP), hoặc xuất "
                    "chứng thư số (.cer/.pem) ra để kiểm tra",
                ) from None
            raise InputError(f"{origin}: {exc}") from None
    return ders


def is_pkcs12(data: bytes) -> bool:
    """Whether ``data`` is a PKCS#12 key store (a PFX: version 3, an authenticated safe), read without a password."""
    from asn1crypto import pkcs12

    try:
        pfx = pkcs12.Pfx.load(data, strict=True)
        return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native in ("data", "signed_data")
    except Exception:
        return False


def load_certificates(sources: Iterable[CertificateSource]) -> tuple[bytes, ...]:
    """DER certificates from every source; a directory contributes its ``*.pem/*.crt/*.cer/*.der`` files."""
    result: list[bytes] = []
    for source in sources:
        if isinstance(source, bytes | bytearray):
            result.extend(certificates_from_bytes(bytes(source)))
            continue
        path = Path(source)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in _CERT_SUFFIXES)
            if not files:
                raise InputError(f"{path}: no certificate files (*.pem, *.crt, *.cer, *.der) in directory")
        else:
            files = [path]
        for file in files:
            result.extend(certificates_from_bytes(_read(file), origin=str(file)))
    return tuple(result)


def _read(path: Path) -> bytes:
    return read_bounded(path, limit=MAX_CERTIFICATE_FILE, what="a certificate file")
