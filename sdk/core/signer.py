"""The *who* of signing: a key that can sign, wherever it lives (file, token, remote service).

Format plugins only need :class:`Signer`; backends (PKCS#12, PKCS#11, CSC ...) implement it and are offered to the
CLI through ``kyso_register_signers``.

One protocol, one optional capability. A remote service (CSC, VNPT SmartCA, Viettel MySign) signs *digests*, asks
its user to confirm on a phone, and confirms several documents at once; a signer that can do that also has
``sign_digests(digests, digest_algorithm, *, control)`` (see :class:`Signer`). Callers never test for it
themselves: :func:`sign_many` uses it when it is there and falls back to ``sign_raw`` one by one otherwise, so a
PKCS#12 file or a third-party signer written before keeps working unchanged. What the caller hands a signer for one
call, where the progress goes and how to stop it, is a :class:`SigningControl`; a signer deep inside a format
plugin (pyHanko calls ``sign_raw``) finds the caller's control with :func:`current_control`.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import hashlib
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from kyso.core.errors import PluginError, SignerError, SigningCancelledError
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

    # Optional capability, not part of the runtime check (detect it with :func:`signs_digests`):
    #
    #     def sign_digests(self, digests: Sequence[bytes], digest_algorithm: str, *,
    #                      control: SigningControl) -> list[bytes]:
    #         """Sign each already-hashed digest, in order, in one go (one confirmation on the user's phone);
    #         report progress through control.report(...), stop when control.cancelled, and raise a KysoError
    #         (rejected, expired, timed out ...) rather than return fewer signatures."""


SignerState = Literal["started", "waiting", "signing", "signed", "cancelled", "failed"]
"""Where one signing call stands: ``waiting`` for the user's confirmation, ``signing`` (confirmed, the service is
signing), ``signed``, ``cancelled`` or ``failed``; ``started`` before anything is asked."""


@dataclass(frozen=True)
class SignerStatus:
    """One progress report of a signer, for a caller to show (the CLI's countdown, a web page's spinner).

    The signer reports facts; wording and rendering are the caller's (the CLI prints "Vui lòng xác nhận trên điện
    thoại" and counts :attr:`deadline` down).
    """

    state: SignerState
    count: int = 1
    """Documents (digests) in this confirmation."""
    done: int = 0
    """Of :attr:`count`, how many are signed."""
    deadline: float | None = None
    """When the request expires, as a :func:`time.time` value (``None``: unknown)."""
    transaction: str | None = None
    """The service's transaction id, for the user's records and support calls."""
    service: str | None = None
    """The service's name (``"VNPT SmartCA"``), to say where to confirm."""

    def seconds_left(self, now: float | None = None) -> float | None:
        """Seconds until :attr:`deadline` (never negative), ``None`` when there is none."""
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - (time.time() if now is None else now))


StatusCallback = Callable[[SignerStatus], None]


@dataclass
class SigningControl:
    """What a caller hands a signer for one call: where its :class:`SignerStatus` reports go, and how to stop it.

    ``cancel`` is a :class:`threading.Event` another thread (a Cancel button, a signal handler) may set; a signer
    that waits checks it, cancels the service's transaction where the API allows, and raises
    :class:`~kyso.core.errors.SigningCancelledError`.
    """

    on_status: StatusCallback | None = None
    cancel: threading.Event = dataclasses.field(default_factory=threading.Event)

    @property
    def cancelled(self) -> bool:
        return self.cancel.is_set()

    def report(self, status: SignerStatus) -> None:
        """Pass ``status`` to the caller; a failing callback never fails the signing."""
        if self.on_status is not None:
            try:
                self.on_status(status)
            except Exception:  # noqa: BLE001 - a display problem is not a signing problem
                pass

    def raise_if_cancelled(self) -> None:
        if self.cancelled:
            raise SigningCancelledError("the signing was cancelled", vi="yêu cầu ký đã bị huỷ")

    def wait(self, seconds: float) -> None:
        """Sleep ``seconds`` unless cancelled first (then :class:`SigningCancelledError`)."""
        if self.cancel.wait(max(0.0, seconds)):
            self.raise_if_cancelled()


_CONTROL: contextvars.ContextVar[SigningControl | None] = contextvars.ContextVar("kyso_signing_control", default=None)


@contextlib.contextmanager
def signing_control(control: SigningControl) -> Iterator[SigningControl]:
    """Make ``control`` the :func:`current_control` inside the block (and in the threads and tasks it starts):
    how ``kyso.sign(...)`` gets a status callback and a cancel event through a format plugin to the signer."""
    token = _CONTROL.set(control)
    try:
        yield control
    finally:
        _CONTROL.reset(token)


def current_control() -> SigningControl:
    """The caller's :class:`SigningControl` (see :func:`signing_control`), or a fresh one that reports nowhere."""
    control = _CONTROL.get()
    return control if control is not None else SigningControl()


def signs_digests(signer: object) -> bool:
    """Whether ``signer`` has the optional ``sign_digests`` capability (a batch of digests in one call)."""
    return callable(getattr(signer, "sign_digests", None))


DIGESTS: dict[str, Callable[..., Any]] = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}
"""The digest algorithms Kyso signs with."""


def digest(data: bytes, digest_algorithm: str) -> bytes:
    """``data`` hashed with ``digest_algorithm`` (``"sha256"``, ``"sha384"``, ``"sha512"``)."""
    try:
        return bytes(DIGESTS[digest_algorithm.lower()](data).digest())
    except KeyError:
        raise SignerError(f"digest algorithm {digest_algorithm!r} is not allowed for signing") from None


def sign_many(
    signer: Signer, items: Sequence[bytes], digest_algorithm: str, *, control: SigningControl | None = None
) -> list[bytes]:
    """Sign every ``items[i]`` (the data to be signed, not yet hashed) and return the signatures in order.

    A signer with ``sign_digests`` gets all the digests in one call (one confirmation for the whole batch); any
    other signer signs with ``sign_raw`` item by item, ``control`` reporting progress and cancelling between items.
    """
    control = control if control is not None else current_control()
    if signs_digests(signer):
        digests = [digest(item, digest_algorithm) for item in items]
        with signing_control(control):
            signatures = list(signer.sign_digests(digests, digest_algorithm, control=control))  # type: ignore[attr-defined]
        if len(signatures) != len(items):
            raise SignerError(f"the signer returned {len(signatures)} signatures for {len(items)} documents")
        return signatures
    signatures = []
    for done, item in enumerate(items):
        control.raise_if_cancelled()
        control.report(SignerStatus("signing", count=len(items), done=done))
        signatures.append(signer.sign_raw(item, digest_algorithm))
    control.report(SignerStatus("signed", count=len(items), done=len(items)))
    return signatures


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


__all__ = [
    "DIGESTS",
    "OptionType",
    "Signer",
    "SignerBackend",
    "SignerOption",
    "SignerRegistry",
    "SignerState",
    "SignerStatus",
    "SigningControl",
    "StatusCallback",
    "current_control",
    "digest",
    "sign_many",
    "signing_control",
    "signs_digests",
]
