"""widgets.text: server values become literal Text with no way to reach the terminal."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st
from rich.control import strip_control_codes
from rich.text import Text

from tui.core.safe_text import UNSAFE
from widgets.text import escape_controls, literal, sanitize_text

UNSAFE_SAMPLES = (
    [chr(c) for c in range(0x00, 0x20) if c not in (0x09, 0x0A)]
    + ["\x7f"]
    + [chr(c) for c in range(0x80, 0xA0)]
    + ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
)


def test_esc_becomes_visible_and_markup_stays_literal() -> None:
    text = literal("\x1b[31mred [bold]x[/] [@click=app.quit]q[/]")
    assert text.plain == "␛[31mred [bold]x[/] [@click=app.quit]q[/]"
    assert text.spans == []


def test_every_unsafe_code_point_is_replaced() -> None:
    for char in UNSAFE_SAMPLES:
        out = literal(f"a{char}b").plain
        assert char not in out, repr(char)
        assert out.startswith("a") and out.endswith("b") and len(out) > 2


def test_escape_forms() -> None:
    assert escape_controls("\x00\x1b\x7f") == "␀␛␡"
    assert escape_controls("\x9b") == "\\x9b"
    assert escape_controls("\u202e") == "\\u202e"
    assert escape_controls("tab\there\nnext") == "tab\there\nnext"
    assert escape_controls("tab\there\nnext", single_line=True) == "tab here␤next"


def test_scalars() -> None:
    assert literal(None).plain == ""
    assert literal(42).plain == "42"
    assert literal(2.5).plain == "2.5"
    assert literal(True).plain == "true"
    assert literal(False).plain == "false"


def test_max_len_crops_with_ellipsis() -> None:
    assert literal("abcdefgh", 5).plain == "abcd…"
    assert literal("abcde", 5).plain == "abcde"
    styled = literal(Text("abcdefgh", style="red"), 4)
    assert styled.plain == "abc…" and styled.style == "red"
    assert literal("x" * 10_000, 100).plain == "x" * 99 + "…"


def test_safe_text_is_returned_unchanged() -> None:
    text = Text("plain", style="bold")
    assert sanitize_text(text) is text


_segments = st.lists(
    st.tuples(
        st.text(alphabet=st.sampled_from(["a", "b", " ", "\n", "\t", *UNSAFE_SAMPLES]), max_size=6),
        st.sampled_from(["", "red", "bold", "green on black"]),
    ),
    max_size=8,
)


@given(_segments, st.booleans())
def test_sanitize_keeps_styles_on_the_escaped_characters(segments, single_line) -> None:
    original = Text.assemble(*segments)
    # Text itself silently drops \a \b \v \f \r, so expect escapes of what it kept.
    kept = [(strip_control_codes(s), style) for s, style in segments]
    expected = Text.assemble(
        *[(escape_controls(s, single_line=single_line), style) for s, style in kept]
    )
    result = sanitize_text(original, single_line=single_line)
    assert result.plain == expected.plain
    # (Text.append keeps an empty span for a segment it stripped to nothing.)
    assert [s for s in result.spans if s.end > s.start] == expected.spans
    assert UNSAFE.search(result.plain) is None


def test_widgets_package_imports_nothing_from_tui_but_tui_core() -> None:
    code = (
        "import sys, widgets\n"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'tui'\n"
        "       and m not in ('tui', 'tui.core') and not m.startswith('tui.core.')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
