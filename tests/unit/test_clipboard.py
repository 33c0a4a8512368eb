"""tui.core.clipboard: the exact bytes of the OSC 52 sequences, tmux wrapping, the size cap, and the
printable payload."""

from __future__ import annotations

import base64
import re

import pytest

from tui.core.clipboard import (
    MAX_COPY_BYTES,
    ClipboardTooLarge,
    clipboard_text,
    copy_summary,
    in_tmux,
    osc52,
    osc52_sequences,
    tmux_passthrough,
)

TASK_ID = "dc7e6a1a-5a9c-4c1d-9a3f-1b2c3d4e5f60"


def test_plain_sequence_exact_bytes():
    assert osc52_sequences("abc", in_tmux=False) == ["\x1b]52;c;YWJj\x07"]


def test_tmux_adds_the_passthrough_wrapped_sequence():
    plain, wrapped = osc52_sequences("abc", in_tmux=True)
    assert plain == "\x1b]52;c;YWJj\x07"
    assert wrapped == "\x1bPtmux;\x1b\x1b]52;c;YWJj\x07\x1b\\"


def test_task_id_round_trips_through_base64():
    (seq,) = osc52_sequences(TASK_ID, in_tmux=False)
    match = re.fullmatch(r"\x1b\]52;c;([A-Za-z0-9+/=]+)\x07", seq)
    assert match is not None
    assert base64.b64decode(match.group(1)).decode() == TASK_ID


def test_unicode_is_utf8_encoded():
    assert osc52("é✓") == "\x1b]52;c;" + base64.b64encode("é✓".encode()).decode() + "\x07"


def test_control_characters_in_the_text_cannot_escape_the_sequence():
    hostile = "id\x07\x1b]0;pwned\x07"
    for seq in osc52_sequences(hostile, in_tmux=True):
        # the payload is base64: the only ESC/BEL bytes are our own framing
        assert seq.count("\x07") == 1
    plain, wrapped = osc52_sequences(hostile, in_tmux=True)
    assert plain.count("\x1b") == 1
    assert wrapped.count("\x1b") == 4  # ESC P, doubled ESC ], ESC \


def test_passthrough_doubles_every_escape():
    assert tmux_passthrough("\x1ba\x1bb") == "\x1bPtmux;\x1b\x1ba\x1b\x1bb\x1b\\"


def test_size_cap():
    assert osc52_sequences("x" * MAX_COPY_BYTES, in_tmux=False)
    with pytest.raises(ClipboardTooLarge, match="100001 bytes"):
        osc52_sequences("x" * (MAX_COPY_BYTES + 1), in_tmux=False)
    with pytest.raises(ValueError):  # counted in UTF-8 bytes, not characters
        osc52_sequences("é" * 6, in_tmux=True, max_bytes=10)
    assert osc52_sequences("é" * 5, in_tmux=True, max_bytes=10)


def test_in_tmux_reads_TMUX():
    assert in_tmux({"TMUX": "/tmp/tmux-1000/default,123,0"})
    assert not in_tmux({"TMUX": ""})
    assert not in_tmux({})


def test_in_tmux_defaults_to_the_process_environment(monkeypatch):
    monkeypatch.setenv("TMUX", "/tmp/x,1,0")
    assert in_tmux()
    monkeypatch.delenv("TMUX")
    assert not in_tmux()


def test_copy_summary():
    assert copy_summary(TASK_ID, limit=40) == TASK_ID
    assert copy_summary("a\nb") == "a b"
    assert copy_summary("x" * 50, limit=10) == "x" * 9 + "…"


def test_clipboard_payload_is_printable_text():
    assert clipboard_text(TASK_ID) == (TASK_ID, False)
    assert clipboard_text("wide 漢字 ok") == ("wide 漢字 ok", False)
    assert clipboard_text("id\x1b]52;c;ZXZpbA==\x07\r\nrm -rf ~\n") == (
        "id␛]52;c;ZXZpbA==␇␍␤rm -rf ~␤", True)
    assert clipboard_text("tab\there\u202e") == ("tab here\\u202e", True)
