"""Issue 9, class 5: every network fetch of certificate material is bounded (Kyso rule, bounded fetching).

The hostile servers are built here, on 127.0.0.1: a server trickling one byte a second (in the body or in the
headers), answers of 500 MB generated on the fly (never materialised), compressed answers, redirects to file:,
to ftp: and in a loop, and counters that tell whether a URL was asked at all. Certificates name them in their
AIA, OCSP and CRL URLs. Each test asserts the verdict, the message (which fetch was cut, why; never the body) and
the bound: elapsed time within the budget plus slack, peak memory far below the hostile size.
"""

from __future__ import annotations

import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from certs_helpers import Issued, QuietHandler, issue, new_key, serving

import kyso
from kyso.certs.fetching import FetchRefused, bounded_fetch
from kyso.certs.validation import validate as validate_der
from kyso.core.errors import TimestampError
from kyso.core.models import NetworkBudget, RevocationPolicy, ValidationOptions

MARKER = b"HOSTILE-BODY-MARKER"
"""The start of every hostile body: a message that quotes the server's answer would show it."""
HUGE = 500 * 1024 * 1024
BUDGET = 2.0
"""Seconds of network budget in these tests (the default is 30)."""
SLACK = 3.0
"""Seconds allowed beyond the budget (thread start, certificate checks, a loaded machine)."""


# --------------------------------------------------------------------------------------------- hostile server


@dataclass
class Hostile:
    """Paths: ``trickle-body/*``, ``trickle-head/*``, ``huge/*`` (Content-Length 500 MB), ``endless/*`` (no length),
    ``gzip/*``, ``redirect-file/*``, ``redirect-ftp/*``, ``redirect-loop/*``, ``static/*`` (:attr:`static`), and
    anything else 404; :attr:`hits` counts the requests per path."""

    port: int = 0
    hits: Counter[str] = field(default_factory=Counter)
    static: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"


@pytest.fixture(scope="module")
def hostile() -> Iterator[Hostile]:
    state = Hostile()
    zeros = MARKER + b"\0" * (64 * 1024 - len(MARKER))

    class Handler(QuietHandler):
        def _answer(self, body: bytes) -> None:
            path = self.path.lstrip("/")
            state.hits[path] += 1
            kind = path.split("/", 1)[0]
            try:
                getattr(self, "_" + kind.replace("-", "_"), self._missing)(path)
            except OSError:
                pass  # the client cut the connection: what the tests expect

        def _head(self, *headers: tuple[str, str], status: int = 200) -> None:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.flush()

        def _trickle_body(self, path: str) -> None:
            self._head(("Content-Type", "application/octet-stream"), ("Content-Length", "100000"))
            for _ in range(120):  # one byte a second, for two minutes at most
                self.wfile.write(b"X")
                self.wfile.flush()
                time.sleep(1)

        def _trickle_head(self, path: str) -> None:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            for _ in range(120):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(1)

        def _stream(self, total: int) -> None:
            sent = 0
            while sent < total:
                self.wfile.write(zeros)
                sent += len(zeros)

        def _huge(self, path: str) -> None:
            self._head(("Content-Type", "application/octet-stream"), ("Content-Length", str(HUGE)))
            self._stream(HUGE)

        def _endless(self, path: str) -> None:
            self._head(("Content-Type", "application/octet-stream"), ("Connection", "close"))
            self._stream(HUGE)

        def _gzip(self, path: str) -> None:
            body = MARKER * 10
            self._head(
                ("Content-Type", "application/pkix-crl"),
                ("Content-Encoding", "gzip"),
                ("Content-Length", str(len(body))),
            )
            self.wfile.write(body)

        def _redirect(self, location: str) -> None:
            self._head(("Location", location), ("Content-Length", "0"), status=302)

        def _redirect_file(self, path: str) -> None:
            self._redirect("file:///etc/passwd")

        def _redirect_ftp(self, path: str) -> None:
            self._redirect(f"ftp://127.0.0.1:{state.port}/{path}")

        def _redirect_loop(self, path: str) -> None:
            self._redirect(f"/{path}")

        def _static(self, path: str) -> None:
            if path not in state.static:
                self._missing(path)
                return
            content_type, body = state.static[path]
            self._head(("Content-Type", content_type), ("Content-Length", str(len(body))))
            self.wfile.write(body)

        def _missing(self, path: str) -> None:
            self._head(("Content-Length", "0"), status=404)

    with serving(Handler) as state.port:
        yield state


