"""The Datasets tab (Enkrypt AI): dataset-generation tasks, one row per dataset name."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from tui.core.config import DEFAULT_ENKRYPT_URL
from tui.core.keys import ENV_VARS
from tui.providers.models import DatasetTask
from tui.providers.sources import DatasetsSource, Detail, Row

from .spec import CliColumn, Column, DetailView, Provider, TabSpec, plain

if TYPE_CHECKING:
    from rich.text import Text

    from .cells import Field


def enkrypt_client(url: str, key: str | None, timeout: float) -> Any:
    from tui.providers.enkrypt import EnkryptClient

    return EnkryptClient(url, key, timeout=timeout)


#: One Enkrypt key serves Datasets and Red team.
ENKRYPT = Provider(
    name="enkrypt",
    title="Enkrypt AI (Datasets and Red team)",
    key_env=ENV_VARS["enkrypt"],
    client=enkrypt_client,
    default_url=DEFAULT_ENKRYPT_URL,
)

# Laid out from the terminal's width (widgets.column_layout): every column as wide as its widest
# value; short of room, ids show their unique tail, then other values are cut to `min_width`
# (only an unusually long one, for the short columns), then the columns with a priority are left
# out, lowest first. Detail, copy and export stay whole.
COLUMNS = (
    Column("status", "Status", min_width=8),
    Column("name", "Dataset", min_width=12),
    Column("created", "Created", min_width=7, priority=3),
    Column("started", "Started", min_width=7, priority=2),
    Column("project", "Project", min_width=8, priority=4),
    Column("task_id", "Task ID", id_like=True),
)


def cells(row: Row, now: datetime) -> list[Text]:
    from .cells import (  # rich: only once there is something to paint
        cell,
        status_text,
        when,
    )

    task = row.record if isinstance(row.record, DatasetTask) else None
    if task is None:
        # record None: its task is still being fetched ("…"); a name: the lookup failed ("?").
        mark = cell("…" if row.record is None else "?", style="dim")
        return [mark, cell(row.key), cell(""), cell(""), cell(""), cell("")]
    return [
        status_text(task.status),
        cell(task.dataset_name or row.key),
        when(task.created_at, now),
        when(task.started_at, now),
        cell(task.project_name),
        cell(task.task_id),
    ]


_SHOWN = {
    "status", "dataset_name", "task_id", "project_name", "created_at", "started_at",
    "scenarios", "categories", "depth", "max_prompts", "info_pdf_url", "tools",
    "system_description", "policy_description",
}  # fmt: skip


def detail(detail: Detail, now: datetime) -> DetailView:
    from .cells import json_blocks, literal, plain_fields, status_text, time_field

    task = detail.record
    if not isinstance(task, DatasetTask):
        return DetailView(detail.row.key, [("dataset", literal(detail.row.key))])
    fields: list[Field] = [
        ("status", status_text(task.status)),
        ("dataset", literal(task.dataset_name)),
        ("task id", literal(task.task_id)),
        ("project", literal(task.project_name)),
        time_field("created", task.created_at, now),
        time_field("started", task.started_at, now, since=task.created_at),
        ("scenarios", literal(task.scenarios)),
        ("categories", literal(task.categories)),
        ("depth", literal(task.depth)),
        ("max prompts", literal(task.max_prompts)),
        ("info PDF", literal(task.info_pdf_url)),
        ("tools", literal(", ".join(t.name for t in task.tools) or "none")),
    ]
    fields += plain_fields(task, _SHOWN, {label for label, _ in fields})
    long_texts = [
        ("system description", task.system_description or "—"),
        ("policy description", task.policy_description or "—"),
    ]
    long_texts += [(f"tool: {t.name}", t.description) for t in task.tools]
    return DetailView(task.dataset_name, fields, long_texts, json_blocks(task, _SHOWN))


def _task_field(name: str) -> Any:
    """A CLI cell of the dataset's task; a bare name (its task not found) has only its name."""

    def value(record: Any) -> str:
        if isinstance(record, DatasetTask):
            return plain(getattr(record, name, None))
        return plain(record if name == "dataset_name" else None)

    return value


SPEC = TabSpec(
    id="datasets",
    title="Datasets",
    provider=ENKRYPT,
    source=DatasetsSource,
    columns=COLUMNS,
    cells=cells,
    detail=detail,
    cli_columns=(
        CliColumn("STATUS", _task_field("status"), 12),
        CliColumn("DATASET", _task_field("dataset_name")),
        CliColumn("CREATED", _task_field("created_at"), 32),
        CliColumn("STARTED", _task_field("started_at"), 32),
        CliColumn("PROJECT", _task_field("project_name"), 20),
        CliColumn("TASK ID", _task_field("task_id")),
    ),
    paging=DatasetsSource.paging,
    filters=DatasetsSource.filters,
)
