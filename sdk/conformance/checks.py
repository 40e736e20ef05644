"""The checks of the adapter conformance suite, and the :class:`Harness` they run in.

Every check is a function ``check(h: Harness) -> Detail`` that returns what it found when the adapter passes (a
message key of :data:`DETAILS` and its values, shown in the report's language), raises
:class:`CheckFailed` (or ``AssertionError``) when it does not and :class:`CheckSkipped` when it cannot run (most
checks need the simulator's control API to seed items and inject faults; against a real staging platform they are
skipped). Checks are independent: each uses its own simulator user.
"""

from __future__ import annotations

import functools
import itertools
import os
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kyso.core.adapter import Adapter, AdapterConfig, AdapterInfo, AuthenticationError, Credentials, Item, PlatformError
from kyso.core.errors import KysoError, SignerError
from kyso.core.models import SignatureKind

VIETNAMESE_NAME = "Quyết định 15-QĐ-UBND về việc phê duyệt Đề án chữ ký số (bản chính).pdf"
VIETNAMESE_METADATA = {
    "Trích yếu": "Về việc triển khai chữ ký số chuyên dùng Chính phủ trên địa bàn tỉnh",
    "Đơn vị soạn thảo": "Sở Khoa học và Công nghệ",
    "Người ký": "Nguyễn Thị Hương Giang",
    "Độ khẩn": "Thượng khẩn",
}
LARGE_SIZE = 6 * 1024 * 1024
BATCH = 12


