"""The plugin manager: built-ins registered like any plugin, real entry points, disabling, overriding, tracing."""

from __future__ import annotations

import json
import os
import sys

import pytest

import kyso
from kyso.core.errors import PluginError, PluginWarning, UnsupportedFormatError
from kyso.core.manager import DEFAULT_PLUGINS, PluginManager, get_plugin_manager, reset_plugin_manager
from kyso.core.models import Indication, SubIndication

BUILTIN_HOOKS = {
    "kyso.signers.pkcs12": {"kyso_register_signers"},
    "kyso.certs.plugin": {"kyso_validate_certificate", "kyso_register_commands"},
    "kyso.pdf.plugin": {"kyso_register_formats", "kyso_sign", "kyso_verify", "kyso_register_commands"},
}

RULE_MESSAGE = "quy tắc quốc gia: người ký không có trong danh sách của cơ quan (kyso_fake_plugin)"

NATIONAL_RULE = f"""
from kyso import hookimpl
from kyso.core.models import Indication, SubIndication

CALLS = []


@hookimpl(wrapper=True)
def kyso_validate_certificate(certificate, options):
    report = yield  # the built-in answer
    CALLS.append(options.purpose)
    if options.purpose == "signing":
        report.indication = Indication.INDETERMINATE
        report.sub_indication = SubIndication.CHAIN_CONSTRAINTS_FAILURE
        report.messages.append({RULE_MESSAGE!r})
    return report
"""


@pytest.fixture(autouse=True)
def fresh_manager(monkeypatch: pytest.MonkeyPatch):
    """Every test starts and ends with no process-wide manager and no plugin environment variables."""
    monkeypatch.delenv("KYSO_DISABLE_PLUGINS", raising=False)
    monkeypatch.delenv("KYSO_TRACE_PLUGINS", raising=False)
    reset_plugin_manager()
    yield
    reset_plugin_manager()


def by_name(listing: list[dict]) -> dict[str, dict]:
    return {plugin["name"]: plugin for plugin in listing}


# ---------------------------------------------------------------------------------------------------------------
# built-ins
# ---------------------------------------------------------------------------------------------------------------


def test_builtins_are_listed_with_their_hooks_and_version():
    plugins = by_name(PluginManager().list_plugins())
    assert set(DEFAULT_PLUGINS) <= set(plugins)
    for name, hooks in BUILTIN_HOOKS.items():
        assert set(plugins[name]["hooks"]) == hooks, name
        assert plugins[name]["distribution"] == "kyso"
        assert plugins[name]["version"] == kyso.__version__
        assert set(plugins[name]) == {"name", "distribution", "version", "hooks"}


def test_builtin_registries_are_filled_through_hooks():
    pm = PluginManager(load_entry_points=False)
    assert "pdf" in pm.formats.formats
    assert pm.formats.formats["pdf"].media_type == "application/pdf"
    assert "pkcs12" in pm.signers.backends
    assert pm.detect_format(b"%PDF-1.7\n...").name == "pdf"
    with pytest.raises(UnsupportedFormatError, match="formats known: pdf"):
        pm.detect_format(b"GIF89a not a document")


def test_disabling_a_builtin_blocks_it(monkeypatch, unsigned_pdf, signer_for):
    signer = signer_for("person")
    monkeypatch.setenv("KYSO_DISABLE_PLUGINS", " kyso.pdf.plugin ,")
    plugins = by_name(PluginManager().list_plugins())
    assert "kyso.pdf.plugin" not in plugins
    assert {"kyso.certs.plugin", "kyso.signers.pkcs12"} <= set(plugins)

    reset_plugin_manager()
    with pytest.raises(UnsupportedFormatError):
        kyso.sign(unsigned_pdf, signer=signer)
    with pytest.raises(UnsupportedFormatError):
        kyso.verify(unsigned_pdf, revocation="off")


def test_disabling_two_builtins(monkeypatch):
    monkeypatch.setenv("KYSO_DISABLE_PLUGINS", "kyso.pdf.plugin,kyso.certs.plugin")
    names = set(by_name(PluginManager().list_plugins()))
    assert not names & {"kyso.pdf.plugin", "kyso.certs.plugin"}
    assert "kyso.signers.pkcs12" in names


# ---------------------------------------------------------------------------------------------------------------
# third-party plugins from real entry points
# ---------------------------------------------------------------------------------------------------------------