@dataclass
class Pki:
    root: Issued
    ca: Issued


@pytest.fixture(scope="module")
def mini() -> Pki:
    root = issue("Fetch Bounds Root", ca=True)
    return Pki(root=root, ca=issue("Fetch Bounds CA", issuer=root, ca=True, path_length=0))


def validate(mini: Pki, cert: Issued, **kwargs: Any) -> kyso.CertificateReport:
    options = {"trust": [mini.root.pem], "intermediates": [mini.ca.pem], "revocation": "hard", "timeout": BUDGET}
    return kyso.validate_certificate(cert.pem, **{**options, **kwargs})


def timed(run: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    result = run()
    return result, time.monotonic() - started


def assert_try_later(report: kyso.CertificateReport, *words: str) -> str:
    assert (report.indication, report.sub_indication) == ("INDETERMINATE", "TRY_LATER"), report.messages
    text = " | ".join(report.messages)
    for word in words:
        assert word in text, text
    assert MARKER.decode() not in text  # the server's body never reaches a message
    return text


# --------------------------------------------------------------------------------------------- total deadline


@pytest.mark.parametrize("kind", ["trickle-body", "trickle-head"])
def test_a_trickling_crl_server_is_cut_at_the_budget(hostile: Hostile, mini: Pki, kind: str) -> None:
    """One byte a second keeps every socket read within a per-read timeout forever; the total deadline cuts it,
    also while the server is still sending its headers."""
    cert = issue("Người thử trickle CRL", issuer=mini.ca, crl_url=hostile.url(f"{kind}/crl"))
    report, elapsed = timed(lambda: validate(mini, cert))
    assert elapsed < BUDGET + SLACK, f"held {elapsed:.1f} s with a budget of {BUDGET} s"
    assert_try_later(report, "CRL", f"{kind}/crl", "cut off", "budget")


def test_a_trickling_ocsp_responder_soft_is_missing_not_passed_silently(hostile: Hostile, mini: Pki) -> None:
    """Under soft a responder that never finishes is a missing answer (accepted, reported unknown), and the report
    says that the fetch was cut."""
    cert = issue("Người thử trickle OCSP", issuer=mini.ca, ocsp_url=hostile.url("trickle-body/ocsp"))
    report, elapsed = timed(lambda: validate(mini, cert, revocation="soft"))
    assert elapsed < BUDGET + SLACK
    assert report.indication == "TOTAL_PASSED", report.messages
    assert report.revocation.status == "unknown"
    assert any("OCSP" in m and "cut off" in m for m in report.messages), report.messages
    hard, elapsed = timed(lambda: validate(mini, cert))
    assert elapsed < BUDGET + SLACK
    assert_try_later(hard, "OCSP", "cut off")


def test_many_slow_fetches_share_one_budget(hostile: Hostile, mini: Pki) -> None:
    """The CA's CRL, the certificate's OCSP responder and its CRL all trickle, and soft asks all three: with a
    deadline per request they would add up to three budgets; they share one, and the report says which fetches
    were cut and which were not even tried."""
    ca = issue("Slow CA", issuer=mini.root, ca=True, path_length=0, crl_url=hostile.url("trickle-body/ca-crl"))
    cert = issue(
        "Người thử three slow",
        issuer=ca,
        ocsp_url=hostile.url("trickle-body/ee-ocsp"),
        crl_url=hostile.url("trickle-head/ee-crl"),
    )
    report, elapsed = timed(lambda: validate(mini, cert, intermediates=[ca.pem], revocation="soft"))
    assert elapsed < 2 * BUDGET, f"{elapsed:.1f} s: the fetches did not share one budget of {BUDGET} s"
    assert report.revocation.status == "unknown", report.messages
    text = " | ".join(report.messages)
    assert "cut off" in text and "not fetched: the network time budget of 2 s is used up" in text, text


def test_one_budget_for_every_certificate_of_a_verify(
    monkeypatch: pytest.MonkeyPatch, pki_b_t: tuple[bytes, bytes]
) -> None:
    """Every validation of one verify (signer, time-stamp authority ...) draws on one budget; the next verify gets
    a fresh one."""
    from kyso.core.manager import PluginManager

    document, root = pki_b_t
    seen: list[NetworkBudget | None] = []
    original = PluginManager.validate_certificate

    def recording(self: PluginManager, certificate: bytes, options: ValidationOptions) -> kyso.CertificateReport:
        seen.append(options.budget)
        return original(self, certificate, options)

    monkeypatch.setattr(PluginManager, "validate_certificate", recording)
    first = kyso.verify(document, trust=[root], timeout=7)
    assert first.indication == "TOTAL_PASSED", first.to_dict()
    assert len(seen) >= 2 and all(b is seen[0] for b in seen) and seen[0] is not None
    assert seen[0].seconds == 7
    count = len(seen)
    kyso.verify(document, trust=[root], timeout=7)
    assert seen[count] is not seen[0]


@pytest.fixture(scope="module")
def pki_b_t(kyso_pki: Any, unsigned_pdf: bytes, signer_for: Any) -> tuple[bytes, bytes]:
    """A PDF signed at B-T by the session's test PKI (signer and TSA validated at verify), and its root."""
    signed = kyso.sign(unsigned_pdf, signer=signer_for("person"), level="B-T", tsa=kyso_pki.tsa_url)
    return signed, kyso_pki.root_cert.read_bytes()


# --------------------------------------------------------------------------------------------- size caps


def peak_memory(run: Callable[[], Any]) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        result = run()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("kind", ["huge", "endless"])
def test_a_500_mb_crl_is_refused_past_32_mb(hostile: Hostile, mini: Pki, kind: str) -> None:
    """A CRL of 500 MB (declared, or streamed without a length) is refused at 32 MB, never read whole."""
    cert = issue("Người thử huge CRL", issuer=mini.ca, crl_url=hostile.url(f"{kind}/crl"))
    (report, elapsed), peak = peak_memory(lambda: timed(lambda: validate(mini, cert, timeout=20)))
    assert peak < 128 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB for a {HUGE / 2**20:.0f} MiB CRL"
    assert elapsed < 20
    assert_try_later(report, "CRL", f"{kind}/crl", "larger than the 32 MB limit")
    soft = validate(mini, cert, revocation="soft", timeout=20)  # an oversized answer is unusable, not missing
    assert (soft.indication, soft.sub_indication) == ("INDETERMINATE", "TRY_LATER"), soft.messages


def test_four_500_mb_aia_answers_stay_small(hostile: Hostile, mini: Pki) -> None:
    """Four caIssuers URLs (the most followed per certificate), each streaming 500 MB: 1 MB each at most."""
    urls = [hostile.url(f"endless/aia-{i}") for i in range(4)]
    orphan = issue("Orphan CA", ca=True, issuer_name="Nobody Knows This CA")
    cert = issue("Người thử huge AIA", issuer=orphan, aia_url=urls)
    (report, elapsed), peak = peak_memory(
        lambda: timed(lambda: kyso.validate_certificate(cert.pem, trust=[mini.root.pem], timeout=20))
    )
    assert peak < 64 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB for four answers of 500 MiB"
    assert elapsed < 20
    assert (report.indication, report.sub_indication) == ("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND")
    text = " | ".join(report.messages)
    assert "AIA certificate" in text and "larger than the 1 MB limit" in text, text
    assert MARKER.decode() not in text


def test_a_compressed_answer_is_refused(hostile: Hostile, mini: Pki) -> None:
    """gzip inflates past any cap before the bytes can be counted: a compressed answer is refused."""
    cert = issue("Người thử gzip", issuer=mini.ca, crl_url=hostile.url("gzip/crl"))
    assert_try_later(validate(mini, cert), "CRL", "compressed")


# --------------------------------------------------------------------------------------------- schemes, redirects


def test_an_aia_file_url_is_never_opened(mini: Pki, tmp_path: Any) -> None:
    """A caIssuers URL ``file://`` naming the very CA certificate that would complete the chain: never opened, so
    no chain."""
    ca_file = tmp_path / "ca.der"
    ca_file.write_bytes(mini.ca.der)
    cert = issue("Người thử file AIA", issuer=mini.ca, aia_url=ca_file.as_uri())
    report = kyso.validate_certificate(cert.pem, trust=[mini.root.pem], revocation="soft", timeout=BUDGET)
    assert (report.indication, report.sub_indication) == ("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("file:///etc/passwd", "only http and https URLs are fetched, not file:"),
        ("ldap://127.0.0.1:{port}/cn=ca", "not ldap:"),
        ("ftp://127.0.0.1:{port}/crl", "not ftp:"),
        ("gopher://127.0.0.1:{port}/crl", "not gopher:"),
        ("http+unix://%2Ftmp%2Fsock/crl", "not http+unix:"),
        ("http://user:secret@127.0.0.1:{port}/count/userinfo", "user information"),
        ("http:///no-host", "no host"),
    ],
)
def test_only_plain_http_urls_are_ever_asked(hostile: Hostile, url: str, why: str) -> None:
    """Whatever pyhanko-certvalidator lets through (it only checks that a URL starts with "http"), the bounded fetch
    opens http(s) URLs without userinfo, and nothing else."""
    before = sum(hostile.hits.values())
    with pytest.raises(FetchRefused, match="refused") as caught:
        bounded_fetch(url.format(port=hostile.port), budget=NetworkBudget(BUDGET), what="CRL", max_bytes=1000)
    assert why in str(caught.value)
    assert sum(hostile.hits.values()) == before, "the URL was asked"


