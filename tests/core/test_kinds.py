"""One kind registry: a kind declared once is usable from the API, the CLI and sync, and labelled in reports;
a plugin adds one with no change to Kyso; options are refused, never ignored."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import make_pdf

import kyso
from kyso import hookimpl
from kyso.core.errors import PluginError, UsageError
from kyso.core.kinds import KindOption, KindRegistry, KindSpec, OptionType, Placement
from kyso.core.manager import get_plugin_manager, reset_plugin_manager


class ReceiptPlugin:
    """A third-party kind: a receipt (giấy biên nhận) with its own option, a text mark at the top right."""

    @hookimpl
    def kyso_register_kinds(self, registry: KindRegistry) -> None:
        registry.add(
            KindSpec(
                name="receipt",
                labels={"vi": "giấy biên nhận", "en": "receipt"},
                formats=("pdf",),
                options=(
                    KindOption(
                        "receipt_number", OptionType.TEXT, "number of the receipt", required=True, metavar="TEXT"
                    ),
                ),
                placement=Placement.TOP_RIGHT,
                lines=lambda values, moment: [f"Biên nhận số {values['receipt_number']}", moment],
                reason=lambda values: f"Biên nhận hồ sơ số {values['receipt_number']}",
            )
        )


@pytest.fixture
def receipt() -> Iterator[None]:
    reset_plugin_manager()
    get_plugin_manager().register(ReceiptPlugin(), name="receipt-plugin")
    yield
    reset_plugin_manager()


def test_builtin_kinds_are_declared_by_a_plugin_like_any_other():
    from kyso.core.manager import DEFAULT_PLUGINS

    assert "kyso.pdf.kinds" in DEFAULT_PLUGINS
    registry = get_plugin_manager().kinds
    assert registry.names() == ["approval", "issuance", "attachment", "copy", "income"]
    assert registry.label("issuance", "vi") == "ký phát hành" and registry.label("issuance", "en") == "issuance"
    assert registry.get("approval").assets == ("image",) and registry.get("issuance").assets == ("seal",)
    assert registry.get("copy").assets == ("font",)


def test_a_plugin_kind_signs_from_the_cli_and_is_labelled_in_the_report(receipt, pki, kyso_cli, tmp_path: Path):
    source, out = tmp_path / "hoso.pdf", tmp_path / "out.pdf"
    source.write_bytes(make_pdf())
    assert "--receipt-number" in kyso_cli("sign", "--help").stdout
    base = ["sign", source, "-o", out, "--p12", pki.p12("person"), "--password-env", "P", "--kind", "receipt"]
    missing = kyso_cli(*base, env={"P": pki.password})
    assert missing.exit_code == 2 and "--kind receipt needs --receipt-number" in missing.stderr
    result = kyso_cli(*base, "--receipt-number", "12/BN", env={"P": pki.password})
    assert result.exit_code == 0, result.stderr
    trust = ["--trust", pki.root_cert, "--revocation", "off"]
    report = json.loads(kyso_cli("verify", out, *trust, "--format", "json").stdout)
    assert report["indication"] == "TOTAL_PASSED" and report["signatures"][0]["kind"] == "receipt"
    assert "giấy biên nhận" in kyso_cli("verify", out, *trust).stdout
    assert "Kind: receipt" in kyso_cli("verify", out, *trust, "--lang", "en").stdout


def test_a_plugin_kind_draws_its_mark(receipt, signer_for: Callable):
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    signed = kyso.sign(make_pdf(), signer=signer_for("person"), kind="receipt", receipt_number="7")
    reader = PdfFileReader(io.BytesIO(signed))
    ((_, value, field),) = list(enumerate_sig_fields(reader))
    widget = field.get_object()
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    assert x2 - x1 > 50 and y1 > 700  # a text mark at the top right of an A4 page
    assert str(value.get_object()["/Reason"]) == "Biên nhận hồ sơ số 7"


def test_an_unknown_kind_is_refused_naming_the_known_ones(signer_for: Callable):
    with pytest.raises(UsageError, match=r"unknown kind 'receipt' \(allowed: approval, issuance"):
        kyso.sign(make_pdf(), signer=signer_for("person"), kind="receipt")


def test_an_option_shared_by_two_kinds_must_keep_its_type():
    registry = KindRegistry()
    registry.add(KindSpec("a", {"en": "a"}, ("pdf",), (KindOption("number", OptionType.TEXT, "x"),)))
    with pytest.raises(PluginError, match="option 'number' is a date, but kind 'a' declares it as a text"):
        registry.add(KindSpec("b", {"en": "b"}, ("pdf",), (KindOption("number", OptionType.DATE, "x"),)))


def test_sync_gives_an_item_the_assets_its_kind_declares(receipt, signer_for: Callable, monkeypatch):
    from kyso.adapters.sync import sign_item
    from kyso.core.adapter import Item

    given = {}
    monkeypatch.setattr(kyso, "sign", lambda data, **options: given.update(options) or b"signed")
    assets = {"image": b"png", "seal": b"seal", "font": b"ttf"}
    sign_item(Item("1", "a.pdf", kind="copy"), b"%PDF", signer_for("person"), assets)
    assert given["font"] == b"ttf" and "image" not in given and "seal" not in given
    given.clear()
    sign_item(Item("2", "b.pdf", kind="receipt", appearance={"receipt_number": "1"}), b"%PDF",
                   signer_for("person"), assets)  # fmt: skip
    assert given["kind"] == "receipt" and not {"image", "seal", "font"} & set(given)
