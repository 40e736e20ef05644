"""A pyHanko stamp style whose content Kyso draws itself (images, cached font subsets, counter-rotation)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import content
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.stamp.base import BaseStamp, BaseStampStyle

Painter = Callable[[Any], tuple[bytes, dict[str, dict[str, Any]]]]
"""``painter(writer) -> (content operators, {"/XObject" | "/Font": {"/Name": reference}})``."""

_CATEGORIES = {"/XObject": content.ResourceType.XOBJECT, "/Font": content.ResourceType.FONT}


@dataclass(frozen=True)
class MarkStampStyle(BaseStampStyle):
    """Stamp style drawing what its painter returns; no border, no background."""

    painter: Painter | None = None
    border_width: int = 0
    also: Callable[[Any], None] | None = None
    """Called with the writer while pyHanko writes the signature's appearance: what else the signing revision
    carries (the number and date an issuance fills in, :mod:`kyso.pdf.appearance.fill`)."""

    def create_stamp(self, writer: Any, box: Any, text_params: dict) -> BaseStamp:
        if self.also is not None:
            self.also(writer)
        return _MarkStamp(writer=writer, style=self, box=box)


class _MarkStamp(BaseStamp):
    def _render_inner_content(self) -> list[bytes]:
        assert self.style.painter is not None
        ops, resources = self.style.painter(self.writer)
        for category, entries in resources.items():
            for name, value in entries.items():
                self.set_resource(category=_CATEGORIES[category], name=pdf_name(name), value=value)
        return [ops]
