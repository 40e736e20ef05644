"""Kyso Desktop: a small signing program for a văn thư, on Kyso's Python API (tkinter, in Python's standard library:
Windows, macOS, Linux).

Open a PDF, choose the kind of signature, pick a certificate of the USB token, type the PIN, sign; the signed copy is
written next to the file (``<name>.signed.pdf``) and verified, and the verdict is shown.

    python examples/desktop/kyso_desktop.py [--module LIBRARY] [--token LABEL] [--trust ROOT.pem] [FILE.pdf]
"""

from __future__ import annotations

import argparse
import tkinter as tk
from datetime import timedelta, timezone
from pathlib import Path
from tkinter import filedialog, ttk

import kyso
from kyso.core.errors import KysoError

KINDS = {
    "Ký số (không hình)": None,
    "Ký duyệt (chữ ký tay)": "approval",
    "Ký văn bản đến": "income",
}
TITLE = "Kyso - Ký số văn bản"
VIETNAM = timezone(timedelta(hours=7))


class DesktopApp:
    """The window; every step calls the public API (``kyso.sign``, ``kyso.verify``, the PKCS#11 discovery)."""

    def __init__(
        self, root: tk.Tk, *, module: str | None, token: str | None, trust: list[str], image: str | None
    ) -> None:
        self.root, self.module, self.token, self.trust, self.image = root, module, token, trust, image
        self.path: Path | None = None
        self.certificates: list[tuple[str, str]] = []  # (token label, key label)
        root.title(TITLE)
        root.geometry("760x520")
        frame = ttk.Frame(root, padding=14)
        frame.pack(fill="both", expand=True)
        frame.columnconfigure(1, weight=1)
        ttk.Button(frame, text="Mở văn bản PDF...", command=self.choose_file).grid(row=0, column=0, sticky="w")
        self.file_label = ttk.Label(frame, text="Chưa chọn văn bản")
        self.file_label.grid(row=0, column=1, sticky="w", padx=8)
        ttk.Label(frame, text="Loại chữ ký:").grid(row=1, column=0, sticky="w", pady=(12, 0))
        self.kind = tk.StringVar(value=next(iter(KINDS)))
        ttk.OptionMenu(frame, self.kind, self.kind.get(), *KINDS).grid(row=1, column=1, sticky="w", pady=(12, 0))
        ttk.Label(frame, text="Chứng thư số:").grid(row=2, column=0, sticky="nw", pady=(12, 0))
        self.certificate_list = tk.Listbox(frame, height=4, exportselection=False)
        self.certificate_list.grid(row=2, column=1, sticky="we", pady=(12, 0))
        ttk.Label(frame, text="Mã PIN:").grid(row=3, column=0, sticky="w", pady=(12, 0))
        self.pin = ttk.Entry(frame, show="•", width=24)
        self.pin.grid(row=3, column=1, sticky="w", pady=(12, 0))
        self.sign_button = ttk.Button(frame, text="Ký số", command=self.sign)
        self.sign_button.grid(row=4, column=1, sticky="w", pady=12)
        ttk.Label(frame, text="Kết quả kiểm tra:").grid(row=5, column=0, sticky="nw")
        self.result = tk.Text(frame, height=9, wrap="word", font=("DejaVu Sans", 10))
        self.result.grid(row=5, column=1, sticky="nsew")
        frame.rowconfigure(5, weight=1)
        root.bind("<Return>", lambda _event: self.sign())
        self.load_certificates()
        self.pin.focus_set()

    def load_certificates(self) -> None:
        """The certificates of every token of the module that have their key on the token."""
        from kyso.signers.pkcs11.discovery import describe_module, find_modules

        modules = [self.module] if self.module else find_modules()
        for module in modules:
            for token in describe_module(module).tokens:
                if self.token and token.label != self.token:
                    continue
                for certificate in token.certificates:
                    if certificate.has_key:
                        self.certificates.append((token.label, certificate.label or ""))
                        self.certificate_list.insert("end", f"{certificate.holder}  (token {token.label})")
        if self.certificates:
            self.certificate_list.selection_set(0)
        else:
            self.certificate_list.insert("end", "Không thấy USB token nào có chứng thư số")

    def choose_file(self) -> None:
        name = filedialog.askopenfilename(filetypes=[("PDF", "*.pdf")])
        if name:
            self.open(Path(name))

    def open(self, path: Path) -> None:
        self.path = path
        self.file_label.configure(text=path.name)

    def show(self, text: str) -> None:
        self.result.delete("1.0", "end")
        self.result.insert("1.0", text)

    def sign(self) -> None:
        from kyso.signers.pkcs11 import open_token_signer

        if self.path is None or not self.certificates or not self.certificate_list.curselection():
            self.show("Hãy chọn văn bản và chứng thư số.")
            return
        token_label, key_label = self.certificates[self.certificate_list.curselection()[0]]
        kind = KINDS[self.kind.get()]
        options = {"image": self.image} if kind == "approval" and self.image else {}
        try:
            with open_token_signer(self.module, token_label=token_label, key_label=key_label, pin=self.pin.get()) as s:
                signed = kyso.sign(self.path.read_bytes(), signer=s, kind=kind, name=self.path.name, **options)
            output = self.path.with_name(self.path.stem + ".signed.pdf")
            output.write_bytes(signed)
            report = kyso.verify(signed, trust=self.trust, revocation="off" if not self.trust else "soft")
        except KysoError as error:
            self.show("Không ký được: " + error.diagnostics("vi"))
            return
        lines = [f"Đã ký và lưu: {output.name}", ""]
        for signature in report.signatures:
            verdict = {"TOTAL_PASSED": "HỢP LỆ", "TOTAL_FAILED": "KHÔNG HỢP LỆ"}.get(
                str(signature.indication), "CHƯA XÁC ĐỊNH"
            )
            lines.append(f"Chữ ký của {signature.signer.common_name}: {verdict}")
            if signature.signing_time:
                moment = signature.signing_time.astimezone(VIETNAM)
                lines.append(f"  Thời điểm ký: {moment:%d/%m/%Y %H:%M:%S} (giờ Việt Nam)")
        self.show("\n".join(lines))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path)
    parser.add_argument("--module", help="the token's PKCS#11 library (default: the one found)")
    parser.add_argument("--token", help="show only this token's certificates (its label)")
    parser.add_argument("--trust", action="append", default=[], help="trust anchor (PEM/DER), repeatable")
    parser.add_argument("--image", help="the handwritten signature (PNG) of Ký duyệt")
    arguments = parser.parse_args(argv)
    root = tk.Tk(className="kyso-desktop")
    app = DesktopApp(root, module=arguments.module, token=arguments.token, trust=arguments.trust, image=arguments.image)
    if arguments.file:
        app.open(arguments.file)
    root.mainloop()


if __name__ == "__main__":
    main()