def test_a_crl_url_with_userinfo_is_refused_and_said(hostile: Hostile, mini: Pki) -> None:
    cert = issue("Người thử userinfo", issuer=mini.ca, crl_url=f"http://u:p@127.0.0.1:{hostile.port}/count/ui")
    assert_try_later(validate(mini, cert), "CRL", "user information")
    assert hostile.hits["count/ui"] == 0


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("redirect-file/crl", ("redirect to file:///etc/passwd", "only http and https")),
        ("redirect-ftp/crl", ("redirect to ftp:", "only http and https")),
        ("redirect-loop/crl", ("more than 3 redirects",)),
    ],
)
def test_redirects_stay_on_http_and_are_bounded(hostile: Hostile, mini: Pki, path: str, words: tuple[str, ...]) -> None:
    cert = issue("Người thử redirect", issuer=mini.ca, crl_url=hostile.url(path))
    assert_try_later(validate(mini, cert), "CRL", *words)
    assert hostile.hits[path] <= 4  # the first request and at most 3 redirects


def test_bounded_fetch_alone(hostile: Hostile) -> None:
    """The function every fetch goes through, on its own: cut at the deadline, capped, counted."""
    budget = NetworkBudget(1.0, max_answer_bytes=1000)
    with pytest.raises(FetchRefused, match="cut off"):
        bounded_fetch(hostile.url("trickle-head/alone"), budget=budget, what="CRL", max_bytes=1000)
    with pytest.raises(FetchRefused, match="not fetched: the network time budget of 1 s is used up"):
        bounded_fetch(hostile.url("static/none"), budget=budget, what="CRL", max_bytes=1000)
    budget = NetworkBudget(5.0)
    with pytest.raises(FetchRefused, match="larger than the 1000 bytes limit"):
        bounded_fetch(hostile.url("endless/alone"), budget=budget, what="OCSP", max_bytes=1000, method="POST")
    hostile.static["static/ok"] = ("application/pkix-cert", b"0123456789")
    assert bounded_fetch(hostile.url("static/ok"), budget=budget, what="x", max_bytes=10).content == b"0123456789"


