"""The *who* of signing: a key that can sign, wherever it lives (file, token, remote service).

Format plugins only need :class:`Signer`; backends (PKCS#12, PKCS#11, CSC ...) implement it and are offered to the
CLI through ``kyso_register_signers``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from kyso.core.errors import PluginError
from kyso.core.registry import NamedRegistry


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


OptionType = Literal["text", "path", "int"]
"""What a :class:`SignerOption` holds: free text, a file path (given as written) or a whole number."""

_BACKEND_NAME = re.compile(r"[a-z][a-z0-9]*\Z")
_OPTION_NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*\Z")


@dataclass(frozen=True)
class SignerOption:
    """One option a :class:`SignerBackend` needs to open a signer (a file, a slot, a label, a PIN ...).

    The declaration is data, not code: listing backends (``kyso signers``, ``kyso sign --help``) reads it without
    importing the backend's libraries. The CLI spells option ``name`` of backend ``b`` as ``--b-name``; a secret
    one as ``--b-name-env VAR`` / ``--b-name-file FILE`` (or a prompt on a terminal), never as a value on the
    command line, where other users of the machine and the shell history would see it.
    """

    name: str
    """Lower-case words joined by dashes (``"token-label"``); ``open`` receives it as ``token_label=``."""
    help: str
    """One line for ``--help`` and ``kyso signers``; for a secret, what it is (``"the token's PIN"``)."""
    type: OptionType = "text"
    secret: bool = False
    """A password, PIN or passphrase: read from an environment variable, a file or a prompt, never argv."""
    required: bool = False
    """Without it the backend cannot open a signer. A required secret is prompted for on a terminal."""
    default: str | int | None = None
    """Passed to ``open`` when the option is not given (``None``: the keyword is left out)."""
    metavar: str | None = None

    def __post_init__(self) -> None:
        if not _OPTION_NAME.match(self.name):
            raise PluginError(f"signer option name {self.name!r} is not lower-case words joined by dashes")
        if self.secret and self.default is not None:
            raise PluginError(f"signer option {self.name!r}: a secret has no default")

    @property
    def keyword(self) -> str:
        """The keyword argument of :attr:`SignerBackend.open` that receives the value."""
        return self.name.replace("-", "_")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class SignerBackend:
    """A way to obtain a :class:`Signer`, offered by a plugin through ``kyso_register_signers``.

    ``open`` is called once per run (one ``kyso sign``, one whole ``kyso sync`` batch), so a backend that logs in
    to a token or a service does it once. If the :class:`Signer` it returns has a ``close()`` method, the caller
    calls it when the run ends (the CLI does), which is where a PKCS#11 session is logged out.
    """

    name: str
    """Lower-case letters and digits (``"pkcs12"``, ``"pkcs11"``, ``"smartca"``): it prefixes the CLI options."""
    description: str
    open: Callable[..., Signer]
    """Factory: receives each given :class:`SignerOption` by its :attr:`~SignerOption.keyword`, secrets as
    ``str``. Import heavy libraries inside it, not at module level: declaring a backend must stay cheap."""
    options: tuple[SignerOption, ...] = ()
    parallel: bool = False
    """Whether ``open`` may be called once in each of several worker processes that then sign at the same time
    (``kyso batch sign``): true for a key in a file (PKCS#12). False, the default, for a key held by one login
    (a PKCS#11 token, a remote session): the batch then signs in the one process holding it, one by one."""

    def __post_init__(self) -> None:
        if not _BACKEND_NAME.match(self.name):
            raise PluginError(f"signer backend name {self.name!r} is not lower-case letters and digits")
        seen: set[str] = set()
        for option in self.options:
            spelled = {f"{option.name}-env", f"{option.name}-file"} if option.secret else {option.name}
            if spelled & seen:
                raise PluginError(f"signer backend {self.name!r}: option {option.name!r} is declared twice")
            seen |= spelled

    def option(self, name: str) -> SignerOption:
        """The declared option ``name``; :class:`KeyError` if there is none."""
        for option in self.options:
            if option.name == name:
                return option
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "options": [option.to_dict() for option in self.options],
        }


class SignerRegistry(NamedRegistry[SignerBackend]):
    """Signer backends by name; filled by ``kyso_register_signers``."""

    what = "signer backend"

    @property
    def backends(self) -> dict[str, SignerBackend]:
        return self.entries


__all__ = ["OptionType", "Signer", "SignerBackend", "SignerOption", "SignerRegistry"]
