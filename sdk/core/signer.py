"""The *who* of signing: a key that can sign, wherever it lives (file, token, remote service).

Format plugins only need :class:`Signer`; backends (PKCS#12, PKCS#11, CSC ...) implement it and are offered to the
CLI through ``kyso_register_signers``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@runtime_checkable
class Signer(Protocol):
    """A signing key and its certificate."""

    @property
    def certificate(self) -> bytes:
        """DER of the signing certificate."""
        ...

    @property
    def chain(self) -> tuple[bytes, ...]:
        """DER of the other certificates to embed (issuing CAs), nearest first."""
        ...

    @property
    def key_algorithm(self) -> str:
        """``"rsa"`` or ``"ec"``: lets a format plugin pick the signature mechanism."""
        ...

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        """Sign ``data`` (hashing it with ``digest_algorithm``, e.g. ``"sha256"``) and return the raw signature.

        RSA keys sign with PKCS#1 v1.5, EC keys return a DER-encoded ECDSA signature.
        """
        ...


@dataclass(frozen=True)
class SignerBackend:
    """A way to obtain a :class:`Signer`, offered by a plugin through ``kyso_register_signers``."""

    name: str
    description: str
    open: Callable[..., Signer]
    """Factory: keyword arguments are backend-specific (a file and a password, a token label and a PIN ...)."""


@dataclass
class SignerRegistry:
    """Signer backends by name; filled by ``kyso_register_signers``."""

    backends: dict[str, SignerBackend] = field(default_factory=dict)

    def add(self, backend: SignerBackend) -> None:
        self.backends[backend.name] = backend


__all__ = ["Signer", "SignerBackend", "SignerRegistry"]
