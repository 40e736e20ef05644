"""Trust anchors: the real Vietnamese roots known by name and pinned fingerprint, and where anchors come from.

Kyso ships no certificate. It knows the three real certificates of DESIGN.md (name, SHA-256 fingerprint, official
URL) and downloads one on request (``kyso trust fetch``), refusing anything whose fingerprint differs from its pin.
Anchors in use, all added together:

- the store: ``<config dir>/trust/*.pem``, managed by ``kyso trust add | remove | fetch``;
- the config file (``KYSO_CONFIG``, else ``<config dir>/config.toml``): ``[trust] anchors = ["file or directory",
  ...]`` and ``intermediates = [...]``;
- the environment variable ``KYSO_TRUST``: files or directories separated by ``os.pathsep``;
- ``--trust`` on the command line (``trust=`` in the API).

The config dir is ``KYSO_CONFIG_DIR``, else ``~/.config/kyso`` (``%APPDATA%\\kyso`` on Windows,
``~/Library/Application Support/kyso`` on macOS). A known certificate that is an issuing CA (not self-signed) is
stored as an intermediate: it helps to build paths but is not trusted by itself.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import threading
from pathlib import Path
from typing import Any

from kyso.certs.loading import MAX_CERTIFICATE_FILE, certificates_from_bytes, load_certificates, pem_blocks
from kyso.certs.parsing import parse_certificate
from kyso.core import paths
from kyso.core.errors import InputError, ServiceError, UsageError
from kyso.core.paths import CONFIG_ENV

TRUST_ENV = "KYSO_TRUST"
MAX_DOWNLOAD = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class KnownCertificate:
    """A real certificate Kyso knows by name and pins by fingerprint (it never ships the certificate itself)."""

    name: str
    subject: str
    sha256: str
    """Upper-case hex pairs separated by colons, as ``openssl x509 -fingerprint -sha256`` prints it."""
    url: str
    anchor: bool
    """True for a root (trust anchor); False for an issuing CA kept as an intermediate."""
    description: str


KNOWN: tuple[KnownCertificate, ...] = (
    KnownCertificate(
        name="rootcag2",
        subject="RootCA chuyên dùng Chính phủ G2",
        sha256="F0:4B:A4:B4:59:A7:C9:A1:B9:71:AD:9B:1C:B8:33:E6:95:A8:0C:79:AE:A6:3B:17:4B:66:A7:0E:DF:E2:FD:B8",
        url="http://ca.gov.vn/pki/pub/crt/rootcag2.crt",
        anchor=True,
        description="Government dedicated CA root (Ban Cơ yếu Chính phủ), RSA 4096, 2018-2048",
    ),
    KnownCertificate(
        name="cpcag2",
        subject="CA phục vụ các cơ quan Nhà nước G2",
        sha256="D8:CA:B7:A4:AE:F9:2E:6B:B2:50:9D:7C:61:CE:E7:B4:4F:37:31:B2:D2:10:74:96:35:30:27:7B:36:6F:AE:4B",
        url="http://ca.gov.vn/pki/pub/crt/cpcag2.crt",
        anchor=False,
        description="issuing CA of the Government dedicated CA, policy 2.16.704.1.1.1.1.1",
    ),
    KnownCertificate(
        name="vnrca256",
        subject="Vietnam National Root CA",
        sha256="BA:C8:BF:60:9A:B4:20:A8:EE:17:80:D7:4F:4D:E5:C7:F7:18:49:59:D2:A7:37:5B:0A:75:E4:C2:9F:09:08:E7",
        url="https://rootca.gov.vn/crt/vnrca256.p7b",
        anchor=True,
        description="National root of the public CAs (MIC / NEAC), RSA 4096, 2014-2039",
    ),
)


@dataclasses.dataclass(frozen=True)
class TrustEntry:
    """One certificate in use as an anchor or intermediate, and where it came from."""

    name: str
    subject: str
    sha256: str
    source: str
    """``store``, ``config``, ``env`` or, for a known certificate that is not installed, ``not installed``."""
    anchor: bool
    known: str | None = None
    """Name of the matching known certificate, if any."""
    path: str | None = None


def fingerprint(der: bytes) -> str:
    """SHA-256 of ``der`` as colon-separated upper-case hex."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def known(name: str) -> KnownCertificate:
    for entry in KNOWN:
        if entry.name == name:
            return entry
    raise UsageError(f"unknown certificate {name!r} (known: {', '.join(k.name for k in KNOWN)})")


def config_dir() -> Path:
    return paths.config_dir()


def store_dir() -> Path:
    return config_dir() / "trust"


# ------------------------------------------------------------------------------------------------ reading


_cache_lock = threading.Lock()
_cached: tuple[Any, tuple[tuple[bytes, ...], tuple[bytes, ...]]] | None = None


