"""TLS on 127.0.0.1 without warnings: a per-user local CA and the service's certificate (``kyso agent setup``).

The CA is name-constrained to DNS ``localhost`` and IP ``127.0.0.1/32``: even trusted by every browser of the
machine it cannot vouch for any other site. Its key is written once, mode 0600, in the user's config directory
(``<config>/agent/tls/``) and never leaves it. Trust is installed where a command exists for it: the NSS databases
of Chromium (``~/.pki/nssdb``) and Firefox profiles through ``certutil`` (libnss3-tools); for the macOS keychain and
the Windows user store :func:`trust_commands` gives the documented commands to run.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

CA_NICKNAME = "Kyso local signing agent CA"
CA_NAME = "Kyso Local Agent CA"


@dataclass(frozen=True)
class TlsFiles:
    directory: Path

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca-key.pem"

    @property
    def cert(self) -> Path:
        return self.directory / "localhost.pem"

    @property
    def key(self) -> Path:
        return self.directory / "localhost-key.pem"

    def exists(self) -> bool:
        return all(p.exists() for p in (self.ca_cert, self.ca_key, self.cert, self.key))


def tls_files(config: Path) -> TlsFiles:
    return TlsFiles(config / "agent" / "tls")


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def create(files: TlsFiles, *, days: int = 825) -> TlsFiles:
    """Make the CA (kept if it exists) and a fresh 127.0.0.1/localhost certificate it issues."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(UTC) - timedelta(minutes=5)
    pem = serialization.Encoding.PEM
    if files.ca_cert.exists() and files.ca_key.exists():
        ca_key = serialization.load_pem_private_key(files.ca_key.read_bytes(), None)
        ca_cert = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    else:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        user = os.environ.get("USER") or os.environ.get("USERNAME") or "user"
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, user),
            ]
        )
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(
                x509.NameConstraints(
                    permitted_subtrees=[
                        x509.DNSName("localhost"),
                        x509.IPAddress(ipaddress.ip_network("127.0.0.1/32")),
                    ],
                    excluded_subtrees=None,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        _write_private(
            files.ca_key,
            ca_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        )
        files.ca_cert.write_bytes(ca_cert.public_bytes(pem))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    _write_private(files.key, key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    files.cert.write_bytes(cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    return files


def server_context(files: TlsFiles):  # -> ssl.SSLContext
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(files.cert, files.key)
    return context


def nss_databases(home: Path | None = None) -> list[Path]:
    """The NSS databases of this user: Chromium's ``~/.pki/nssdb`` and each Firefox profile."""
    home = home or Path.home()
    found = [home / ".pki" / "nssdb"]
    found += sorted(p for p in (home / ".mozilla" / "firefox").glob("*") if (p / "cert9.db").exists())
    return found


def _certutil() -> str | None:
    return shutil.which("certutil")


def trust_nss(files: TlsFiles, database: Path) -> None:
    """Add the CA to one NSS database (created when missing) as trusted for TLS servers."""
    certutil = _certutil()
    if certutil is None:
        raise FileNotFoundError("certutil (libnss3-tools) is not installed")
    database.mkdir(parents=True, exist_ok=True)
    if not (database / "cert9.db").exists():
        subprocess.run([certutil, "-N", "-d", f"sql:{database}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(
        [certutil, "-A", "-d", f"sql:{database}", "-n", CA_NICKNAME, "-t", "C,,", "-i", str(files.ca_cert)],
        check=True,
        capture_output=True,
    )


def nss_trusts(database: Path) -> bool:
    certutil = _certutil()
    if certutil is None or not (database / "cert9.db").exists():
        return False
    done = subprocess.run([certutil, "-L", "-d", f"sql:{database}", "-n", CA_NICKNAME], capture_output=True)
    return done.returncode == 0


def trust_commands(files: TlsFiles) -> dict[str, str]:
    """The commands that trust the CA where Kyso does not do it itself (they ask the user's confirmation)."""
    return {
        "macos": f'security add-trusted-cert -r trustRoot -k ~/Library/Keychains/login.keychain-db "{files.ca_cert}"',
        "windows": f'certutil -user -addstore Root "{files.ca_cert}"',
    }


__all__ = ["CA_NICKNAME", "TlsFiles", "create", "nss_databases", "nss_trusts", "server_context", "tls_files"]
