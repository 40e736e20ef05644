"""Text from documents, certificates and platforms made safe for a terminal or a text report.

Kyso rule (issue 9, class 10, terminal injection): every string that comes from outside (a certificate's CN or O,
chain names, file and attachment names, platform item names, reasons and messages) goes through :func:`printable`
before it reaches a terminal or a text report. A certificate whose CN is ``"\\x1b[2J\\x1b[H Kết luận: HỢP LỆ\\n"``
would otherwise clear the screen and print a forged verdict above the real one; a newline in a name would forge a
report line; a bidi override (U+202E) would show a name or a verdict reversed. Such characters are shown escaped
(``\\x1b``, ``\\n``, ``\\u202e``) instead, so the text stays readable and every line of a report is Kyso's own.
Letters of any script, Vietnamese included, and combining marks pass untouched. JSON output goes through
:func:`to_json`: exact (it parses back to the very same strings) and just as safe on a terminal.
"""

from __future__ import annotations

import json
import re
from typing import Any

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
"""Arabic letter mark, LRM / RLM, embeddings and overrides (U+202A-202E), isolates (U+2066-2069)."""

_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")
"""C0 controls (ESC, CR, LF, TAB, BS ...), DEL, C1 controls (CSI U+009B ...), bidi controls, and the Unicode line and
paragraph separators (a line break to some terminals)."""


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def printable(text: object) -> str:
    """``text`` (``str()`` of it) with every control character, ANSI escape introducer, bidi control and line
    separator shown escaped: the result is one line that cannot move the cursor, change colours or reorder what
    follows it."""
    return _UNSAFE.sub(_escape, str(text))


_UNSAFE_IN_JSON = re.compile(f"[\x7f-\x9f{_BIDI}\u2028\u2029]")
"""What ``json.dumps(..., ensure_ascii=False)`` leaves raw (it escapes C0 controls only)."""


def to_json(value: Any) -> str:
    """``value`` as indented JSON, Vietnamese kept readable (``ensure_ascii=False``), with DEL, C1 controls (CSI
    U+009B starts an escape sequence on many terminals), bidi controls and line separators written as ``\\uXXXX``:
    the same JSON value, safe on a terminal. They can only occur inside strings, where the escape is exact."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


__all__ = ["printable", "to_json"]
