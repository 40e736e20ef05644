"""Network fetching for certificate validation: OCSP, CRL and AIA (missing intermediates), cached on disk, and the
one bounded HTTP request that every fetch of certificate material goes through (time-stamp requests included).

pyhanko-certvalidator's ``requests`` fetchers do the protocol work, with their checks (OCSP nonce, content types);
their HTTP calls are replaced by :func:`bounded_fetch`, which applies Kyso's bounds (Kyso rule, bounded fetching):

- one :class:`~kyso.core.models.NetworkBudget` per operation (a verify, a certificate validation, a signing):
  ``--timeout`` is the total time of all its requests, a request gets what is left and is cut off when it runs
  out (a watchdog shuts the socket down: a server trickling one byte a second, even in its headers, is cut);
- size caps, read as the answer streams in (never the whole body first): 32 MB per CRL, 1 MB per OCSP answer,
  AIA certificate (bundle) or time-stamp response, and a total per operation; compressed answers are refused
  (a gzip bomb inflates past any cap before it can be counted);
- ``http`` and ``https`` URLs only, without userinfo (an AIA URL ``file:///etc/passwd`` or ``ldap://`` is never
  opened), at most :data:`MAX_REDIRECTS` redirects, each to an http(s) URL again and never from https to http;
- at most a few dozen requests, 8 AIA certificate requests and 8 distinct hosts per operation (AIA URLs come from
  certificates nobody trusts yet; OCSP and CRL are only asked for certificates on a path that reaches a trust
  anchor, whose signature was checked first, as pyhanko-certvalidator validates in that order).

A fetch that is cut or refused raises :class:`FetchRefused` (a ``requests.RequestException``, so the validator
treats it as a failed fetch) with a message saying which fetch and why; the backend keeps those messages
(:attr:`CachingFetcherBackend.problems`) for the report. Each answer is kept in the :mod:`kyso.certs.cache` until
its own ``nextUpdate``, so one OCSP request serves many documents.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from pyhanko_certvalidator.fetchers.api import FetcherBackend, Fetchers, FetchLimits
from pyhanko_certvalidator.fetchers.common_utils import FetchBudget
from pyhanko_certvalidator.fetchers.requests_fetchers.cert_fetch_client import RequestsCertificateFetcher
from pyhanko_certvalidator.fetchers.requests_fetchers.crl_client import RequestsCRLFetcher
from pyhanko_certvalidator.fetchers.requests_fetchers.ocsp_client import RequestsOCSPFetcher
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from kyso.certs.cache import DEFAULT_WINDOW, AnswerCache
from kyso.core.models import NetworkBudget

LIMITS = FetchLimits(max_requests=40, max_cert_requests=8, max_aia_urls_per_object=4)
"""Bounds per validation context (pyhanko-certvalidator's own); the :class:`NetworkBudget` bounds the operation."""
AIA_WINDOW = timedelta(days=1)
"""How long certificates fetched through AIA are reused."""
USER_AGENT = "kyso (pyhanko-certvalidator)"
MAX_REDIRECTS = 3
_REDIRECTS = (301, 302, 303, 307, 308)
_CHUNK = 64 * 1024


# --------------------------------------------------------------------------------------------- bounded fetch


class FetchRefused(requests.RequestException):
    """A fetch Kyso cut off or refused: the deadline passed, the answer was too large, the URL or a redirect was
    not allowed, or the operation's budget was used up. The message says which fetch and why (never the body)."""

    answered = False
    """True when the server did answer, with something unusable (too large, compressed): under the soft policy an
    unusable answer is not a missing one."""


class AnswerTooLarge(FetchRefused):
    answered = True


@dataclass
class Fetched:
    """An HTTP answer read within the bounds: what pyhanko's fetchers read of a ``requests.Response``."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes


def bounded_fetch(
    url: str,
    *,
    budget: NetworkBudget,
    what: str,
    max_bytes: int,
    method: str = "GET",
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    certificate: bool = False,
    error_body: bool = False,
    max_redirects: int = MAX_REDIRECTS,
) -> Fetched:
    """``method`` ``url`` within ``budget`` and ``max_bytes``, following at most :data:`MAX_REDIRECTS` redirects
    (GET: 301, 302, 303, 307, 308; POST: 307 and 308 only, the body sent again).

    :param what: the kind of answer, for messages ("OCSP", "CRL", "AIA certificate", "time-stamp").
    :param certificate: an AIA request (counted against ``budget.max_certificate_requests``).
    :param error_body: return an answer with another status than 200 (not a redirect), its body read within the
        same bounds, instead of raising: a JSON API's error answer says why (remote signing services).
    :param max_redirects: fewer redirects (0: none, for requests that carry credentials).
    :raises FetchRefused: cut off or refused, with the reason.
    :raises requests.RequestException: connection failure or an HTTP status other than 200.
    """
    current = url
    for hop in range(max_redirects + 1):
        host = _allowed_host(current, what, previous=url if hop else None)
        refusal = budget.admit(host, certificate=certificate)
        if refusal is not None:
            raise FetchRefused(f"{what} {_shown(current)} not fetched: {refusal}")
        answer = _one_request(method, current, data, headers, budget, what, max_bytes, error_body=error_body)
        if answer.status_code not in _REDIRECTS:
            if answer.status_code != 200 and not error_body:
                raise requests.RequestException(f"status code {answer.status_code}")
            return answer
        if method != "GET" and answer.status_code not in (307, 308):
            raise requests.RequestException(f"status code {answer.status_code}")
        location = answer.headers.get("Location")
        if not location:
            raise requests.RequestException(f"status code {answer.status_code} without Location")
        target = urljoin(current, location.strip())
        if urlsplit(current).scheme.lower() == "https" and urlsplit(target).scheme.lower() != "https":
            raise FetchRefused(f"{what} {_shown(url)}: redirect from https to {_shown(target)} refused")
        current = target
    raise FetchRefused(f"{what} {_shown(url)}: more than {max_redirects} redirects")


def _allowed_host(url: str, what: str, *, previous: str | None) -> str:
    """The ``host:port`` of an http(s) URL without userinfo; anything else is refused before any I/O."""
    where = f"{what} {_shown(previous or url)}" + (f": redirect to {_shown(url)}" if previous else "")
    try:
        parts = urlsplit(url)
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:
        raise FetchRefused(f"{where} refused: not a valid URL") from None
    if scheme not in ("http", "https"):
        raise FetchRefused(f"{where} refused: only http and https URLs are fetched, not {scheme or 'no scheme'}:")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise FetchRefused(f"{where} refused: a URL with user information is never fetched")
    if not host:
        raise FetchRefused(f"{where} refused: no host")
    return f"{host.lower()}:{port or (443 if scheme == 'https' else 80)}"


def _one_request(
    method: str,
    url: str,
    data: bytes | None,
    headers: Mapping[str, str] | None,
    budget: NetworkBudget,
    what: str,
    max_bytes: int,
    *,
    error_body: bool = False,
) -> Fetched:
    left = budget.remaining()
    cut = f"{what} {_shown(url)} cut off: the network time budget of {budget.seconds:g} s is used up"
    if left <= 0:
        raise FetchRefused(cut.replace("cut off", "not fetched"))
    watchdog = _Watchdog(left)
    session = requests.Session()
    adapter = _WatchedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    sent = {"Accept-Encoding": "identity", **(headers or {})}
    _watching.current = watchdog
    watchdog.start()
    try:
        with session.request(
            method, url, data=data, headers=sent, timeout=(left, left), stream=True, allow_redirects=False
        ) as response:
            if response.status_code != 200 and (not error_body or response.status_code in _REDIRECTS):
                return Fetched(response.status_code, response.headers, b"")
            encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
            if encoding not in ("", "identity"):
                raise AnswerTooLarge(f"{what} {_shown(url)} refused: a compressed answer ({encoding[:20]})")
            too_large = f"{what} {_shown(url)} refused: larger than the {_size(max_bytes)} limit"
            declared = response.headers.get("Content-Length", "").strip()
            if declared.isdigit() and int(declared) > max_bytes:
                raise AnswerTooLarge(too_large)
            chunks, size = [], 0
            for chunk in response.raw.stream(_CHUNK, decode_content=False):
                size += len(chunk)
                if size > max_bytes:
                    raise AnswerTooLarge(too_large)
                if not budget.take_bytes(len(chunk)):
                    raise AnswerTooLarge(
                        f"{what} {_shown(url)} refused: the {_size(budget.max_total_bytes)} of answers allowed per "
                        "operation are used up"
                    )
                chunks.append(chunk)
                if watchdog.fired:
                    break
            if watchdog.fired:  # an interrupted read may look like the end of the answer
                raise FetchRefused(cut)
            return Fetched(response.status_code, response.headers, b"".join(chunks))
    except FetchRefused:
        raise
    except Exception as exc:  # requests, urllib3 or socket errors: the connection failed or was cut
        if watchdog.fired:
            raise FetchRefused(cut) from None
        if isinstance(exc, requests.RequestException):
            raise
        raise requests.ConnectionError(f"{what} {_shown(url)}: {exc.__class__.__name__}") from None
    finally:
        _watching.current = None
        watchdog.stop()
        session.close()


_watching = threading.local()
"""The watchdog of the request running in this thread; the connection pools below register their connections."""


class _Watchdog(threading.Thread):
    """Shuts down the sockets of one request once its deadline has passed (and keeps doing so until the request
    ends, for a connection opened in the meantime): the only bound on a server that trickles its headers, and on a
    blocked read of a body. Sockets are kept from the moment they connect: ``http.client`` hands a closing
    connection's socket over to the response and forgets it."""

    def __init__(self, seconds: float) -> None:
        super().__init__(name="kyso-fetch-deadline", daemon=True)
        self._seconds = seconds
        self._done = threading.Event()
        self._sockets: list[Any] = []
        self.fired = False

    def watch(self, connection: Any) -> None:
        connect = connection.connect

        def connect_and_watch() -> None:
            connect()
            self._sockets.append(connection.sock)
            if self.fired:
                self._cut()

        connection.connect = connect_and_watch

    def run(self) -> None:
        if self._done.wait(self._seconds):
            return
        self.fired = True
        while True:
            self._cut()
            if self._done.wait(0.05):
                return

    def _cut(self) -> None:
        for sock in list(self._sockets):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except (OSError, ValueError):
                pass

    def stop(self) -> None:
        self._done.set()


def _watched(pool_class: type) -> type:
    class Watched(pool_class):  # type: ignore[misc, valid-type]
        def _new_conn(self) -> Any:
            connection = super()._new_conn()
            watchdog = getattr(_watching, "current", None)
            if watchdog is not None:
                watchdog.watch(connection)
            return connection

    Watched.__name__ = f"Watched{pool_class.__name__}"
    return Watched


_WATCHED_POOLS = {"http": _watched(HTTPConnectionPool), "https": _watched(HTTPSConnectionPool)}


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections (direct or through an HTTP proxy) the request's watchdog can cut."""

    def __init__(self) -> None:
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_WATCHED_POOLS)

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if "socks" not in type(manager).__module__:  # SOCKS proxies keep their own pools (and per-read timeouts)
            manager.pool_classes_by_scheme = dict(_WATCHED_POOLS)
        return manager


