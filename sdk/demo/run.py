"""``kyso demo``: the main job on an embedded default, offline.

A demo PKI (test material, marked as such in every certificate) is generated and its OCSP, CRL and time-stamping
services are served on 127.0.0.1; a sample official letter is signed by the chairman (visible, in the signer
block: approval, ký duyệt) and by the organisation (its seal: issuance, ký phát hành), time-stamped, then verified
with revocation checked by OCSP.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kyso.core.models import VerificationReport

LETTER_NUMBER = "123/UBND-VX"
DRAFT_NUMBER = " " * 8 + "/UBND-VX"
"""The number place of the draft: blank before the notation, filled in by the issuance."""
DRAFT_DATE = "Nghệ An, ngày       tháng       năm 2026"


ISSUED_DATE = "2026-11-22"
SIGNATURE_PNG = "chu-ky-mau.png"
SEAL_PNG = "con-dau-mau.png"
PASSWORD_FILE = "mat-khau-demo.txt"


@dataclass(frozen=True)
class DemoResult:
    """What the demo produced."""

    unsigned: Path
    signed: Path
    trust_anchor: Path
    report: VerificationReport
    commands: tuple[str, ...] = ()
    """The ``kyso`` command lines that redo the signing and the verification from the demo's files."""


def reproduce_commands(out_dir: Path, signature_box: tuple[float, float, float, float]) -> tuple[str, ...]:
    """``kyso sign`` (approval, then issuance) and ``kyso verify`` lines over the files the demo wrote: a newcomer
    copies them and gets the demo's result from the command line. PAdES B-B and revocation off, because the demo's
    OCSP, CRL and time-stamping services stop with the demo."""
    import shlex

    def path(name: str) -> str:
        return shlex.quote((out_dir / name).as_posix())

    box = ",".join(f"{v:g}" for v in signature_box)
    secret = f"--password-file {path(PASSWORD_FILE)}"
    return (
        f"kyso sign {path('cong-van-mau.pdf')} -o {path('cong-van-mau.duyet.pdf')} "
        f"--p12 {path('pki/person.p12')} {secret} --kind approval --image {path(SIGNATURE_PNG)} --page 1 --box {box}",
        f"kyso sign {path('cong-van-mau.duyet.pdf')} -o {path('cong-van-mau.phat-hanh.pdf')} "
        f"--p12 {path('pki/organisation.p12')} {secret} --kind issuance --seal {path(SEAL_PNG)} "
        f"--doc-number {shlex.quote(LETTER_NUMBER)} --issued-date {ISSUED_DATE}",
        f"kyso verify {path('cong-van-mau.phat-hanh.pdf')} --trust {path('pki/root.cert.pem')} --revocation off",
    )


_STEPS = {
    "vi": (
        "1/4 PKI mẫu (chứng thư thử nghiệm) tại {pki}",
        "    OCSP, CRL và dấu thời gian phục vụ tại {url}",
        "2/4 công văn mẫu: {letter}; chữ ký và con dấu mẫu: {signature}, {seal}",
        "3/4 chủ tịch ký duyệt, văn thư ký phát hành bằng khóa của cơ quan (PAdES B-T): {signed}",
        "4/4 đã kiểm tra với CA gốc {root}, có kiểm tra thu hồi OCSP/CRL",
        "Để làm lại từ dòng lệnh (B-B; các dịch vụ của bản demo đã dừng):",
    ),
    "en": (
        "1/4 demo PKI (test material) in {pki}",
        "    OCSP, CRL and time-stamping served on {url}",
        "2/4 sample official letter: {letter}; sample signature and seal: {signature}, {seal}",
        "3/4 approval by the chairman, issuance by the organisation (PAdES B-T): {signed}",
        "4/4 verified against {root} with OCSP/CRL revocation checking",
        "To do it again from the command line (B-B, the demo's services have stopped):",
    ),
}
"""What the demo says as it goes, in the run's language."""


def demo_step(index: int, lang: str = "vi", **values: object) -> str:
    """Line ``index`` of :data:`_STEPS` in ``lang`` (``vi`` unless ``en``)."""
    return _STEPS["en" if lang == "en" else "vi"][index].format(**values)


def run_demo(out_dir: Path, echo: Callable[[str], None] = print, *, lang: str = "vi") -> DemoResult:
    """Generate, sign, verify; every file goes under ``out_dir``; progress through ``echo`` in ``lang``."""
    import kyso
    from kyso.demo.letter import sample_letter
    from kyso.demo.marks import sample_seal_png, sample_signature_png
    from kyso.files import write_atomically
    from kyso.testing.pki import TestPKI

    out_dir.mkdir(parents=True, exist_ok=True)
    echo(demo_step(0, lang, pki=out_dir / "pki"))
    pki = TestPKI.generate(out_dir / "pki", label="DEMO")
    with pki.serve():
        echo(demo_step(1, lang, url=pki.base_url))
        # a draft as approved: the number and the date are blank, the issuance fills them in (Nghị định 30)
        letter = sample_letter(number=DRAFT_NUMBER, date_text=DRAFT_DATE)
        unsigned = out_dir / "cong-van-mau.pdf"
        write_atomically(unsigned, letter.pdf)
        # the sample marks and the demo password, so that the printed commands run as they are (test material)
        write_atomically(out_dir / SIGNATURE_PNG, sample_signature_png())
        write_atomically(out_dir / SEAL_PNG, sample_seal_png())
        write_atomically(out_dir / PASSWORD_FILE, (pki.password + "\n").encode())
        (out_dir / PASSWORD_FILE).chmod(0o600)
        echo(demo_step(2, lang, letter=unsigned, signature=SIGNATURE_PNG, seal=SEAL_PNG))
        chairman = kyso.Pkcs12Signer.from_file(pki.p12("person"), pki.password)
        organisation = kyso.Pkcs12Signer.from_file(pki.p12("organisation"), pki.password)
        # Nghị định 30/2020: the competent person approves (handwritten signature image between title and name),
        # then the văn thư issues with the organisation's key (seal over the left third of the signature)
        approved = kyso.sign(
            letter.pdf,
            signer=chairman,
            kind="approval",
            image=sample_signature_png(),
            box=letter.signature_box,
            page=1,
            level="B-T",
            tsa=pki.tsa_url,
            location="Nghệ An",
        )
        issued = kyso.sign(
            approved,
            signer=organisation,
            kind="issuance",
            seal=sample_seal_png(),
            doc_number=LETTER_NUMBER,
            issued_date=ISSUED_DATE,
            level="B-T",
            tsa=pki.tsa_url,
        )
        signed = out_dir / "cong-van-mau.signed.pdf"
        write_atomically(signed, issued)
        echo(demo_step(3, lang, signed=signed))
        report = kyso.verify(issued, trust=[pki.root_cert], revocation="hard", name=signed.name)
        echo(demo_step(4, lang, root=pki.root_cert.name))
    commands = reproduce_commands(out_dir, letter.signature_box)
    return DemoResult(unsigned=unsigned, signed=signed, trust_anchor=pki.root_cert, report=report, commands=commands)
