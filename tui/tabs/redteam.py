"""The Red team tab (Enkrypt AI): red-team test runs, on the Datasets tab's key."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from tui.providers.models import RedteamTask
from tui.providers.sources import Detail, RedteamSource, Row

from .datasets import ENKRYPT
from .spec import CliColumn, Column, DetailView, TabSpec, plain

if TYPE_CHECKING:
    from rich.text import Text

    from .cells import Field

COLUMNS = (
    Column("status", "Status", min_width=8),
    Column("test", "Test", min_width=12),
    Column("model", "Model", min_width=10, priority=5),
    Column("project", "Project", min_width=8, priority=4),
    Column("task_id", "Task ID", id_like=True),
)


def cells(row: Row, now: datetime) -> list[Text]:
    from .cells import cell, status_text  # rich: only once there is something to paint

    task: RedteamTask = row.record
    return [
        status_text(task.status),
        cell(task.test_name),
        cell(task.model_name),
        cell(task.project_name),
        cell(task.task_id),
    ]


def detail(detail: Detail, now: datetime) -> DetailView:
    from .cells import json_blocks, label_once, literal, status_text, time_field

    task: RedteamTask = detail.record
    fields: list[Field] = [("status", status_text(task.status))]
    taken = {"status"}
    for name, value in task.field_items():
        if name == "status" or isinstance(value, (dict, list)):
            continue
        label = label_once(name, taken)
        if name.endswith("_at"):
            fields.append(time_field(label, value, now))
        else:
            fields.append((label, literal(value)))
    if detail.note:
        fields.append(("note", literal(detail.note, style="dim italic")))
    return DetailView(task.test_name or task.task_id, fields, (), json_blocks(task))


SPEC = TabSpec(
    id="redteam",
    title="Red team",
    provider=ENKRYPT,
    source=RedteamSource,
    columns=COLUMNS,
    cells=cells,
    detail=detail,
    cli_columns=(
        CliColumn("STATUS", lambda task: plain(task.status), 12),
        CliColumn("TEST", lambda task: plain(task.test_name), 32),
        CliColumn("MODEL", lambda task: plain(task.model_name), 32),
        CliColumn("PROJECT", lambda task: plain(task.project_name), 20),
        CliColumn("TASK ID", lambda task: plain(task.task_id)),
    ),
    paging=RedteamSource.paging,
    filters=RedteamSource.filters,
    timeless=True,
)
