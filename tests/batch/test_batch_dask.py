"""The same batch on Dask distributed: one LocalCluster for the session (2 worker processes), reached by its
``tcp://`` address as a province's cluster would be; the results reduce to the report the process pool gives, and
a worker killed in the middle of a run loses nothing and counts nothing twice."""

from __future__ import annotations

import os
import signal

import pytest
from batch_support import json_items

import kyso

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="session")
def dask_scheduler():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, memory_limit="1GiB"
    )
    yield cluster.scheduler_address
    cluster.close()


@pytest.fixture(scope="module")
def signed_folder(tmp_path_factory, signer_for, unsigned_pdf, signed_pdf):
    folder = tmp_path_factory.mktemp("signed")
    for number in range(10):
        other = kyso.sign(unsigned_pdf, signer=signer_for("person"))
        (folder / f"{number:02d}.pdf").write_bytes(signed_pdf if number % 2 else other)
    (folder / "revoked.pdf").write_bytes(kyso.sign(unsigned_pdf, signer=signer_for("revoked")))
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\nnot really")
    return folder


def _statuses(path):
    return {name: (item["status"], item["indication"]) for name, item in json_items(path).items()}


def test_dask_gives_the_report_of_the_process_pool(pki, kyso_cli, tmp_path, signed_folder, dask_scheduler):
    common = ["batch", "verify", signed_folder, "--trust", pki.root_cert, "--workers", "2", "--lang", "en"]
    pool = kyso_cli(*common, "--report", tmp_path / "pool.json")
    dask = kyso_cli(*common, "--scheduler", dask_scheduler, "--report", tmp_path / "dask.json")
    assert pool.exit_code == dask.exit_code == 1
    assert _statuses(tmp_path / "pool.json") == _statuses(tmp_path / "dask.json")
    assert _statuses(tmp_path / "dask.json")["revoked.pdf"] == ("not_passed", "TOTAL_FAILED")
    assert len(_statuses(tmp_path / "dask.json")) == 12


def test_a_worker_killed_mid_run_loses_nothing_and_counts_nothing_twice(
    pki, tmp_path, signed_folder, dask_scheduler, monkeypatch
):
    from kyso.batch.cli import run_command, verify_options_from
    from kyso.batch.journal import Journal
    from kyso.batch.operations import Verify
    from kyso.batch.runner import DaskEngine

    monkeypatch.setattr("kyso.batch.runner.CHUNK", 1)  # one document per task: many in flight when the kill comes
    engine = DaskEngine(dask_scheduler, 2)
    client = engine._client
    seen: list[str] = []

    def kill_one_worker(item):
        seen.append(item["input"])
        if len(seen) == 1:  # the others are in flight: the nanny restarts it, the scheduler reschedules its tasks
            pids = client.run(os.getpid)
            os.kill(next(iter(pids.values())), signal.SIGKILL)

    operation = Verify(
        verify_options_from(
            trust=(pki.root_cert,), revocation="soft", at=None, offline=False, timeout=30.0, allow_weak=()
        )
    )
    try:
        summary = run_command(
            operation,
            (str(signed_folder),),
            output_dir=None,
            workers=2,
            scheduler=dask_scheduler,
            journal_path=tmp_path / "j.sqlite",
            report_path=None,
            lang="en",
            engine=engine,
            on_item=kill_one_worker,
        )
    finally:
        engine.close()
    assert len(seen) == len(set(seen)) == 12 == summary.total
    assert summary.counts["passed"] == 10
    with Journal(tmp_path / "j.sqlite") as journal:
        assert len(list(journal.rows("verify"))) == 12
