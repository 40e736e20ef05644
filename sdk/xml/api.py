"""What a caller reads of a signed XML document: the signed elements, never the document as given."""

from __future__ import annotations

from typing import Any

from kyso.core.models import VerificationReport


def verified_elements(data: bytes, **verify_options: Any) -> tuple[VerificationReport, list[Any]]:
    """(report, copies of the elements the TOTAL_PASSED signatures sign) of an XML document.

    The elements are read from the very tree that was verified, copied (an ``lxml`` element each, the document's
    root for a whole-document signature): reading them cannot be fooled by a second, unsigned copy elsewhere in
    the document (signature wrapping). ``verify_options`` are those of :func:`kyso.verify`.
    """
    import copy

    from kyso.api import verify_options as options_of
    from kyso.core.manager import get_plugin_manager
    from kyso.xml.verification import verify_xml

    format_options = {k: verify_options.pop(k) for k in ("trust_key", "detached_content") if k in verify_options}
    options = options_of(**verify_options)
    import dataclasses

    options = dataclasses.replace(options, format_options=format_options).budgeted()
    signed: list[Any] = []
    report = verify_xml(data, None, options, get_plugin_manager().validate_certificate, signed=signed)
    return report, [copy.deepcopy(element) for element in signed]


__all__ = ["verified_elements"]
