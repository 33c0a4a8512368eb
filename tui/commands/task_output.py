"""What `tasktop list` and `tasktop show` print: aligned tables, key/value records and JSON.

Every server string is made harmless for a terminal on the way out (tui.core.safe_text): one line,
controls as visible codes in tables and records, \\u escapes in JSON. A tab's columns are its
spec's `cli_columns` (tui.tabs).
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from tui.core.json_stream import pretty_json
from tui.core.safe_text import escape_as_codes
from tui.tabs.spec import plain

if TYPE_CHECKING:
    from tui.providers.base import Page

def harmless(text: str) -> str:
    """`text` as one line with every terminal control made visible (ESC -> \\x1b, U+202E ->
    \\u202e): the unsafe characters of tui.core.safe_text, plus tab and newline."""
    return escape_as_codes(text)


def to_json(obj: Any) -> str:
    """Pretty JSON that is still valid JSON but cannot drive a terminal."""
    return pretty_json(obj)


def row_json(row: Any) -> dict[str, Any]:
    """A listed row (a tab source's Row) as the JSON object `--json` prints: the record as the
    server sent it (a dataset the server has no task for: {"dataset_name": name})."""
    from tui.core.export import record_to_dict

    return record_to_dict(row)


def cell_width(text: str) -> int:
    """Terminal columns `text` takes: wide East Asian characters 2, combining marks 0."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or ch == "\u200d":
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _clip(text: str, limit: int | None) -> str:
    if limit is None or cell_width(text) <= limit:
        return text
    out, width = [], 0
    for ch in text:
        w = cell_width(ch)
        if width + w > limit - 1:
            break
        out.append(ch)
        width += w
    return "".join(out) + "…"


def render_table(headers: list[str], rows: list[list[str]], limits: list[int | None]) -> str:
    """An aligned plain-text table; cells must already be harmless and one line."""
    rows = [[_clip(c, lim) for c, lim in zip(row, limits)] for row in rows]
    widths = [max([cell_width(h)] + [cell_width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        padded = [c + " " * (w - cell_width(c)) for c, w in zip(cells, widths)]
        return "  ".join(padded).rstrip()

    return "\n".join([line(headers), *(line(r) for r in rows)])


def render_rows(tab_id: str, rows: list[Any]) -> str:
    """The aligned table of a tab's rows in its spec's CLI columns (header included)."""
    from tui.tabs.registry import spec

    columns = spec(tab_id).cli_columns
    cells = [[column.value(row.record) for column in columns] for row in rows]
    return render_table([c.header for c in columns], cells, [c.max_width for c in columns])


def render_page(tab_id: str, page: Page[Any]) -> str:
    body = render_rows(tab_id, page.rows) if page.rows else "no tasks"
    return f"{body}\n{paging_line(page)}"


def paging_line(page: Page[Any]) -> str:
    p = page.paging

    def count(n: int | None) -> str:
        return f"{n} task" if n == 1 else f"{n} tasks"

    if p.kind == "cursor":
        where = f"next cursor: {harmless(p.next_cursor)}" if p.has_next and p.next_cursor else (
            "last page")
        return where if p.total is None else f"{where} · {count(p.total)}"
    parts = [f"page {p.page} of {max(p.total_pages or 0, 1)}"]
    if p.total_count is not None:
        parts.append(count(p.total_count))
    if page.request.status:
        parts.append(f"status {page.request.status}")
    return " · ".join(parts)


def paging_dict(page: Page[Any]) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(page.paging)


def render_record(items: list[tuple[str, Any]]) -> str:
    """'key  value' lines for every field; JSON values pretty-printed and indented under the key."""
    import msgspec

    names = [harmless(name) for name, _ in items]
    width = max((cell_width(n) for n in names), default=0)
    lines: list[str] = []
    for name, (_, value) in zip(names, items):
        value = msgspec.to_builtins(value)
        if isinstance(value, (dict, list)):
            text = to_json(value) if value else ("{}" if isinstance(value, dict) else "[]")
            parts = text.split("\n")
        elif isinstance(value, str):
            parts = [harmless(p) for p in value.replace("\r\n", "\n").split("\n")]
        else:
            parts = [plain(value)]
        pad = " " * (width - cell_width(name))
        lines.append(f"{name}{pad}  {parts[0]}".rstrip())
        lines.extend(f"{' ' * width}  {p}".rstrip() for p in parts[1:])
    return "\n".join(lines)
