"""Signer backends: where keys live. Each module is a plugin offering one backend."""

from __future__ import annotations

from typing import Any


def hash_algorithm(name: str) -> Any:
    """The ``cryptography`` hash a signer may sign with (``"sha256"``, ``"sha384"``, ``"sha512"``): the one list of
    digest algorithms every backend accepts. :class:`~kyso.core.errors.SignerError` for any other."""
    from cryptography.hazmat.primitives import hashes

    from kyso.core.errors import SignerError

    allowed: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
        "sha256": hashes.SHA256,
        "sha384": hashes.SHA384,
        "sha512": hashes.SHA512,
    }
    try:
        return allowed[name.lower()]()
    except KeyError:
        raise SignerError(f"digest algorithm {name!r} is not allowed for signing") from None
