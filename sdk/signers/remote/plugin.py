"""Built-in plugin: the remote signer backends ``csc``, ``smartca`` and ``mysign``.

Declarations only (cheap to import: ``kyso --help`` reads them); each backend's module loads when it is opened.
Once ``--signer`` names a backend, its options may be written without the prefix (``--service-url``,
``--credential``, ``--signer-user``, ``--client-id``, and the secrets ``--oauth-token-env``, ``--client-secret-env``,
``--pin-env``); the prefixed spelling (``--smartca-service-url``) always works.
"""

from __future__ import annotations

from typing import Any

from kyso.core import hookimpl
from kyso.core.signer import SignerBackend, SignerOption, SignerRegistry


def _service_url(example: str) -> SignerOption:
    return SignerOption("service-url", f"Base URL of the service ({example}).", required=True, metavar="URL")


_CREDENTIAL = SignerOption(
    "credential", "Credential (certificate) to sign with; default: the user's only one.", metavar="ID"
)
_USER = SignerOption("signer-user", "The signer's account at the service (user id).", metavar="ID")
_USER_REQUIRED = SignerOption(
    "signer-user", "The signer's account at the service (user id).", required=True, metavar="ID"
)
_TOKEN = SignerOption("oauth-token", "an OAuth2 bearer token", secret=True)
_CLIENT_ID = SignerOption("client-id", "OAuth2 / service-provider client id.", metavar="ID")
_CLIENT_ID_REQUIRED = SignerOption("client-id", "Service-provider client id.", required=True, metavar="ID")
_CLIENT_SECRET = SignerOption("client-secret", "the OAuth2 / service-provider client secret", secret=True)
_CONFIRM = SignerOption(
    "confirm-timeout", "Seconds to wait for the confirmation on the phone.", type="int", default=300
)
_POLL = SignerOption("poll-interval", "Seconds between status requests, growing to 10.", default="2", metavar="SECONDS")


def _open(module: str, function: str) -> Any:
    def opened(**options: Any) -> Any:
        import importlib

        return getattr(importlib.import_module(module), function)(**options)

    return opened


def _phone_backend(
    name: str, description: str, url_example: str, secret_help: str, *, extra: tuple[SignerOption, ...] = ()
) -> SignerBackend:
    """A backend confirmed on the phone: the same account options, the service's own wording."""
    return SignerBackend(
        name=name,
        description=description,
        open=_open(f"kyso.signers.remote.{name}", f"open_{name}"),
        options=(
            _service_url(url_example),
            _USER_REQUIRED,
            _CREDENTIAL,
            _CLIENT_ID_REQUIRED,
            SignerOption("client-secret", secret_help, secret=True, required=True),
            *extra,
            _CONFIRM,
            _POLL,
        ),
    )


BACKENDS = (
    SignerBackend(
        name="csc",
        description="a remote key at a Cloud Signature Consortium (CSC API v1/v2) service",
        open=_open("kyso.signers.remote.csc", "open_csc"),
        options=(
            _service_url("the base before /csc/v1"),
            _CREDENTIAL,
            _USER,
            _TOKEN,
            _CLIENT_ID,
            _CLIENT_SECRET,
            SignerOption("pin", "the credential's PIN", secret=True),
            SignerOption("api", "CSC API version: v1 or v2.", default="v1", metavar="VERSION"),
        ),
    ),
    _phone_backend(
        "smartca",
        "VNPT SmartCA: a remote key, each batch confirmed once on the phone (SP769 API)",
        "SP769 base, e.g. https://gwsca.vnpt.vn/sca/sp769",
        "the service provider's secret",
    ),
    _phone_backend(
        "mysign",
        "Viettel MySign: a remote key, each batch confirmed once on the phone",
        "e.g. https://remotesigning.viettel.vn:8773",
        "the client secret",
        extra=(_TOKEN, SignerOption("profile", "MySign profile id.", default="adss:ras:profile:001", metavar="ID")),
    ),
)


@hookimpl
def kyso_register_signers(registry: SignerRegistry) -> None:
    for backend in BACKENDS:
        registry.add(backend)