def _shown(url: str) -> str:
    """A URL as messages show it: shortened (it comes from a certificate anybody can make)."""
    return url if len(url) <= 120 else url[:117] + "..."


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MB" if count >= 1024 * 1024 else f"{count} bytes"


# --------------------------------------------------------------------------------------------- mirrors

MIRRORS_ENV = "KYSO_REVOCATION_MIRRORS"
"""JSON object ``{"URL prefix": "replacement prefix"}``: OCSP, CRL and AIA requests whose URL starts with a prefix
go to the replacement instead (an agency reaching ``http://ocsp.ca.gov.vn/`` through its own proxy or mirror;
``kyso serve`` sets it from its configuration). Answers are checked exactly as those of the original URL: a mirror
can withhold an answer, never forge one."""


def mirrored(url: str) -> str:
    """``url`` with the longest matching prefix of :data:`MIRRORS_ENV` replaced; unchanged when none matches (or
    the variable is not a JSON object of strings)."""
    import json
    import os

    configured = os.environ.get(MIRRORS_ENV)
    if not configured:
        return url
    try:
        mirrors = json.loads(configured)
    except ValueError:
        return url
    if not isinstance(mirrors, dict):
        return url
    matching = [p for p, r in mirrors.items() if isinstance(p, str) and isinstance(r, str) and url.startswith(p)]
    if not matching:
        return url
    prefix = max(matching, key=len)
    return mirrors[prefix] + url[len(prefix) :]