# --------------------------------------------------------------------------------------------- untrusted certificates


def test_no_ocsp_or_crl_request_for_an_untrusted_chain(hostile: Hostile, mini: Pki) -> None:
    """Kyso rule: OCSP and CRL are asked only for certificates on a path to a trust anchor, after their signature
    was checked: a certificate from an unknown root, or one that names the trusted CA but is signed by another key,
    makes no OCSP or CRL request at all."""
    stranger_root = issue("Stranger Root", ca=True)
    stranger = issue(
        "Người lạ",
        issuer=stranger_root,
        ocsp_url=hostile.url("count/stranger-ocsp"),
        crl_url=hostile.url("count/stranger-crl"),
    )
    forged = issue(
        "Người giả mạo",
        issuer=mini.ca,
        signing_key=new_key(),
        ocsp_url=hostile.url("count/forged-ocsp"),
        crl_url=hostile.url("count/forged-crl"),
    )
    for cert in (stranger, forged):
        for policy in ("soft", "hard"):
            report = validate(mini, cert, revocation=policy)
            assert report.indication == "INDETERMINATE", report.messages
    for path in ("stranger-ocsp", "stranger-crl", "forged-ocsp", "forged-crl"):
        assert hostile.hits[f"count/{path}"] == 0, path


def test_aia_chasing_is_capped_per_operation(hostile: Hostile, mini: Pki) -> None:
    """AIA URLs come from certificates nobody trusts yet: an endless chain of CAs, each pointing to the next, gets
    at most 8 AIA requests per operation, however many certificates the operation validates."""
    keys = [new_key() for _ in range(30)]
    links = []
    for i in range(30):  # CA i is issued by "CA i+1" and names it in its caIssuers URL
        linked = issue(
            f"Chain CA {i}",
            key=keys[i],
            ca=True,
            issuer_name=f"Chain CA {i + 1}",
            aia_url=hostile.url(f"static/chain-{i + 1}"),
        )
        links.append(linked)
    for i, linked in enumerate(links):
        hostile.static[f"static/chain-{i}"] = ("application/pkix-cert", linked.der)
    budget = NetworkBudget(10)
    first = issue("Người thử chain 1", ca=False, issuer_name="Chain CA 0", aia_url=hostile.url("static/chain-0"))
    second = issue("Người thử chain 2", ca=False, issuer_name="Chain CA 5", aia_url=hostile.url("static/chain-5"))
    options = ValidationOptions(trust=(mini.root.der,), revocation=RevocationPolicy.SOFT, budget=budget)
    before = sum(n for p, n in hostile.hits.items() if p.startswith("static/chain-"))
    for cert in (first, second):
        report = validate_der(cert.der, options)
        assert report.sub_indication == "NO_CERTIFICATE_CHAIN_FOUND", report.messages
    asked = sum(n for p, n in hostile.hits.items() if p.startswith("static/chain-")) - before
    assert 0 < asked <= budget.max_certificate_requests, asked


