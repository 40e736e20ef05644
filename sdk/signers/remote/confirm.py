"""What every remote signer shares: the :class:`RemoteSigner` (``sign_raw`` and ``sign_digests``, every returned
value verified against the certificate before it is used) and :func:`await_confirmation`, the polling of an
asynchronous confirmation on the user's phone.

The polling, as a user sees it: a ``waiting`` :class:`~kyso.core.signer.SignerStatus` with the deadline (the CLI
prints "Vui lòng xác nhận trên điện thoại" and counts down), a status request every ``interval`` seconds (the first
one too: nobody confirms within milliseconds), the
interval growing by half up to ``max_interval`` (a phone confirmation takes seconds to minutes: no need to ask ten
times a second), until the service says signed, rejected, expired or failed, or Kyso's own ``timeout`` passes.
Cancelling (``control.cancel``, Ctrl-C) stops at once: the transaction is cancelled at the service where its API
allows (none of the three public APIs documents a cancel call: the request then lapses on the phone), and nothing
is written.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from kyso.core.errors import SignerError, SigningCancelledError, SigningTimeoutError, UsageError
from kyso.core.signer import SignerStatus, SigningControl, current_control, digest
from kyso.signers.held import HeldCertificate

DEFAULT_TIMEOUT = 300.0
"""Seconds Kyso waits for a confirmation (VNPT's sample clients poll for about five minutes)."""
DEFAULT_INTERVAL = 2.0
MAX_INTERVAL = 10.0


@dataclass
class Poll:
    """One status answer: still ``waiting`` (or ``signing``: confirmed, the service is at work), or ``signed``
    with the signature values in the order of the digests. Failures are raised by the profile as typed errors."""

    state: Literal["waiting", "signing", "signed"]
    signatures: list[bytes] = field(default_factory=list)


def await_confirmation(
    poll: Callable[[], Poll],
    *,
    control: SigningControl,
    status: SignerStatus,
    timeout: float = DEFAULT_TIMEOUT,
    interval: float = DEFAULT_INTERVAL,
    max_interval: float = MAX_INTERVAL,
    cancel_remote: Callable[[], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[list[bytes], float]:
    """Poll until signed; ``(signatures, seconds spent waiting between polls)``.

    :param status: the ``waiting`` report (count, transaction, service, deadline); re-sent on every poll.
    :raises SigningTimeoutError: ``timeout`` passed (the transaction cancelled where possible).
    :raises SigningCancelledError: ``control.cancel`` was set (same). A ``KeyboardInterrupt`` cancels the same
        way and is raised again.
    """
    started = clock()
    waited = 0.0
    delay = interval
    control.report(status)  # the request is on the phone now: say so before the first poll
    try:
        while True:
            # nobody confirms within milliseconds: the first status request comes after one interval too
            pause = min(delay, max(0.0, timeout - (clock() - started)))
            before = clock()
            control.wait(pause)
            waited += clock() - before
            delay = min(delay * 1.5, max_interval)
            answer = poll()
            if answer.state == "signed":
                control.report(_with(status, state="signed", done=status.count))
                return answer.signatures, waited
            if answer.state != "waiting":
                control.report(_with(status, state=answer.state))
            if clock() - started >= timeout:
                raise SigningTimeoutError(
                    f"{status.service}: no confirmation within {timeout:g} s",
                    vi=f"{status.service}: chưa được xác nhận sau {timeout:g} giây",
                )
    except (SigningCancelledError, SigningTimeoutError, KeyboardInterrupt) as exc:
        _cancel(cancel_remote)
        control.report(_with(status, state="cancelled" if not isinstance(exc, SigningTimeoutError) else "failed"))
        raise


def _cancel(cancel_remote: Callable[[], None] | None) -> None:
    if cancel_remote is None:
        return
    try:
        cancel_remote()
    except Exception:  # noqa: BLE001 - best effort: the request lapses on the phone anyway
        pass


def _with(status: SignerStatus, **changes: object) -> SignerStatus:
    import dataclasses

    return dataclasses.replace(status, **changes)  # type: ignore[arg-type]


class RemoteSigner(HeldCertificate):
    """A :class:`~kyso.core.signer.Signer` whose key lives on a service; subclasses implement :meth:`_sign`.

    ``sign_raw`` (what pyHanko and the XML-DSig engine call) hashes the data and asks for one signature with the
    caller's :func:`~kyso.core.signer.current_control`; ``sign_digests`` asks for a whole batch in one
    confirmation. Every value the service returns is verified with the certificate's key over the digest that was
    sent (:func:`kyso.signers.values.check_signature`): a service that answers with another key, for another
    document or garbage is refused with :class:`~kyso.core.errors.SignatureMismatchError` before anything is
    written.
    """

    service = "remote signing service"
    max_batch = 100
    """Digests per confirmation at most (services cap it; more are sent as several confirmations)."""

    def __init__(self, certificate: bytes, chain: tuple[bytes, ...]) -> None:
        from kyso.signers.values import key_algorithm

        self._hold(certificate, chain, key_algorithm(certificate))
        self.waited = 0.0
        """Seconds the last :meth:`sign_digests` spent waiting between polls (the user's confirmation time)."""

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        return self.sign_digests([digest(data, digest_algorithm)], digest_algorithm, control=current_control())[0]

    def sign_digests(
        self, digests: Sequence[bytes], digest_algorithm: str, *, control: SigningControl | None = None
    ) -> list[bytes]:
        from kyso.signers.values import check_signature

        control = control if control is not None else current_control()
        digest_algorithm = digest_algorithm.lower()
        if digest_algorithm not in ("sha256", "sha384", "sha512"):
            raise SignerError(f"digest algorithm {digest_algorithm!r} is not allowed for signing")
        self.waited = 0.0
        signatures: list[bytes] = []
        for start in range(0, len(digests), self.max_batch):
            batch = list(digests[start : start + self.max_batch])
            control.report(SignerStatus("started", count=len(batch), service=self.service))
            values = self._sign(batch, digest_algorithm, control)
            if len(values) != len(batch):
                raise SignerError(f"{self.service} returned {len(values)} signatures for {len(batch)} documents")
            for value, asked in zip(values, batch, strict=True):
                check_signature(self._certificate, asked, value, digest_algorithm, what=self.service)
            signatures.extend(values)
        return signatures

    def _sign(self, digests: list[bytes], digest_algorithm: str, control: SigningControl) -> list[bytes]:
        """Signature values of ``digests`` from the service, in order (not yet verified)."""
        raise NotImplementedError

    def close(self) -> None:
        """Nothing to log out of by default."""

    def __repr__(self) -> str:  # never a token or a secret
        return f"<{type(self).__name__} {self.service} certificate={len(self._certificate)} bytes>"


class PhoneSigner(RemoteSigner):
    """A :class:`RemoteSigner` whose service confirms each batch on the user's phone (SmartCA, MySign): the
    subclass starts a transaction and polls it; :meth:`_confirm` reports and waits."""

    def __init__(
        self,
        certificate: bytes,
        chain: tuple[bytes, ...],
        *,
        confirm_timeout: float = DEFAULT_TIMEOUT,
        poll_interval: float = DEFAULT_INTERVAL,
    ) -> None:
        super().__init__(certificate, chain)
        self.confirm_timeout = confirm_timeout
        self.poll_interval = poll_interval

    def _confirm(
        self, poll: Callable[[], Poll], control: SigningControl, *, count: int, transaction: str
    ) -> list[bytes]:
        """Wait (see :func:`await_confirmation`) for the transaction ``transaction`` of ``count`` digests."""
        status = SignerStatus(
            "waiting",
            count=count,
            deadline=time.time() + self.confirm_timeout,
            transaction=transaction,
            service=self.service,
        )
        values, self.waited = await_confirmation(
            poll, control=control, status=status, timeout=self.confirm_timeout, interval=self.poll_interval
        )
        return values


def poll_seconds(value: str | float) -> float:
    """``--<backend>-poll-interval`` as seconds (0.01 to 60)."""
    try:
        seconds = float(value)
    except ValueError:
        raise UsageError(f"poll interval {value!r} is not a number of seconds", parameter="poll_interval") from None
    if not 0.01 <= seconds <= 60:
        raise UsageError("the poll interval must be between 0.01 and 60 seconds", parameter="poll_interval")
    return seconds


__all__ = [
    "DEFAULT_INTERVAL",
    "DEFAULT_TIMEOUT",
    "Poll",
    "RemoteSigner",
    "PhoneSigner",
    "await_confirmation",
    "poll_seconds",
]
