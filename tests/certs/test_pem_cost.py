"""PEM input of several MB parses in linear time (issue 9, class 6).

asn1crypto's ``pem.unarmor``, which Kyso used, appends each body line to a ``bytes`` object: quadratic in the size
of a block. Each shape below is parsed at 2 MB and at 16 MB; linear parsing takes about 8 times as long (measured:
8, 75 ms for 16 MB), asn1crypto's quadratic one about 90 times (0.8 s, then over a minute; at 2 and 8 MB it was
already 10.6 times). The bound is on the ratio (20, generous for a loaded machine), never on absolute time; CPU
time of the best of five runs.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

import pytest

from kyso.certs.loading import certificates_from_bytes, pem_blocks
from kyso.core.errors import InputError

MB = 1_000_000


def _huge_body(size: int) -> bytes:
    """One CERTIFICATE block whose base64 body is ``size`` bytes in 64-character lines."""
    line = base64.b64encode(b"\x00" * 48) + b"\n"
    return b"-----BEGIN CERTIFICATE-----\n" + line * (size // len(line)) + b"-----END CERTIFICATE-----\n"


def _many_begins(size: int) -> bytes:
    """Thousands of BEGIN lines, none ever ended: each one starts a block that swallows the rest."""
    line = b"-----BEGIN CERTIFICATE-----\nQUJD\n"
    return line * (size // len(line))


def _junk_lines(size: int) -> bytes:
    """A BEGIN marker somewhere, then lines of junk (headers and text), then one small block."""
    junk = b"Subject: CN=nothing to see here, O=junk\n"
    return junk * (size // len(junk)) + b"-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n"


def _seconds(parse: Callable[[bytes], object], data: bytes) -> float:
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        try:
            parse(data)
        except InputError:
            pass  # garbage certificates are refused; only the parsing time matters here
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.parametrize("shape", [_huge_body, _many_begins, _junk_lines], ids=["body", "begins", "junk"])
@pytest.mark.parametrize("parse", [lambda d: list(pem_blocks(d)), certificates_from_bytes], ids=["blocks", "certs"])
def test_pem_parsing_is_linear(shape: Callable[[int], bytes], parse: Callable[[bytes], object]) -> None:
    small, large = shape(2 * MB), shape(16 * MB)
    ratio = _seconds(parse, large) / max(_seconds(parse, small), 1e-3)
    assert ratio < 20, f"8x the input took {ratio:.1f}x the time"


def test_pem_blocks_read_what_asn1crypto_read() -> None:
    """Same grammar as before: dashes variants, headers, text between blocks."""
    from asn1crypto import pem

    body = base64.b64encode(b"certificate bytes").decode()
    data = (
        f"Bag Attributes\n-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n{body}\n-----END CERTIFICATE-----\n"
        f"text\n---- BEGIN X509 CERTIFICATE ----\n{body[:8]}\n{body[8:]}\n---- END X509 CERTIFICATE ----\n"
    ).encode()
    assert list(pem_blocks(data)) == [(kind, der) for kind, _, der in pem.unarmor(data, multiple=True)]


def test_a_pem_body_that_is_not_base64_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not valid base64"):
        certificates_from_bytes(b"-----BEGIN CERTIFICATE-----\nQUJ\n-----END CERTIFICATE-----\n")