def test_the_budget_counts_requests_hosts_and_bytes() -> None:
    budget = NetworkBudget(5, max_requests=10, max_certificate_requests=2, max_hosts=3, max_total_bytes=100)
    assert budget.admit("a:80") is None and budget.admit("a:80") is None
    assert budget.admit("b:80", certificate=True) is None and budget.admit("c:80", certificate=True) is None
    assert "2 AIA certificate requests" in (budget.admit("a:80", certificate=True) or "")
    assert "3 distinct hosts" in (budget.admit("d:80") or "")
    for _ in range(6):
        assert budget.admit("c:80") is None
    assert "10 network requests" in (budget.admit("a:80") or "")
    assert budget.take_bytes(60) and not budget.take_bytes(60) and budget.take_bytes(40)


# --------------------------------------------------------------------------------------------- time-stamps


@pytest.mark.parametrize(("path", "words"), [("trickle-head/tsa", "cut off"), ("huge/tsa", "1 MB limit")])
def test_a_hostile_tsa_cannot_hold_or_flood_the_signing(
    hostile: Hostile, unsigned_pdf: bytes, signer_for: Any, path: str, words: str
) -> None:
    started = time.monotonic()
    with pytest.raises(TimestampError, match=words) as caught:
        kyso.sign(unsigned_pdf, signer=signer_for("person"), level="B-T", tsa=hostile.url(path), timeout=BUDGET)
    assert time.monotonic() - started < BUDGET + SLACK
    assert MARKER.decode() not in str(caught.value)


def test_extending_to_b_lta_with_a_trickling_tsa_is_cut(hostile: Hostile, pki_b_t: tuple[bytes, bytes]) -> None:
    from kyso.pdf.ltv import extend_pdf

    document, _ = pki_b_t
    started = time.monotonic()
    with pytest.raises(TimestampError, match="cut off"):
        extend_pdf(document, level="B-LTA", tsa=hostile.url("trickle-body/lta"), timeout=BUDGET + 3)
    assert time.monotonic() - started < BUDGET + 3 + SLACK
