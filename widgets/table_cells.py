"""What goes into a TaskTable cell: column specs, safe cropped cells, cut and tail, sort order.

Pure Rich: no widget here. Every cell is a single-line Text made safe by `widgets.text`, so the
table's fast paint path (widgets/fast_data_table.py) may take it as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.console import RenderableType
from rich.text import Text

from widgets.text import ELLIPSIS, literal, sanitize_text

DEFAULT_MAX_WIDTH = 80


@dataclass(frozen=True, slots=True)
class Column:
    """One data column: `width` fixes its width; None = as wide as its widest value (cells are
    kept up to `max_width` characters), laid out again whenever the values or the room change.

    When the table is short of room: an `id_like` column shrinks first, showing each value's
    tail ("…8118fe", long enough to keep the page's values apart); a column with a `min_width`
    (text: names, tests, errors) shrinks next, down to that, its values cut with "…"; and when
    even that does not fit, columns with a `priority` are left out, lowest first.
    """

    key: str
    label: str
    width: int | None = None
    max_width: int = DEFAULT_MAX_WIDTH
    min_width: int | None = None
    id_like: bool = False
    priority: int | None = None


def _natural(text: str) -> tuple[Any, ...]:
    """'task 10' after 'task 9'; numbers before words; case-insensitive."""
    parts = re.split(r"(\d+(?:\.\d+)?)", text.casefold())
    return tuple((0, float(p), "") if i % 2 else (1, 0.0, p) for i, p in enumerate(parts) if p)


def sort_key(value: object) -> tuple[Any, ...]:
    """How a cell sorts: its `sort_key` attribute when the caller set one (e.g. a timestamp
    behind "3m ago"), else its text in natural order. Empty cells sort last."""
    explicit = getattr(value, "sort_key", None)
    if explicit is not None:
        return (0, explicit)
    plain = value.plain if isinstance(value, Text) else literal(value).plain
    return (1, _natural(plain)) if plain else (2, ())


def text_of(value: object) -> str:
    """The plain text a search matches in a cell."""
    return value.plain if isinstance(value, Text) else literal(value).plain


def safe_cell(value: object, limit: int) -> RenderableType:
    """Safe single-line Text for a cell, cropped to `limit` characters with an ellipsis."""
    if isinstance(value, Text):
        text = sanitize_text(value, single_line=True)
        if len(text.plain) > limit:
            text = literal(text, limit)  # crops a copy
        elif text is value:
            if text.no_wrap and text.overflow == "ellipsis" and text.end == "":
                return text  # already made as a cell: kept as it is (cells are never mutated)
            text = text.copy()  # never mutate the caller's Text
    elif isinstance(value, str) or value is None or isinstance(value, (int, float)):
        text = literal(value, limit, single_line=True)
    else:
        return value  # type: ignore[return-value]
    text.no_wrap = True
    text.overflow = "ellipsis"
    text.end = ""
    return text


def cut(text: Text, width: int) -> Text:
    """`text` cut to `width` cells ending in "…", as Rich's own ellipsis overflow cuts it."""
    text = text.copy()
    text.truncate(width, overflow="ellipsis")
    return text


def tail(text: Text, width: int) -> Text:
    """"…" and as much of the end of `text` as fits in `width` cells (an identifier's tail)."""
    plain = text.plain
    start, used = len(plain), 0
    while start > 0 and used + cell_len(plain[start - 1]) <= width - 1:
        start -= 1
        used += cell_len(plain[start])
    end = text[start:]
    end.pad_left(1, ELLIPSIS)
    end.no_wrap, end.overflow, end.end = True, "ellipsis", ""
    return end


def view_rows(
    rows: list[tuple[str, Sequence[RenderableType]]],
    search: str,
    sort_index: int | None,
    reverse: bool,
) -> list[tuple[str, Sequence[RenderableType]]]:
    """The rows a search shows (any cell containing `search`, case-insensitive), sorted by the
    cell at `sort_index` (None: the server's order)."""
    needle = search.casefold()
    if needle:
        rows = [row for row in rows if any(needle in text_of(c).casefold() for c in row[1])]
    if sort_index is not None:

        def key(row: tuple[str, Sequence[RenderableType]]) -> tuple[Any, ...]:
            cells = row[1]
            return sort_key(cells[sort_index] if sort_index < len(cells) else None)

        rows = sorted(rows, key=key, reverse=reverse)
    return rows
