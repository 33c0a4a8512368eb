"""OSC 52 clipboard escapes that work over SSH, and inside tmux whichever way tmux is set up.

Why two sequences under tmux: with `set-clipboard on` tmux takes the plain OSC 52 itself (and
forwards it to the outer terminal); with `allow-passthrough on` only a DCS-passthrough-wrapped copy
reaches the outer terminal. Sending both makes either setting work, and with both settings on the
clipboard is just set twice to the same text. Textual's App.copy_to_clipboard sends only the plain
one, so the app writes these through its driver.

What is copied is pasted later, maybe into a shell: a task id holding CR, LF, ESC or BEL could run
a command on paste. `clipboard_text` keeps only printable text. Pure logic, no Textual.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping

from tui.core.safe_text import escape_controls, has_unsafe

#: Largest text (UTF-8 bytes) we put on the clipboard; terminals cap OSC 52 (xterm ~100 kB, tmux
#: and some terminals lower) and silently drop anything longer.
MAX_COPY_BYTES = 100_000

ESC = "\x1b"
BEL = "\x07"


class ClipboardTooLarge(ValueError):
    """The text is over the size limit; nothing should be sent."""


def clipboard_text(text: str) -> tuple[str, bool]:
    """What to put on the clipboard for `text`, and whether it had unsafe characters (then the
    visible form is copied: ESC as "␛", a newline as "␤")."""
    if not has_unsafe(text, single_line=True):
        return text, False
    return escape_controls(text, single_line=True), True


def osc52(text: str) -> str:
    """The plain OSC 52 "set clipboard" sequence for `text`, BEL-terminated."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"{ESC}]52;c;{payload}{BEL}"


def tmux_passthrough(sequence: str) -> str:
    """`sequence` wrapped for tmux's DCS passthrough: every ESC doubled, ESC P tmux; … ESC \\."""
    return f"{ESC}Ptmux;{sequence.replace(ESC, ESC + ESC)}{ESC}\\"


def osc52_sequences(text: str, *, in_tmux: bool, max_bytes: int = MAX_COPY_BYTES) -> list[str]:
    """What to write to the terminal to copy `text`: the plain OSC 52, plus the tmux-wrapped one
    when running inside tmux. Raises ClipboardTooLarge (a ValueError) over `max_bytes`."""
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise ClipboardTooLarge(f"{size} bytes is more than the {max_bytes}-byte clipboard limit")
    plain = osc52(text)
    return [plain, tmux_passthrough(plain)] if in_tmux else [plain]


def in_tmux(env: Mapping[str, str] | None = None) -> bool:
    """True when $TMUX is set (the process runs inside a tmux client)."""
    env = os.environ if env is None else env
    return bool(env.get("TMUX"))


def copy_summary(text: str, limit: int = 40) -> str:
    """A short one-line preview for the toast: 'abc-123' or 'first 40 chars…'."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
