"""Kyso's synchronous API works when its caller already runs an event loop (a notebook, a web handler)."""

from __future__ import annotations

import asyncio

import kyso


def test_sign_and_verify_inside_a_running_event_loop(unsigned_pdf, signer_for, pki) -> None:
    signer = signer_for("person")

    async def handler() -> str:
        # pyHanko's synchronous signer calls asyncio.run, which refuses to start inside this loop
        signed = kyso.sign(unsigned_pdf, signer=signer)
        return kyso.verify(signed, trust=[pki.root_cert], revocation="off").indication

    assert asyncio.run(handler()) == "TOTAL_PASSED"
