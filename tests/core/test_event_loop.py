"""Kyso's synchronous API works when its caller already runs an event loop (a notebook, a web handler).

One rule makes it so: :func:`kyso.core.aio.outside_event_loop` on the public functions; the library below them
(pyHanko's synchronous calls, which use ``asyncio.run``) needs no wrapping of its own."""

from __future__ import annotations

import asyncio

import pytest

import kyso


# B-LTA also runs pyHanko's validation-data and document time-stamp calls (kyso.pdf.ltv), each an asyncio.run
@pytest.mark.parametrize("level", ["B-B", "B-LTA"])
def test_sign_and_verify_inside_a_running_event_loop(level, unsigned_pdf, signer_for, pki) -> None:
    signer = signer_for("person")

    async def handler() -> str:
        # pyHanko's synchronous signer calls asyncio.run, which refuses to start inside this loop
        signed = kyso.sign(unsigned_pdf, signer=signer, level=level, tsa=pki.tsa_url)
        report = kyso.verify(signed, trust=[pki.root_cert], revocation="off")
        return f"{report.indication} {report.signatures[0].level}"

    assert asyncio.run(handler()) == f"TOTAL_PASSED {level}"
