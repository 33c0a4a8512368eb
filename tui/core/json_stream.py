"""Pretty JSON that cannot drive a terminal, whole or streamed element by element.

One writer serves both streaming outputs (`tasktop list --all --json` on stdout and the JSON
export file), so a walk of any length holds one page, and the streamed text is byte for byte what
`pretty_json` prints for the whole document. No Textual, no I/O beyond the stream it is given.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from tui.core.safe_text import json_safe

INDENT = 2


def pretty_json(value: Any) -> str:
    """`value` as indented JSON: still valid JSON, but every character unsafe for a terminal is a
    \\u escape (json.dumps escapes C0 itself; json_safe the rest)."""
    return json_safe(json.dumps(value, indent=INDENT, ensure_ascii=False))


class JsonArrayWriter:
    """A JSON array written as its elements come, flushed after each batch.

    `depth` is how deeply the array is nested in the document (0: the document is the array).
    `head` is written just before the array's first character, and only then, so a walk that fails
    before its first batch leaves the stream untouched (and one that fails later leaves a document
    that does not parse, so it cannot be mistaken for every task).
    """

    def __init__(self, stream: TextIO, *, depth: int = 0, head: str = "") -> None:
        self._stream = stream
        self._head = head
        self._pad = "\n" + " " * (INDENT * (depth + 1))
        self._end = "\n" + " " * (INDENT * depth) + "]"
        self.count = 0

    def write(self, elements: Iterable[Any]) -> None:
        parts: list[str] = []
        for element in elements:
            lead = self._head + "[" + self._pad if self.count == 0 else "," + self._pad
            parts.append(lead + pretty_json(element).replace("\n", self._pad))
            self.count += 1
        self._stream.write("".join(parts))
        self._stream.flush()

    def close(self) -> None:
        """Write the closing bracket (`[]` for an array that got no element)."""
        self._stream.write(self._head + "[]" if self.count == 0 else self._end)
        self._stream.flush()
