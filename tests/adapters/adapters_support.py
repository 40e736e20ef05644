"""Fixtures for the adapter tests (imported by the test modules): the iOffice simulator (one per module), an adapter
on it, signing assets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kyso.core.adapter import AdapterConfig, Credentials

FAST = {"timeout": 0.6, "retries": 2, "backoff": 0.02}


@pytest.fixture(scope="module")
def ioffice_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    from kyso.testing.simulators.ioffice import IOfficeSimulator

    with IOfficeSimulator(tmp_path_factory.mktemp("ioffice-sim")).serve() as simulator:
        yield simulator


@pytest.fixture
def ioffice_config(ioffice_sim) -> AdapterConfig:
    return AdapterConfig(ioffice_sim.url, Credentials("kyso", "kyso-secret"), **FAST)


@pytest.fixture
def ioffice(ioffice_config) -> Iterator:
    from kyso_ioffice.adapter import IOfficeAdapter

    adapter = IOfficeAdapter(ioffice_config)
    yield adapter
    adapter.close()


@pytest.fixture(scope="session")
def assets() -> dict[str, bytes]:
    from kyso.demo.marks import sample_seal_png, sample_signature_png

    return {"image": sample_signature_png(), "seal": sample_seal_png()}


@pytest.fixture
def root(pki) -> list[Path]:
    return [pki.cert("root")]


APPROVAL_BOX = {"page": 1, "box": [330, 120, 500, 190]}


def receive_in_simulator(tmp_path: Path, packages: list[bytes], pki, sender) -> tuple[list, list[bytes]]:
    """``receive`` as ``sender`` over ``packages`` queued in a fresh iOffice simulator: (the results, in the order of
    ``packages``; the status packet the simulator got back for each)."""
    from kyso.testing.simulators.ioffice import IOfficeSimulator
    from kyso_ioffice.adapter import IOfficeAdapter
    from kyso_ioffice.workflow import receive

    with IOfficeSimulator(tmp_path / "sim").serve() as simulator:
        ids = [simulator.add_package(clerk="vt", data=p) for p in packages]
        adapter = IOfficeAdapter(AdapterConfig(simulator.url, Credentials("kyso", "kyso-secret"), timeout=2))
        try:
            answered = receive(adapter, sender=sender, trust=[pki.cert("root")], revocation="off")
            by_id = {r.package: r for r in answered}
        finally:
            adapter.close()
        sent = [simulator.package(i)["status"] for i in ids]
    return [by_id[i] for i in ids], sent
