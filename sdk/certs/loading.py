"""Read certificates from files, directories or bytes, PEM or DER, with clear errors."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from kyso.certs.parsing import parse_certificate
from kyso.core.errors import InputError
from kyso.files import read_bounded

CertificateSource = str | os.PathLike[str] | bytes
"""A file or directory path, or the bytes of one or more certificates (PEM or DER)."""

_PEM_MARKER = b"-----BEGIN"
_CERT_SUFFIXES = {".pem", ".crt", ".cer", ".der", ".cert"}
MAX_CERTIFICATE_FILE = 10 * 1024 * 1024


def certificates_from_bytes(data: bytes, origin: str = "certificate data") -> list[bytes]:
    """DER of every certificate in ``data``; PEM bundles and single DER certificates are both accepted."""
    from asn1crypto import pem

    if _PEM_MARKER in data:
        ders = [der for kind, _, der in pem.unarmor(data, multiple=True) if kind in ("CERTIFICATE", "X509 CERTIFICATE")]
        if not ders:
            raise InputError(f"{origin}: PEM data holds no CERTIFICATE block")
    else:
        ders = [data]
    for der in ders:
        try:
            parse_certificate(der)
        except ValueError as exc:
            raise InputError(f"{origin}: {exc}") from None
    return ders


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
