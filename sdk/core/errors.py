"""One exception hierarchy for the SDK.

A :class:`KysoError` is an expected failure (unusable input, wrong password, unreachable service): the CLI prints
its :meth:`~KysoError.diagnostics` on one line and exits with 2. A bad signature is never an exception: it is a
verdict in a report. Messages never contain keys, PINs or passwords.

Each subclass has a lead in Vietnamese and in English (what went wrong, in words a văn thư reads); the detail the
code writes follows it. The detail is English (it quotes file names, option names, standards); where a sentence is
frequent the code also gives it in Vietnamese (``vi=``). An error about one API keyword names it in
``parameter`` (``"image"``); the caller spells it its own way: ``image=`` for the library, ``--image`` for the
CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Literal

Lang = Literal["vi", "en"]
LANGUAGES: tuple[Lang, ...] = ("vi", "en")
"""The languages of reports and error messages; Vietnamese is the CLI's default."""


def keyword(parameter: str) -> str:
    """How the library spells an API parameter in a message: ``image=``."""
    return f"{parameter}="


class KysoError(Exception):
    """Base of every error the SDK raises on purpose.

    :param message: the detail, in English (``str(error)`` adds the parameter and the hint).
    :param parameter: the API keyword the error is about (``"image"``), if one.
    :param hint: what to do instead (a line of code, a command), shown after the detail in both languages.
    :param vi: the detail in Vietnamese, where the code has one; otherwise the English detail is shown.
    """

    lead_vi: ClassVar[str] = "Không thực hiện được"
    lead_en: ClassVar[str] = "failed"

    def __init__(
        self, message: str = "", *, parameter: str | None = None, hint: str | None = None, vi: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter
        self.hint = hint
        self.vi = vi

    def __str__(self) -> str:
        """The English detail with the parameter and the hint: what a traceback shows."""
        text = f"{self.message} ({keyword(self.parameter)})" if self.parameter else self.message
        return f"{text} (hint: {self.hint})" if self.hint else text

    def diagnostics(self, lang: str | None = None, *, spell: Callable[[str], str] = keyword) -> str:
        """One human-readable line, safe to show to a user (no secrets).

        In ``lang`` (``"vi"`` or ``"en"``): the subclass's lead, the parameter as ``spell`` names it, the detail,
        the hint. Without ``lang``: the English detail and hint only, the form a report or a warning embeds after
        its own words (``unusable package: ...``).

        :param spell: how the caller names :attr:`parameter` (the CLI passes its keyword-to-flag mapping).
        """
        if lang is None:
            return str(self) or self.__class__.__name__
        vietnamese = lang == "vi"
        lead = self.lead_vi if vietnamese else self.lead_en
        if self.parameter:
            lead = f"{lead} ({spell(self.parameter)})"
        detail = self.vi if vietnamese and self.vi else self.message
        line = f"{lead}: {detail}" if detail else lead
        if self.hint:
            line += f" ({'gợi ý' if vietnamese else 'hint'}: {self.hint})"
        return line


class KysoWarning(UserWarning):
    """Something done, but not all of it (an issuance whose document has no place for its number): the CLI prints
    it on stderr (``kyso: note: ``); a program may filter it or turn it into an error (``warnings`` module)."""


class UsageError(KysoError):
    """The caller asked for something that does not make sense (bad option, missing argument)."""

    lead_vi = "Lệnh chưa đúng"
    lead_en = "bad usage"


class BytesExpectedError(UsageError, TypeError):
    """A function that takes a document's bytes was given something else, most often a file name: the library
    reads no files on the caller's behalf (its limits and errors are the caller's; the CLI reads with
    :mod:`kyso.files`). Also a :class:`TypeError`, which it replaces."""


class InputError(KysoError):
    """The document or file given cannot be used: missing, unreadable, malformed, encrypted, too large."""

    lead_vi = "Tài liệu không dùng được"
    lead_en = "unusable input"


class UnsupportedFormatError(InputError):
    """No registered plugin handles the document's format."""

    lead_vi = "Không nhận ra loại tài liệu"
    lead_en = "unsupported format"


class EncryptedDocumentError(InputError):
    """The document is encrypted; Kyso does not sign or verify encrypted documents."""

    lead_vi = "Tài liệu đã được mã hoá (đặt mật khẩu): không ký, không kiểm tra được"
    lead_en = "encrypted document"


class SignerError(KysoError):
    """The signer cannot sign: key store unreadable, wrong password, no private key, unsuitable certificate."""

    lead_vi = "Không dùng được khoá ký (chứng thư số)"
    lead_en = "unusable signer"


class WrongPasswordError(SignerError):
    """The password or PIN of a key store is wrong (the password itself is never repeated)."""

    lead_vi = "Sai mật khẩu hoặc mã PIN của khoá ký"
    lead_en = "wrong password"


class SignerCertificateError(SignerError):
    """The signer's certificate cannot sign: expired, not yet valid, revoked, or a key usage that excludes signing
    (``reason``). ``kyso.sign(..., force=True)`` (``kyso sign --force``) signs anyway."""

    lead_vi = "Không ký: chứng thư số của người ký không dùng để ký được"
    lead_en = "signer refused"

    def __init__(self, message: str = "", *, reason: str = "", **kwargs: Any) -> None:
        super().__init__(message, hint=kwargs.pop("hint", "--force (force=True)"), **kwargs)
        self.reason = reason


class SigningError(KysoError):
    """Signing started but could not finish (the document is left untouched and no output is written)."""

    lead_vi = "Ký không thành công (tệp gốc giữ nguyên, không tạo tệp mới)"
    lead_en = "signing failed"


class ServiceError(KysoError):
    """A network service (TSA, OCSP, CRL, platform) was unreachable, too slow or answered garbage."""

    lead_vi = "Không kết nối được dịch vụ trên mạng"
    lead_en = "service unavailable"

    def __init__(self, message: str, *, url: str | None = None, **details: str | None) -> None:
        super().__init__(message, **details)
        self.url = url


class TimestampError(ServiceError):
    """The time-stamping authority could not give a usable time-stamp."""

    lead_vi = "Không lấy được dấu thời gian"
    lead_en = "time-stamp unavailable"


class RevocationError(ServiceError):
    """Revocation information (OCSP, CRL) could not be obtained or was unusable."""

    lead_vi = "Không kiểm tra được chứng thư số có bị thu hồi hay không"
    lead_en = "revocation unavailable"


class PlatformError(ServiceError):
    """The platform failed: unreachable, too slow, a server error after the retries, an answer that is not what its
    API promises (HTML instead of JSON ...)."""

    lead_vi = "Hệ thống quản lý văn bản báo lỗi hoặc không trả lời"
    lead_en = "platform failed"


class AuthenticationError(PlatformError):
    """The platform refused the credentials (HTTP 401 / 403). Never retried; the secret is never repeated."""

    lead_vi = "Hệ thống quản lý văn bản từ chối tài khoản đăng nhập"
    lead_en = "credentials refused"


class RedirectError(PlatformError):
    """The platform answered with a redirect Kyso does not follow: to another origin while the request carries
    credentials or a body, to another scheme than http(s), from https to http, or too many in a row (see
    :mod:`kyso.adapters.http`)."""

    lead_vi = "Hệ thống quản lý văn bản chuyển sang địa chỉ khác không an toàn: Kyso không đi theo"
    lead_en = "redirect refused"


class ItemError(KysoError):
    """One item cannot be processed (its document is truncated, not what the item claims ...): that item fails,
    the others proceed."""

    lead_vi = "Không xử lý được văn bản này (các văn bản khác vẫn tiếp tục)"
    lead_en = "unusable item"


class PluginError(KysoError):
    """A plugin is broken: a hook misspelled, an entry point that fails to import."""

    lead_vi = "Phần mở rộng (plugin) bị lỗi"
    lead_en = "broken plugin"


# PKCS#11 tokens (kyso.signers.pkcs11): what a văn thư can act on, one class each.


class ModuleLoadError(SignerError):
    """The PKCS#11 module (the token's driver library) cannot be loaded: missing, not a PKCS#11 library, or built
    for another bitness than this Python (a 32-bit ``.dll`` in a 64-bit Python)."""

    lead_vi = "Không nạp được thư viện PKCS#11 của USB token"
    lead_en = "PKCS#11 module not loaded"


class TokenAbsentError(SignerError):
    """No token matches: none plugged in, or none with the slot, label or serial asked for."""

    lead_vi = "Không tìm thấy USB token (chưa cắm, hoặc không đúng nhãn, số sê-ri, khe cắm)"
    lead_en = "token not found"


class TokenRemovedError(SignerError):
    """The token was pulled out (or stopped answering) while signing: the document being signed is not written;
    those signed before stay signed. A :class:`SignerError` (the key is gone), so a format plugin passes it on."""

    lead_vi = "USB token đã bị rút ra trong khi ký (văn bản đang ký không được ghi; văn bản đã ký vẫn giữ nguyên)"
    lead_en = "token removed while signing"


class WrongPinError(WrongPasswordError):
    """The token refused the PIN. The token's warning flags are carried when it reports them: ``count_low`` (few
    tries left), ``final_try`` (one more wrong PIN locks it), ``locked`` (it is locked now)."""

    lead_vi = "Sai mã PIN của USB token"
    lead_en = "wrong PIN"

    def __init__(
        self,
        message: str = "",
        *,
        count_low: bool = False,
        final_try: bool = False,
        locked: bool = False,
        **details: str | None,
    ) -> None:
        super().__init__(message, **details)
        self.count_low = count_low
        self.final_try = final_try
        self.locked = locked


class PinLockedError(SignerError):
    """The token's user PIN is locked (too many wrong PINs): only its security officer (the CA's tool) unlocks it."""

    lead_vi = "USB token đã bị khoá mã PIN (nhập sai quá số lần cho phép)"
    lead_en = "PIN locked"


class KeyNotFoundError(SignerError):
    """The token holds no private key with the label or id asked for (or several, when none was named)."""

    lead_vi = "Không tìm thấy khoá ký trên USB token"
    lead_en = "key not found"


class CertificateMissingError(SignerError):
    """The key has no certificate on the token (none with its id or label) and none was given."""

    lead_vi = "Khoá ký trên USB token không có chứng thư số đi kèm"
    lead_en = "certificate missing"


class CertificateMismatchError(SignerError):
    """The certificate (found on the token or given) does not belong to the signing key."""

    lead_vi = "Chứng thư số không khớp với khoá ký"
    lead_en = "certificate does not match the key"


# ---------------------------------------------------------------------------------------------------------------
# Remote signing (confirmed on a phone) and two-step signing (issue 11)
# ---------------------------------------------------------------------------------------------------------------


class SigningCancelledError(SigningError):
    """The signing was cancelled by the caller (Ctrl-C, a Cancel button) before the signature arrived; the remote
    transaction is cancelled where the service allows it."""

    lead_vi = "Đã huỷ yêu cầu ký (tệp gốc giữ nguyên, không tạo tệp mới)"
    lead_en = "signing cancelled"


class SigningRejectedError(SigningError):
    """The signer refused the request on the phone."""

    lead_vi = "Người ký đã từ chối yêu cầu ký trên điện thoại"
    lead_en = "signing rejected"


class SigningExpiredError(SigningError):
    """The service let the request expire: nobody confirmed it in time."""

    lead_vi = "Yêu cầu ký đã hết hạn mà chưa được xác nhận trên điện thoại"
    lead_en = "signing request expired"


class SigningTimeoutError(SigningError):
    """Kyso stopped waiting for the confirmation (its own ``timeout``); the request was cancelled where possible."""

    lead_vi = "Quá thời gian chờ xác nhận trên điện thoại"
    lead_en = "confirmation timed out"


class QuotaExceededError(SigningError):
    """The signing service refuses: the subscription's number of signatures is used up."""

    lead_vi = "Đã hết lượt ký của gói dịch vụ ký số từ xa"
    lead_en = "signing quota exceeded"


class CertificateRevokedError(SignerError):
    """The service says the credential's certificate is revoked, suspended or expired: it cannot sign."""

    lead_vi = "Chứng thư số trên dịch vụ ký số từ xa đã bị thu hồi, tạm dừng hoặc hết hạn"
    lead_en = "certificate revoked or expired"


class SignatureMismatchError(SigningError):
    """The signature value given (by a remote service, or to ``kyso.finish``) does not verify against the
    certificate over the digest that was asked for: a wrong key, another document, a broken service. Nothing is
    written."""

    lead_vi = "Chữ ký nhận được không khớp với chứng thư số và tài liệu cần ký (không tạo tệp)"
    lead_en = "signature does not match"


class RemoteServiceError(ServiceError):
    """The remote signing service was unreachable, too slow, refused the credentials or answered something its API
    does not promise."""

    lead_vi = "Dịch vụ ký số từ xa báo lỗi hoặc không trả lời"
    lead_en = "remote signing service failed"


class PreparedStateError(InputError):
    """A two-step signing state (``kyso prepare`` / ``kyso.finish``) is unreadable, altered, or not for this
    signature."""

    lead_vi = "Tệp trạng thái ký hai bước không dùng được (hỏng, bị sửa, hoặc không khớp)"
    lead_en = "unusable signing state"


class PreparedExpiredError(PreparedStateError):
    """The two-step signing state has expired: prepare the document again."""

    lead_vi = "Tệp trạng thái ký hai bước đã hết hạn: hãy chuẩn bị (prepare) lại"
    lead_en = "signing state expired"


class PluginWarning(UserWarning):
    """An installed plugin failed to load (import error, invalid or misspelled hook): it alone is disabled, the
    others and the built-ins work. The message names it and how to silence it (``KYSO_DISABLE_PLUGINS``)."""
