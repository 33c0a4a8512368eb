"""Cell and detail-field helpers the tab renderers share.

Every value that came from a server goes through `literal()` (tui.core.safe_text underneath),
which yields a rich Text with control characters made visible; no server string is ever parsed
as markup. This module imports rich: the tab modules import it inside their `cells` and `detail`,
so loading the specs before the first page's early fetch (tui.process.prefetch) imports no rich.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.text import Text

from tui.core.timefmt import absolute, duration, parse_time, relative
from tui.providers.models import Record
from widgets.text import literal

from .spec import plain

__all__ = [
    "FIELD_LABELS", "STATUS_STYLES", "Field", "SortableText", "cell", "field_label", "json_blocks",
    "label_once", "literal", "plain", "plain_fields", "status_text", "time_field", "when",
]  # fmt: skip

#: Status word (case-folded) → style. Unknown words are shown plainly, exactly as sent.
STATUS_STYLES: dict[str, str] = {
    "queued": "yellow",
    "pending": "yellow",
    "running": "bold cyan",
    "in_progress": "bold cyan",
    "processing": "bold cyan",
    "finished": "green",
    "success": "green",
    "completed": "green",
    "failed": "bold red",
    "error": "bold red",
}


def cell(value: object, style: str = "") -> Text:
    """A table cell: `literal` on one line, made as TaskTable keeps cells (no wrap, ellipsis), so
    the table can keep this very Text instead of copying it."""
    text = literal(value, style=style, single_line=True)
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


def status_text(status: str | None) -> Text:
    text = cell(status or "")
    style = STATUS_STYLES.get((status or "").casefold())
    if style:
        text.stylize(style)
    return text


class SortableText(Text):
    """A cell whose display ("3m ago") sorts by something else (the timestamp behind it)."""

    sort_key: Any = None


def when(value: Any, now: datetime) -> Text:
    """A time cell: "3m ago", sorting by the timestamp; a value that is no time, as sent."""
    parsed = parse_time(value)
    if parsed is None:
        return cell(value)
    text = SortableText(relative(parsed, now), no_wrap=True, overflow="ellipsis", end="")
    text.sort_key = parsed.timestamp()
    return text


# --------------------------------------------------------------------------------------- detail

Field = tuple[str, Text]

#: Wire name → what the detail panes call a field (JSON blocks and exports keep wire names).
FIELD_LABELS: dict[str, str] = {
    "id": "task id",
    "task_id": "task id",
    "dataset_name": "dataset",
    "model_name": "model",
    "test_name": "test",
    "project_name": "project",
    "account_name": "account",
    "api_type": "API type",
    "created_at": "created",
    "started_at": "started",
    "completed_at": "completed",
    "modified_at": "modified",
    "max_prompts": "max prompts",
    "info_pdf_url": "info PDF",
}
_WORDS = {"id": "id", "url": "URL", "api": "API", "pdf": "PDF"}


def field_label(name: str) -> str:
    """A field's label: the known ones from FIELD_LABELS; any other (a field the server added)
    spelled out from its name, `error_type` → "error type", `status_url` → "status URL"."""
    known = FIELD_LABELS.get(name)
    if known is not None:
        return known
    words = [word for word in name.split("_") if word]
    return " ".join(_WORDS.get(word.casefold(), word) for word in words) or name


def label_once(name: str, taken: set[str]) -> str:
    """`field_label`, or the wire name itself when another field already shows that label."""
    label = field_label(name)
    if label in taken:
        label = name
    taken.add(label)
    return label


def time_field(label: str, value: Any, now: datetime, since: Any = None) -> Field:
    """The absolute time and how long ago, plus "· 2m after creation" when `since` is a time."""
    parsed = parse_time(value)
    if parsed is None:
        return (label, literal(value))
    text = f"{absolute(parsed)}  ({relative(parsed, now)})"
    start = parse_time(since)
    if start is not None:
        text += f"  · {duration((parsed - start).total_seconds())} after creation"
    return (label, literal(text))


def plain_fields(record: Record, skip: Sequence[str], taken: set[str]) -> list[Field]:
    """Every remaining field (extras included) that is a scalar; structured ones become JSON."""
    out: list[Field] = []
    for name, value in record.field_items():
        if name in skip or isinstance(value, (dict, list)):
            continue
        out.append((label_once(name, taken), literal(value)))
    return out


def json_blocks(record: Record, skip: Sequence[str] = ()) -> list[tuple[str, object]]:
    """The record's structured fields (dicts, lists), shown as JSON under their wire names."""
    return [
        (name, value)
        for name, value in record.field_items()
        if name not in skip and isinstance(value, (dict, list))
    ]

