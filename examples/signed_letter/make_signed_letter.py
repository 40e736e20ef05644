"""Produce a fully signed sample công văn: approval (ký duyệt) then issuance (ký phát hành), as Nghị định 30 wants.

    python examples/signed_letter/make_signed_letter.py [OUT_DIR]

Writes into OUT_DIR (default ``kyso-signed-letter``):

- ``cong-van.pdf``: the unsigned sample letter (``kyso.demo.letter``), one A4 page with a signer block;
- ``chu-ky.png`` and ``con-dau.png``: a sample handwritten signature (blue) and seal (red, 36 mm), transparent;
- ``cong-van-da-ky.pdf``: the letter signed by the competent person (approval: the signature image between the
  title "CHỦ TỊCH" and the name, found in the page's text), then by the organisation (issuance: the seal at its
  real size over the left third of the signature, with the number and date of issue);
- ``trang-cuoi.png``: its last page rendered at 110 dpi (needs ``pdftoppm`` from poppler-utils);
- ``pki/``: the generated TEST PKI whose keys signed it (``kyso.testing.pki.TestPKI``; nothing here chains to the
  real RootCA chuyên dùng Chính phủ).

It then verifies the result and prints each signature's kind and verdict. Everything is test material.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import kyso
from kyso.demo.letter import sample_letter
from kyso.demo.marks import sample_seal_png, sample_signature_png
from kyso.testing.pki import TestPKI


def main(out_dir: Path) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    pki = TestPKI.generate(out_dir / "pki")
    person = kyso.Pkcs12Signer.from_file(pki.p12("person"), pki.password)  # the competent person (Chủ tịch)
    organisation = kyso.Pkcs12Signer.from_file(pki.p12("organisation"), pki.password)  # the organisation's key

    letter = sample_letter(number="123/UBND-VX")
    (out_dir / "cong-van.pdf").write_bytes(letter.pdf)
    signature, seal = out_dir / "chu-ky.png", out_dir / "con-dau.png"
    signature.write_bytes(sample_signature_png())
    seal.write_bytes(sample_seal_png("ỦY BAN NHÂN DÂN TỈNH NGHỆ AN"))

    approved = kyso.sign(letter.pdf, signer=person, kind="approval", image=signature, anchor="CHỦ TỊCH")
    issued = kyso.sign(
        approved,
        signer=organisation,
        kind="issuance",
        seal=seal,
        doc_number="123/UBND-VX",
        issued_date="2026-11-22",
    )
    signed_path = out_dir / "cong-van-da-ky.pdf"
    signed_path.write_bytes(issued)
    print(f"signed: {signed_path}")

    report = kyso.verify(issued, trust=[pki.root_cert], revocation="off", name=signed_path.name)
    for item in report.signatures:
        print(f"  {item.id}: {item.kind} by {item.signer.common_name}: {item.indication}")
    print(f"document: {report.indication}")

    if shutil.which("pdftoppm"):
        last = _page_count(issued)
        subprocess.run(
            ["pdftoppm", "-r", "110", "-f", str(last), "-l", str(last), "-png", "-singlefile",
             str(signed_path), str(out_dir / "trang-cuoi")],
            check=True,
        )  # fmt: skip
        print(f"rendered: {out_dir / 'trang-cuoi.png'}")
    else:
        print("pdftoppm (poppler-utils) not found: no PNG rendering", file=sys.stderr)
    return 0 if report.indication == "TOTAL_PASSED" else 1


def _page_count(pdf: bytes) -> int:
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    return int(PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Count"])


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("kyso-signed-letter")))
