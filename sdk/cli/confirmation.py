"""What a user sees while a remote signer waits for the confirmation on the phone, and what Ctrl-C does.

The library reports :class:`~kyso.core.signer.SignerStatus` through a :class:`~kyso.core.signer.SigningControl`;
this module renders it on stderr: "Vui lòng xác nhận trên điện thoại" with the service, the transaction code and a
countdown (redrawn every second on a terminal, one line per change elsewhere). Ctrl-C sets the control's cancel
event: the signer stops polling, cancels the transaction where the service allows, and the command ends with
:class:`~kyso.core.errors.SigningCancelledError` (exit 2, nothing written). A second Ctrl-C interrupts at once.

Public for command authors: ``with confirmation(lang) as control:`` around a call that signs.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any, TextIO

from kyso.core.signer import SignerStatus, SigningControl, signing_control

_TEXT = {
    "vi": {
        "waiting": "Vui lòng xác nhận trên điện thoại",
        "signing": "Đã xác nhận, dịch vụ đang ký",
        "signed": "Đã ký",
        "cancelled": "Đã huỷ yêu cầu ký",
        "failed": "Yêu cầu ký không thành công",
        "code": "mã giao dịch",
        "documents": "văn bản",
        "left": "còn",
    },
    "en": {
        "waiting": "Please confirm on your phone",
        "signing": "Confirmed, the service is signing",
        "signed": "Signed",
        "cancelled": "Signing request cancelled",
        "failed": "Signing request failed",
        "code": "transaction code",
        "documents": "documents",
        "left": "time left",
    },
}


class ConfirmationDisplay:
    """Renders the statuses of one signing on ``stream``; :meth:`__call__` is the status callback."""

    def __init__(self, lang: str = "vi", stream: TextIO | None = None) -> None:
        self.text = _TEXT["en" if lang == "en" else "vi"]
        self.stream = stream if stream is not None else sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self._status: SignerStatus | None = None
        self._shown: str | None = None
        self._lock = threading.Lock()
        self._ticker: threading.Thread | None = None
        self._done = threading.Event()

    def __call__(self, status: SignerStatus) -> None:
        if status.state == "started":
            return
        with self._lock:
            previous, self._status = self._status, status
            if previous is None or previous.state != status.state or not self.live:
                self._draw(status, changed=previous is None or previous.state != status.state)
        if self.live and status.state in ("waiting", "signing") and self._ticker is None:
            self._ticker = threading.Thread(target=self._tick, name="kyso-countdown", daemon=True)
            self._ticker.start()

    def line(self, status: SignerStatus) -> str:
        """The line shown for ``status``, e.g. ``Vui lòng xác nhận trên điện thoại (VNPT SmartCA, mã giao dịch
        123456, 3 văn bản): còn 4:59``."""
        from kyso.text import printable

        t = self.text
        details = [
            d
            for d in (
                status.service,
                f"{t['code']} {status.transaction}" if status.transaction else None,
                f"{status.count} {t['documents']}" if status.count > 1 else None,
            )
            if d
        ]
        line = t.get(status.state, status.state) + (f" ({', '.join(details)})" if details else "")
        left = status.seconds_left()
        if status.state in ("waiting", "signing") and left is not None:
            line += f": {t['left']} {int(left) // 60}:{int(left) % 60:02d}"
        return printable(line)

    def _draw(self, status: SignerStatus, *, changed: bool) -> None:
        line = self.line(status)
        if self.live:
            self.stream.write("\r\x1b[2K" + line + ("\n" if status.state not in ("waiting", "signing") else ""))
        elif changed:
            self.stream.write(line + "\n")
        self.stream.flush()
        self._shown = line

    def _tick(self) -> None:
        while not self._done.wait(1.0):
            with self._lock:
                if self._status is None or self._status.state not in ("waiting", "signing"):
                    return
                self._draw(self._status, changed=False)

    def close(self) -> None:
        self._done.set()
        if self.live and self._status is not None and self._status.state in ("waiting", "signing"):
            self.stream.write("\n")
            self.stream.flush()


@contextlib.contextmanager
def confirmation(lang: str = "vi", stream: TextIO | None = None) -> Iterator[SigningControl]:
    """A :class:`SigningControl` that renders on stderr, current for the block; Ctrl-C cancels it (the first time;
    a second Ctrl-C interrupts at once). Call ``control.raise_if_cancelled()`` before writing the result: a local
    signer never looks at the event, and a signing the user cancelled must not be written."""
    display = ConfirmationDisplay(lang, stream)
    control = SigningControl(on_status=display)
    previous: Any = None
    main = threading.current_thread() is threading.main_thread()

    def on_interrupt(signum: int, frame: Any) -> None:
        if control.cancelled:
            raise KeyboardInterrupt
        control.cancel.set()

    if main:
        previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        with signing_control(control):
            yield control
    finally:
        display.close()
        if main:
            signal.signal(signal.SIGINT, previous)


__all__ = ["ConfirmationDisplay", "confirmation"]
