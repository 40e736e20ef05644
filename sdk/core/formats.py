"""Registry of document formats, filled through ``kyso_register_formats``."""

from __future__ import annotations

from kyso.core.errors import InputError, UnsupportedFormatError
from kyso.core.models import DocumentFormat
from kyso.core.registry import NamedRegistry


class FormatRegistry(NamedRegistry[DocumentFormat]):
    """Formats by name, in registration order; :meth:`detect` picks the first whose sniff accepts the bytes."""

    what = "document format"

    @property
    def formats(self) -> dict[str, DocumentFormat]:
        return self.entries

    def detect(self, data: bytes) -> DocumentFormat:
        """The format of ``data``, or :class:`UnsupportedFormatError` naming the formats that were tried."""
        if not data:
            raise InputError("the document is empty", vi="tài liệu rỗng (0 byte)")
        for fmt in self.formats.values():
            if fmt.sniff(data):
                return fmt
        known = ", ".join(self.formats) or "none"
        raise UnsupportedFormatError(
            f"unrecognised document format (formats known: {known})", vi=f"Kyso ký và kiểm tra được: {known}"
        )
