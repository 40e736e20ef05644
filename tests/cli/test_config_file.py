"""Issue 16, item 9: a configuration file for the defaults a văn thư would otherwise type every time (trust, TSA,
signer, language, level). One mechanism for every command (click's default_map, given by the ``kyso`` group);
flags on the command line win; ``kyso config show`` says where each setting came from; secrets are never written
in the file."""

from __future__ import annotations

import json
import textwrap

import pytest


@pytest.fixture
def config(tmp_path, monkeypatch):
    """Write a configuration file and point ``KYSO_CONFIG`` at it."""
    path = tmp_path / "kyso.toml"
    monkeypatch.setenv("KYSO_CONFIG", str(path))
    monkeypatch.delenv("KYSO_LANG", raising=False)

    def write(text: str):
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


def test_sign_takes_signer_level_and_tsa_from_the_file(config, kyso_pki, kyso_cli, tmp_path, unsigned_pdf, monkeypatch):
    monkeypatch.setenv("TEST_P12_PASSWORD", kyso_pki.password)
    (tmp_path / "in.pdf").write_bytes(unsigned_pdf)
    config(f"""
        tsa = "{kyso_pki.tsa_url}"
        level = "B-T"
        signer = "pkcs12"

        [signer-options]
        pkcs12-file = "{kyso_pki.p12("person").as_posix()}"
        pkcs12-password-env = "TEST_P12_PASSWORD"

        [trust]
        anchors = ["{kyso_pki.cert("root").as_posix()}"]
    """)
    signed = kyso_cli("sign", tmp_path / "in.pdf", "-o", tmp_path / "out.pdf")  # no signer flag, no --tsa, no --level
    assert signed.exit_code == 0, signed.stderr
    verified = kyso_cli("verify", tmp_path / "out.pdf", "--format", "json")  # trust anchors from the file
    report = json.loads(verified.stdout)
    assert verified.exit_code == 0 and report["indication"] == "TOTAL_PASSED", verified.stdout
    assert report["signatures"][0]["level"] == "B-T"
    # a flag on the command line wins over the file
    kyso_cli("sign", tmp_path / "in.pdf", "-o", tmp_path / "out2.pdf", "--level", "B-B")
    assert (
        json.loads(kyso_cli("verify", tmp_path / "out2.pdf", "--format", "json").stdout)["signatures"][0]["level"]
        == "B-B"
    )


def test_language_from_the_file_the_environment_and_a_flag(config, kyso_cli, tmp_path):
    config('lang = "en"\n')
    missing = tmp_path / "missing.pdf"
    english = kyso_cli("verify", missing).stderr  # the file's language
    assert english.startswith("kyso: error: unusable input:"), english
    vietnamese = kyso_cli("verify", missing, env={"KYSO_LANG": "vi"}).stderr  # the environment wins over the file
    assert vietnamese != english and vietnamese.startswith("kyso: error: ")
    assert kyso_cli("--lang", "vi", "verify", missing).stderr == vietnamese  # a flag too, before the sub-command
    assert kyso_cli("verify", missing, "--lang", "vi").stderr == vietnamese  # and after it


def test_config_show_says_where_each_setting_comes_from(config, kyso_cli, kyso_pki):
    path = config(f"""
        lang = "en"
        tsa = "http://tsa.example.vn"

        [signer-options]
        pkcs12-file = "keys/van-thu.p12"
        pkcs12-password-env = "KYSO_P12_PASSWORD"

        [trust]
        anchors = ["{kyso_pki.cert("root").as_posix()}"]
    """)
    shown = kyso_cli("config", "show", env={"KYSO_LANG": "vi"})
    assert shown.exit_code == 0, shown.stderr
    lines = {line.split()[0]: line for line in shown.stdout.splitlines()}
    assert lines["config"] == f"config file: {path}"
    assert "vi  (environment KYSO_LANG)" in lines["lang"]
    assert f"http://tsa.example.vn  (config file {path})" in lines["tsa"]
    assert lines["level"].endswith("-  (default)")
    assert str(path.parent / "keys" / "van-thu.p12") in lines["signer-options.pkcs12-file"]  # relative to the file
    assert f"(config file {path})" in lines["trust"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[signer-options]\npkcs12-password = "hunter2"\n', "a secret is never written in the configuration"),
        ('[signer-options]\npkcs11-pin = "1234"\n', "a secret is never written in the configuration"),
        ('tsaa = "http://x"\n', "unknown setting 'tsaa'"),
        ('tsa = ["http://x"]\n', "tsa must be a string"),
        ("tsa = \n", "unreadable configuration"),
    ],
)
def test_a_bad_file_is_one_error_line_and_never_echoes_a_secret(config, kyso_cli, text, message, tmp_path):
    config(text)
    result = kyso_cli("verify", tmp_path / "x.pdf")
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert "hunter2" not in result.stderr + result.stdout and "1234" not in result.stderr


def test_kyso_config_naming_a_missing_file_is_an_error(kyso_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("KYSO_CONFIG", str(tmp_path / "nowhere.toml"))
    result = kyso_cli("config", "show")
    assert result.exit_code == 2 and "not a file" in result.stderr


@pytest.fixture
def fresh_plugins():
    from kyso.cli.main import cli
    from kyso.core.manager import reset_plugin_manager

    reset_plugin_manager()
    yield
    cli.commands.pop("echo-tsa", None)
    reset_plugin_manager()


def test_plugin_commands_get_the_defaults_too(config, kyso_cli, install_plugin, fresh_plugins):
    install_plugin(
        "kyso_echo_tsa",
        """
        import click
        from kyso.core import hookimpl

        @click.command("echo-tsa")
        @click.option("--tsa")
        def echo_tsa(tsa):
            click.echo(f"tsa={tsa}")

        @hookimpl
        def kyso_register_commands(cli):
            cli.add_command(echo_tsa)
        """,
        entry="echo-tsa",
    )
    from kyso.core.manager import reset_plugin_manager

    reset_plugin_manager()
    config('tsa = "http://tsa.from-file.vn"\n')
    assert kyso_cli("echo-tsa").stdout.strip() == "tsa=http://tsa.from-file.vn"
    assert kyso_cli("echo-tsa", "--tsa", "http://flag").stdout.strip() == "tsa=http://flag"
