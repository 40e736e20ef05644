"""Registry of document formats, filled through ``kyso_register_formats``."""

from __future__ import annotations

from dataclasses import dataclass, field

from kyso.core.errors import InputError, UnsupportedFormatError
from kyso.core.models import DocumentFormat


@dataclass
class FormatRegistry:
    """Formats by name, in registration order; :meth:`detect` picks the first whose sniff accepts the bytes."""

    formats: dict[str, DocumentFormat] = field(default_factory=dict)

    def add(self, fmt: DocumentFormat) -> None:
        self.formats[fmt.name] = fmt

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
