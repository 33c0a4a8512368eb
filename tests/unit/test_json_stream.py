"""tui.core.json_stream: the streamed array is the text `pretty_json` gives for the whole
document, at any depth, with nothing written before the first element."""

from __future__ import annotations

import io
import json

import pytest

from tui.core.json_stream import JsonArrayWriter, pretty_json

HOSTILE = {"name": "\x1b[2J\u202e\x9b", "nested": {"list": [1, 2.5, None, True]}, "tools": []}


@pytest.mark.parametrize("batches", [[], [[]], [[HOSTILE]], [[HOSTILE, "x"], [], [{"a": 1}]]])
def test_streamed_document_is_the_whole_document(batches):
    stream = io.StringIO()
    rows = JsonArrayWriter(stream, depth=1, head='{\n  "rows": ')
    for batch in batches:
        rows.write(batch)
    if not any(batches):
        assert stream.getvalue() == ""  # a walk that fails now has printed nothing
    rows.close()
    stream.write(',\n  "paging": ' + pretty_json({"pages": 1}).replace("\n", "\n  ") + "\n}")
    every = [row for batch in batches for row in batch]
    assert stream.getvalue() == pretty_json({"rows": every, "paging": {"pages": 1}})
    assert rows.count == len(every)


def test_top_level_array_and_safety():
    stream = io.StringIO()
    rows = JsonArrayWriter(stream)
    rows.write([HOSTILE, HOSTILE])
    rows.close()
    assert stream.getvalue() == pretty_json([HOSTILE, HOSTILE])
    assert json.loads(stream.getvalue()) == [HOSTILE, HOSTILE]
    assert not any(ch in stream.getvalue() for ch in "\x1b\u202e\x9b")
