"""edXML takes no signature kind: a kind or a kind's option given for an edXML package is refused, not ignored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from edxml_support import unsigned_edxml_fixture  # noqa: F401 - registers the fixture

import kyso
from kyso.core.errors import UsageError


def test_api_refuses_a_kind_and_its_options_on_edxml(unsigned_edxml: bytes, signer_for: Callable) -> None:
    with pytest.raises(UsageError, match=r"^--kind issuance --seal: not supported for edxml documents"):
        kyso.sign(unsigned_edxml, signer=signer_for("organisation"), kind="issuance", seal=b"\x89PNG")
    with pytest.raises(UsageError, match=r"^--kind approval: not supported for edxml documents"):
        kyso.sign(unsigned_edxml, signer=signer_for("person"), kind="approval")
    with pytest.raises(UsageError, match="--seal needs --kind"):
        kyso.sign(unsigned_edxml, signer=signer_for("person"), seal=b"\x89PNG")


def test_cli_refuses_a_kind_and_its_options_on_edxml(unsigned_edxml: bytes, pki, kyso_cli, tmp_path: Path) -> None:
    source, out, seal = tmp_path / "goi.edxml", tmp_path / "out.edxml", tmp_path / "seal.png"
    source.write_bytes(unsigned_edxml)
    seal.write_bytes(b"\x89PNG\r\n\x1a\n")
    result = kyso_cli("sign", source, "-o", out, "--p12", pki.p12("organisation"), "--password-env", "P",
                      "--kind", "issuance", "--seal", seal, env={"P": pki.password})  # fmt: skip
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--seal" in lines[0] and "edxml" in lines[0], result.stderr
    assert not out.exists()