def test_entry_point_plugin_is_loaded_and_listed(install_plugin, kyso_cli):
    install_plugin("kyso_fake_plugin", NATIONAL_RULE, entry="fake_national_rule")
    plugins = by_name(PluginManager().list_plugins())
    assert plugins["fake_national_rule"] == {
        "name": "fake_national_rule",
        "distribution": "kyso-fake-plugin",
        "version": "1.0",
        "hooks": ["kyso_validate_certificate"],
    }
    assert set(DEFAULT_PLUGINS) <= set(plugins)  # built-ins stay

    result = kyso_cli("plugins", "--format", "json")  # the CLI sees it too, with no code change
    assert result.exit_code == 0, result.stderr
    listed = by_name(json.loads(result.stdout))
    assert listed["fake_national_rule"]["distribution"] == "kyso-fake-plugin"
    text = kyso_cli("plugins")
    assert "fake_national_rule  (kyso-fake-plugin 1.0)  hooks: kyso_validate_certificate" in text.stdout


def test_national_rule_added_once_applies_to_pdf_verification(install_plugin, pki, signed_pdf):
    before = kyso.verify(signed_pdf, trust=[pki.root_cert], revocation="off")
    assert before.indication == Indication.TOTAL_PASSED
    assert RULE_MESSAGE not in before.signatures[0].messages

    install_plugin("kyso_fake_plugin", NATIONAL_RULE, entry="fake_national_rule")
    reset_plugin_manager()
    report = kyso.verify(signed_pdf, trust=[pki.root_cert], revocation="off")
    (signature,) = report.signatures
    assert RULE_MESSAGE in signature.messages
    assert signature.certificate is not None and RULE_MESSAGE in signature.certificate.messages
    assert signature.indication == Indication.INDETERMINATE
    assert signature.sub_indication == SubIndication.CHAIN_CONSTRAINTS_FAILURE
    assert report.indication == Indication.INDETERMINATE
    assert sys.modules["kyso_fake_plugin"].CALLS == ["signing"]  # wrapped the built-in, called once per signer

    certificate = kyso.validate_certificate(pki.cert("person").read_bytes(), trust=[pki.root_cert], revocation="off")
    assert RULE_MESSAGE in certificate.messages  # the same rule for direct certificate validation


def test_entry_point_plugin_overrides_builtin_sign(install_plugin, unsigned_pdf, signer_for):
    install_plugin(
        "kyso_fake_signer",
        """
        from kyso import hookimpl

        @hookimpl
        def kyso_sign(request):
            if request.document.format == "pdf":
                return b"%PDF-1.7 signed by kyso_fake_signer"
        """,
        entry="fake_signer",
    )
    assert kyso.sign(unsigned_pdf, signer=signer_for("person")) == b"%PDF-1.7 signed by kyso_fake_signer"


def test_entry_point_with_a_builtin_name_replaces_the_builtin(install_plugin, unsigned_pdf):
    install_plugin(
        "kyso_replacement_pdf",
        """
        from kyso import hookimpl

        @hookimpl
        def kyso_register_formats(registry):
            pass  # a stub that handles no format
        """,
        entry="kyso.pdf.plugin",
        dist="kyso-replacement-pdf",
    )
    pm = PluginManager()
    plugin = by_name(pm.list_plugins())["kyso.pdf.plugin"]
    assert (plugin["distribution"], plugin["hooks"]) == ("kyso-replacement-pdf", ["kyso_register_formats"])
    with pytest.raises(UnsupportedFormatError):
        pm.detect_format(unsigned_pdf)


def test_entry_point_plugin_can_be_disabled_by_name(install_plugin, monkeypatch):
    install_plugin("kyso_fake_plugin", NATIONAL_RULE, entry="fake_national_rule")
    monkeypatch.setenv("KYSO_DISABLE_PLUGINS", "fake_national_rule")
    assert "fake_national_rule" not in by_name(PluginManager().list_plugins())
    assert "kyso_fake_plugin" not in sys.modules  # not even imported


def test_misspelled_hook_fails_loudly(install_plugin):
    install_plugin(
        "kyso_misspelled_plugin",
        """
        from kyso import hookimpl

        @hookimpl
        def kyso_sing(request):
            return b"never"
        """,
        entry="misspelled",
    )
    with pytest.warns(PluginWarning, match="kyso_sing") as caught:
        pm = PluginManager()
    assert "misspelled" in str(caught[0].message) and "KYSO_DISABLE_PLUGINS=misspelled" in str(caught[0].message)
    assert "misspelled" in pm.disabled and "kyso.pdf.plugin" in by_name(pm.list_plugins())


