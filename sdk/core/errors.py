"""One exception hierarchy for the SDK.

A :class:`KysoError` is an expected failure (unusable input, wrong password, unreachable service): the CLI prints
its :meth:`~KysoError.diagnostics` on one line and exits with 2. A bad signature is never an exception: it is a
verdict in a report. Messages never contain keys, PINs or passwords.
"""

from __future__ import annotations


class KysoError(Exception):
    """Base of every error the SDK raises on purpose."""

    def diagnostics(self) -> str:
        """One human-readable line, safe to show to a user (no secrets)."""
        return str(self) or self.__class__.__name__


class UsageError(KysoError):
    """The caller asked for something that does not make sense (bad option, missing argument)."""


class InputError(KysoError):
    """The document or file given cannot be used: missing, unreadable, malformed, encrypted, too large."""


class UnsupportedFormatError(InputError):
    """No registered plugin handles the document's format."""


class EncryptedDocumentError(InputError):
    """The document is encrypted; Kyso does not sign or verify encrypted documents."""


class SignerError(KysoError):
    """The signer cannot sign: key store unreadable, wrong password, no private key, unsuitable certificate."""


class WrongPasswordError(SignerError):
    """The password or PIN of a key store is wrong (the password itself is never repeated)."""


class SigningError(KysoError):
    """Signing started but could not finish (the document is left untouched and no output is written)."""


class ServiceError(KysoError):
    """A network service (TSA, OCSP, CRL, platform) was unreachable, too slow or answered garbage."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class TimestampError(ServiceError):
    """The time-stamping authority could not give a usable time-stamp."""


class RevocationError(ServiceError):
    """Revocation information (OCSP, CRL) could not be obtained or was unusable."""


class PlatformError(ServiceError):
    """The platform failed: unreachable, too slow, a server error after the retries, an answer that is not what its
    API promises (HTML instead of JSON ...)."""


class AuthenticationError(PlatformError):
    """The platform refused the credentials (HTTP 401 / 403). Never retried; the secret is never repeated."""


class RedirectError(PlatformError):
    """The platform answered with a redirect Kyso does not follow: to another origin while the request carries
    credentials or a body, to another scheme than http(s), from https to http, or too many in a row (see
    :mod:`kyso.adapters.http`)."""


class ItemError(KysoError):
    """One item cannot be processed (its document is truncated, not what the item claims ...): that item fails,
    the others proceed."""


class PluginError(KysoError):
    """A plugin is broken: a hook misspelled, an entry point that fails to import."""
