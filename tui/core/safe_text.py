"""The one definition of text that is unsafe to print, and how it is made visible.

A server (or anyone impersonating one) controls task ids, names and error bodies. Printed raw, an
ESC starts an ANSI/OSC sequence (OSC 52 rewrites the clipboard, SGR recolours the screen), C1
bytes do the same on some terminals, and bidi overrides, zero-width characters and line
separators make a line show something other than what it holds. Every output path (table,
detail, toasts, dialogs, status lines, desktop notifications, CLI, log, clipboard) escapes text
with the functions here, so the rule cannot drift between copies. Stdlib only.
"""

from __future__ import annotations

import re

__all__ = [
    "UNSAFE",
    "UNSAFE_ABOVE_C0",
    "UNSAFE_OR_LINE",
    "code",
    "escape_as_codes",
    "escape_controls",
    "has_unsafe",
    "json_safe",
    "visible",
]

#: Unsafe beyond C0: DEL, C1, the Arabic letter mark, zero-width spaces/joiners and LRM/RLM,
#: line/paragraph separators, bidi embeddings/overrides, word joiner and invisible operators,
#: bidi isolates, the BOM (zero-width no-break space), and lone surrogates (not encodable).
_ABOVE_C0 = (
    r"\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    r"\ufeff\ud800-\udfff"
)
#: C0 except tab and newline, which multi-line text keeps.
_C0 = r"\x00-\x08\x0b-\x1f"

#: Every unsafe code point (tab and newline allowed).
UNSAFE = re.compile(f"[{_C0}{_ABOVE_C0}]")
#: The same plus tab and newline, for text that must stay on one line.
UNSAFE_OR_LINE = re.compile(f"[{_C0}\\t\\n{_ABOVE_C0}]")
#: The unsafe code points outside C0 (JSON encoders already escape C0 themselves).
UNSAFE_ABOVE_C0 = re.compile(f"[{_ABOVE_C0}]")
_ANY_CONTROL = re.compile(f"[\\x00-\\x1f{_ABOVE_C0}]")

_ONE_LINE = {"\n": "\u2424", "\t": " "}  # ␤ and a plain space


def code(char: str) -> str:
    """The ASCII escape of one code point: \\x1b, \\x9b, \\u202e."""
    number = ord(char)
    return f"\\x{number:02x}" if number <= 0xFF else f"\\u{number:04x}"


def visible(char: str, *, single_line: bool = False) -> str:
    """A visible stand-in for one unsafe code point: a control picture (ESC -> ␛, DEL -> ␡) for
    C0 and DEL, its ASCII escape (\\x9b, \\u202e) for the rest. With `single_line`, a newline
    becomes "␤" and a tab a space."""
    if single_line and char in _ONE_LINE:
        return _ONE_LINE[char]
    number = ord(char)
    if number < 0x20:
        return chr(0x2400 + number)  # Unicode "control pictures"
    if number == 0x7F:
        return "\u2421"
    return code(char)


def _multi_line(match: re.Match[str]) -> str:
    return visible(match.group())


def _single_line(match: re.Match[str]) -> str:
    return visible(match.group(), single_line=True)


def escape_controls(value: str, *, single_line: bool = False) -> str:
    """`value` with every unsafe code point replaced by its visible stand-in.

    With `single_line`, newlines become "␤" and tabs a space as well, so the text is one line.
    """
    pattern = UNSAFE_OR_LINE if single_line else UNSAFE
    if pattern.search(value) is None:
        return value
    return pattern.sub(_single_line if single_line else _multi_line, value)


def escape_as_codes(value: str) -> str:
    """`value` with every unsafe code point, tab and newline as an ASCII escape (ESC -> \\x1b):
    plain one-line text for output that scripts read (the CLI)."""
    return _ANY_CONTROL.sub(lambda match: code(match.group()), value)


def json_safe(text: str) -> str:
    """JSON text from `json.dumps(..., ensure_ascii=False)` with the unsafe code points it leaves
    raw (DEL, C1, bidi, zero-width, surrogates) as \\uXXXX escapes: the same data once decoded,
    but nothing a terminal acts on when the file is printed."""
    return UNSAFE_ABOVE_C0.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def has_unsafe(value: str, *, single_line: bool = False) -> bool:
    """True when `escape_controls(value, single_line=…)` would change `value`."""
    pattern = UNSAFE_OR_LINE if single_line else UNSAFE
    return pattern.search(value) is not None
