"""Signers through the registry (issue 10, item 3): ``--signer BACKEND`` and the options each backend declares.

The ``pemkey`` backend below is a third-party plugin installed for real (a module and a ``.dist-info`` with an
entry point): Kyso is not changed to make it usable from ``kyso sign``, ``kyso sync`` and ``kyso signers``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kyso.core.errors import PluginError, UsageError
from kyso.core.manager import reset_plugin_manager
from kyso.core.signer import SignerBackend, SignerOption, SignerRegistry

SECRET = "pem-Passphrase-6f1d"  # distinctive: must never appear in any output

PEMKEY_PLUGIN = """
from kyso import hookimpl
from kyso.core.signer import SignerBackend, SignerOption

OPENED = []
CLOSED = []


class PemSigner:
    def __init__(self, key, certificate, chain):
        self._key, self.certificate, self.chain = key, certificate, chain
        self.key_algorithm = "rsa"

    def sign_raw(self, data, digest_algorithm):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        return self._key.sign(data, padding.PKCS1v15(), getattr(hashes, digest_algorithm.upper())())

    def close(self):
        CLOSED.append(self)


def _open(*, key, cert, passphrase=None, label="pemkey"):
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from kyso.core.errors import WrongPasswordError

    try:
        private_key = serialization.load_pem_private_key(
            key.read_bytes(), passphrase.encode() if passphrase else None
        )
    except (TypeError, ValueError):
        raise WrongPasswordError(f"{key}: wrong passphrase for the PEM key") from None
    loaded = x509.load_pem_x509_certificates(cert.read_bytes())
    certificates = [c.public_bytes(serialization.Encoding.DER) for c in loaded]
    OPENED.append(label)
    return PemSigner(private_key, certificates[0], tuple(certificates[1:]))


@hookimpl
def kyso_register_signers(registry):
    registry.add(
        SignerBackend(
            name="pemkey",
            description="a PEM private key and its certificate chain (PEM)",
            open=_open,
            options=(
                SignerOption("key", "PEM private key.", type="path", required=True, metavar="FILE"),
                SignerOption("cert", "PEM certificate, then its issuing CAs.", type="path", required=True),
                SignerOption("passphrase", "the key's passphrase", secret=True),
                SignerOption("label", "Name in the log.", default="pemkey"),
            ),
        )
    )
"""


@pytest.fixture
def install(install_plugin):
    """Install a plugin distribution (module + entry point in group ``kyso``) and start a fresh plugin manager."""

    def install(module: str, source: str) -> None:
        install_plugin(module, source, entry=module, dist=module.replace("_", "-"))
        reset_plugin_manager()

    yield install
    reset_plugin_manager()


@pytest.fixture
def pemkey(install):
    install("kyso_pemkey", PEMKEY_PLUGIN)
    import kyso_pemkey

    return kyso_pemkey


@pytest.fixture(scope="module")
def pem_files(pki, tmp_path_factory) -> tuple[Path, Path]:
    """The person's key (encrypted with :data:`SECRET`) and certificate chain, as PEM files."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    key, cert, chain = pkcs12.load_key_and_certificates(pki.p12("person").read_bytes(), pki.password.encode())
    directory = tmp_path_factory.mktemp("pem")
    key_path, cert_path = directory / "person.key.pem", directory / "person.chain.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(SECRET.encode()),
        )
    )
    cert_path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (cert, *chain)))
    return key_path, cert_path


@pytest.fixture
def document(tmp_path, unsigned_pdf) -> Path:
    path = tmp_path / "in.pdf"
    path.write_bytes(unsigned_pdf)
    return path


def pem_args(pem_files: tuple[Path, Path]) -> list[object]:
    key, cert = pem_files
    return ["--signer", "pemkey", "--pemkey-key", key, "--pemkey-cert", cert, "--pemkey-passphrase-env", "PEM_PASS"]


def everything(*results) -> str:
    return "".join(r.stdout + r.stderr for r in results)


