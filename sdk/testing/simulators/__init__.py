"""Platform simulators: small HTTP servers (werkzeug, 127.0.0.1) that play a platform for tests, examples, the
conformance suite and ``kyso simulate NAME``. Test infrastructure, not runtime: no adapter imports this package.

- :mod:`kyso.testing.simulators.base`: :class:`Simulator` (state in SQLite, fault injection, the ``/_sim/`` control
  API, a server thread), :class:`SimulatorControl` (its client) and :func:`json_response`; subclass it for your
  platform (``classify`` and ``route``), as ``examples/custom_adapter`` does;
- :mod:`kyso.testing.simulators.ioffice`: the iOffice-style document-management platform (adapter ``ioffice``);
- :mod:`kyso.testing.simulators.onegate`: the OpenCPS-like one-stop shop (adapter ``onegate``).
"""

from __future__ import annotations

from kyso.testing.simulators.base import USERS, Simulator, SimulatorControl, json_response

__all__ = ["USERS", "Simulator", "SimulatorControl", "json_response"]
