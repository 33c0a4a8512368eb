"""Pictures of the widgets at a fixed size (update with `pytest --snapshot-update`)."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Horizontal

from widgets import Column, DetailPane, Pager, RefreshBadge, StatusFilter, TaskTable

COLUMNS = [
    Column("id", "ID", width=8),
    Column("status", "Status", width=10),
    Column("name", "Name", width=30),
    Column("age", "Age", width=5),
]


def task(key: str, status: str, name: str, age: str):
    colour = {"failed": "red", "running": "yellow", "done": "green"}.get(status, "")
    return (key, [Text(key), Text(status, style=colour), Text(name), Text(age, justify="right")])


FIRST = [
    task("t-101", "running", "Election dataset", "5s"),
    task("t-102", "queued", "[bold]markup stays literal[/]", "9s"),
    task("t-103", "done", "Scrape \x1b[31mprices", "1m"),
    task("t-104", "failed", "x" * 200, "2m"),
]
SECOND = [
    task("t-105", "queued", "A new task on top", "0s"),
    *FIRST[:2],
    task("t-103", "failed", "Scrape \x1b[31mprices", "1m"),
    FIRST[3],
]


class TableApp(App):
    CSS = """
    TaskTable { height: 1fr; }
    #bar { height: 1; }
    #bar > * { margin-right: 2; }
    """

    def compose(self) -> ComposeResult:
        yield TaskTable(COLUMNS)
        with Horizontal(id="bar"):
            yield StatusFilter()
            yield Pager()
            yield RefreshBadge(clock=lambda: 1000.0)


async def _two_ticks(pilot) -> None:
    app = pilot.app
    table = app.query_one(TaskTable)
    table.apply(FIRST)
    table.select_key("t-102")
    table.apply(SECOND)
    app.query_one(StatusFilter).show("failed", "this page")
    app.query_one(Pager).show_number(2, 24, 237)
    badge = app.query_one(RefreshBadge)
    badge.mark_updated(997.0)
    badge.set_next(1002.0)
    table.focus()
    await pilot.pause()


def test_table_with_marks(snap_compare) -> None:
    assert snap_compare(TableApp(), terminal_size=(84, 10), run_before=_two_ticks)


class DetailApp(App):
    def compose(self) -> ComposeResult:
        yield DetailPane()


async def _show_detail(pilot) -> None:
    pilot.app.query_one(DetailPane).show(
        "Red-team task t-103 [b]x[/b]",
        [
            ("status", Text("failed", style="red")),
            ("model", "gpt-4o-mini"),
            ("created", "2025-01-02T03:04:05Z"),
            ("error", "upstream said: [@click=app.quit]quit[/] \x1b]8;;http://evil\x07"),
        ],
        [("description", "A long description that wraps across lines. " * 3)],
        [("raw", {"task_id": "t-103", "scores": [0.5, 1, None], "nested": {"ok": True}})],
    )
    await pilot.pause()


def test_detail_pane(snap_compare) -> None:
    assert snap_compare(DetailApp(), terminal_size=(70, 30), run_before=_show_detail)
