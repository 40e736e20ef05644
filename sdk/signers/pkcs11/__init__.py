"""Built-in plugin: the ``pkcs11`` signer backend (a key on a USB token, smart card or HSM) and ``kyso tokens``.

Light on purpose: registered at every ``kyso`` start, it declares the backend as data and imports python-pkcs11
only when a token is opened or listed. The Python API is :func:`open_token_signer` (the CLI's option names as
keywords: ``token_label=``, ``key_id=`` ...)::

    from kyso.signers.pkcs11 import open_token_signer

    with open_token_signer("/usr/lib/softhsm/libsofthsm2.so", token_label="kyso", key_label="person", pin=pin) as s:
        for path in documents:
            signed = kyso.sign(path.read_bytes(), signer=s)  # one login for the whole batch
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kyso.core import hookimpl
from kyso.core.signer import SignerBackend, SignerOption, SignerRegistry

if TYPE_CHECKING:
    import click

    from kyso.signers.pkcs11.signer import MODULES, Pkcs11Signer, find_token, load_module, open_token_signer

_FROM_SIGNER = ("MODULES", "Pkcs11Signer", "find_token", "load_module", "open_token_signer")


def __getattr__(name: str) -> Any:
    """The signer's names, imported on first use: ``kyso --help`` registers this plugin and must stay fast."""
    if name in _FROM_SIGNER:
        from kyso.signers.pkcs11 import signer

        return getattr(signer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _open(**options: Any) -> Any:
    from kyso.signers.pkcs11.signer import _open as open_signer

    return open_signer(**options)


BACKEND = SignerBackend(
    name="pkcs11",
    description="a key on a USB token, smart card or HSM (PKCS#11); kyso tokens lists them",
    open=_open,
    options=(
        SignerOption(
            "module",
            "The token's PKCS#11 library (.dll, .so, .dylib) of this Python's bitness (default: the only one found).",
            type="path",
            metavar="PATH",
        ),
        SignerOption("slot", "Slot ID of the token, as kyso tokens shows it.", type="int", metavar="N"),
        SignerOption("token-label", "Label of the token.", metavar="LABEL"),
        SignerOption("token-serial", "Serial number of the token.", metavar="S"),
        SignerOption("key-label", "Label of the signing key (default: the token's only key).", metavar="LABEL"),
        SignerOption("key-id", "Id of the signing key, in hexadecimal.", metavar="HEX"),
        SignerOption(
            "cert",
            "The signing certificate, PEM or DER (default: the one on the token with the key's id).",
            type="path",
            metavar="FILE",
        ),
        SignerOption("pin", "the token's user PIN", secret=True, required=True),
    ),
)
"""``--signer pkcs11``; each option may be given without the prefix: ``--module``, ``--pin-env`` ..."""


@hookimpl
def kyso_register_signers(registry: SignerRegistry) -> None:
    registry.add(BACKEND)


@hookimpl
def kyso_register_commands(cli: click.Group) -> None:
    from kyso.signers.pkcs11.cli import tokens_command

    cli.add_command(tokens_command)


__all__ = ["BACKEND", "MODULES", "Pkcs11Signer", "find_token", "load_module", "open_token_signer"]