# --------------------------------------------------------------------------------------------- fetchers


class CachingFetcherBackend(FetcherBackend):
    """Fetchers that look in ``cache`` first and fetch the rest within ``budget``; ``hits`` lists the cache keys
    used, ``problems`` the fetches that were cut off or refused (one message each)."""

    def __init__(self, cache: AnswerCache, timeout: float, budget: NetworkBudget | None = None) -> None:
        self.cache = cache
        self.timeout = timeout
        self.budget = budget if budget is not None else NetworkBudget(timeout)
        self.hits: list[str] = []
        self.answered: set[str] = set()
        """URLs whose server answered (an OCSP response, a CRL, or an error status / garbage), as opposed to
        servers that could not be reached: under the soft policy an unusable *answer* is not a missing one."""
        self.problems: list[str] = []

    def get_fetchers(self) -> Fetchers:
        budget = FetchBudget(LIMITS)
        common = {"user_agent": USER_AGENT, "per_request_timeout": self.timeout, "budget": budget}
        return Fetchers(
            ocsp_fetcher=_OCSPFetcher(self, **common),
            crl_fetcher=_CRLFetcher(self, **common),
            cert_fetcher=_CertFetcher(self, **common),
        )

    def fetch(self, url: str, *, what: str, max_bytes: int, **kwargs: Any) -> Fetched:
        """:func:`bounded_fetch` within this backend's budget, remembering why a fetch was cut or refused."""
        try:
            return bounded_fetch(mirrored(url), budget=self.budget, what=what, max_bytes=max_bytes, **kwargs)
        except FetchRefused as exc:
            if str(exc) not in self.problems:
                self.problems.append(str(exc))
            raise


