"""One Kyso configuration directory: the trust store, ``config.toml`` and ``adapters.toml`` live side by side, as
docs/certificates.md and docs/adapters.md say, on every OS."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kyso.certs import truststore
from kyso.core.adapter import AdapterConfig


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_adapters_toml_is_read_from_the_trust_store_directory(
    platform: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KYSO_CONFIG_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("APPDATA", str(tmp_path / "appdata"))
    monkeypatch.setattr(sys, "platform", platform)
    directory = truststore.config_dir()
    assert str(directory).startswith(str(tmp_path))
    directory.mkdir(parents=True)
    (directory / "adapters.toml").write_text('[demo]\nbase_url = "https://demo.example.gov.vn"\n', encoding="utf-8")
    assert AdapterConfig.load("demo").base_url == "https://demo.example.gov.vn"
