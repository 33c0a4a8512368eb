"""Turn server values into safe, literal rich Text.

Rich's Text never interprets markup, but it passes raw control bytes through to the
terminal, so an ESC from a server could start an ANSI/OSC sequence. Which code points
are unsafe, and what shows in their place, is defined once in tui.core.safe_text; this
module applies it to Text (keeping styles) for every widget.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate

from rich.style import Style
from rich.text import Span, Text

from tui.core.safe_text import UNSAFE, UNSAFE_OR_LINE, escape_controls, visible

__all__ = ["ELLIPSIS", "escape_controls", "literal", "sanitize_text"]

ELLIPSIS = "…"


def sanitize_text(text: Text, *, single_line: bool = False) -> Text:
    """Return `text` (the same object when already safe) with unsafe code points escaped.

    Styles and spans are kept: span offsets are shifted by the growth of each escape.
    """
    plain = text.plain
    pattern = UNSAFE_OR_LINE if single_line else UNSAFE
    if pattern.search(plain) is None:
        return text
    positions: list[int] = []
    growth: list[int] = []
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(plain):
        start = match.start()
        replacement = visible(match.group(), single_line=single_line)
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
