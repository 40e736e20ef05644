"""A generated test PKI mirroring the Vietnamese Government hierarchy, served on 127.0.0.1.

Everything here is TEST MATERIAL: the keys are generated on the fly, every subject carries a
"test" organizational unit and nothing chains to the real RootCA chuyên dùng Chính phủ.

The certificates are produced by certomancer from the packaged template ``kyso-pki.yml``
(rendered with dates relative to "now" and with the chosen port baked into the AIA, CRL
distribution point and OCSP URLs). :meth:`TestPKI.serve` runs certomancer's Animator WSGI app
(OCSP, CRLs, RFC 3161 time-stamping, certificate repositories) in a werkzeug server thread.
"""

from __future__ import annotations

import json
import logging
import socket
import string
import threading
import time
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Self

from kyso.testing.serving import ServedInThread

__all__ = ["TestPKI", "DEFAULT_PASSWORD", "END_ENTITIES"]

logger = logging.getLogger(__name__)

DEFAULT_PASSWORD = "kyso-test-pass"

#: The end entities: everything :meth:`TestPKI.p12` can hand out.
END_ENTITIES: tuple[str, ...] = (
    "person",
    "organisation",
    "revoked",
    "expired",
    "not_yet_valid",
    "wrong_key_usage",
    "untrusted",
    "tsa",
)
_AUTHORITIES: tuple[str, ...] = ("root", "issuing_ca", "ocsp_responder", "untrusted_root")
_ALL_LABELS: tuple[str, ...] = _AUTHORITIES + END_ENTITIES

_ARCH = "kyso"
_TEMPLATE = "kyso-pki.yml"
_HOST = "127.0.0.1"
_KEY_SIZE = 2048
# certomancer derives thisUpdate/nextUpdate (and the CRL number) from this schedule, counted
# from the issuer certificate's notBefore: the served CRL is at most this old.
_CRL_SCHEDULE = "PT1H"

# URL path segment (after the architecture label) -> service name in request_count
_SERVICE_OF_SEGMENT = {"ocsp": "ocsp", "crls": "crl", "tsa": "tsa", "certs": "certs"}
_SERVICES = ("ocsp", "crl", "tsa", "certs", "other")


def _iso(dt: datetime) -> str:
    return dt.isoformat()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((_HOST, 0))
        return sock.getsockname()[1]