def one_error_line(result, fragment: str) -> None:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kyso: error: "), result.stderr
    assert fragment in lines[0], lines[0]


# ---------------------------------------------------------------------------------------------------------------
# a plugin's backend, usable with no change to Kyso
# ---------------------------------------------------------------------------------------------------------------


def test_plugin_backend_signs_and_verifies(kyso_cli, pemkey, pem_files, document, tmp_path, pki):
    output = tmp_path / "out.pdf"
    signed = kyso_cli("sign", document, "-o", output, *pem_args(pem_files), env={"PEM_PASS": SECRET})
    assert signed.exit_code == 0, signed.stderr
    assert pemkey.OPENED == ["pemkey"], "opened once, the declared default passed"
    assert len(pemkey.CLOSED) == 1, "a signer with close() is closed when the command ends"
    verified = kyso_cli("verify", output, "--trust", pki.root_cert, "--revocation", "off", "--lang", "en")
    assert verified.exit_code == 0, verified.stdout
    assert "Signer: Nguyễn Văn An" in verified.stdout
    assert SECRET not in everything(signed, verified)


def test_plugin_backend_option_values_reach_open(kyso_cli, pemkey, pem_files, document, tmp_path):
    result = kyso_cli(
        "sign", document, "-o", tmp_path / "o.pdf", *pem_args(pem_files), "--pemkey-label", "batch-7",
        env={"PEM_PASS": SECRET},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert pemkey.OPENED == ["batch-7"]


def test_plugin_backend_is_listed(kyso_cli, pemkey):
    text = kyso_cli("signers")
    assert text.exit_code == 0, text.stderr
    assert any(line.startswith("pemkey  ") for line in text.stdout.splitlines())
    assert "--pemkey-key FILE" in text.stdout
    assert "--pemkey-passphrase-env VAR / --pemkey-passphrase-file FILE" in text.stdout
    listed = {b["name"]: b for b in json.loads(kyso_cli("signers", "--format", "json").stdout)}
    assert {"pkcs12", "pkcs11", "pemkey", "csc", "smartca", "mysign"} <= set(listed)
    options = {o["name"]: o for o in listed["pemkey"]["options"]}
    assert options["passphrase"]["secret"] is True
    assert options["passphrase"]["flags"] == ["--pemkey-passphrase-env", "--pemkey-passphrase-file"]
    assert options["key"] == {
        "name": "key",
        "help": "PEM private key.",
        "type": "path",
        "secret": False,
        "required": True,
        "default": None,
        "metavar": "FILE",
        "flags": ["--pemkey-key"],
        "aliases": ["--key"],
    }
    assert [o["flags"] for o in listed["pkcs12"]["options"]] == [
        ["--pkcs12-file"],
        ["--pkcs12-password-env", "--pkcs12-password-file"],
    ]


@pytest.mark.parametrize(
    "command", [("sign",), ("sync",), ("ioffice", "dispatch"), ("ioffice", "receive")], ids=" ".join
)
def test_every_signing_command_shows_the_backend_options(kyso_cli, pemkey, command):
    result = kyso_cli(*command, "--help")
    assert result.exit_code == 0, result.stderr
    for flag in ("--signer BACKEND", "--p12 FILE", "--pkcs12-file", "--pemkey-key FILE", "--pemkey-passphrase-env"):
        assert flag in result.stdout, (command, flag)
    assert "--pemkey-passphrase " not in result.stdout


def test_sync_opens_the_signer_once_for_the_batch(kyso_cli, pemkey, pem_files, pki, tmp_path):
    """One open (one PKCS#11 session, one remote login) for every item of the run, and one close."""
    from kyso.conformance.checks import appearance_for, sample_pdf
    from kyso.demo.marks import sample_signature_png
    from kyso.testing.simulators.ioffice import IOfficeSimulator

    image = tmp_path / "chu-ky.png"
    image.write_bytes(sample_signature_png())
    with IOfficeSimulator(tmp_path / "sim").serve() as simulator:
        for n in range(3):
            simulator.add_item(
                user="batch", name=f"{n}.pdf", content=sample_pdf(f"b {n}"), kind="approval",
                appearance=appearance_for("approval"),
            )  # fmt: skip
        result = kyso_cli(
            "sync", "ioffice", "--user", "batch", *pem_args(pem_files), "--image", image,
            "--trust", pki.root_cert, "--revocation", "off", "--journal", tmp_path / "j",
            "--base-url", simulator.url, "--username", "kyso", "--platform-password-env", "PLATFORM_PASS",
            env={"PEM_PASS": SECRET, "PLATFORM_PASS": "kyso-secret"},
        )  # fmt: skip
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "signed: 3, failed: 0" in result.stdout
    assert (pemkey.OPENED, len(pemkey.CLOSED)) == (["pemkey"], 1)


# ---------------------------------------------------------------------------------------------------------------
# the built-in backend: long and short forms
# ---------------------------------------------------------------------------------------------------------------


def test_long_form_of_pkcs12(kyso_cli, pki, document, tmp_path):
    output = tmp_path / "out.pdf"
    result = kyso_cli(
        "sign", document, "-o", output, "--signer", "pkcs12", "--pkcs12-file", pki.p12("person"),
        "--pkcs12-password-env", "P12_PASS", env={"P12_PASS": pki.password},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    verified = kyso_cli("verify", output, "--trust", pki.root_cert, "--revocation", "off")
    assert verified.exit_code == 0, verified.stdout


@pytest.mark.parametrize(
    "signer",
    [
        ["--p12", "{p12}", "--password-env", "P12_PASS"],
        ["--signer", "pkcs12", "--p12", "{p12}", "--password-env", "P12_PASS"],
        ["--signer", "pkcs12", "--pkcs12-file", "{p12}", "--password-env", "P12_PASS"],
        ["--p12", "{p12}", "--pkcs12-password-env", "P12_PASS"],
    ],
    ids=["short", "short-with-signer", "long-file-short-password", "short-file-long-password"],
)
def test_short_forms_mix_with_long_ones(kyso_cli, pki, document, tmp_path, signer):
    args = [a.format(p12=pki.p12("person")) for a in signer]
    result = kyso_cli("sign", document, "-o", tmp_path / "out.pdf", *args, env={"P12_PASS": pki.password})
    assert result.exit_code == 0, result.stderr


# ---------------------------------------------------------------------------------------------------------------
# bad choices: exit 2, one line
# ---------------------------------------------------------------------------------------------------------------


def test_unknown_backend_lists_the_known_ones(kyso_cli, pemkey, document, tmp_path):
    result = kyso_cli("sign", document, "-o", tmp_path / "o.pdf", "--signer", "nope")
    one_error_line(result, "no signer backend named 'nope' (known: ")
    assert "pemkey, pkcs11, pkcs12" in result.stderr


def test_no_signer_at_all(kyso_cli, document, tmp_path):
    one_error_line(kyso_cli("sign", document, "-o", tmp_path / "o.pdf"), "choose a signer: --p12 FILE or --signer")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--p12", "x.p12", "--pemkey-key", "k.pem"],
            "--pemkey-key is an option of --signer pemkey, not of --signer pkcs12",
        ),
        (["--signer", "pemkey", "--p12", "x.p12"], "--p12 is an option of --signer pkcs12, not of --signer pemkey"),
        (["--signer", "pemkey", "--password-env", "V"], "--password-env is an option of --signer pkcs12, not of"),
        (["--signer", "pemkey", "--pemkey-cert", "c.pem"], "--signer pemkey needs --pemkey-key"),
        (["--signer", "pkcs12"], "--signer pkcs12 needs --pkcs12-file"),
        (["--p12", "x.p12", "--pkcs12-file", "x.p12"], "give either --p12 or --pkcs12-file, not both"),
    ],
)
def test_options_of_another_backend_are_refused(kyso_cli, pemkey, document, tmp_path, extra, message):
    one_error_line(kyso_cli("sign", document, "-o", tmp_path / "o.pdf", *extra), message)
    assert pemkey.OPENED == []


