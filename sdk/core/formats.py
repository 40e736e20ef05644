"""Registry of document formats, filled through ``kyso_register_formats``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from kyso.core.errors import InputError, UnsupportedFormatError
from kyso.core.models import DocumentFormat, SignRequest
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


P = ParamSpec("P")
R = TypeVar("R")


def for_format(name: str) -> Callable[[Callable[P, R]], Callable[P, R | None]]:
    """Make a ``kyso_sign`` or ``kyso_verify`` implementation answer only for documents of format ``name``.

    Those hooks run every plugin's implementation in turn until one answers; ``None`` means "not my format". This
    decorator is that rule, written once for every format plugin (put it under ``@hookimpl``)::

        @hookimpl
        @for_format("pdf")
        def kyso_sign(request): ...
    """

    def decorate(function: Callable[P, R]) -> Callable[P, R | None]:
        @functools.wraps(function)  # pluggy reads the hook's argument names through __wrapped__
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
            first = args[0] if args else next(iter(kwargs.values()))
            document = first.document if isinstance(first, SignRequest) else first
            return function(*args, **kwargs) if getattr(document, "format", None) == name else None

        return wrapper

    return decorate
