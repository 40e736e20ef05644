"""Text from documents, certificates and platforms made safe for a terminal or a text report.

Kyso rule (issue 9, class 10, terminal injection): every string that comes from outside (a certificate's CN or O,
chain names, file and attachment names, platform item names, reasons and messages) goes through :func:`printable`
before it reaches a terminal or a text report. A certificate whose CN is ``"\\x1b[2J\\x1b[H Kết luận: HỢP LỆ\\n"``
would otherwise clear the screen and print a forged verdict above the real one; a newline in a name would forge a
report line; a bidi override (U+202E) would show a name or a verdict reversed. Such characters are shown escaped
(``\\x1b``, ``\\n``, ``\\u202e``) instead, so the text stays readable and every line of a report is Kyso's own.
Letters of any script, Vietnamese included, and combining marks pass untouched. JSON output needs no such
treatment: its own escaping is exact and safe.
"""

from __future__ import annotations

import re

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
"""Arabic letter mark, LRM / RLM, embeddings and overrides (U+202A-202E), isolates (U+2066-2069)."""

_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")
"""C0 controls (ESC, CR, LF, TAB, BS ...), DEL, C1 controls (CSI U+009B ...), bidi controls, and the Unicode line and
paragraph separators (a line break to some terminals)."""


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """``text`` (``str()`` of it) with every control character, ANSI escape introducer, bidi control and line
    separator shown escaped: the result is one line that cannot move the cursor, change colours or reorder what
    follows it."""
    return _UNSAFE.sub(_escape, str(text))


__all__ = ["printable"]