class _Bounded:
    """The HTTP calls of pyhanko-certvalidator's requests fetchers, made through :func:`bounded_fetch`."""

    _what = "?"

    def __init__(self, backend: CachingFetcherBackend, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # the requests fetcher's options
        self._backend = backend

    def _cap(self) -> int:
        return self._backend.budget.max_answer_bytes

    def _cached(self, key: str, url: str, parse: Callable[[bytes], Any]) -> Any:
        """The answer cached under ``key``, parsed (a hit; ``url`` counts as answered), or None; an entry that does
        not parse is dropped."""
        cache = self._backend.cache
        blob = cache.get(key)
        if blob is None:
            return None
        try:
            parsed = parse(blob)
        except Exception:
            cache.forget(key)
            return None
        self._backend.hits.append(key)
        self._backend.answered.add(url)
        return parsed

    async def _answered(self, url: str, fetch: Awaitable[Any]) -> Any:
        """``await fetch``; ``url`` counts as answered unless it could not be reached (garbage, an error status, a
        nonce mismatch or a too large answer is an answer)."""
        try:
            result = await fetch
        except Exception as exc:
            if not _unreached(exc):
                self._backend.answered.add(url)
            raise
        self._backend.answered.add(url)
        return result

    def _get(self, url: str, *, acceptable_content_types: Any) -> Any:
        headers = {"Accept": ",".join(acceptable_content_types), "User-Agent": USER_AGENT}
        return asyncio.to_thread(
            self._backend.fetch,
            url,
            what=self._what,
            max_bytes=self._cap(),
            headers=headers,
            certificate=isinstance(self, _CertFetcher),
        )

    def _post(self, url: str, data: bytes, *, content_type: str, acceptable_content_types: Any) -> Any:
        headers = {
            "Accept": ",".join(acceptable_content_types),
            "User-Agent": USER_AGENT,
            "Content-Type": content_type,
        }
        return asyncio.to_thread(
            self._backend.fetch, url, what=self._what, max_bytes=self._cap(), method="POST", data=data, headers=headers
        )


def _unreached(exc: BaseException) -> bool:
    """The fetch failed without an answer from the server (unreachable, too slow, refused by Kyso's bounds)."""
    cause = exc.__cause__
    return isinstance(cause, requests.RequestException) and not getattr(cause, "answered", False)


class _OCSPFetcher(_Bounded, RequestsOCSPFetcher):
    _what = "OCSP"

    async def _fetch_single(self, ocsp_url: str, ocsp_request: Any) -> Any:
        cache = self._backend.cache
        cert_id = ocsp_request["tbs_request"]["request_list"][0]["req_cert"].dump()
        key = cache.key("ocsp", ocsp_url, cert_id)
        cached = self._cached(key, ocsp_url, parsed_ocsp)
        if cached is not None:
            return cached
        response = await self._answered(ocsp_url, super()._fetch_single(ocsp_url, ocsp_request))
        expiry = ocsp_expiry(response)
        if expiry is not None:
            cache.put(key, response.dump(), expiry)
        return response


class _CRLFetcher(_Bounded, RequestsCRLFetcher):
    _what = "CRL"

    def _cap(self) -> int:
        return self._backend.budget.max_crl_bytes

    async def _fetch_single(self, url: str) -> Any:
        cache = self._backend.cache
        key = cache.key("crl", url)
        cached = self._cached(key, url, parsed_crl)
        if cached is not None:

            async def from_cache() -> Any:
                return cached

            try:
                return await self._perform_fetch(url, from_cache)
            except Exception:
                cache.forget(key)
        result = await self._answered(url, super()._fetch_single(url))
        next_update = result["tbs_cert_list"]["next_update"].native
        if next_update is not None:
            cache.put(key, result.dump(), next_update)
        return result


class _CertFetcher(_Bounded, RequestsCertificateFetcher):
    _what = "AIA certificate"

    async def _grab_certs(self, url: str, *, url_origin_type: str) -> Any:
        from asn1crypto import x509

        cache = self._backend.cache
        key = cache.key("aia", url)
        blob = cache.get(key)
        if blob is not None:
            try:
                certs = _unpack(blob, x509.Certificate)
                self._backend.hits.append(key)
                return certs
            except Exception:
                cache.forget(key)
        certs = list(await super()._grab_certs(url, url_origin_type=url_origin_type))
        if certs:
            expiry = min(
                [datetime.now(UTC) + AIA_WINDOW, *(c["tbs_certificate"]["validity"]["not_after"].native for c in certs)]
            )
            cache.put(key, _pack(certs), expiry)
        return certs


@functools.lru_cache(maxsize=256)
def parsed_ocsp(blob: bytes) -> Any:
    """One parse per OCSP response (read-only): asn1crypto caches prepared names on the object, which makes the
    many name comparisons of revocation checking cheap the second time."""
    from asn1crypto import ocsp

    response = ocsp.OCSPResponse.load(blob)
    response.native  # noqa: B018 - a corrupt entry fails here (and is fetched again)
    return response


@functools.lru_cache(maxsize=64)
def parsed_crl(blob: bytes) -> Any:
    """One parse per CRL (read-only), as :func:`parsed_ocsp`."""
    from asn1crypto import crl

    result = crl.CertificateList.load(blob)
    result["tbs_cert_list"]["this_update"].native  # noqa: B018
    return result


def ocsp_expiry(response: Any) -> datetime | None:
    """Until when a successful OCSP response may be reused: its ``nextUpdate`` (a few minutes when it has none)."""
    try:
        if response["response_status"].native != "successful":
            return None
        data = response["response_bytes"]["response"].parsed["tbs_response_data"]
        single = data["responses"][0]
        next_update = single["next_update"].native
        if next_update is not None:
            return next_update
        return single["this_update"].native + DEFAULT_WINDOW
    except Exception:
        return None


def _pack(certs: list[Any]) -> bytes:
    return b"".join(len(der).to_bytes(4, "big") + der for der in (c.dump() for c in certs))


def _unpack(blob: bytes, cls: Any) -> list[Any]:
    result, offset = [], 0
    while offset < len(blob):
        size = int.from_bytes(blob[offset : offset + 4], "big")
        der = blob[offset + 4 : offset + 4 + size]
        if len(der) != size:
            raise ValueError("truncated cache entry")
        cert = cls.load(der)
        cert.native  # noqa: B018
        result.append(cert)
        offset += 4 + size
    return result