def _yaml_str(value: str) -> str:
    """Escape ``value`` for use inside a double-quoted YAML scalar (JSON escapes are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


def _dates(now: datetime) -> dict[str, str]:
    day = timedelta(days=1)
    return {
        "root_from": _iso(now - 5 * 365 * day),
        "root_to": _iso(now + 20 * 365 * day),
        "ca_from": _iso(now - 3 * 365 * day),
        "ca_to": _iso(now + 10 * 365 * day),
        "service_from": _iso(now - 365 * day),
        "service_to": _iso(now + 5 * 365 * day),
        "ee_from": _iso(now - 60 * day),
        "ee_to": _iso(now + 2 * 365 * day),
        "revoked_at": _iso(now - 10 * day),
        "expired_from": _iso(now - 365 * day),
        "expired_to": _iso(now - 3 * day),
        "future_from": _iso(now + 3 * day),
        "future_to": _iso(now + 365 * day),
    }


def render_config(*, base_url: str, label: str, now: datetime) -> str:
    """Render the packaged certomancer template (YAML text)."""
    template = resources.files(__package__).joinpath(_TEMPLATE).read_text(encoding="utf-8")
    values = {
        "base_url": base_url,
        "label": _yaml_str(label),
        "marker": _yaml_str(f"{label} - chứng thư thử nghiệm, không có giá trị pháp lý"),
        "crl_schedule": _CRL_SCHEDULE,
        **_dates(now),
    }
    return string.Template(template).substitute(values)


def _generate_keys(key_dir: Path) -> dict[str, Any]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key_dir.mkdir(parents=True, exist_ok=True)
    backend = _install_key_cache()
    keys: dict[str, Any] = {}
    for name in _ALL_LABELS:
        key = rsa.generate_private_key(public_exponent=65537, key_size=_KEY_SIZE)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path = key_dir / f"{name}.key.pem"
        path.write_bytes(pem)
        path.chmod(0o600)
        backend.register(pem, key)
        keys[name] = key
    return keys


class _KeyCachingBackend:
    """certomancer crypto backend that reuses the key objects generated here.

    certomancer re-parses the private key (DER, with OpenSSL's full RSA consistency check, ~40 ms
    per 2048-bit key) at every configuration load *and every single signature* (certificate,
    CRL, OCSP response, time-stamp token). For the keys this module generated itself - and only
    for those - the already-parsed key objects are used instead; anything else is delegated
    unchanged to the backend that was installed before.
    """

    def __init__(self, inner: Any):
        self.inner = inner
        self._by_pem: dict[bytes, Any] = {}
        self._by_der: dict[bytes, Any] = {}

    def register(self, pem: bytes, key: Any) -> None:
        from cryptography.hazmat.primitives import serialization

        der = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self._by_pem[pem] = (der, key)
        self._by_der[der] = key

    def load_private_key(self, key_bytes: bytes, password: bytes | None) -> Any:
        entry = self._by_pem.get(key_bytes) if password is None else None
        if entry is None:
            return self.inner.load_private_key(key_bytes, password)
        from asn1crypto import keys as asn1_keys
        from cryptography.hazmat.primitives import serialization

        der, key = entry
        public = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return asn1_keys.PrivateKeyInfo.load(der), asn1_keys.PublicKeyInfo.load(public)

    def generic_sign(self, private_key: Any, tbs_bytes: bytes, sd_algo: Any) -> bytes:
        key = self._by_der.get(private_key.dump())
        if key is None or sd_algo.signature_algo != "rsassa_pkcs1v15":
            return self.inner.generic_sign(private_key, tbs_bytes, sd_algo)
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        return key.sign(tbs_bytes, padding.PKCS1v15(), getattr(hashes, sd_algo.hash_algo.upper())())

    def __getattr__(self, name: str) -> Any:  # load_public_key, optimal_pss_params, ...
        return getattr(self.inner, name)


_install_lock = threading.Lock()


def _install_key_cache() -> _KeyCachingBackend:
    from certomancer import crypto_utils

    with _install_lock:
        current = crypto_utils.CRYPTO_BACKEND
        if isinstance(current, _KeyCachingBackend):
            return current
        backend = _KeyCachingBackend(current)
        crypto_utils.CRYPTO_BACKEND = backend  # type: ignore[assignment]  # a wrapper with the same methods
        return backend


class _CountingApp:
    """WSGI middleware counting requests per service (ocsp / crl / tsa / certs / other)."""

    def __init__(self, app: Any, counts: dict[str, int], lock: threading.Lock):
        self.app = app
        self.counts = counts
        self.lock = lock

    @staticmethod
    def classify(path: str) -> str:
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 2 and parts[0] == _ARCH:
            return _SERVICE_OF_SEGMENT.get(parts[1], "other")
        return "other"

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        service = self.classify(environ.get("PATH_INFO", ""))
        with self.lock:
            self.counts[service] += 1
        return self.app(environ, start_response)


class TestPKI(ServedInThread):
    """A generated PKI that mirrors the Vietnamese Government hierarchy, with OCSP, CRL and
    RFC 3161 time-stamping served over HTTP on 127.0.0.1. Test material only.

    Hierarchy::

        root  "RootCA chuyên dùng Chính phủ G2 (<label>)"          <- trust anchor
          issuing_ca  "CA phục vụ các cơ quan Nhà nước G2 (<label>)"
            ocsp_responder (id-kp-OCSPSigning, delegated responder)
            person, organisation, revoked, expired, not_yet_valid, wrong_key_usage, tsa
        untrusted_root  "Untrusted Root (<label>)"                 <- NOT a trust anchor
          untrusted

    Files in :attr:`directory`: ``keys/<name>.key.pem`` (unencrypted PKCS#8),
    ``<name>.cert.pem`` and ``<name>.p12`` (key + certificate + CA chain, protected with
    :attr:`password`), plus the rendered certomancer configuration ``kyso-pki.yml``.
    """

    __test__ = False  # not a pytest test class, despite the name

    names: tuple[str, ...] = END_ENTITIES

    def __init__(
        self,
        directory: Path,
        *,
        port: int,
        label: str,
        password: str,
        config: Any,
        generated_at: datetime,
    ):
        self.directory = Path(directory)
        self.port = port
        self.label = label
        self.password = password
        self.generated_at = generated_at
        self._config = config  # certomancer.registry.CertomancerConfig
        self._arch = config.get_pki_arch(_arch_label())
        services = self._arch.service_registry

        from certomancer.registry import ServiceLabel

        self.base_url = f"http://{_HOST}:{port}"
        self.ocsp_url: str = services.get_ocsp_info(ServiceLabel("issuing_ca")).url
        self.crl_url: str = services.get_crl_repo_info(ServiceLabel("issuing_ca")).latest_external_url
        self.root_crl_url: str = services.get_crl_repo_info(ServiceLabel("root")).latest_external_url
        self.tsa_url: str = services.get_tsa_info(ServiceLabel("tsa")).url

        self.root_cert = self.cert("root")
        self.issuing_ca_cert = self.cert("issuing_ca")
        self.untrusted_root_cert = self.cert("untrusted_root")

        self._lock = threading.Lock()
        self.request_count: dict[str, int] = dict.fromkeys(_SERVICES, 0)
        self._server: Any = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ generation

    @classmethod
    def generate(
        cls,
        directory: Path,
        *,
        port: int | None = None,
        label: str = "TEST",
        password: str = DEFAULT_PASSWORD,
    ) -> TestPKI:
        """Generate keys, certificates (PEM) and PKCS#12 files into ``directory``.

        ``port`` is the 127.0.0.1 port baked into the certificates' URLs and later used by
        :meth:`serve`; a free one is picked when ``None``.
        """
        import yaml
        from certomancer.registry import CertomancerConfig

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        if port is None:
            port = _free_port()
        now = datetime.now(UTC).replace(microsecond=0)

        keys = _generate_keys(directory / "keys")
        config_text = render_config(base_url=f"http://{_HOST}:{port}", label=label, now=now)
        (directory / _TEMPLATE).write_text(config_text, encoding="utf-8")
        # NB: the URL prefix must come from the config dict: CertomancerConfig ignores (and
        # fails to store) an explicit external_url_prefix argument.
        config = CertomancerConfig(yaml.safe_load(config_text), key_search_dir=str(directory))
        pki = cls(directory, port=port, label=label, password=password, config=config, generated_at=now)
        pki._write_files(keys)
        return pki

    def _write_files(self, keys: dict[str, Any]) -> None:
        from asn1crypto import pem
        from certomancer.registry import CertLabel

        for name in _ALL_LABELS:
            cert = self._arch.get_cert(CertLabel(name))
            self.cert(name).write_bytes(pem.armor("CERTIFICATE", cert.dump()))
        for name in END_ENTITIES:
            self.p12(name).write_bytes(self._pkcs12(name, keys[name]))

    def _pkcs12(self, name: str, key: Any) -> bytes:
        from certomancer.registry import CertLabel
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.serialization import pkcs12

        cert = x509.load_pem_x509_certificate(self.cert(name).read_bytes())
        chain = [
            x509.load_pem_x509_certificate(self.cert(str(lbl)).read_bytes())
            for lbl in self._arch.get_chain(CertLabel(name))
        ]
        return pkcs12.serialize_key_and_certificates(
            name=name.encode(),
            key=key,
            cert=cert,
            cas=chain,
            encryption_algorithm=serialization.BestAvailableEncryption(self.password.encode()),
        )

    @property
    def certomancer_config(self) -> Any:
        """The certomancer configuration of this PKI (for services built on it, e.g. certomancer-csc-dummy)."""
        return self._config

    # ------------------------------------------------------------------ files

    def _check(self, name: str, allowed: tuple[str, ...]) -> None:
        if name not in allowed:
            raise KeyError(f"unknown test PKI entity {name!r}; expected one of {', '.join(allowed)}")

    def cert(self, name: str) -> Path:
        """PEM certificate of an entity (end entities and ``root``, ``issuing_ca``,
        ``ocsp_responder``, ``untrusted_root``)."""
        self._check(name, _ALL_LABELS)
        return self.directory / f"{name}.cert.pem"

    def key(self, name: str) -> Path:
        """Unencrypted PEM (PKCS#8) private key of an entity."""
        self._check(name, _ALL_LABELS)
        return self.directory / "keys" / f"{name}.key.pem"

    def p12(self, name: str) -> Path:
        """PKCS#12 file (key + certificate + CA chain) of an end entity, see :attr:`names`."""
        self._check(name, END_ENTITIES)
        return self.directory / f"{name}.p12"

    def serial(self, name: str) -> int:
        """Serial number of an entity's certificate."""
        from certomancer.registry import CertLabel

        self._check(name, _ALL_LABELS)
        return int(self._arch.get_cert(CertLabel(name)).serial_number)

    # ------------------------------------------------------------------ serving

    def reset_request_count(self) -> None:
        """Set every counter of :attr:`request_count` back to 0."""
        with self._lock:
            for service in self.request_count:
                self.request_count[service] = 0

    def wsgi_app(self) -> Any:
        """The certomancer Animator WSGI app (real current time), wrapped to count requests."""
        from certomancer.integrations.animator import Animator, AnimatorArchStore

        class _RealTimeAnimator(Animator):
            # certomancer's clock keeps microseconds, which end up in OCSP producedAt/thisUpdate
            # as fractional GeneralizedTime - a DER/RFC 5280 violation that cryptography (and
            # other strict parsers) reject. Real current time, whole seconds, and no
            # X-Certomancer-Fake-Time override.
            def at_time(self, request: Any) -> datetime:
                return datetime.now(UTC).replace(microsecond=0)

        animator = _RealTimeAnimator(
            AnimatorArchStore(self._config.pki_archs),
            at_time=None,
            with_web_ui=False,
            allow_time_override=False,
        )
        return _CountingApp(animator, self.request_count, self._lock)

    def start(self) -> Self:
        """Start serving on 127.0.0.1:``port`` in a daemon thread (no-op when already running)."""
        if self._server is not None:
            return self
        from werkzeug.serving import WSGIRequestHandler, make_server

        class _QuietHandler(WSGIRequestHandler):
            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                logger.debug("%s %s -> %s", self.command, self.path, code)

        try:
            server = make_server(_HOST, self.port, self.wsgi_app(), threaded=True, request_handler=_QuietHandler)
        except OSError as exc:
            raise RuntimeError(
                f"cannot serve the test PKI on {_HOST}:{self.port} (the port is baked into the "
                f"certificates; regenerate with another port): {exc}"
            ) from exc
        server.daemon_threads = True  # type: ignore[attr-defined]  # threaded=True: a ThreadingMixIn server
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"kyso-test-pki-{self.port}",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def __repr__(self) -> str:
        state = "serving" if self.running else "stopped"
        return f"<TestPKI {self.label!r} at {self.base_url} ({state}), {self.directory}>"


def _arch_label() -> Any:
    from certomancer.registry import ArchLabel

    return ArchLabel(_ARCH)


if __name__ == "__main__":  # pragma: no cover - manual smoke test: python -m kyso.testing.pki DIR
    import sys

    started = time.perf_counter()
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "kyso-test-pki")
    generated = TestPKI.generate(target)
    print(f"generated {generated!r} in {time.perf_counter() - started:.2f}s")