def test_hook_argument_not_in_spec_fails_loudly(install_plugin):
    install_plugin(
        "kyso_bad_argument_plugin",
        """
        from kyso import hookimpl

        @hookimpl
        def kyso_sign(req):
            return None
        """,
        entry="bad_argument",
    )
    with pytest.warns(PluginWarning, match="bad_argument") as caught:
        pm = PluginManager()
    assert "req" in str(caught[0].message) and "bad_argument" not in by_name(pm.list_plugins())


def test_directly_registered_misspelled_plugin_is_refused():
    class Misspelled:
        @kyso.hookimpl
        def kyso_verfy(self, document):
            return None

    pm = PluginManager(load_entry_points=False)
    with pytest.raises(PluginError, match="kyso_verfy"):
        pm.register(Misspelled(), name="misspelled")
    assert "misspelled" not in by_name(pm.list_plugins())  # not left half-registered


def test_entry_point_that_fails_to_import_names_the_plugin(install_plugin, kyso_cli):
    install_plugin(
        "kyso_broken_plugin",
        """
        raise RuntimeError("missing configuration file for the province adapter")
        """,
        entry="broken_adapter",
        dist="kyso-broken-adapter",
    )
    with pytest.warns(PluginWarning) as caught:
        pm = PluginManager()
    message = str(caught[0].message)
    assert "broken_adapter" in message
    assert "kyso-broken-adapter" in message
    assert "missing configuration file" in message
    assert "KYSO_DISABLE_PLUGINS=broken_adapter" in message
    # issue 16, item 8: it alone is disabled; Kyso and the other plugins work
    assert "broken_adapter" in pm.disabled and "kyso.pdf.plugin" in by_name(pm.list_plugins())


def test_a_broken_plugin_disables_only_itself_in_the_cli(install_plugin, unsigned_pdf, tmp_path):
    import subprocess
    import sys

    install_plugin("kyso_broken_plugin", "raise RuntimeError('no province config')\n", entry="broken_adapter")
    install_plugin(
        "kyso_working_plugin",
        """
        import click
        from kyso import hookimpl

        @hookimpl
        def kyso_register_commands(cli):
            cli.add_command(click.Command("hello", callback=lambda: click.echo("xin chào")))
        """,
        entry="working",
        dist="kyso-working",
    )
    (tmp_path / "in.pdf").write_bytes(unsigned_pdf)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for args, out in ((["hello"], "xin chào"), (["verify", str(tmp_path / "in.pdf"), "--format", "json"], "NO_")):
        result = subprocess.run([sys.executable, "-m", "kyso", *args], capture_output=True, text=True, env=env)
        warnings = [line for line in result.stderr.splitlines() if line.startswith("kyso: warning: ")]
        assert len(warnings) == 1 and "KYSO_DISABLE_PLUGINS=broken_adapter" in warnings[0], result.stderr
        assert out in result.stdout, result.stdout + result.stderr


def test_broken_plugin_can_be_disabled(install_plugin, monkeypatch):
    install_plugin("kyso_broken_plugin", "raise ImportError('no such thing')\n", entry="broken_adapter")
    monkeypatch.setenv("KYSO_DISABLE_PLUGINS", "broken_adapter")
    assert "kyso.pdf.plugin" in by_name(PluginManager().list_plugins())


# ---------------------------------------------------------------------------------------------------------------
# tracing
# ---------------------------------------------------------------------------------------------------------------


def test_trace_env_writes_hook_calls_to_stderr(monkeypatch, capsys, unsigned_pdf):
    monkeypatch.setenv("KYSO_TRACE_PLUGINS", "1")
    pm = PluginManager(load_entry_points=False)
    assert pm.detect_format(unsigned_pdf).name == "pdf"
    captured = capsys.readouterr()
    assert "kyso_register_formats" in captured.err
    assert captured.out == ""


def test_no_trace_without_env(capsys, unsigned_pdf):
    pm = PluginManager(load_entry_points=False)
    pm.detect_format(unsigned_pdf)
    assert "kyso_register_formats" not in capsys.readouterr().err


def test_process_wide_manager_is_reused_until_reset():
    first = get_plugin_manager()
    assert get_plugin_manager() is first
    reset_plugin_manager()
    assert get_plugin_manager() is not first
