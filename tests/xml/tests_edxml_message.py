"""An unsigned edXML message for the XML tests (the edXML tests' own builder, imported from the plugin)."""

from __future__ import annotations


def unsigned_edxml() -> bytes:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "edxml"))
    try:
        from edxml_support import full_message
    finally:
        sys.path.pop(0)
    from kyso_edxml import codec

    return codec.build(full_message())
