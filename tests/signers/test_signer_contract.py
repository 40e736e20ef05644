"""The Signer contract's optional capability (issue 11, item 4): a batch of digests in one call, progress reports,
cancellation; detected with a helper, so signers without it keep working."""

from __future__ import annotations

import contextvars
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from kyso.core.errors import SigningCancelledError
from kyso.core.signer import (
    Signer,
    SignerStatus,
    SigningControl,
    current_control,
    digest,
    sign_many,
    signing_control,
    signs_digests,
)


class Batching:
    """A digest-signing signer around a loaded key: counts its calls."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.certificate, self.chain, self.key_algorithm = inner.certificate, inner.chain, "rsa"
        self.calls: list[int] = []

    def sign_raw(self, data, digest_algorithm):
        return self.sign_digests([digest(data, digest_algorithm)], digest_algorithm, control=current_control())[0]

    def sign_digests(self, digests, digest_algorithm, *, control):
        self.calls.append(len(digests))
        control.report(SignerStatus("waiting", count=len(digests)))
        control.wait(0)
        prehashed = Prehashed(getattr(hashes, digest_algorithm.upper())())
        return [self.inner._key.sign(d, padding.PKCS1v15(), prehashed) for d in digests]


def _verifies(certificate: bytes, signature: bytes, data: bytes) -> bool:
    try:
        x509.load_der_x509_certificate(certificate).public_key().verify(
            signature, data, padding.PKCS1v15(), hashes.SHA256()
        )
    except Exception:
        return False
    return True


def test_a_signer_without_the_capability_signs_item_by_item(signer_for):
    signer = signer_for("person")
    assert isinstance(signer, Signer) and not signs_digests(signer)
    seen: list[SignerStatus] = []
    items = [b"one", b"two", b"three"]
    signatures = sign_many(signer, items, "sha256", control=SigningControl(on_status=seen.append))
    assert all(_verifies(signer.certificate, s, d) for s, d in zip(signatures, items, strict=True))
    assert [s.done for s in seen] == [0, 1, 2, 3] and seen[-1].state == "signed"


def test_a_batching_signer_gets_one_call_for_the_whole_batch(signer_for):
    signer = Batching(signer_for("person"))
    assert isinstance(signer, Signer) and signs_digests(signer)
    items = [bytes([i]) * 10 for i in range(20)]
    signatures = sign_many(signer, items, "sha256")
    assert signer.calls == [20]
    assert all(_verifies(signer.certificate, s, d) for s, d in zip(signatures, items, strict=True))


def test_cancel_stops_before_the_next_item(signer_for):
    control = SigningControl()
    control.cancel.set()
    with pytest.raises(SigningCancelledError):
        sign_many(signer_for("person"), [b"x"], "sha256", control=control)


def test_sign_raw_deep_inside_a_call_sees_the_callers_control(signer_for):
    """How kyso.sign() hands its status callback through pyHanko to a remote signer."""
    signer = Batching(signer_for("person"))
    seen: list[SignerStatus] = []
    with signing_control(SigningControl(on_status=seen.append)):
        result: list[bytes] = []
        context = contextvars.copy_context()  # what asyncio.to_thread does
        worker = threading.Thread(target=context.run, args=(lambda: result.append(signer.sign_raw(b"data", "sha256")),))
        worker.start()
        worker.join()
    assert [s.state for s in seen] == ["waiting"]
    assert _verifies(signer.certificate, result[0], b"data")


def test_a_failing_status_callback_does_not_fail_the_signing(signer_for):
    def broken(status):
        raise RuntimeError("display gone")

    assert sign_many(Batching(signer_for("person")), [b"x"], "sha256", control=SigningControl(on_status=broken))