DETAILS: dict[str, tuple[str, str]] = {
    "round_trip": (
        "đã ký, tải lên, tải về: chữ ký hợp lệ, loại {kind}",
        "signed, uploaded, downloaded: TOTAL_PASSED, kind {kind}",
    ),
    "seeded_round_trip": (
        "mục {item} do người kiểm thử tạo đã được ký, tải lên, tải về: chữ ký hợp lệ, loại {kind}",
        "seeded item {item} signed, uploaded, downloaded: TOTAL_PASSED, kind {kind}",
    ),
    "altered_unreadable": (
        "tài liệu bị sửa trên nền tảng bị từ chối vì không đọc được: {why_vi}",
        "altered document refused as unreadable: {why}",
    ),
    "altered_detected": (
        "phát hiện tài liệu bị sửa trên nền tảng: {indication}",
        "altered document detected: {indication}",
    ),
    "refused_before_signing": ("từ chối trước khi ký: {why_vi}", "refused before signing: {why}"),
    "credentials_refused": ("bị từ chối: {why_vi}", "refused: {why}"),
    "errors_retried": (
        "đã thử lại sau {retries} lỗi máy chủ; lỗi kéo dài được báo: {reason_vi}",
        "{retries} errors retried; persistent errors reported: {reason}",
    ),
    "timeouts_retried": (
        "đã thử lại sau một lần quá thời gian; quá thời gian kéo dài được báo: {reason_vi}",
        "a timeout retried; persistent timeouts reported: {reason}",
    ),
    "duplicate_upload": (
        "cùng một khóa hai lần chỉ lưu một tài liệu; lần chạy sau không gửi lại gì",
        "the same key twice stored one document; a later run resubmitted nothing",
    ),
    "many_items": (
        "{items} mục được liệt kê, ký và lưu, mỗi mục một lần",
        "{items} items listed, signed and stored once each",
    ),
    "vietnamese_names": (
        "giữ nguyên tên tệp và siêu dữ liệu tiếng Việt; đã ký và kiểm tra",
        "file name and metadata kept; signed and verified",
    ),
    "large_file": ("{mib} MiB đã được ký và kiểm tra", "{mib} MiB signed and verified"),
    "nothing_lost": (
        "2 mục lỗi khi nền tảng gặp sự cố, 4 mục thành công; lần chạy tiếp hoàn tất chúng, mỗi mục một lần",
        "2 items failed while the platform failed, 4 went through; the resumed run finished them, once each",
    ),
    "needs_control": (
        "cần API điều khiển của trình mô phỏng (tạo mục, gây lỗi)",
        "needs the simulator's control API (seeding items, injecting faults)",
    ),
    "not_seeded": (
        "không có mục chờ ký loại {kind} được tạo sẵn cho người dùng '{user}' trên nền tảng",
        "no pending item of kind {kind} seeded for user '{user}' on the platform",
    ),
    "large_file_issuance_only": (
        "bộ chuyển đổi chỉ ký phát hành: tệp lớn cần có chữ ký duyệt trước",
        "issuance-only adapters: the large file would need an approval signature first",
    ),
    "faults_fail_alone": (
        "danh sách trả về HTML bị từ chối ({reason_vi}); mỗi lần tải lỗi chỉ làm hỏng mục đó, kèm lý do",
        "HTML list refused ({reason}); each faulty download failed alone with its reason",
    ),
    # why a check failed (CheckFailed): a value ``x`` has its Vietnamese ``x_vi`` where it is prose
    "item_not_listed": (
        "mục {item} tạo cho người dùng '{user}' không có trong danh sách chờ ký của bộ chuyển đổi",
        "item {item} seeded for {user} is not among the adapter's pending items",
    ),
    "not_total_passed": (
        "{what_vi}: tài liệu nền tảng lưu có kết luận {indication}, không phải HỢP LỆ",
        "{what}: the document the platform holds is {indication}, not TOTAL_PASSED",
    ),
    "last_kind": (
        "{what_vi}: chữ ký cuối có loại {got}, cần loại {kind}",
        "{what}: last signature has kind {got}, expected {kind}",
    ),
    "item_kind": (
        "mục có loại {got}, nền tảng yêu cầu loại {kind}",
        "the item's kind is {got}, the platform asked for {kind}",
    ),
    "not_signed": ("không ký được: {reasons_vi}", "not signed: {reasons}"),
    "download_differs": (
        "download_signed trả về khác với bản nền tảng lưu",
        "download_signed differs from what the platform stores",
    ),
    "uploads_not_one": (
        "nền tảng lưu {uploads} lần tải lên, cần đúng 1",
        "the platform stored {uploads} uploads, expected 1",
    ),
    "still_pending": ("mục {item} vẫn chờ ký sau khi đã tải lên", "item {item} is still pending after its upload"),
    "altered_verifies": (
        "tài liệu bị sửa trên nền tảng vẫn được kiểm tra là HỢP LỆ",
        "a document altered on the platform still verifies",
    ),
    "uploaded_anyway": ("vẫn có tài liệu được tải lên", "something was uploaded anyway"),
    "signer_allowed": ("chứng thư ký {label_vi} vẫn được dùng để ký", "a {label} signer was allowed to sign"),
    "password_repeated": ("thông báo lỗi nhắc lại mật khẩu", "the error message repeats the password"),
    "refusal_slow": (
        "việc từ chối đăng nhập mất {seconds} giây (có thử lại?)",
        "refused credentials took {seconds} s (retried?)",
    ),
    "wrong_error": (
        "thông tin đăng nhập sai gây lỗi {error} thay vì AuthenticationError: {why_vi}",
        "wrong credentials gave {error}, not AuthenticationError: {why}",
    ),
    "credentials_accepted": ("thông tin đăng nhập sai vẫn được chấp nhận", "wrong credentials were accepted"),
    "errors_unreported": ("lỗi máy chủ kéo dài không được báo", "persistent server errors were not reported"),
    "timeouts_unreported": ("quá thời gian kéo dài không được báo", "persistent timeouts were not reported"),
    "html_accepted": (
        "một trang HTML thay cho danh sách mục JSON vẫn được chấp nhận",
        "an HTML page instead of the JSON item list was accepted",
    ),
    "error_unexplained": (
        "thông báo lỗi không nói rõ cái gì hỏng: {reason_vi}",
        "the error does not say what failed: {reason}",
    ),
    "empty_download": ("tải về rỗng sau khi thử lại vì quá thời gian", "empty download after a retried timeout"),
    "repeat_upload_failed": (
        "tải lên lần hai với cùng khóa idempotency bị lỗi: {why_vi}",
        "a repeated upload with the same idempotency key failed: {why}",
    ),
    "duplicate_stored": (
        "hai lần tải lên với cùng một khóa đã lưu {uploads} tài liệu",
        "two uploads with one idempotency key stored {uploads} documents",
    ),
    "signed_again": ("lần chạy sau lại ký mục này", "a later run signed the item again"),
    "uploaded_again": ("lần chạy sau lại tải lên", "a later run uploaded again"),
    "items_missing": (
        "{missing} trong {items} mục không có trong danh sách chờ ký",
        "{missing} of {items} items are missing from the pending list",
    ),
    "some_signed": ("chỉ {signed} trong {items} mục được ký: {reasons_vi}", "{signed} of {items} signed: {reasons}"),
    "uploads_per_item": ("số lần tải lên của từng mục: {counts}", "uploads per item: {counts}"),
    "not_its_own": (
        "mục {item} giữ một tài liệu đã ký không phải của nó",
        "item {item} holds a signed document that is not its own",
    ),
    "name_altered": ("tên tệp bị thay đổi: {name}", "file name altered: {name}"),
    "metadata_altered": ("siêu dữ liệu {field} bị thay đổi: {value}", "metadata {field}: {value}"),
    "large_smaller": ("tệp lớn sau khi ký lại nhỏ hơn tệp gốc", "the signed large file is smaller than the source"),
    "failed_items": (
        "các mục lỗi là {failed}, cần đúng hai mục nền tảng từ chối",
        "failed items {failed}, expected the two the platform refused",
    ),
    "others_signed": (
        "chỉ {signed} trong 4 mục còn lại được ký: {reasons_vi}",
        "{signed} of the 4 others signed: {reasons}",
    ),
    "resumed_signed": (
        "lần chạy tiếp ký {signed} mục, cần 2: {reasons_vi}",
        "the resumed run signed {signed} items, expected 2: {reasons}",
    ),
    "not_all_signed": (
        "sau lần chạy tiếp vẫn còn mục chưa ký",
        "some items are still not signed after the resumed run",
    ),
    "fault_dropped": ("mục bị lỗi {fault} bị bỏ khỏi lần chạy", "item with fault {fault} was dropped from the run"),
    "fault_outcome": (
        "mục bị lỗi {fault}: {outcome_vi} ({reason_vi})",
        "item with fault {fault}: {outcome} ({reason})",
    ),
    "fault_no_reason": (
        "mục bị lỗi {fault} hỏng mà không nêu lý do",
        "item with fault {fault} failed without a reason",
    ),
    "fault_uploaded": ("mục bị lỗi {fault} vẫn được tải lên", "item with fault {fault} was uploaded anyway"),
    "adapter_raised": ("bộ chuyển đổi gặp lỗi {error}: {why_vi}", "{error}: {why}"),
    "assertion_failed": ("kiểm tra không đạt", "assertion failed"),
}
"""What each check found, or why it failed, (Vietnamese, English), with the values of its :class:`Detail`."""

