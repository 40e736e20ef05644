"""The user's consent to each signature: a small tkinter window (Windows, macOS, Linux), a terminal prompt when
there is no display, or ``allowlisted`` (kiosks, tests: every call from an allowlisted origin is accepted).

The window runs in its own process (``python -m kyso.agent.consent``: the request as JSON on stdin, the answer on
stdout), so a Tk main loop never shares the service's threads and a crashed window is a refusal, not a dead
service. It shows what is signed (document, kind, requesting origin, certificate) and asks for the PIN when the
signer needs one; Enter signs, Escape refuses; no answer within the time limit is a refusal. One dialog at a time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from typing import Any, Protocol

TITLE = "Kyso - Xác nhận ký số"
WINDOW_TIMEOUT = 120.0


@dataclass(frozen=True)
class ConsentRequest:
    """What the user is asked to sign."""

    origin: str
    endpoint: str
    document: str
    kind: str
    certificate: str
    needs_pin: bool = False


@dataclass(frozen=True)
class Consent:
    approved: bool
    pin: str | None = None

    def __repr__(self) -> str:  # never show the PIN
        return f"Consent(approved={self.approved}, pin={'***' if self.pin else None})"


class Asker(Protocol):
    def ask(self, request: ConsentRequest) -> Consent: ...


class Allowlisted:
    """``--consent allowlisted``: the origin allowlist is the consent (the PIN comes from ``--pin-env``)."""

    name = "allowlisted"

    def ask(self, request: ConsentRequest) -> Consent:
        return Consent(True)


class TerminalPrompt:
    """``--consent terminal``: a question on the agent's terminal (``/dev/tty``), answered ``y`` to sign."""

    name = "terminal"

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def ask(self, request: ConsentRequest) -> Consent:
        import click

        with self._lock:
            click.echo(f"\n{TITLE}", err=True)
            for label, value in _lines(request):
                click.echo(f"  {label}: {_printable(value)}", err=True)
            if not click.confirm("Ký văn bản này? / Sign this document?", default=False, err=True):
                return Consent(False)
            pin = click.prompt("Mã PIN", hide_input=True, err=True) if request.needs_pin else None
            return Consent(True, pin)


class Dialog:
    """``--consent dialog``: the tkinter window, in a child process (see the module's docstring)."""

    name = "dialog"

    def __init__(self, timeout: float = WINDOW_TIMEOUT) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()

    def ask(self, request: ConsentRequest) -> Consent:
        with self._lock:
            try:
                done = subprocess.run(
                    [sys.executable, "-m", "kyso.agent.consent", str(self.timeout)],
                    input=json.dumps(asdict(request)),
                    capture_output=True,
                    text=True,
                    timeout=self.timeout + 10,
                )
                answer = json.loads(done.stdout or "{}")
            except (subprocess.TimeoutExpired, ValueError, OSError):
                return Consent(False)
        return Consent(answer.get("approved") is True, answer.get("pin") or None)


def _printable(text: str) -> str:
    from kyso.text import printable

    return printable(text)


def _lines(request: ConsentRequest) -> list[tuple[str, str]]:
    return [
        ("Trang yêu cầu", request.origin),
        ("Văn bản", request.document),
        ("Loại chữ ký", request.kind),
        ("Chứng thư số", request.certificate),
    ]


def show_window(request: ConsentRequest, timeout: float = WINDOW_TIMEOUT) -> Consent:
    """The consent window (blocks until the user answers or ``timeout`` seconds pass)."""
    import tkinter as tk

    result: dict[str, Any] = {"approved": False, "pin": None}
    root = tk.Tk(className="kyso-consent")
    root.title(TITLE)
    root.resizable(False, False)
    root.attributes("-topmost", True)
    frame = tk.Frame(root, padx=18, pady=14)
    frame.pack(fill="both", expand=True)
    tk.Label(frame, text="Một trang web yêu cầu ký số văn bản", font=("DejaVu Sans", 12, "bold")).grid(
        row=0, column=0, columnspan=2, sticky="w", pady=(0, 10)
    )
    for row, (label, value) in enumerate(_lines(request), start=1):
        tk.Label(frame, text=label + ":", font=("DejaVu Sans", 10)).grid(row=row, column=0, sticky="nw", padx=(0, 8))
        tk.Label(frame, text=_printable(value), font=("DejaVu Sans", 10, "bold"), wraplength=380, justify="left").grid(
            row=row, column=1, sticky="w"
        )
    pin_entry = None
    row = len(_lines(request)) + 1
    if request.needs_pin:
        tk.Label(frame, text="Mã PIN:", font=("DejaVu Sans", 10)).grid(row=row, column=0, sticky="w", pady=(10, 0))
        pin_entry = tk.Entry(frame, show="•", width=24, name="pin")
        pin_entry.grid(row=row, column=1, sticky="w", pady=(10, 0))
        row += 1

    def sign(_event: object = None) -> None:
        result["approved"] = True
        result["pin"] = pin_entry.get() if pin_entry is not None else None
        root.destroy()

    def refuse(_event: object = None) -> None:
        root.destroy()

    buttons = tk.Frame(frame, pady=12)
    buttons.grid(row=row, column=0, columnspan=2, sticky="e")
    tk.Button(buttons, text="Từ chối (Esc)", command=refuse, name="refuse", width=12).pack(side="right", padx=4)
    tk.Button(buttons, text="Ký (Enter)", command=sign, name="sign", width=12, default="active").pack(side="right")
    root.bind("<Return>", sign)
    root.bind("<Escape>", refuse)
    root.protocol("WM_DELETE_WINDOW", refuse)
    root.after(int(timeout * 1000), refuse)
    root.update_idletasks()
    x = (root.winfo_screenwidth() - root.winfo_reqwidth()) // 2
    y = (root.winfo_screenheight() - root.winfo_reqheight()) // 3
    root.geometry(f"+{max(x, 0)}+{max(y, 0)}")
    root.lift()
    root.focus_force()
    (pin_entry or root).focus_set()
    root.mainloop()
    return Consent(bool(result["approved"]), result["pin"])


def main() -> None:
    timeout = float(sys.argv[1]) if len(sys.argv) > 1 else WINDOW_TIMEOUT
    request = ConsentRequest(**json.loads(sys.stdin.read()))
    try:
        consent = show_window(request, timeout)
    except Exception:  # no display, no Tk: a refusal
        consent = Consent(False)
    sys.stdout.write(json.dumps({"approved": consent.approved, "pin": consent.pin}))


def has_display() -> bool:
    """Whether a window can be shown: always on Windows and macOS, with ``DISPLAY`` or ``WAYLAND_DISPLAY`` elsewhere."""
    import os

    return sys.platform in ("win32", "darwin") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def asker(mode: str) -> Asker:
    """The consent of ``--consent MODE``; ``dialog`` without a display is the terminal prompt."""
    if mode == "dialog" and not has_display():
        return TerminalPrompt()
    return {"dialog": Dialog, "terminal": TerminalPrompt, "allowlisted": Allowlisted}[mode]()


if __name__ == "__main__":
    main()

__all__ = ["Allowlisted", "Consent", "ConsentRequest", "Dialog", "TerminalPrompt", "asker", "show_window"]
