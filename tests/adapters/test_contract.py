"""The adapter contract of kyso.core.adapter: items, configuration, idempotency keys, the registry."""

from __future__ import annotations

import hashlib
import unicodedata

import pytest

from kyso.core.adapter import (
    Adapter,
    AdapterConfig,
    AdapterInfo,
    AdapterRegistry,
    Credentials,
    Item,
    ItemError,
    idempotency_key,
)
from kyso.core.errors import UsageError

pytest_plugins = ["adapters_support"]


def test_item_normalises_its_name_and_kind():
    item = Item(id="1", name=unicodedata.normalize("NFD", "Công văn.pdf"), kind="approval")
    assert item.name == "Công văn.pdf"
    assert item.kind == "approval"


def test_item_check_refuses_a_truncated_or_different_document():
    data = b"%PDF-1.7 body"
    item = Item(id="1", name="a.pdf", sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    item.check(data)
    with pytest.raises(ItemError, match="truncated"):
        item.check(data[:5])
    with pytest.raises(ItemError, match="not the one the item claims"):
        item.check(b"%PDF-1.7 b0dy")


def test_idempotency_key_is_stable_and_specific():
    item = Item(id="1", name="a.pdf", kind="approval")
    assert idempotency_key("x", item, b"a") == idempotency_key("x", item, b"a")
    assert idempotency_key("x", item, b"a") != idempotency_key("x", item, b"b")
    assert idempotency_key("x", item, b"a") != idempotency_key("x", Item(id="2", name="a.pdf"), b"a")


def test_credentials_never_show_secrets():
    text = repr(AdapterConfig("http://x", Credentials("u", "p4ss", "t0ken")))
    assert "p4ss" not in text and "t0ken" not in text


def test_config_from_file_then_environment_then_overrides(tmp_path, monkeypatch):
    path = tmp_path / "adapters.toml"
    path.write_text('[demo]\nbase_url = "http://file/"\nusername = "a"\ntimeout = 3\norgan_id = "H41"\n', "utf-8")
    config = AdapterConfig.load("demo", config_file=path)
    assert (config.base_url, config.credentials.username, config.timeout) == ("http://file", "a", 3.0)
    assert config.options == {"organ_id": "H41"}
    monkeypatch.setenv("KYSO_DEMO_BASE_URL", "http://env")
    monkeypatch.setenv("KYSO_DEMO_PASSWORD", "secret")
    config = AdapterConfig.load("demo", config_file=path, retries=7)
    assert (config.base_url, config.credentials.password, config.retries) == ("http://env", "secret", 7)


def test_config_without_base_url_says_how_to_give_one(tmp_path):
    with pytest.raises(UsageError, match="KYSO_NOWHERE_BASE_URL"):
        AdapterConfig.load("nowhere", config_file=tmp_path / "none.toml")


def test_registry_names_installed_adapters():
    from kyso.adapters.registry import adapter_registry

    registry = adapter_registry()
    assert "ioffice" in registry.adapters
    with pytest.raises(UsageError, match="installed: .*ioffice"):
        registry.get("nope")


def test_a_registry_starts_empty_and_returns_what_was_added():
    # (replaces ``assert isinstance(AdapterRegistry(), AdapterRegistry)``, which could not fail)
    registry = AdapterRegistry()
    with pytest.raises(UsageError, match=r"no adapter named 'demo' \(installed: none\)"):
        registry.get("demo")
    info = AdapterInfo("demo", "a demo platform", factory=lambda config: None)
    registry.add(info)
    assert registry.get("demo") is info
    assert AdapterRegistry().adapters == {}  # each registry its own: adding to one never fills another


def test_ioffice_adapter_implements_the_protocol(ioffice):
    assert isinstance(ioffice, Adapter)
