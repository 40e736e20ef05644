"""The certificate tests' shared fixtures (``hostile_server``, ``mini_pki``, ``trust_copies``), made in
``certs_helpers`` and registered here once for every module of the folder."""

from certs_helpers import hostile_server_fixture, mini_pki_fixture, trust_copies_fixture

__all__ = ["hostile_server_fixture", "mini_pki_fixture", "trust_copies_fixture"]
