"""tui.core.safe_text: the one definition of unsafe text, and every output path that applies it.

The forbidden set is written out here independently of the module (so a code point dropped from
the module's class fails these tests). For any text, each helper's output holds none of it, and
each unsafe code point shows as a visible, printable stand-in.
"""

from __future__ import annotations

import io
import json
import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from tui.commands.task_output import harmless, render_record, to_json
from tui.core.alerts import desktop_notification_sequences, notification_text
from tui.core.clipboard import clipboard_text
from tui.core.safe_text import escape_as_codes, escape_controls, has_unsafe, visible
from tui.process.logsetup import DATE_FORMAT, FORMAT, EscapingFormatter
from widgets.text import literal

C0 = {chr(c) for c in range(0x20)}
INVISIBLE = {
    chr(c)
    for c in [
        0x7F, *range(0x80, 0xA0), 0x061C, *range(0x200B, 0x2010), 0x2028, 0x2029,
        *range(0x202A, 0x202F), *range(0x2060, 0x2065), *range(0x2066, 0x206A), 0xFEFF,
        *range(0xD800, 0xE000),
    ]
}  # fmt: skip
#: Never allowed anywhere.
FORBIDDEN = (C0 - {"\t", "\n"}) | INVISIBLE
#: Never allowed on one line.
FORBIDDEN_ONE_LINE = C0 | INVISIBLE

#: Any text, with the unsafe code points (and the sequences an attacker would send) made common.
HOSTILE_PIECES = ["\x1b]52;c;ZXZpbA==\x07", "\x1b]8;;https://evil.invalid\x1b\\", "\x1b[31m",
                  "\x9b2J", "\x9d0;t\x9c", "\r\n", "\u202egnp.exe",
                  "=2+3", "\r=1", "\n-1", "@SUM(A1)", "\t+1"]
texts = st.lists(
    st.one_of(st.characters(), st.sampled_from(sorted(FORBIDDEN_ONE_LINE)),
              st.sampled_from(HOSTILE_PIECES))
).map("".join)


def holds(text: str, forbidden: set[str]) -> set[str]:
    return set(text) & forbidden


@given(texts)
def test_escape_controls_leaves_nothing_unsafe_and_is_idempotent(text):
    out = escape_controls(text)
    assert not holds(out, FORBIDDEN)
    assert escape_controls(out) == out
    one_line = escape_controls(text, single_line=True)
    assert not holds(one_line, FORBIDDEN_ONE_LINE)
    assert escape_controls(one_line, single_line=True) == one_line
    assert has_unsafe(text) is (out != text)


@given(texts)
def test_escape_as_codes_is_one_line_of_ascii_escapes(text):
    out = escape_as_codes(text)
    assert not holds(out, FORBIDDEN_ONE_LINE)
    assert escape_as_codes(out) == out


def test_every_unsafe_code_point_has_a_visible_printable_stand_in():
    for char in sorted(FORBIDDEN_ONE_LINE):
        shown = escape_controls(f"a{char}b", single_line=True)
        assert shown.startswith("a") and shown.endswith("b") and len(shown) > 2, repr(char)
        assert shown[1:-1].isprintable(), repr(char)
        assert escape_as_codes(f"a{char}b")[1:-1].isascii()
    for char in sorted(FORBIDDEN):
        assert escape_controls(char) == visible(char) != char


def test_visible_forms():
    assert escape_controls("\x1b]52;c;ZXZpbA==\x07") == "␛]52;c;ZXZpbA==␇"
    assert escape_controls("\x00\x7f\x9b\u202e\u200b\ufeff\u2063") == (
        "␀␡\\x9b\\u202e\\u200b\\ufeff\\u2063")
    assert escape_controls("\ud800") == "\\ud800"
    assert escape_controls("a\tb\nc") == "a\tb\nc"
    assert escape_controls("a\tb\nc", single_line=True) == "a b␤c"
    assert escape_as_codes("\x1b[2J\t\n\u202e") == "\\x1b[2J\\x09\\x0a\\u202e"


@given(texts)
def test_widget_literal_is_safe(text):
    assert not holds(literal(text).plain, FORBIDDEN)
    assert not holds(literal(text, single_line=True).plain, FORBIDDEN_ONE_LINE)
    assert not holds(literal(text, 20, single_line=True).plain, FORBIDDEN_ONE_LINE)


@given(texts)
def test_what_rich_writes_for_a_literal_holds_no_control(text):
    console = Console(file=io.StringIO(), width=60, force_terminal=True, color_system=None,
                      legacy_windows=False)
    console.print(literal(text, single_line=True), soft_wrap=False)
    written = console.file.getvalue()
    assert not holds(written, FORBIDDEN)


@given(texts)
def test_cli_harmless_and_json(text):
    assert not holds(harmless(text), FORBIDDEN_ONE_LINE)
    document = to_json({"k": text, text: [text]})
    assert not holds(document.replace("\n", ""), FORBIDDEN_ONE_LINE)
    if not any("\ud800" <= c <= "\udfff" for c in text):  # (\ud800\udc00 decodes as a pair)
        assert json.loads(document) == {"k": text, text: [text]}  # still the exact value


@given(texts)
def test_cli_record_lines(text):
    """`tasktop show`: a value's own newlines continue it on indented lines; nothing else moves
    the cursor."""
    out = render_record([(text, text), ("nested", {text: [text]}), ("n", 3)])
    assert not holds(out, FORBIDDEN)
    assert "\t" not in out
    lines = out.split("\n")
    value_lines = text.replace("\r\n", "\n").count("\n") + 1
    assert len(lines) >= value_lines + 2


@given(texts)
def test_desktop_notifications(text):
    assert not holds(notification_text(text, 256), FORBIDDEN_ONE_LINE)
    for sequence in desktop_notification_sequences(text, text):
        assert not holds(sequence[2:-1], FORBIDDEN_ONE_LINE)  # between ESC ] and the final BEL


@given(texts)
def test_log_lines(text):
    record = logging.LogRecord("tasktop.http", logging.WARNING, __file__, 1, "failed: %s",
                               (text,), None)
    line = EscapingFormatter(FORMAT, DATE_FORMAT).format(record)
    assert not holds(line, FORBIDDEN_ONE_LINE)


@given(texts)
def test_clipboard_payload(text):
    payload, escaped = clipboard_text(text)
    assert not holds(payload, FORBIDDEN_ONE_LINE)
    assert escaped is bool(holds(text, FORBIDDEN_ONE_LINE))
    assert payload == (escape_controls(text, single_line=True) if escaped else text)


@given(texts)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_export_files(tmp_path, text):
    """CSV and JSON exports: nothing a terminal acts on when the file is printed (CSV keeps a
    value's own CR/LF/tab inside its quoted cell), and no cell or header cell starts a formula."""
    import csv

    from tui.core.export import export_rows

    rows = [{text: text, "n": 1}]
    for fmt in ("csv", "json"):
        path = export_rows(rows, tmp_path / f"{len(list(tmp_path.iterdir()))}.{fmt}", fmt)
        written = path.read_text(encoding="utf-8", errors="surrogateescape")
        assert not holds(written, FORBIDDEN - {"\r"})
        if fmt == "csv":
            with path.open(newline="", encoding="utf-8") as fh:
                cells = [cell for row in csv.reader(fh) for cell in row]
            for cell in cells:
                for line in cell.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
                    assert not line or line[0] not in "=+-@\t"