@pytest.mark.parametrize("spelling", ["--pemkey-passphrase", "--pemkey-passphrase=", "--pkcs12-password"])
def test_a_secret_is_never_taken_from_argv(kyso_cli, pemkey, pem_files, document, tmp_path, spelling):
    secret = [f"{spelling}{SECRET}"] if spelling.endswith("=") else [spelling, SECRET]
    key, cert = pem_files
    result = kyso_cli(
        "sign", document, "-o", tmp_path / "o.pdf", "--signer", "pemkey", "--pemkey-key", key, "--pemkey-cert", cert,
        *secret,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "No such option" in result.stderr
    assert SECRET not in everything(result)
    assert pemkey.OPENED == []


def test_a_wrong_secret_is_not_repeated(kyso_cli, pemkey, pem_files, document, tmp_path):
    wrong = SECRET + "-wrong"
    result = kyso_cli("sign", document, "-o", tmp_path / "o.pdf", *pem_args(pem_files), env={"PEM_PASS": wrong})
    one_error_line(result, "wrong passphrase")
    assert SECRET not in everything(result)
    assert not (tmp_path / "o.pdf").exists()


def test_a_secret_from_a_file_and_its_messages(kyso_cli, pemkey, pem_files, document, tmp_path):
    key, cert = pem_files
    base = ["sign", document, "-o", tmp_path / "o.pdf", "--signer", "pemkey", "--pemkey-key", key, "--pemkey-cert"]
    base.append(cert)
    secret_file = tmp_path / "passphrase"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    assert kyso_cli(*base, "--pemkey-passphrase-file", secret_file).exit_code == 0
    both = kyso_cli(*base, "--pemkey-passphrase-file", secret_file, "--pemkey-passphrase-env", "PEM_PASS")
    one_error_line(both, "give either --pemkey-passphrase-env or --pemkey-passphrase-file, not both")
    unset = kyso_cli(*base, "--pemkey-passphrase-env", "KYSO_TEST_UNSET_PASSPHRASE")
    one_error_line(unset, "environment variable KYSO_TEST_UNSET_PASSPHRASE is not set")


def test_an_optional_secret_left_out_is_not_prompted(kyso_cli, pemkey, pem_files, document, tmp_path):
    """The passphrase is optional (``required=False``): ``open`` runs without it; here the key is encrypted."""
    key, cert = pem_files
    result = kyso_cli(
        "sign", document, "-o", tmp_path / "o.pdf", "--signer", "pemkey", "--pemkey-key", key, "--pemkey-cert", cert
    )
    one_error_line(result, "wrong passphrase")


def test_a_required_secret_left_out_names_its_options(kyso_cli, pki, document, tmp_path):
    result = kyso_cli(
        "sign", document, "-o", tmp_path / "o.pdf", "--signer", "pkcs12", "--pkcs12-file", pki.p12("person")
    )
    one_error_line(result, "no password: use --pkcs12-password-env VAR or --pkcs12-password-file FILE")
    short = kyso_cli("sign", document, "-o", tmp_path / "o.pdf", "--p12", pki.p12("person"))
    one_error_line(short, "no password: use --password-env VAR or --password-file FILE")


# ---------------------------------------------------------------------------------------------------------------
# the contract: declarations are checked, never shadow a command's option, import nothing heavy
# ---------------------------------------------------------------------------------------------------------------


def test_a_backend_option_that_meets_a_command_option_is_a_plugin_error(kyso_cli, install, document, tmp_path):
    """Backend ``token`` with option ``env`` would be ``--token-env``: ``kyso sync`` has its own. Refused loudly,
    on the commands where they meet only."""
    install(
        "kyso_token",
        """
        from kyso import hookimpl
        from kyso.core.signer import SignerBackend, SignerOption


        @hookimpl
        def kyso_register_signers(registry):
            registry.add(SignerBackend("token", "clash", open=dict, options=(SignerOption("env", "clash"),)))
        """,
    )
    one_error_line(kyso_cli("sync", "--help"), "signer backend 'token': its option --token-env meets an option of")
    assert "--token-env" in kyso_cli("sign", "--help").stdout


@pytest.mark.parametrize(
    "declare",
    [
        lambda: SignerBackend("PKCS-11", "", open=dict),
        lambda: SignerBackend("pkcs-11", "", open=dict),
        lambda: SignerOption("Token_Label", ""),
        lambda: SignerOption("pin", "", secret=True, default="1234"),
        lambda: SignerBackend("x", "", open=dict, options=(SignerOption("a", ""), SignerOption("a", ""))),
        lambda: SignerBackend(
            "x", "", open=dict, options=(SignerOption("pin-env", ""), SignerOption("pin", "", secret=True))
        ),
    ],
    ids=["upper", "dash", "option-case", "secret-default", "twice", "secret-spelling-taken"],
)
def test_bad_declarations_are_plugin_errors(declare):
    with pytest.raises(PluginError):
        declare()


def test_registry_get_names_the_known_backends():
    registry = SignerRegistry()
    registry.add(SignerBackend("pkcs12", "", open=dict))
    with pytest.raises(UsageError, match=r"no signer backend named 'nope' \(known: pkcs12\)"):
        registry.get("nope")


def test_the_pkcs11_backend_fits_the_contract(kyso_cli):
    """The built-in PKCS#11 backend (issue 11): module, slot, token and key, certificate, a PIN from env/file/prompt;
    each option also spelled without the prefix, as the issue writes them (``--module``, ``--pin-env``)."""
    help_text = kyso_cli("sign", "--help").stdout
    for flag in ("--pkcs11-module PATH", "--pkcs11-slot N", "--pkcs11-token-label", "--pkcs11-token-serial",
                 "--pkcs11-key-label", "--pkcs11-key-id HEX", "--pkcs11-cert FILE", "--pkcs11-pin-env VAR",
                 "--pkcs11-pin-file FILE", "--module for --pkcs11-module"):  # fmt: skip
        assert flag in " ".join(help_text.split()), flag
    assert "--pkcs11-pin " not in help_text
    for slot in (["--pkcs11-slot", "two"], ["--slot", "two"]):
        bad_slot = kyso_cli("sign", "x.pdf", "-o", "y.pdf", "--signer", "pkcs11", *slot)
        assert bad_slot.exit_code == 2 and "'two' is not a valid integer" in bad_slot.stderr, bad_slot.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--signer", "pkcs12", "--module", "m.so"], "--module is not an option of --signer pkcs12"),
        (["--module", "m.so"], "choose a signer"),
        (["--signer", "pkcs11", "--module", "a.so", "--pkcs11-module", "b.so"], "give either --module or --pkcs11-m"),
        (["--signer", "pkcs11", "--pin-env", "A", "--pin-file", "f"], "give either --pin-env or --pin-file, not both"),
        (["--signer", "pkcs11", "--pin", "1234"], "No such option '--pin'"),
    ],
)
def test_unprefixed_options_belong_to_the_chosen_backend(kyso_cli, document, tmp_path, extra, message):
    result = kyso_cli("sign", document, "-o", tmp_path / "o.pdf", *extra)
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert "1234" not in result.stdout + result.stderr


def test_declaring_and_listing_backends_imports_no_key_library():
    """``kyso sign --help`` and ``kyso signers`` read the declarations only: no cryptography key loading, no
    pyHanko (they are imported when a signer is opened)."""
    code = textwrap.dedent(
        """
        import sys
        from kyso.cli.main import main
        for argv in (["sign", "--help"], ["signers"], ["sync", "--help"]):
            try:
                main(argv)
            except SystemExit as exc:
                assert exc.code == 0, (argv, exc.code)
        heavy = [m for m in sys.modules if m.startswith(("pyhanko", "cryptography.hazmat.primitives.serialization",
                                                         "asn1crypto.pkcs12"))]
        assert not heavy, heavy
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
