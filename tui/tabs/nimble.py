"""The Nimble tab: web-data tasks, paged by cursor, filtered by walking the list."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from tui.core.config import DEFAULT_NIMBLE_URL
from tui.core.keys import ENV_VARS
from tui.providers.models import NimbleTask
from tui.providers.sources import Detail, NimbleSource, Row

from .spec import CliColumn, Column, DetailView, Provider, TabSpec, plain

if TYPE_CHECKING:
    from rich.text import Text

    from .cells import Field


def nimble_client(url: str, key: str | None, timeout: float) -> Any:
    from tui.providers.nimble import NimbleClient

    return NimbleClient(url, key, timeout=timeout)


NIMBLE = Provider(
    name="nimble",
    title="Nimble",
    key_env=ENV_VARS["nimble"],
    client=nimble_client,
    default_url=DEFAULT_NIMBLE_URL,
)

COLUMNS = (
    Column("state", "State", min_width=7),
    Column("api_type", "API", min_width=6, priority=5),
    Column("created", "Created", min_width=7, priority=4),
    Column("modified", "Modified", min_width=8, priority=3),
    Column("code", "Code", min_width=4, priority=2),
    Column("error", "Error", min_width=10, priority=6),
    Column("id", "ID", id_like=True),
)


def cells(row: Row, now: datetime) -> list[Text]:
    from .cells import (  # rich: only once there is something to paint
        cell,
        status_text,
        when,
    )

    task: NimbleTask = row.record
    code = task.status_code
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    return [
        status_text(task.state),
        cell(task.api_type),
        when(task.created_at, now),
        when(task.modified_at, now),
        cell(code),
        cell(task.error),
        cell(task.id),
    ]


def detail(detail: Detail, now: datetime) -> DetailView:
    from .cells import json_blocks, label_once, literal, status_text, time_field

    task: NimbleTask = detail.record
    fields: list[Field] = [("state", status_text(task.state))]
    taken = {"state"}
    for name, value in task.field_items():
        if name in ("state", "input", "_query") or isinstance(value, (dict, list)):
            continue
        label = label_once(name, taken)
        if name in ("created_at", "modified_at"):
            since = task.created_at if name == "modified_at" else None
            fields.append(time_field(label, value, now, since=since))
        else:
            fields.append((label, literal(value)))
    blocks: list[tuple[str, object]] = [("input", task.input), ("_query", task.query)]
    blocks += json_blocks(task, ("input", "_query"))
    return DetailView(task.id, fields, (), blocks)


SPEC = TabSpec(
    id="nimble",
    title="Nimble",
    provider=NIMBLE,
    source=NimbleSource,
    columns=COLUMNS,
    cells=cells,
    detail=detail,
    cli_columns=(
        CliColumn("STATE", lambda task: plain(task.state), 10),
        CliColumn("API TYPE", lambda task: plain(task.api_type), 10),
        CliColumn("CREATED", lambda task: plain(task.created_at), 32),
        CliColumn("MODIFIED", lambda task: plain(task.modified_at), 32),
        CliColumn("CODE", lambda task: plain(task.status_code), 6),
        CliColumn("ERROR", lambda task: plain(task.error), 40),
        CliColumn("ID", lambda task: plain(task.id)),
    ),
    paging=NimbleSource.paging,
    filters=NimbleSource.filters,
)
