"""Faults of a batch, each failing alone with its reason: corrupt files, non-documents, inputs that cannot be read
(FIFO, dangling symlink, symlink loop, a folder whose listing fails), a full disk for the outputs, a token removed
in the middle of ``batch sign``.

Tests run as root, where ``chmod 000`` stops nothing: the unreadable folder is a real listing failure injected
into ``os.scandir`` (PermissionError, as a non-root user gets), the other unreadable inputs are real file-system
objects (FIFO, dangling link, link loop)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from batch_support import json_items, p12_env, p12_options, pdf_folder
from conftest import make_pdf


def test_bad_inputs_fail_alone(pki, kyso_cli, tmp_path, monkeypatch, signed_pdf):
    folder = tmp_path / "docs"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "hidden.pdf").write_bytes(signed_pdf)
    (folder / "good.pdf").write_bytes(signed_pdf)
    (folder / "corrupt.pdf").write_bytes(signed_pdf[: len(signed_pdf) // 2])
    (folder / "notes.txt").write_text("không phải văn bản")
    os.mkfifo(folder / "pipe.pdf")  # reading it would block the batch forever
    (folder / "gone.pdf").symlink_to(tmp_path / "nowhere.pdf")
    (folder / "loop.pdf").symlink_to(folder / "loop.pdf")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = kyso_cli(
        "batch",
        "verify",
        folder,
        "--trust",
        pki.root_cert,
        "--workers",
        "1",
        "--report",
        tmp_path / "r.json",
        "--lang",
        "en",
    )
    assert result.exit_code == 1
    items = json_items(tmp_path / "r.json")
    assert items["good.pdf"]["status"] == "passed"
    reasons = {name: item["reason"] for name, item in items.items() if item["status"] == "failed"}
    assert "damaged" in reasons["corrupt.pdf"].lower() or "not" in reasons["corrupt.pdf"].lower()
    assert "notes.txt" in reasons
    assert "FIFO" in reasons["pipe.pdf"]
    assert "dangling" in reasons["gone.pdf"]
    assert "Too many levels of symbolic links" in reasons["loop.pdf"]
    assert reasons["locked/"] == "cannot read the folder: Permission denied"
    assert len(items) == 7


def test_full_disk_for_the_outputs_fails_each_item_and_leaves_no_partial_file(pki, tmp_path, files_unchanged):
    """RLIMIT_FSIZE in a child process: every signed output (larger than the limit) fails to be written with its
    reason; the journal (small) still records it; no temporary file is left; the inputs are untouched."""
    source, out = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    big = make_pdf(pages=400)  # ~ 60 kB and more once signed
    for name in ("a.pdf", "b.pdf"):
        (source / name).write_bytes(big)
    files_unchanged(source / "a.pdf", source / "b.pdf")
    limit = len(big) - 1000
    code = (
        f"import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}));"
        "from kyso.cli.main import main; main(sys.argv[1:])"
    )
    args = ["batch", "sign", str(source), "-o", str(out), *p12_options(pki), "--workers", "1", "--lang", "en"]
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **p12_env(pki)},
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.count("output not written") == 2 and "File too large" in done.stdout
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".kyso-batch")) == []


FLAKY = '''
from kyso.core import hookimpl
from kyso.core.errors import SignerError
from kyso.core.signer import SignerBackend, SignerOption
from kyso.signers.pkcs12 import Pkcs12Signer

OPENED = []

class Token:
    """A token pulled out after `after` signatures: every later signature fails."""
    def __init__(self, inner, after):
        self.inner, self.left, self.signed = inner, after, 0
        self.certificate, self.chain, self.key_algorithm = inner.certificate, inner.chain, inner.key_algorithm
    def sign_raw(self, data, digest_algorithm):
        if self.left <= 0:
            raise SignerError("the token was removed (CKR_DEVICE_REMOVED)")
        self.left -= 1
        self.signed += 1
        return self.inner.sign_raw(data, digest_algorithm)

def _open(*, file, after, pin):
    OPENED.append(Token(Pkcs12Signer.from_file(file, pin), int(after)))
    return OPENED[-1]

@hookimpl
def kyso_register_signers(registry):
    registry.add(SignerBackend(name="flakytoken", description="test token", open=_open, options=(
        SignerOption("file", "key", type="path", required=True), SignerOption("after", "signatures", type="int"),
        SignerOption("pin", "PIN", secret=True, required=True))))
'''


def test_token_removed_in_the_middle_of_batch_sign(pki, kyso_cli, tmp_path, install_plugin, monkeypatch):
    """A token backend (not ``parallel``) signs in this process, once opened; pulled out after 3 signatures the
    others fail alone with the token's reason; the next run with the token back signs only those."""
    install_plugin("kyso_flaky_token", FLAKY, entry="flakytoken")
    from kyso.core.manager import reset_plugin_manager

    reset_plugin_manager()
    monkeypatch.setattr("kyso.batch.runner.CHUNK", 1)  # were it sent to workers, both would get documents
    source, out = tmp_path / "in", tmp_path / "out"
    pdf_folder(source, 6)
    token = ["--signer", "flakytoken", "--flakytoken-file", pki.p12("person"), "--flakytoken-pin-env", "KYSO_TEST_P12"]
    run = ["batch", "sign", source, "-o", out, *token, "--workers", "2", "--lang", "en"]
    first = kyso_cli(*run, "--flakytoken-after", "3", "--report", tmp_path / "1.json", env=p12_env(pki))
    assert first.exit_code == 1
    items = json_items(tmp_path / "1.json")
    assert sorted(i["status"] for i in items.values()) == ["failed"] * 3 + ["signed"] * 3
    assert all("token was removed" in i["reason"] for i in items.values() if i["status"] == "failed")
    import kyso_flaky_token

    # one login for the whole batch, and every signature made by it, here (not in the 2 worker processes)
    assert len(kyso_flaky_token.OPENED) == 1 and kyso_flaky_token.OPENED[0].signed == 3
    second = kyso_cli(*run, "--flakytoken-after", "100", "--report", tmp_path / "2.json", env=p12_env(pki))
    assert second.exit_code == 0, second.stdout
    again = json_items(tmp_path / "2.json")
    assert sorted(bool(i.get("resumed")) for i in again.values()) == [False] * 3 + [True] * 3
    summary = json.loads((tmp_path / "2.json").read_text())["summary"]
    assert summary["counts"] == {"signed": 6} and summary["resumed"] == 3
    reset_plugin_manager()
