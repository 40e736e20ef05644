"""Network fetching for certificate validation: OCSP, CRL and AIA (missing intermediates), cached on disk.

pyhanko-certvalidator's ``requests`` fetchers do the HTTP work, with their checks (OCSP nonce, content types) and
Kyso's bounds (timeout per request, at most a few dozen requests per validation, a few AIA URLs per certificate,
so that an AIA loop or a hostile certificate cannot make validation wander the network). Each answer is kept in
the :mod:`sdk.certs.cache` until its own ``nextUpdate``, so one OCSP request serves many documents.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from pyhanko_certvalidator.fetchers.api import FetcherBackend, Fetchers, FetchLimits
from pyhanko_certvalidator.fetchers.common_utils import FetchBudget
from pyhanko_certvalidator.fetchers.requests_fetchers.cert_fetch_client import RequestsCertificateFetcher
from pyhanko_certvalidator.fetchers.requests_fetchers.crl_client import RequestsCRLFetcher
from pyhanko_certvalidator.fetchers.requests_fetchers.ocsp_client import RequestsOCSPFetcher

from sdk.certs.cache import DEFAULT_WINDOW, AnswerCache

LIMITS = FetchLimits(max_requests=40, max_cert_requests=8, max_aia_urls_per_object=4)
"""Bounds per validation: far above a real chain's needs, small enough for a hostile one."""
AIA_WINDOW = timedelta(days=1)
"""How long certificates fetched through AIA are reused."""
USER_AGENT = "kyso (pyhanko-certvalidator)"


class CachingFetcherBackend(FetcherBackend):
    """Fetchers that look in ``cache`` first and store what they fetch; ``hits`` lists the cache keys used."""

    def __init__(self, cache: AnswerCache, timeout: float) -> None:
        self.cache = cache
        self.timeout = timeout
        self.hits: list[str] = []
        self.answered: set[str] = set()
        """URLs whose server answered (an OCSP response, a CRL, or an error status / garbage), as opposed to
        servers that could not be reached: under the soft policy an unusable *answer* is not a missing one."""

    def get_fetchers(self) -> Fetchers:
        budget = FetchBudget(LIMITS)
        common = {"user_agent": USER_AGENT, "per_request_timeout": self.timeout, "budget": budget}
        return Fetchers(
            ocsp_fetcher=_OCSPFetcher(self, **common),
            crl_fetcher=_CRLFetcher(self, **common),
            cert_fetcher=_CertFetcher(self, **common),
        )


class _OCSPFetcher(RequestsOCSPFetcher):
    def __init__(self, backend: CachingFetcherBackend, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._backend = backend

    async def _fetch_single(self, ocsp_url: str, ocsp_request: Any) -> Any:
        cache = self._backend.cache
        cert_id = ocsp_request["tbs_request"]["request_list"][0]["req_cert"].dump()
        key = cache.key("ocsp", ocsp_url, cert_id)
        blob = cache.get(key)
        if blob is not None:
            try:
                response = parsed_ocsp(blob)
                self._backend.hits.append(key)
                self._backend.answered.add(ocsp_url)
                return response
            except Exception:
                cache.forget(key)
        try:
            response = await super()._fetch_single(ocsp_url, ocsp_request)
        except Exception as exc:
            if not isinstance(exc.__cause__, requests.RequestException):
                self._backend.answered.add(ocsp_url)  # garbage, an error status, a nonce mismatch
            raise
        self._backend.answered.add(ocsp_url)
        expiry = ocsp_expiry(response)
        if expiry is not None:
            cache.put(key, response.dump(), expiry)
        return response


class _CRLFetcher(RequestsCRLFetcher):
    def __init__(self, backend: CachingFetcherBackend, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._backend = backend

    async def _fetch_single(self, url: str) -> Any:
        cache = self._backend.cache
        key = cache.key("crl", url)
        blob = cache.get(key)
        if blob is not None:
            try:
                cached = parsed_crl(blob)
                self._backend.hits.append(key)
                self._backend.answered.add(url)

                async def from_cache() -> Any:
                    return cached

                return await self._perform_fetch(url, from_cache)
            except Exception:
                cache.forget(key)
        try:
            result = await super()._fetch_single(url)
        except Exception as exc:
            if not isinstance(exc.__cause__, requests.RequestException):
                self._backend.answered.add(url)
            raise
        self._backend.answered.add(url)
        next_update = result["tbs_cert_list"]["next_update"].native
        if next_update is not None:
            cache.put(key, result.dump(), next_update)
        return result


class _CertFetcher(RequestsCertificateFetcher):
    def __init__(self, backend: CachingFetcherBackend, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._backend = backend

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
