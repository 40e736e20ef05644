"""What every signer backend answers the same way: its certificate, chain and key algorithm, read once."""

from __future__ import annotations


class HeldCertificate:
    """The read-only half of :class:`kyso.core.signer.Signer` (``certificate``, ``chain``, ``key_algorithm``).

    Each backend (PKCS#12 file, PKCS#11 token, remote service) reads these three values once when it opens and only
    differs in how it signs: one base so the properties are written once. Call :meth:`_hold` in ``__init__``.
    """

    _certificate: bytes
    _chain: tuple[bytes, ...]
    _key_algorithm: str

    def _hold(self, certificate: bytes, chain: tuple[bytes, ...], key_algorithm: str) -> None:
        self._certificate = certificate
        self._chain = chain
        self._key_algorithm = key_algorithm

    @property
    def certificate(self) -> bytes:
        """The signer's certificate (DER)."""
        return self._certificate

    @property
    def chain(self) -> tuple[bytes, ...]:
        """Its issuing CAs (DER), nearest first."""
        return self._chain

    @property
    def key_algorithm(self) -> str:
        """``"rsa"`` or ``"ec"``."""
        return self._key_algorithm
