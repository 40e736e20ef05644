"""The in-memory reuse of passing verdicts "as of now" expires (issue 9, class 13: "verdict-cache expiry removed").

A passing verdict is reused for the same certificate and options for at most 5 minutes, and never past the
nextUpdate of the revocation answers it rests on: a certificate revoked since is then seen as revoked. The
verdict cache's clock is injected (``_verdicts.clock``); the answer cache is off, so that a verdict computed
again asks the responder again, which now says "revoked".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from certs_helpers import MiniPKI, Route, ocsp_answer

# fixtures: importing one registers it here
from certs_helpers import hostile_server_fixture as hostile_server_fixture
from certs_helpers import mini_pki_fixture as mini_pki_fixture

import kyso
from kyso.certs import validation
from kyso.certs.cache import answer_cache

OCSP = "application/ocsp-response"


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    fake = Clock()
    monkeypatch.setenv("KYSO_CACHE_DIR", "off")
    monkeypatch.setattr(validation._verdicts, "clock", fake)
    validation.clear_memory_caches()
    yield fake
    validation.clear_memory_caches()


def responder(pki: MiniPKI, path: str, *, valid_for: timedelta) -> dict[str, bool]:
    """An OCSP route that says "good" until ``state["revoked"]`` is set."""
    state = {"revoked": False}
    pki.server.routes[path] = Route(
        lambda req: ocsp_answer(req, issuer=pki.ca, revoked=state["revoked"], valid_for=valid_for), OCSP
    )
    return state


def check(pki: MiniPKI, cert: bytes) -> kyso.CertificateReport:
    return kyso.validate_certificate(cert, trust=[pki.root.pem], intermediates=[pki.ca.pem], revocation="hard")


def revoke(state: dict[str, bool]) -> None:
    state["revoked"] = True
    answer_cache().clear_memory()  # the answer itself is not reused: only the verdict could be


def test_a_verdict_is_reused_for_at_most_five_minutes(mini_pki: MiniPKI, clock: Clock) -> None:
    state = responder(mini_pki, "vc/window", valid_for=timedelta(hours=1))
    cert = mini_pki.person("verdict window", ocsp_url="vc/window").pem
    assert check(mini_pki, cert).indication == "TOTAL_PASSED"
    asked = mini_pki.server.hits["vc/window"]
    clock.offset = timedelta(minutes=1)
    reused = check(mini_pki, cert)
    assert reused.indication == "TOTAL_PASSED" and mini_pki.server.hits["vc/window"] == asked  # reused: not asked
    revoke(state)
    clock.offset = timedelta(minutes=6)  # past the 5-minute window, well before the answer's nextUpdate (1 h)
    report = check(mini_pki, cert)
    assert mini_pki.server.hits["vc/window"] == asked + 1, "the verdict was reused past its 5 minutes"
    assert report.sub_indication == "REVOKED_NO_POE", report.messages


def test_a_verdict_is_never_reused_past_the_answers_next_update(mini_pki: MiniPKI, clock: Clock) -> None:
    state = responder(mini_pki, "vc/next-update", valid_for=timedelta(minutes=2))
    cert = mini_pki.person("verdict nextUpdate", ocsp_url="vc/next-update").pem
    assert check(mini_pki, cert).indication == "TOTAL_PASSED"
    asked = mini_pki.server.hits["vc/next-update"]
    revoke(state)
    clock.offset = timedelta(minutes=3)  # inside the 5-minute window, past the answer's nextUpdate (2 min)
    report = check(mini_pki, cert)
    assert mini_pki.server.hits["vc/next-update"] == asked + 1, "the verdict was reused past its nextUpdate"
    assert report.sub_indication == "REVOKED_NO_POE", report.messages