def configured_certificates() -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    """(anchors, intermediates) from the store, the config file and ``KYSO_TRUST``; re-read when they change."""
    global _cached
    signature = _signature()
    with _cache_lock:
        if _cached is not None and _cached[0] == signature:
            return _cached[1]
    entries = _entries()
    anchors = tuple(dict.fromkeys(der for entry, der in entries if entry.anchor))
    intermediates = tuple(dict.fromkeys(der for entry, der in entries if not entry.anchor))
    with _cache_lock:
        _cached = (signature, (anchors, intermediates))
    return anchors, intermediates


def entries() -> list[TrustEntry]:
    """Every certificate in use, then every known certificate that is not installed."""
    found = [entry for entry, _ in _entries()]
    installed = {entry.sha256 for entry in found}
    for item in KNOWN:
        if item.sha256 not in installed:
            found.append(
                TrustEntry(
                    name=item.name,
                    subject=item.subject,
                    sha256=item.sha256,
                    source="not installed",
                    anchor=item.anchor,
                    known=item.name,
                )
            )
    return found


def _signature() -> Any:
    parts: list[Any] = [os.environ.get(CONFIG_ENV), os.environ.get(paths.CONFIG_FILE_ENV), os.environ.get(TRUST_ENV)]
    for path in (store_dir(), paths.config_file()):
        try:
            parts.append(path.stat().st_mtime_ns)
        except OSError:
            parts.append(None)
    return tuple(parts)


def _read_store_file(path: Path) -> bytes:
    from kyso.files import read_bounded

    return read_bounded(path, limit=MAX_CERTIFICATE_FILE, what="a trust store file")


def _entries() -> list[tuple[TrustEntry, bytes]]:
    result: list[tuple[TrustEntry, bytes]] = []
    store = store_dir()
    if store.is_dir():
        for path in sorted(store.glob("*.pem")):
            try:
                ders = certificates_from_bytes(_read_store_file(path), origin=str(path))
            except (InputError, OSError):
                continue  # a damaged store file is skipped, not fatal; `kyso trust list` shows what is in use
            anchor = not path.stem.endswith(".intermediate")
            name = path.stem.removesuffix(".intermediate")
            result.extend((_entry(der, name, "store", anchor, path), der) for der in ders)
    config = _config()
    for key, anchor in (("anchors", True), ("intermediates", False)):
        for source in config.get(key, []):
            for der in load_certificates([Path(source).expanduser()]):
                result.append((_entry(der, None, "config", anchor, Path(source)), der))
    env = os.environ.get(TRUST_ENV, "")
    for source in filter(None, env.split(os.pathsep)):
        for der in load_certificates([Path(source)]):
            result.append((_entry(der, None, "env", True, Path(source)), der))
    return result


def _config() -> dict[str, Any]:
    import tomllib

    path = paths.config_file()
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: unreadable configuration ({exc.__class__.__name__})") from None
    trust = data.get("trust", {})
    if not isinstance(trust, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in trust.values()
    ):
        raise InputError(f"{path}: [trust] anchors and intermediates must be lists of paths")
    return trust


def _entry(der: bytes, name: str | None, source: str, anchor: bool, path: Path | None) -> TrustEntry:
    cert = parse_certificate(der)
    sha = fingerprint(der)
    match = next((k.name for k in KNOWN if k.sha256 == sha), None)
    subject = cert.subject.native.get("common_name") or cert.subject.human_friendly
    if isinstance(subject, list):
        subject = subject[0]
    return TrustEntry(
        name=name or match or _slug(str(subject)) or sha[:11],
        subject=str(subject),
        sha256=sha,
        source=source,
        anchor=anchor,
        known=match,
        path=str(path) if path else None,
    )


def _slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60]


# ------------------------------------------------------------------------------------------------ changing


def add(data: bytes, *, name: str | None = None, origin: str = "certificate") -> list[TrustEntry]:
    """Install the certificate(s) in ``data`` (PEM or DER) in the store; a CA that is not self-signed and matches
    a known issuing CA is stored as an intermediate."""
    from asn1crypto import pem

    ders = certificates_from_bytes(data, origin=origin)
    planned = []
    for der in ders:  # check every certificate first: a bundle is installed whole or not at all
        sha = fingerprint(der)
        match = next((k for k in KNOWN if k.sha256 == sha), None)
        cert = parse_certificate(der)
        anchor = match.anchor if match else True
        if not cert.ca and match is None:
            raise UsageError(f"{origin}: {cert.subject.human_friendly} is not a CA certificate; nothing was added")
        entry_name = name if (name and len(ders) == 1) else None
        entry_name = entry_name or (match.name if match else _entry(der, None, "store", anchor, None).name)
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,80}", entry_name):
            raise UsageError(f"bad name {entry_name!r}: use letters, digits, '.', '_' or '-'")
        planned.append((der, entry_name, anchor))
    store = store_dir()
    store.mkdir(parents=True, exist_ok=True)
    added = []
    for der, entry_name, anchor in planned:
        path = store / (f"{entry_name}.pem" if anchor else f"{entry_name}.intermediate.pem")
        _write(path, pem.armor("CERTIFICATE", der))
        added.append(_entry(der, entry_name, "store", anchor, path))
    return added


