"""What the remote-signing tests share: the session simulator, reset for each test, and its test account.

Not a ``conftest.py``: other test modules import the top-level ``conftest`` by name, which a second one would shadow.
Test modules import the fixture from here."""

from __future__ import annotations

import pytest

USER = "079090001234"
"""The simulator's account holding the test PKI's ``person`` certificate."""


@pytest.fixture(name="simulator")
def simulator_fixture(kyso_remote_signing):
    """The session's remote-signing simulator, its transactions and settings forgotten."""
    kyso_remote_signing.reset()
    return kyso_remote_signing
