"""Turn server values into safe, literal rich Text.

Rich's Text never interprets markup, but it passes raw control bytes through to the
terminal, so an ESC from a server could start an ANSI/OSC sequence. Every unsafe code
point is replaced here by a visible escape, and bidi controls (which can visually
reorder what a user reads) are made visible too.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import accumulate

from rich.style import Style
from rich.text import Span, Text

__all__ = ["ELLIPSIS", "escape_controls", "literal", "sanitize_text"]

ELLIPSIS = "…"

# C0 (except \t and \n), DEL, C1, line/paragraph separators, bidi marks, embeddings,
# overrides and isolates, plus the BOM / zero-width no-break space.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2066-\u2069\ufeff]"
)
_UNSAFE_OR_LINE = re.compile(_UNSAFE.pattern[:-1] + "\t\n]")


def _visible(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode "control pictures": \x1b -> ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


_SINGLE_LINE = {"\n": "\u2424", "\t": " "}  # ␤ and a plain space


def _replacement(char: str, single_line: bool) -> str:
    if single_line and char in _SINGLE_LINE:
        return _SINGLE_LINE[char]
    return _visible(char)


def escape_controls(value: str, *, single_line: bool = False) -> str:
    """Return `value` with every unsafe code point replaced by a visible escape.

    With `single_line`, newlines become "␤" and tabs a space (for one-line table cells).
    """
    pattern = _UNSAFE_OR_LINE if single_line else _UNSAFE
    if pattern.search(value) is None:
        return value
    return pattern.sub(lambda m: _replacement(m.group(), single_line), value)


def sanitize_text(text: Text, *, single_line: bool = False) -> Text:
    """Return `text` (the same object when already safe) with unsafe code points escaped.

    Styles and spans are kept: span offsets are shifted by the growth of each escape.
    """
    plain = text.plain
    pattern = _UNSAFE_OR_LINE if single_line else _UNSAFE
    if pattern.search(plain) is None:
        return text
    positions: list[int] = []
    growth: list[int] = []
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(plain):
        start = match.start()
        replacement = _replacement(match.group(), single_line)
        pieces.append(plain[last:start])
        pieces.append(replacement)
        positions.append(start)
        growth.append(len(replacement) - 1)
        last = start + 1
    pieces.append(plain[last:])
    shift = [0, *accumulate(growth)]

    def moved(offset: int) -> int:
        # Escapes at indices < offset push the offset right by their growth.
        return offset + shift[bisect_left(positions, offset)]

    spans = [Span(moved(s.start), moved(s.end), s.style) for s in text.spans]
    return Text(
        "".join(pieces),
        style=text.style,
        justify=text.justify,
        overflow=text.overflow,
        no_wrap=text.no_wrap,
        end=text.end,
        tab_size=text.tab_size,
        spans=spans,
    )


def _to_str(value: object) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value if isinstance(value, str) else str(value)


def literal(
    value: object,
    max_len: int | None = None,
    *,
    style: str | Style = "",
    single_line: bool = False,
) -> Text:
    """A Text showing `value` exactly as data: never markup, never a terminal escape.

    None -> "", booleans -> "true"/"false", other non-strings -> str(value). A Text is
    sanitized keeping its styles. `max_len` crops to that many characters ending in "…".
    """
    if isinstance(value, Text):
        text = sanitize_text(value, single_line=single_line)
        if max_len is not None and len(text.plain) > max_len:
            if text is value:
                text = text.copy()
            _crop(text, max_len)
        return text
    plain = escape_controls(_to_str(value), single_line=single_line)
    if max_len is not None and len(plain) > max_len:
        plain = plain[: max(max_len - 1, 0)] + ELLIPSIS if max_len > 0 else ""
    return Text(plain, style=style, end="")


def _crop(text: Text, max_len: int) -> None:
    """Crop `text` in place to `max_len` characters, the last being an ellipsis."""
    if max_len <= 0:
        text.plain = ""
        return
    text.right_crop(len(text.plain) - (max_len - 1))
    text.append(ELLIPSIS)
