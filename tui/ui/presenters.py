"""How each tab's records become table cells and detail fields.

Every value that came from a server goes through `literal()`, which yields a rich Text with control
characters made visible; no server string is ever parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from rich.text import Text

from tui.core.timefmt import absolute, duration, parse_time, relative
from tui.providers.models import DatasetTask, NimbleTask, Record, RedteamTask
from tui.providers.sources import Detail, Row
from widgets.task_table import Column
from widgets.text import literal

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


def _when(value: Any, now: datetime) -> Text:
    parsed = parse_time(value)
    if parsed is None:
        return cell(value)
    text = SortableText(relative(parsed, now), no_wrap=True, overflow="ellipsis", end="")
    text.sort_key = parsed.timestamp()
    return text


# -------------------------------------------------------------------------------------- columns

COLUMNS: dict[str, list[Column]] = {
    # Laid out from the terminal's width (widgets.column_layout): every column as wide as its
    # widest value; short of room, ids show their unique tail, then other values are cut to
    # `min_width` (only an unusually long one, for the short columns), then the columns with a
    # priority are left out, lowest first. Detail, copy and export stay whole.
    "datasets": [
        Column("status", "Status", min_width=8),
        Column("name", "Dataset", min_width=12),
        Column("created", "Created", min_width=7, priority=3),
        Column("started", "Started", min_width=7, priority=2),
        Column("project", "Project", min_width=8, priority=4),
        Column("task_id", "Task ID", id_like=True),
    ],
    "redteam": [
        Column("status", "Status", min_width=8),
        Column("test", "Test", min_width=12),
        Column("model", "Model", min_width=10, priority=5),
        Column("project", "Project", min_width=8, priority=4),
        Column("task_id", "Task ID", id_like=True),
    ],
    "nimble": [
        Column("state", "State", min_width=7),
        Column("api_type", "API", min_width=6, priority=5),
        Column("created", "Created", min_width=7, priority=4),
        Column("modified", "Modified", min_width=8, priority=3),
        Column("code", "Code", min_width=4, priority=2),
        Column("error", "Error", min_width=10, priority=6),
        Column("id", "ID", id_like=True),
    ],
}


def dataset_cells(row: Row, now: datetime) -> list[Text]:
    task = row.record if isinstance(row.record, DatasetTask) else None
    if task is None:
        # record None: its task is still being fetched ("…"); a name: the lookup failed ("?").
        mark = cell("…" if row.record is None else "?", style="dim")
        return [mark, cell(row.key), cell(""), cell(""), cell(""), cell("")]
    return [
        status_text(task.status),
        cell(task.dataset_name or row.key),
        _when(task.created_at, now),
        _when(task.started_at, now),
        cell(task.project_name),
        cell(task.task_id),
    ]


def redteam_cells(row: Row, now: datetime) -> list[Text]:
    task: RedteamTask = row.record
    return [
        status_text(task.status),
        cell(task.test_name),
        cell(task.model_name),
        cell(task.project_name),
        cell(task.task_id),
    ]


def nimble_cells(row: Row, now: datetime) -> list[Text]:
    task: NimbleTask = row.record
    code = task.status_code
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    return [
        status_text(task.state),
        cell(task.api_type),
        _when(task.created_at, now),
        _when(task.modified_at, now),
        cell(code),
        cell(task.error),
        cell(task.id),
    ]


CELLS: dict[str, Callable[[Row, datetime], list[Text]]] = {
    "datasets": dataset_cells,
    "redteam": redteam_cells,
    "nimble": nimble_cells,
}

#: Tabs whose cells depend on the record alone (no "3m ago" columns), so a tick may reuse the
#: cells of every row whose record came back unchanged.
TIMELESS: frozenset[str] = frozenset({"redteam"})


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


def _label(name: str, taken: set[str]) -> str:
    """`field_label`, or the wire name itself when another field already shows that label."""
    label = field_label(name)
    if label in taken:
        label = name
    taken.add(label)
    return label


def _time_field(label: str, value: Any, now: datetime, since: Any = None) -> Field:
    parsed = parse_time(value)
    if parsed is None:
        return (label, literal(value))
    text = f"{absolute(parsed)}  ({relative(parsed, now)})"
    start = parse_time(since)
    if start is not None:
        text += f"  · {duration((parsed - start).total_seconds())} after creation"
    return (label, literal(text))


def _plain_fields(record: Record, skip: Sequence[str], taken: set[str]) -> list[Field]:
    """Every remaining field (extras included) that is a scalar; structured ones become JSON."""
    out: list[Field] = []
    for name, value in record.field_items():
        if name in skip or isinstance(value, (dict, list)):
            continue
        out.append((_label(name, taken), literal(value)))
    return out


def _json_blocks(record: Record, skip: Sequence[str] = ()) -> list[tuple[str, object]]:
    return [
        (name, value)
        for name, value in record.field_items()
        if name not in skip and isinstance(value, (dict, list))
    ]


def dataset_detail(detail: Detail, now: datetime) -> dict[str, Any]:
    task = detail.record
    if not isinstance(task, DatasetTask):
        fields: list[Field] = [("dataset", literal(detail.row.key))]
        return {"title": detail.row.key, "fields": fields, "long_texts": [], "json_blocks": []}
    fields = [
        ("status", status_text(task.status)),
        ("dataset", literal(task.dataset_name)),
        ("task id", literal(task.task_id)),
        ("project", literal(task.project_name)),
        _time_field("created", task.created_at, now),
        _time_field("started", task.started_at, now, since=task.created_at),
        ("scenarios", literal(task.scenarios)),
        ("categories", literal(task.categories)),
        ("depth", literal(task.depth)),
        ("max prompts", literal(task.max_prompts)),
        ("info PDF", literal(task.info_pdf_url)),
        ("tools", literal(", ".join(t.name for t in task.tools) or "none")),
    ]
    skip = {
        "status", "dataset_name", "task_id", "project_name", "created_at", "started_at",
        "scenarios", "categories", "depth", "max_prompts", "info_pdf_url", "tools",
        "system_description", "policy_description",
    }  # fmt: skip
    fields += _plain_fields(task, skip, {label for label, _ in fields})
    long_texts = [
        ("system description", task.system_description or "—"),
        ("policy description", task.policy_description or "—"),
    ]
    long_texts += [(f"tool: {t.name}", t.description) for t in task.tools]
    return {
        "title": task.dataset_name,
        "fields": fields,
        "long_texts": long_texts,
        "json_blocks": _json_blocks(task, skip),
    }


def redteam_detail(detail: Detail, now: datetime) -> dict[str, Any]:
    task: RedteamTask = detail.record
    fields: list[Field] = [("status", status_text(task.status))]
    taken = {"status"}
    for name, value in task.field_items():
        if name == "status" or isinstance(value, (dict, list)):
            continue
        label = _label(name, taken)
        if name.endswith("_at"):
            fields.append(_time_field(label, value, now))
        else:
            fields.append((label, literal(value)))
    if detail.note:
        fields.append(("note", literal(detail.note, style="dim italic")))
    return {
        "title": task.test_name or task.task_id,
        "fields": fields,
        "long_texts": [],
        "json_blocks": _json_blocks(task),
    }


def nimble_detail(detail: Detail, now: datetime) -> dict[str, Any]:
    task: NimbleTask = detail.record
    fields: list[Field] = [("state", status_text(task.state))]
    taken = {"state"}
    for name, value in task.field_items():
        if name in ("state", "input", "_query") or isinstance(value, (dict, list)):
            continue
        label = _label(name, taken)
        if name in ("created_at", "modified_at"):
            since = task.created_at if name == "modified_at" else None
            fields.append(_time_field(label, value, now, since=since))
        else:
            fields.append((label, literal(value)))
    blocks: list[tuple[str, object]] = [("input", task.input), ("_query", task.query)]
    blocks += _json_blocks(task, ("input", "_query"))
    return {"title": task.id, "fields": fields, "long_texts": [], "json_blocks": blocks}


DETAILS: dict[str, Callable[[Detail, datetime], dict[str, Any]]] = {
    "datasets": dataset_detail,
    "redteam": redteam_detail,
    "nimble": nimble_detail,
}
