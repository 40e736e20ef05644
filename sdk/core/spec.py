"""Hook specifications of Kyso.

Every hook is prefixed ``kyso_``. Implement one with ``from kyso import hookimpl``. The three mission hooks
(:func:`kyso_sign`, :func:`kyso_verify`, :func:`kyso_validate_certificate`) stop at the first non-``None``
result; a plugin that wants to amend another's answer (a national rule, say) wraps it with
``@hookimpl(wrapper=True)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kyso.core import hookspec

if TYPE_CHECKING:
    import click

    from kyso.core.adapter import AdapterRegistry
    from kyso.core.formats import FormatRegistry
    from kyso.core.kinds import KindRegistry
    from kyso.core.models import (
        CertificateReport,
        CertificateValidator,
        Document,
        SignRequest,
        ValidationOptions,
        VerificationReport,
        VerifyOptions,
    )
    from kyso.core.signer import SignerRegistry


# -------------------------------------------------------------------------------------------------------------
# Registration: what a plugin offers
# -------------------------------------------------------------------------------------------------------------


@hookspec
def kyso_register_formats(registry: FormatRegistry) -> None:
    """Declare the document formats this plugin can sign or verify.

    Called once when the plugin manager is first asked for formats.

    :param registry: add a :class:`~kyso.core.models.DocumentFormat` with ``registry.add(...)``.

    Use in adapters: not needed; adapters hand documents to formats declared by format plugins.

    .. versionadded:: 0.1
    """


@hookspec
def kyso_register_signers(registry: SignerRegistry) -> None:
    """Declare the signer backends (where keys live) this plugin offers.

    Called once when the plugin manager is first asked for signer backends.

    :param registry: add a :class:`~kyso.core.signer.SignerBackend` with ``registry.add(...)``.

    Use in adapters: a platform with its own remote-signing service registers it here.

    .. versionadded:: 0.1
    """


@hookspec
def kyso_register_kinds(registry: KindRegistry) -> None:
    """Declare signature kinds: name, typed options, the signer's assets, placement of the mark, labels, formats.

    Called once when the plugin manager is first asked for kinds (``kyso sign``, :func:`kyso.sign`, reports).

    :param registry: add a :class:`~kyso.core.kinds.KindSpec` with ``registry.add(...)``; a kind added under a
        name already registered replaces it.

    Use in adapters: a platform whose documents carry a kind of their own (a receipt ...) declares it here; its
    options become ``kyso sign`` options and ``kyso.sign`` keyword arguments.

    .. versionadded:: 0.2
    """


@hookspec
def kyso_register_commands(cli: click.Group) -> None:
    """Add sub-commands to the ``kyso`` command line.

    Called once when the CLI starts.

    :param cli: the top-level :class:`click.Group`; add commands with ``cli.add_command(...)``.

    Use in adapters: add ``kyso <adapter> ...`` commands.

    .. versionadded:: 0.1
    """


# -------------------------------------------------------------------------------------------------------------
# The mission: sign, verify, validate a certificate
# -------------------------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def kyso_sign(request: SignRequest) -> bytes | None:
    """Sign a document.

    Stops at first non-None result: the first plugin that handles ``request.document.format`` answers.

    :param request: the document, the signer, the level, the kind and the appearance of the signature.
    :returns: the complete signed document, or ``None`` when the format is not this plugin's.
    :raises kyso.core.errors.KysoError: for unusable input or a signer or service that fails; the input bytes are
        never modified.

    Use in adapters: call :func:`kyso.sign` instead of the hook.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def kyso_verify(
    document: Document, options: VerifyOptions, validate_certificate: CertificateValidator
) -> VerificationReport | None:
    """Verify every signature of a document.

    Stops at first non-None result: the first plugin that handles ``document.format`` answers.

    :param document: the bytes and their detected format.
    :param options: trust anchors, moment and revocation policy for every signature.
    :param validate_certificate: runs the :func:`kyso_validate_certificate` hook; a format plugin must use it for
        every signer and time-stamping certificate so that certificate rules apply to all formats alike.
    :returns: the report, or ``None`` when the format is not this plugin's. A bad signature is a verdict in the
        report, never an exception.
    :raises kyso.core.errors.InputError: only when the document cannot be read at all.

    Use in adapters: call :func:`kyso.verify` instead of the hook.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def kyso_validate_certificate(certificate: bytes, options: ValidationOptions) -> CertificateReport | None:
    """Validate a certificate: path to a trust anchor, validity at a moment, key usage, revocation.

    Stops at first non-None result. Wrap it (``@hookimpl(wrapper=True)``) to add a rule for every format.

    :param certificate: DER of the certificate to validate.
    :param options: trust anchors, intermediates, moment, revocation policy and purpose.
    :returns: the certificate report, or ``None`` to let another plugin answer.
    :raises kyso.core.errors.InputError: when ``certificate`` is not a certificate.

    Use in adapters: call :func:`kyso.validate_certificate` instead of the hook.

    .. versionadded:: 0.1
    """


# -------------------------------------------------------------------------------------------------------------
# Platforms: adapters for document-management and one-stop-shop software
# -------------------------------------------------------------------------------------------------------------


@hookspec
def kyso_register_adapters(registry: AdapterRegistry) -> None:
    """Declare the platform adapters this plugin offers (see :mod:`kyso.core.adapter`).

    Called once when the adapters are first listed or used (``kyso adapters``, ``kyso sync``,
    ``kyso conformance``).

    :param registry: add a :class:`~kyso.core.adapter.AdapterInfo` with ``registry.add(...)``.

    Use in adapters: this is how an adapter becomes known; declare the plugin module as an entry point of group
    ``kyso`` and run ``kyso conformance NAME``.

    .. versionadded:: 0.1
    """