def remove(name_or_fingerprint: str) -> list[Path]:
    """Remove store entries by name or fingerprint (prefix, with or without colons); returns the files removed."""
    wanted = name_or_fingerprint.replace(":", "").upper()
    removed = []
    store = store_dir()
    for path in sorted(store.glob("*.pem")) if store.is_dir() else []:
        name = path.stem.removesuffix(".intermediate")
        try:
            shas = [fingerprint(d).replace(":", "") for d in certificates_from_bytes(_read_store_file(path))]
        except (InputError, OSError):
            shas = []
        if name == name_or_fingerprint or (len(wanted) >= 8 and any(s.startswith(wanted) for s in shas)):
            path.unlink()
            removed.append(path)
    if not removed:
        raise UsageError(f"no trust store entry named {name_or_fingerprint!r} (see `kyso trust list`)")
    return removed


def fetch(name: str, *, url: str | None = None, timeout: float = 10.0) -> TrustEntry:
    """Download a known certificate from its official URL (or ``url``) and install it if, and only if, its
    SHA-256 fingerprint equals the pin."""
    item = known(name)
    source = url or item.url
    data = _download(source, timeout)
    candidates = _certificates_in_download(data, source)
    match = next((der for der in candidates if fingerprint(der) == item.sha256), None)
    if match is None:
        got = ", ".join(fingerprint(der) for der in candidates) or "no certificate"
        raise InputError(
            f"{source}: fingerprint mismatch for {item.name} ({item.subject}): pinned {item.sha256}, got {got}; "
            "nothing was installed"
        )
    return add(match, name=item.name, origin=source)[0]


def _download(url: str, timeout: float) -> bytes:
    """The answer of ``url`` within ``timeout`` seconds in all and :data:`MAX_DOWNLOAD` bytes (the bounded fetch of
    every certificate download, :func:`kyso.certs.fetching.bounded_fetch`)."""
    import requests

    from kyso.certs.fetching import FetchRefused, bounded_fetch
    from kyso.core.models import NetworkBudget

    if not url.startswith(("http://", "https://")):
        raise UsageError(f"not an http(s) URL: {url}")
    budget = NetworkBudget(timeout, max_answer_bytes=MAX_DOWNLOAD)
    try:
        return bounded_fetch(
            url, budget=budget, what="certificate", max_bytes=MAX_DOWNLOAD, headers={"User-Agent": "kyso"}
        ).content
    except FetchRefused as exc:
        raise ServiceError(str(exc), url=url) from None
    except requests.RequestException as exc:
        status = str(exc) if str(exc).startswith("status code") else exc.__class__.__name__
        raise ServiceError(f"{url}: cannot download ({status})", url=url) from None


def _certificates_in_download(data: bytes, origin: str) -> list[bytes]:
    """Certificates from a PEM or DER certificate or a PKCS#7 (.p7b / .p7c) bundle, PEM or DER."""
    from asn1crypto import cms, pem

    blobs = [der for _, der in pem_blocks(data)] if pem.detect(data) else [data]
    result = []
    for blob in blobs:
        try:
            parse_certificate(blob)
            result.append(blob)
            continue
        except ValueError:
            pass
        if not _starts_with_oid(blob):
            continue  # neither a certificate nor a ContentInfo; never hand other shapes to the CMS parser
        try:
            info = cms.ContentInfo.load(blob)
            if info["content_type"].dotted == "1.2.840.113549.1.7.2":  # signed data (a .p7b / .p7c bundle)
                result.extend(c.chosen.dump() for c in info["content"]["certificates"] if c.name == "certificate")
        except Exception:
            continue
    if not result:
        raise InputError(f"{origin}: the download holds no certificate")
    return result


def _starts_with_oid(blob: bytes) -> bool:
    """True when ``blob`` is a DER SEQUENCE whose first element is an OBJECT IDENTIFIER (a ContentInfo's shape)."""
    if len(blob) < 4 or blob[0] != 0x30:
        return False
    header = 2 + (blob[1] & 0x7F if blob[1] & 0x80 else 0)
    return len(blob) > header and blob[header] == 0x06


def _write(path: Path, data: bytes) -> None:
    from kyso.files import write_atomically  # all or nothing, a short temporary name (issue 9, class 11)

    write_atomically(path, data)