_NO_KIND = {"vi": "không có", "en": "none"}


@dataclass(frozen=True)
class Detail:
    """What a check found, as a message key of :data:`DETAILS` and its values: the report shows it in its own
    language, the JSON keeps ``key`` and ``values`` as stable machine fields beside the text."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: str) -> str:
        lang = "en" if lang == "en" else "vi"
        vi, en = DETAILS[self.key]
        values = dict(self.values)
        for name in ("kind", "got"):  # a kind and a verdict are named as the verification report names them
            if name in values:
                from kyso.core.manager import get_plugin_manager

                kind = values[name]
                values[name] = _NO_KIND[lang] if kind is None else get_plugin_manager().kinds.label(kind, lang)
        if "indication" in values and lang == "vi":  # English keeps the ETSI code, as its template does
            from kyso.core.models import Indication
            from kyso.reports import _VERDICT

            values["indication"] = _VERDICT[lang].get(Indication(values["indication"]), values["indication"])
        return (en if lang == "en" else vi).format(**values)


Check = Callable[["Harness"], "Detail | str"]
"""A check: returns what it found (a :class:`Detail`, or a plain line from a third-party check)."""


def _said(exc: KysoError) -> dict[str, str]:
    """A typed error's line in both languages, for a detail's ``why`` / ``why_vi``."""
    return {"why": exc.diagnostics("en"), "why_vi": exc.diagnostics("vi")}


class CheckFailed(AssertionError):
    """The adapter does not keep a promise of the contract; its argument says which (a :class:`Detail`, shown in
    the report's language, or a line from a third-party check)."""

    @property
    def detail(self) -> Detail | str:
        said = self.args[0] if self.args else ""
        return said if isinstance(said, Detail) else str(said) or Detail("assertion_failed")


def _said_reason(exc: KysoError) -> dict[str, str]:
    """A platform error's line in both languages, for a detail's ``reason`` / ``reason_vi``."""
    return {"reason": exc.diagnostics(), "reason_vi": exc.diagnostics("vi")}


class CheckSkipped(Exception):
    """The check cannot run here (no simulator control, a kind the adapter lacks ...); its argument says why (a
    :class:`Detail`, or a line)."""

    @property
    def detail(self) -> Detail | str:
        said = self.args[0] if self.args else ""
        return said if isinstance(said, Detail) else str(said)


@dataclass
class Harness:
    """What the checks need: the adapter under test, its configuration, the simulator control, a test PKI."""

    info: AdapterInfo
    config: AdapterConfig
    pki: Any
    """A :class:`kyso.testing.pki.TestPKI`, serving OCSP, CRL and TSA."""
    workdir: Path
    control: Any = None
    """A :class:`kyso.testing.simulators.SimulatorControl`, or ``None`` against a real platform."""
    user: str = "kyso-conformance"
    """The platform user the suite signs for when there is no simulator."""
    _counter: Any = field(default_factory=lambda: itertools.count(1))
    _signers: dict[str, Any] = field(default_factory=dict)

    # -- building blocks --------------------------------------------------------------------------------------

    def adapter(self, **changes: Any) -> Adapter:
        return self.info.factory(replace(self.config, **changes) if changes else self.config)

    @contextmanager
    def faulty_adapter(self) -> Iterator[Adapter]:
        """An adapter for a check that injects faults in the simulator: afterwards the faults are cleared (a failed
        check must not leave them to the next) and the adapter closed."""
        control = self.need_control()
        adapter = self.adapter()
        try:
            yield adapter
        finally:
            control.clear_faults()
            adapter.close()

    def need_control(self) -> Any:
        if self.control is None:
            raise CheckSkipped(Detail("needs_control"))
        return self.control

    def fresh_user(self, label: str) -> str:
        return f"{label}-{next(self._counter)}"

    def fresh_item(self, label: str) -> tuple[str, str]:
        """A fresh user and the id of the one item (of the suite's kind) seeded for it."""
        user = self.fresh_user(label)
        return user, self.seed(user, self.kind)

    def signer(self, name: str) -> Any:
        if name not in self._signers:
            import kyso

            self._signers[name] = kyso.Pkcs12Signer.from_file(self.pki.p12(name), self.pki.password)
        return self._signers[name]

    def signer_for(self, kind: SignatureKind | str | None) -> Any:
        return self.signer("organisation" if kind == SignatureKind.ISSUANCE else "person")

    @property
    def trust(self) -> list[Any]:
        return [self.pki.cert("root")]

    @functools.cached_property
    def assets(self) -> dict[str, bytes]:
        from kyso.demo.marks import sample_seal_png, sample_signature_png

        return {"image": sample_signature_png(), "seal": sample_seal_png()}

    @property
    def kind(self) -> SignatureKind | None:
        """The kind used by the checks that are not about kinds: the adapter's first."""
        return self.info.kinds[0] if self.info.kinds else None

    @functools.cached_property
    def approved_pdf(self) -> bytes:
        """A PDF already carrying an approval signature, for issuance items."""
        import kyso

        return kyso.sign(
            sample_pdf("Văn bản đã ký duyệt"),
            signer=self.signer("person"),
            kind="approval",
            image=self.assets["image"],
            page=1,
            box=(330, 120, 500, 190),
        )

    def seed(
        self,
        user: str,
        kind: SignatureKind | None = None,
        *,
        name: str | None = None,
        content: bytes | None = None,
        metadata: dict[str, str] | None = None,
    ) -> str:
        control = self.need_control()
        appearance = appearance_for(kind)
        if content is None:
            content = self.approved_pdf if kind == SignatureKind.ISSUANCE else sample_pdf(f"Kyso {user}")
        return str(
            control.add_item(
                user=user,
                name=name or f"{user}.pdf",
                content=content,
                kind=None if kind is None else str(kind.value),
                metadata=metadata or {"Trích yếu": f"Văn bản thử {user}"},
                appearance=appearance,
            )
        )

    def sync(self, adapter: Adapter, user: str, kind: SignatureKind | None = None, **options: Any) -> Any:
        from kyso.adapters.sync import sync

        options.setdefault("trust", self.trust)
        return sync(adapter, user, options.pop("signer", None) or self.signer_for(kind), assets=self.assets, **options)

    def verify(self, data: bytes) -> Any:
        import kyso

        return kyso.verify(data, trust=self.trust, revocation="off")


def appearance_for(kind: SignatureKind | str | None) -> dict[str, Any]:
    """What a platform typically sends with an item of ``kind``."""
    if kind == SignatureKind.APPROVAL:
        return {"page": 1, "box": [330, 120, 500, 190]}
    if kind in (SignatureKind.ISSUANCE, SignatureKind.ATTACHMENT):
        return {"doc_number": "15/QĐ-UBND", "issued_date": "2026-11-20"}
    if kind == SignatureKind.COPY:
        return {"copy_form": "SAO Y", "organization": "Văn phòng UBND tỉnh"}
    if kind == SignatureKind.INCOME:
        return {"meta": {"Số đến": "125", "Ngày đến": "22/11/2026"}}
    return {}


def sample_pdf(text: str = "Kyso", *, padding: int = 0) -> bytes:
    """A one-page PDF; ``padding`` bytes of incompressible data make it as large as needed."""
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    name = generic.NameObject
    writer = PdfFileWriter()
    font = writer.add_object(
        generic.DictionaryObject(
            {name("/Type"): name("/Font"), name("/Subtype"): name("/Type1"), name("/BaseFont"): name("/Helvetica")}
        )
    )
    safe = text.encode("ascii", "replace").decode().replace("(", "[").replace(")", "]").replace("\\", "/")
    content = writer.add_object(generic.StreamObject(stream_data=f"BT /F1 14 Tf 72 770 Td ({safe}) Tj ET".encode()))
    page = generic.DictionaryObject(
        {
            name("/Type"): name("/Page"),
            name("/MediaBox"): generic.ArrayObject(map(generic.NumberObject, (0, 0, 595, 842))),
            name("/Contents"): content,
            name("/Resources"): generic.DictionaryObject(
                {name("/Font"): generic.DictionaryObject({name("/F1"): font})}
            ),
        }
    )
    if padding:
        blob = writer.add_object(generic.StreamObject(stream_data=os.urandom(padding)))
        page[name("/PieceInfo")] = generic.DictionaryObject(
            {name("/Kyso"): generic.DictionaryObject({name("/Private"): blob})}
        )
    writer.insert_page(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _expect(condition: bool, failure: str, **values: Any) -> None:
    """:class:`CheckFailed` with the ``failure`` key of :data:`DETAILS` and its values, unless ``condition``."""
    if not condition:
        raise CheckFailed(Detail(failure, values))


def _find(adapter: Adapter, user: str, item_id: str) -> Item:
    for item in adapter.pending(user):
        if item.id == item_id:
            return item
    raise CheckFailed(Detail("item_not_listed", {"item": item_id, "user": user}))


def _platform_error(call: Callable[[], object], unreported: str) -> dict[str, str]:
    """The line (``reason``, ``reason_vi``) of the :class:`PlatformError` that ``call`` must raise; the failure
    ``unreported`` (a key of :data:`DETAILS`) when it returns instead."""
    try:
        call()
    except PlatformError as exc:
        return _said_reason(exc)
    raise CheckFailed(Detail(unreported))


def _passed_with_kind(h: Harness, data: bytes, kind: SignatureKind | None, what: str, what_vi: str) -> None:
    report = h.verify(data)
    where = {"what": what, "what_vi": what_vi}
    _expect(str(report.indication) == "TOTAL_PASSED", "not_total_passed", indication=str(report.indication), **where)
    last = report.signatures[-1]
    _expect(last.kind == kind, "last_kind", got=_kind(last.kind), kind=_kind(kind), **where)


def _kind(kind: SignatureKind | str | None) -> str | None:
    return kind.value if isinstance(kind, SignatureKind) else kind


# ---------------------------------------------------------------------------------------------------------------
# the checks
# ---------------------------------------------------------------------------------------------------------------


def round_trip(kind: SignatureKind | None) -> Check:
    def check(h: Harness) -> Detail:
        if h.control is None:
            return _staging_round_trip(h, kind)
        user = h.fresh_user(f"rt-{kind.value if kind else 'plain'}")
        item_id = h.seed(user, kind)
        adapter = h.adapter()
        try:
            item = _find(adapter, user, item_id)
            _expect(item.kind == kind, "item_kind", got=_kind(item.kind), kind=_kind(kind))
            summary = h.sync(adapter, user, kind, items=[item])
            _expect(summary.signed == 1, "not_signed", **_reasons(summary))
            signed = adapter.download_signed(item)
            _passed_with_kind(h, signed, kind, "download after upload", "bản tải về sau khi tải lên")
            _expect(signed == h.control.signed(item_id), "download_differs")
            state = h.control.item(item_id)
            _expect(state["uploads"] == 1, "uploads_not_one", uploads=state["uploads"])
        finally:
            adapter.close()
        return Detail("round_trip", {"kind": kind.value if kind else None})

    check.__name__ = f"round_trip_{kind.value if kind else 'plain'}"
    return check


def _staging_round_trip(h: Harness, kind: SignatureKind | None) -> Detail:
    """The round trip on a platform without the simulator's control API: on the first pending item of ``kind``
    the tester seeded for ``h.user`` (docs/conformance.md); none seeded: the check is skipped (NOT_ASSESSED)."""
    adapter = h.adapter()
    try:
        item = next((i for i in adapter.pending(h.user) if i.kind == kind and i.problem is None), None)
        if item is None:
            raise CheckSkipped(Detail("not_seeded", {"kind": kind.value if kind else None, "user": h.user}))
        summary = h.sync(adapter, h.user, kind, items=[item])
        _expect(summary.signed == 1, "not_signed", **_reasons(summary))
        signed = adapter.download_signed(item)
        _passed_with_kind(h, signed, kind, f"item {item.id} after upload", f"mục {item.id} sau khi tải lên")
        _expect(all(i.id != item.id for i in adapter.pending(h.user)), "still_pending", item=item.id)
    finally:
        adapter.close()
    return Detail("seeded_round_trip", {"item": item.id, "kind": kind.value if kind else None})


def altered_document_detected(h: Harness) -> Detail:
    user, item_id = h.fresh_item("tamper")
    adapter = h.adapter()
    try:
        item = _find(adapter, user, item_id)
        summary = h.sync(adapter, user, h.kind, items=[item])
        _expect(summary.signed == 1, "not_signed", **_reasons(summary))
        h.control.tamper(item_id)
        try:
            report = h.verify(adapter.download_signed(item))
        except KysoError as exc:
            return Detail("altered_unreadable", _said(exc))
        _expect(str(report.indication) != "TOTAL_PASSED", "altered_verifies")
        return Detail("altered_detected", {"indication": str(report.indication)})
    finally:
        adapter.close()


_SIGNER_VI = {"revoked": "đã bị thu hồi", "expired": "đã hết hạn"}


def _refused(label: str) -> Check:
    def check(h: Harness) -> Detail:
        user = h.fresh_user(label)
        item_id = h.seed(user, h.kind)
        adapter = h.adapter()
        try:
            h.sync(adapter, user, h.kind, signer=h.signer(label))
        except SignerError as exc:
            state = h.control.item(item_id)
            _expect(state["uploads"] == 0 and state["state"] == "pending", "uploaded_anyway")
            return Detail("refused_before_signing", _said(exc))
        finally:
            adapter.close()
        raise CheckFailed(Detail("signer_allowed", {"label": label, "label_vi": _SIGNER_VI.get(label, label)}))

    check.__name__ = f"{label}_signer_refused"
    return check


def wrong_credentials(h: Harness) -> Detail:
    bad = Credentials(h.config.credentials.username or "kyso", "definitely-wrong-password", None)
    adapter = h.adapter(credentials=bad)
    started = time.perf_counter()
    try:
        adapter.pending(h.user if h.control is None else h.fresh_user("creds"))
    except AuthenticationError as exc:
        said = _said(exc)
        repeated = any("definitely-wrong-password" in m for m in said.values())
        _expect(not repeated, "password_repeated")
        elapsed = time.perf_counter() - started
        _expect(elapsed < h.config.timeout * 2 + 1, "refusal_slow", seconds=f"{elapsed:.1f}")
        return Detail("credentials_refused", said)
    except KysoError as exc:
        raise CheckFailed(Detail("wrong_error", {"error": exc.__class__.__name__, **_said(exc)})) from None
    finally:
        adapter.close()
    raise CheckFailed(Detail("credentials_accepted"))


def server_errors_retried(h: Harness) -> Detail:
    control = h.need_control()
    user, item_id = h.fresh_item("errors")
    with h.faulty_adapter() as adapter:
        control.fault("error", operation="pending", count=h.config.retries)
        _find(adapter, user, item_id)  # succeeds on the last retry
        control.fault("error", operation="pending", count=100)
        reason = _platform_error(lambda: adapter.pending(user), "errors_unreported")
        _expect("500" in reason["reason"], "error_unexplained", **reason)
        return Detail("errors_retried", {"retries": h.config.retries, **reason})


def timeouts_retried(h: Harness) -> Detail:
    control = h.need_control()
    user, item_id = h.fresh_item("slow")
    slow = h.config.timeout + 0.5
    with h.faulty_adapter() as adapter:
        item = _find(adapter, user, item_id)
        control.fault("slow", operation="download", item=item_id, count=1, seconds=slow)
        data = adapter.download(item)
        _expect(len(data) > 0, "empty_download")
        control.fault("slow", operation="download", item=item_id, count=h.config.retries + 1, seconds=slow)
        return Detail("timeouts_retried", _platform_error(lambda: adapter.download(item), "timeouts_unreported"))


def duplicate_upload(h: Harness) -> Detail:
    from kyso.adapters.sync import sign_item
    from kyso.core.adapter import idempotency_key

    user, item_id = h.fresh_item("dup")
    adapter = h.adapter()
    try:
        item = _find(adapter, user, item_id)
        source = adapter.download(item)
        key = idempotency_key(adapter.name, item, source)
        prepare = getattr(adapter, "prepare", None)
        to_sign = prepare(item, source) if callable(prepare) else source
        signed = sign_item(item, to_sign, h.signer_for(item.kind), h.assets)
        adapter.upload(item, signed, idempotency_key=key)
        again = sign_item(item, to_sign, h.signer_for(item.kind), h.assets)  # after a crash: signed anew, same key
        try:
            adapter.upload(item, again, idempotency_key=key)
        except KysoError as exc:
            raise CheckFailed(Detail("repeat_upload_failed", _said(exc))) from None
        state = h.control.item(item_id)
        _expect(state["uploads"] == 1, "duplicate_stored", uploads=state["uploads"])
        _expect(all(i.id != item_id for i in adapter.pending(user)), "still_pending", item=item_id)
        summary = h.sync(adapter, user, h.kind)  # a later run finds nothing to resubmit
        _expect(summary.signed == 0, "signed_again")
        _expect(h.control.item(item_id)["uploads"] == 1, "uploaded_again")
        return Detail("duplicate_upload")
    finally:
        adapter.close()


def many_items(h: Harness) -> Detail:
    user = h.fresh_user("batch")
    # each item its own document (issuance needs the approved one), so a result stored on the wrong item shows
    contents = {n: None if h.kind == SignatureKind.ISSUANCE else sample_pdf(f"Kyso {user} {n}") for n in range(BATCH)}
    ids = [h.seed(user, h.kind, name=f"Văn bản {n + 1:02d}.pdf", content=contents[n]) for n in range(BATCH)]
    adapter = h.adapter()
    try:
        listed = {i.id for i in adapter.pending(user)}
        missing = [i for i in ids if i not in listed]
        _expect(not missing, "items_missing", missing=len(missing), items=len(ids))
        summary = h.sync(adapter, user, h.kind)
        _expect(summary.signed == len(ids), "some_signed", signed=summary.signed, items=len(ids), **_reasons(summary))
        counts = [h.control.item(i)["uploads"] for i in ids]
        _expect(counts == [1] * len(ids), "uploads_per_item", counts=str(counts))
        for n, item_id in enumerate(ids):  # a PDF signature is an incremental update: the source comes first
            source = contents[n]
            if source is not None and not h.control.signed(item_id).startswith(source):
                raise CheckFailed(Detail("not_its_own", {"item": item_id}))
        for item_id in ids[:: max(1, len(ids) // 3)]:
            _passed_with_kind(h, h.control.signed(item_id), h.kind, f"item {item_id}", f"mục {item_id}")
        return Detail("many_items", {"items": len(ids)})
    finally:
        adapter.close()


def vietnamese_names_and_metadata(h: Harness) -> Detail:
    user = h.fresh_user("tieng-viet")
    decomposed = unicodedata.normalize("NFD", VIETNAMESE_NAME)  # as some platforms (macOS uploads) store names
    item_id = h.seed(user, h.kind, name=decomposed, metadata=VIETNAMESE_METADATA)
    adapter = h.adapter()
    try:
        item = _find(adapter, user, item_id)
        _expect(item.name == VIETNAMESE_NAME, "name_altered", name=repr(item.name))
        for key, value in VIETNAMESE_METADATA.items():
            got = item.metadata.get(key)
            _expect(
                got is not None and unicodedata.normalize("NFC", got) == value,
                "metadata_altered",
                key=repr(key),
                got=repr(got),
            )
        summary = h.sync(adapter, user, h.kind, items=[item])
        _expect(summary.signed == 1, "not_signed", **_reasons(summary))
        _passed_with_kind(h, adapter.download_signed(item), h.kind, VIETNAMESE_NAME, VIETNAMESE_NAME)
        return Detail("vietnamese_names")
    finally:
        adapter.close()


def large_file(h: Harness) -> Detail:
    user = h.fresh_user("large")
    content = sample_pdf("Kyso large", padding=LARGE_SIZE)
    if h.kind == SignatureKind.ISSUANCE:
        raise CheckSkipped(Detail("large_file_issuance_only"))
    item_id = h.seed(user, h.kind, content=content, name="tai-lieu-lon.pdf")
    adapter = h.adapter()
    try:
        item = _find(adapter, user, item_id)
        summary = h.sync(adapter, user, h.kind, items=[item])
        _expect(summary.signed == 1, "not_signed", **_reasons(summary))
        signed = adapter.download_signed(item)
        _expect(len(signed) > len(content), "large_smaller")
        _passed_with_kind(h, signed, h.kind, "large file", "tệp lớn")
        return Detail("large_file", {"mib": len(content) // (1024 * 1024)})
    finally:
        adapter.close()


def nothing_lost_mid_batch(h: Harness) -> Detail:
    from kyso.adapters.sync import Journal

    control = h.need_control()
    user = h.fresh_user("midbatch")
    ids = [h.seed(user, h.kind, name=f"Hồ sơ {n}.pdf") for n in range(1, 7)]
    journal = Journal(h.workdir / f"{user}.journal")
    with h.faulty_adapter() as adapter:
        control.fault("error", operation="upload", item=ids[2], count=100)
        control.fault("error", operation="upload", item=ids[4], count=100)
        first = h.sync(adapter, user, h.kind, journal=journal)
        failed = {r.item for r in first.results if r.outcome == "failed"}
        _expect(failed == {ids[2], ids[4]}, "failed_items", failed=str(sorted(failed)))
        _expect(first.signed == 4, "others_signed", signed=first.signed, **_reasons(first))
        control.clear_faults()
        second = h.sync(adapter, user, h.kind, journal=journal)
        _expect(second.signed == 2, "resumed_signed", signed=second.signed, **_reasons(second))
        states = [h.control.item(i) for i in ids]
        _expect(all(s["state"] == "signed" for s in states), "not_all_signed")
        _expect(
            [s["uploads"] for s in states] == [1] * 6, "uploads_per_item", counts=str([s["uploads"] for s in states])
        )
        return Detail("nothing_lost")


def faults_fail_alone(h: Harness) -> Detail:
    control = h.need_control()
    user = h.fresh_user("faults")
    faults = ["html", "truncate", "cut", "wrong_document", "slow", None]
    ids = [h.seed(user, h.kind, name=f"Văn bản lỗi {n}.pdf") for n in range(len(faults))]
    with h.faulty_adapter() as adapter:
        control.fault("html", operation="pending", count=h.config.retries + 1)
        html_reason = _platform_error(lambda: adapter.pending(user), "html_accepted")
        control.clear_faults()
        for item_id, fault in zip(ids, faults, strict=True):
            if fault:
                seconds = h.config.timeout + 0.5
                control.fault(fault, operation="download", item=item_id, count=100, seconds=seconds)
        summary = h.sync(adapter, user, h.kind)
        outcome = {r.item: r for r in summary.results}
        for item_id, fault in zip(ids, faults, strict=True):
            result = outcome.get(item_id)
            _expect(result is not None, "fault_dropped", fault=fault)
            assert result is not None  # (for the type checker: _expect raised otherwise)
            expected = "signed" if fault is None else "failed"
            _expect(result.outcome == expected, "fault_outcome", fault=fault, **_outcome(result))
            _expect(fault is None or bool(result.reason), "fault_no_reason", fault=fault)
            if fault:
                _expect(h.control.item(item_id)["uploads"] == 0, "fault_uploaded", fault=fault)
        return Detail("faults_fail_alone", html_reason)


def _reasons(summary: Any) -> dict[str, str]:
    """Why the items of a sync run were not signed (``reasons``, ``reasons_vi``)."""
    failed = [r for r in summary.results if r.outcome != "signed"]
    return {
        "reasons": "; ".join(f"{r.name}: {r.reason}" for r in failed)[:300] or "no result",
        "reasons_vi": "; ".join(f"{r.name}: {r.reason_vi or r.reason}" for r in failed)[:300] or "không có kết quả",
    }


_OUTCOME_VI = {"signed": "đã ký", "failed": "lỗi", "skipped": "bỏ qua"}


def _outcome(result: Any) -> dict[str, str]:
    said = {"outcome": result.outcome, "outcome_vi": _OUTCOME_VI.get(result.outcome, result.outcome)}
    return {**said, "reason": result.reason, "reason_vi": result.reason_vi or result.reason}


PROOFS: dict[str, tuple[str, str]] = {
    "round_trip": (
        "Tài liệu tải về từ nền tảng được ký đúng loại chữ ký, tải lên một lần, và bản nền tảng lưu kiểm tra HỢP LỆ.",
        "A document downloaded from the platform is signed with the right kind, uploaded once, and the copy the "
        "platform keeps verifies TOTAL_PASSED.",
    ),
    "altered_document_detected": (
        "Tài liệu đã ký bị sửa trên nền tảng không còn được coi là hợp lệ: bộ kết nối trả về bản nền tảng đang giữ.",
        "A signed document altered on the platform no longer verifies: the adapter returns the platform's copy.",
    ),
    "revoked_signer_refused": (
        "Chứng thư số đã bị thu hồi không được dùng để ký; không có gì được tải lên.",
        "A revoked signer certificate is refused before signing; nothing is uploaded.",
    ),
    "expired_signer_refused": (
        "Chứng thư số đã hết hạn không được dùng để ký; không có gì được tải lên.",
        "An expired signer certificate is refused before signing; nothing is uploaded.",
    ),
    "wrong_credentials": (
        "Sai tài khoản bị báo ngay là lỗi xác thực, không thử lại, không lặp lại mật khẩu.",
        "Wrong credentials are reported as an authentication error at once, not retried, the password not repeated.",
    ),
    "server_errors_retried": (
        "Lỗi máy chủ tạm thời được thử lại; lỗi kéo dài được báo rõ mã lỗi.",
        "Transient server errors are retried; persistent ones are reported with their status.",
    ),
    "timeouts_retried": (
        "Một lần quá thời gian chờ được thử lại; quá thời gian kéo dài được báo là lỗi nền tảng.",
        "A timeout is retried; persistent timeouts are reported as a platform error.",
    ),
    "duplicate_upload": (
        "Tải lên hai lần cùng khoá chống trùng chỉ lưu một văn bản; lần chạy sau không ký lại.",
        "Two uploads with one idempotency key store one document; a later run signs nothing again.",
    ),
    "many_items": (
        "Mọi văn bản chờ ký đều được liệt kê, ký và lưu đúng vào văn bản của nó, mỗi văn bản một lần.",
        "Every pending item is listed, signed and stored on its own item, once each.",
    ),
    "vietnamese_names_and_metadata": (
        "Tên tệp và thông tin tiếng Việt (kể cả dạng NFD) được giữ nguyên.",
        "Vietnamese file names and metadata (NFD ones included) are kept intact.",
    ),
    "large_file": (
        "Một tệp lớn (6 MiB) được tải về, ký, tải lên và kiểm tra hợp lệ.",
        "A large file (6 MiB) is downloaded, signed, uploaded and verifies.",
    ),
    "nothing_lost_mid_batch": (
        "Khi nền tảng lỗi giữa chừng, các văn bản khác vẫn được ký; lần chạy tiếp hoàn tất phần còn lại, không trùng.",
        "When the platform fails mid-batch the other items go through; the resumed run finishes the rest, once each.",
    ),
    "faults_fail_alone": (
        "Mỗi câu trả lời hỏng của nền tảng (HTML, bị cắt, sai tài liệu, chậm) chỉ làm hỏng đúng văn bản đó, có lý do.",
        "Each broken platform answer (HTML, truncated, wrong document, slow) fails its item alone, with a reason.",
    ),
}
"""What each check proves, in one sentence (Vietnamese, English), for the report."""


def proof_of(name: str, lang: str = "vi") -> str:
    """The sentence saying what check ``name`` proves (round trips share one: ``round_trip[kind]``)."""
    sentences = PROOFS.get(name.split("[")[0])
    if sentences is None:
        return ""
    return sentences[1 if lang == "en" else 0]


def all_checks(info: AdapterInfo) -> list[tuple[str, Check]]:
    """The suite for an adapter: one round trip per kind it supports, then the rest."""
    checks: list[tuple[str, Check]] = []
    for kind in info.kinds or (None,):
        kind = None if kind is None else SignatureKind(kind)
        checks.append((f"round_trip[{kind.value if kind else 'plain'}]", round_trip(kind)))
    checks += [
        ("altered_document_detected", altered_document_detected),
        ("revoked_signer_refused", _refused("revoked")),
        ("expired_signer_refused", _refused("expired")),
        ("wrong_credentials", wrong_credentials),
        ("server_errors_retried", server_errors_retried),
        ("timeouts_retried", timeouts_retried),
        ("duplicate_upload", duplicate_upload),
        ("many_items", many_items),
        ("vietnamese_names_and_metadata", vietnamese_names_and_metadata),
        ("large_file", large_file),
        ("nothing_lost_mid_batch", nothing_lost_mid_batch),
        ("faults_fail_alone", faults_fail_alone),
    ]
    return checks
