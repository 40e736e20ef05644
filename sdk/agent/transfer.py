"""The two HTTP legs of a signing call: the bounded download of ``FileName`` and the upload to
``FileUploadHandler`` (multipart field ``uploadfile``), both with the page's credentials, through one urllib3 pool
(keep-alive, no cookie jar, no retries).

The page's ``JWTToken`` goes as ``Authorization: Bearer``, its ``SessionId`` as a cookie (name configurable,
``--session-cookie``). Redirects are never followed (a redirect could lead to another host); answers are read as they
stream in and cut at the size limit; an answer must arrive within the time limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from kyso.agent.protocol import CallRefused, SignCall, Status

_CHUNK = 64 * 1024
_FILENAME = re.compile(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", re.IGNORECASE)
MAX_ANSWER = 1024 * 1024
"""Largest upload-handler answer read (it is passed back to the page)."""


@dataclass(frozen=True)
class Downloaded:
    data: bytes
    name: str


def _headers(call: SignCall, cookie_name: str) -> dict[str, str]:
    headers = {"Accept-Encoding": "identity", "User-Agent": "kyso-agent"}
    if call.jwt_token:
        headers["Authorization"] = f"Bearer {call.jwt_token}"
    if call.session_id:
        headers["Cookie"] = f"{cookie_name}={call.session_id}"
    return headers


def _name(url: str, disposition: str | None) -> str:
    found = _FILENAME.search(disposition or "")
    name = unquote(found.group(1)) if found else unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f/\\]", "_", name).strip(". ") or "document.pdf"
    return name[:200]


_pool: Any = None


def _pool_manager() -> Any:
    """One urllib3 pool for every call (thread-safe, keep-alive to the pages' servers). No cookie jar: nothing one
    answer sets is ever sent on another call; no retries: an upload is never sent twice by the transport."""
    global _pool
    if _pool is None:
        import urllib3

        _pool = urllib3.PoolManager(num_pools=16, maxsize=8, retries=False)
    return _pool


def download(url: str, call: SignCall, *, max_bytes: int, timeout: float, cookie_name: str) -> Downloaded:
    """The document at ``url`` (already checked by the policy), at most ``max_bytes``."""
    import urllib3

    try:
        response = _pool_manager().request(
            "GET", url, headers=_headers(call, cookie_name), timeout=timeout, preload_content=False, redirect=False
        )
    except urllib3.exceptions.HTTPError as exc:
        raise CallRefused(Status.DOWNLOAD_FAILED, f"FileName: {exc.__class__.__name__}") from None
    try:
        if 300 <= response.status < 400:
            raise CallRefused(Status.DOWNLOAD_FAILED, f"FileName answered a redirect ({response.status})")
        if response.status != 200:
            raise CallRefused(Status.DOWNLOAD_FAILED, f"FileName answered HTTP {response.status}")
        declared = (response.headers.get("Content-Length") or "").strip()
        too_large = f"larger than the {max_bytes // (1024 * 1024) or 1} MB limit"
        if declared.isdigit() and int(declared) > max_bytes:
            raise CallRefused(Status.TOO_LARGE, f"FileName announces {int(declared)} bytes, {too_large}")
        chunks, size = [], 0
        for chunk in response.stream(_CHUNK, decode_content=False):
            size += len(chunk)
            if size > max_bytes:
                raise CallRefused(Status.TOO_LARGE, f"FileName is {too_large}")
            chunks.append(chunk)
        return Downloaded(b"".join(chunks), _name(url, response.headers.get("Content-Disposition")))
    except urllib3.exceptions.HTTPError as exc:
        raise CallRefused(Status.DOWNLOAD_FAILED, f"FileName: {exc.__class__.__name__}") from None
    finally:
        if response.length_remaining:  # refused before its end (a redirect's body, 2 GB): the connection is dropped
            response.close()
        else:
            response.release_conn()


@dataclass(frozen=True)
class Uploaded:
    file_server: str
    answer: Any


def upload(
    url: str, data: bytes, name: str, call: SignCall, *, timeout: float, cookie_name: str, idempotency_key: str
) -> Uploaded:
    """POST the signed file to ``url``; the handler's answer: its ``FileServer`` when it is JSON with one, else
    its text. Raises :class:`CallRefused` (``UPLOAD_FAILED``) on an error status, an HTML page or no answer."""
    import json

    import urllib3

    headers = {**_headers(call, cookie_name), "Idempotency-Key": idempotency_key}
    kind = "application/pdf" if data[:5] == b"%PDF-" else "application/xml"
    try:
        response = _pool_manager().request(
            "POST",
            url,
            fields={"uploadfile": (name, data, kind)},
            headers=headers,
            timeout=timeout,
            redirect=False,
            preload_content=False,
        )
        try:
            body = response.read(MAX_ANSWER + 1, decode_content=False)
        finally:
            response.close()
    except urllib3.exceptions.HTTPError as exc:
        raise CallRefused(
            Status.UPLOAD_FAILED, f"FileUploadHandler gave no answer ({exc.__class__.__name__})"
        ) from None
    status, content_type = response.status, response.headers.get("Content-Type") or ""
    if status >= 300:
        raise CallRefused(Status.UPLOAD_FAILED, f"FileUploadHandler answered HTTP {status}")
    text = body[:MAX_ANSWER].decode("utf-8", "replace")
    if not text.strip():
        raise CallRefused(Status.UPLOAD_FAILED, "FileUploadHandler answered nothing")
    if "html" in content_type.lower() or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        raise CallRefused(Status.UPLOAD_FAILED, "FileUploadHandler answered an HTML page (a login page?)")
    try:
        answer = json.loads(text)
    except ValueError:
        return Uploaded(text, text)
    if isinstance(answer, dict) and answer.get("FileServer") not in (None, ""):
        return Uploaded(str(answer["FileServer"]), answer)
    return Uploaded(text, answer)


__all__ = ["Downloaded", "Uploaded", "download", "upload"]
