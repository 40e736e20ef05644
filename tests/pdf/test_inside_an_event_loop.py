"""kyso.sign and kyso.verify called from inside a running event loop (an ASGI service, a notebook, a page test's
Playwright loop): pyHanko's synchronous wrappers call ``asyncio.run`` and failed there with "asyncio.run() cannot
be called from a running event loop"; Kyso runs pyHanko's coroutines through kyso.core.aio.run_sync."""

from __future__ import annotations

import asyncio

import pytest

import kyso


@pytest.mark.parametrize("level", ["B-B", "B-LTA"])
def test_sign_and_verify_inside_a_running_loop(level, signer_for, pki, unsigned_pdf):
    async def inside() -> str:
        signed = kyso.sign(unsigned_pdf, signer=signer_for("person"), level=level, tsa=pki.tsa_url)
        report = kyso.verify(signed, trust=[pki.cert("root")])
        return f"{report.indication} {report.signatures[0].level}"

    assert asyncio.run(inside()) == f"TOTAL_PASSED {level}"
