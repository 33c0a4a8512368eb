"""The Changes view (`w`): the tasks of one tab that changed while tasktop was closed.

Newest first (by the server's own times), filterable by their status now (`f`); Enter closes the
view and opens the task's detail on its tab. Every value is server text, shown through `literal`.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.tabs.cells import cell, status_text
from tui.ui.away import Away, AwayChange
from widgets.task_table import Column, TaskTable
from widgets.text import literal

COLUMNS = [
    Column("when", "When", min_width=11),
    Column("was", "Was", min_width=8),
    Column("now", "Now", min_width=8),
    Column("task_id", "Task ID", id_like=True),
]


def _when(change: AwayChange) -> Text:
    return cell(change.when.strftime("%m-%d %H:%M") if change.when else "—")


class ChangesScreen(ModalScreen[AwayChange | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Close", tooltip="Close the Changes view"),
        Binding("f", "cycle_filter", "Filter", tooltip="Show only one status now"),
    ]

    def __init__(self, title: str, away: Away, now: datetime) -> None:
        super().__init__()
        self.title_text = title
        self.away = away
        self.now = now
        self.filters: list[str | None] = [None, *away.statuses()]
        self.filter_index = 0

    @property
    def status(self) -> str | None:
        return self.filters[self.filter_index]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog changes"):
            yield Static(literal(f"{self.title_text}: changes while tasktop was closed",
                                 style="bold", single_line=True), classes="changes-title")
            yield Static(literal(self.away.line(self.now), single_line=True),
                         classes="changes-since")
            yield Static("", classes="changes-filter")
            yield TaskTable(COLUMNS, classes="changes-table")
            yield Static(literal("enter: open · f: filter · escape: close", single_line=True),
                         classes="changes-keys")

    def on_mount(self) -> None:
        self._show()
        self.query_one(TaskTable).focus()

    def _show(self) -> None:
        changes = self.away.newest_first(self.status)
        label = literal("status: ", single_line=True)
        label.append_text(literal(self.status or "All", single_line=True))
        label.append(f" ({len(changes)} of {len(self.away.changes)})")
        self.query_one(".changes-filter", Static).update(label)
        rows = [
            (c.task_id, [_when(c), status_text(c.previous) if c.previous else cell("new"),
                         status_text(c.status), cell(c.task_id)])
            for c in changes
        ]
        self.query_one(TaskTable).apply(rows, mark=False)

    def action_cycle_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(self.filters)
        self._show()

    def on_task_table_opened(self, event: TaskTable.Opened) -> None:
        event.stop()
        self.dismiss(self.away.changes.get(event.key))

    def action_cancel(self) -> None:
        self.dismiss(None)
