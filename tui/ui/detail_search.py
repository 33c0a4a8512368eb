"""The detail pane, sort and search of a tab, mixed into TaskView.

The pane and the search box are built on first use: start-up styles and lays out only what the
first frame shows. The pane refreshes with the tab (`_load_detail` after every landed page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.containers import Horizontal
from textual.widgets import Input, Static
from textual.worker import WorkerCancelled

from tui.core.failure import explanation
from tui.providers.base import ProviderError
from tui.ui.timeline_text import timeline_text
from widgets.detail_pane import DetailPane
from widgets.task_table import TaskTable
from widgets.text import literal

if TYPE_CHECKING:
    from tui.providers.sources import Row
    from tui.ui.task_view import TaskView


class DetailAndSearch:
    """Mixin for TaskView: the detail pane (enter / escape), sort (s / S) and search (/)."""

    @property
    def detail(self: TaskView) -> DetailPane:
        """The detail pane, mounted the first time it is asked for (it shows what it is given
        once its children exist)."""
        if self._detail is None:
            self._detail = DetailPane(classes="detail")
            self.query_one(".body", Horizontal).mount(self._detail)
        return self._detail

    async def _search_box(self: TaskView) -> Input:
        """The search box, mounted above the notice line the first time it is asked for."""
        if self._search_input is None:
            self._search_input = Input(
                placeholder="search this page (escape clears)", classes="search"
            )
            await self.mount(self._search_input, before=self.query_one(".notice"))
        return self._search_input

    def on_task_table_opened(self: TaskView, event: TaskTable.Opened) -> None:
        event.stop()
        if event.key in self.rows_by_key:
            self.detail_key = event.key

    def take_focus(self: TaskView) -> None:
        """Focus what this tab shows, now (keys already queued land here): the table, or the
        detail pane where it replaces the table. A hidden tab never takes the focus."""
        if not self.active or not self.is_attached:
            return
        table = self.table
        target = self.detail if self.detail_key is not None and not table.display else table
        table.screen.set_focus(target)

    def watch_detail_key(self: TaskView, key: str | None) -> None:
        self.set_class(key is not None, "-detail-open")
        if key is None:
            self.take_focus()
        else:
            # Narrow: the pane replaces the table, and takes its focus once the CSS says so.
            self.call_after_refresh(self.take_focus)
            self._load_detail(key)

    def action_close_detail(self: TaskView) -> None:
        if self.detail_key is not None:
            self.detail_key = None
        elif self.table.search:
            self._end_search(clear=True)

    # ----------------------------------------------------------------------- sort / search

    def action_cycle_sort(self: TaskView) -> None:
        self.table.cycle_sort()

    def action_reverse_sort(self: TaskView) -> None:
        if self.table.sort_column is not None:
            self.table.sort_by(self.table.sort_column, not self.table.sort_reverse)

    async def action_search(self: TaskView) -> None:
        box = await self._search_box()
        box.display = True
        box.focus()

    def on_input_changed(self: TaskView, event: Input.Changed) -> None:
        if event.input.has_class("search"):
            event.stop()
            self.table.set_search(event.value)
            self._show_search()

    def on_input_submitted(self: TaskView, event: Input.Submitted) -> None:
        if event.input.has_class("search"):
            event.stop()
            self._end_search(clear=not event.value)

    def on_key(self: TaskView, event) -> None:  # noqa: ANN001 - textual.events.Key
        self._postpone_idle()
        if event.key == "escape" and isinstance(self.app.focused, Input) and (
            self.app.focused.has_class("search")
        ):
            event.stop()
            self._end_search(clear=True)

    def _end_search(self: TaskView, clear: bool) -> None:
        box = self._search_input
        if clear:
            self.table.set_search("")
        if box is not None:
            if clear:
                box.value = ""
            box.display = False
        self._show_search()
        self.table.focus()

    def _show_search(self: TaskView) -> None:
        table = self.table
        text = (
            f"search: {table.search} ({table.row_count} of {table.source_count})"
            if table.search
            else ""
        )
        if text != self._search_text:  # unchanged on most ticks: no repaint, no re-layout
            self._search_text = text
            self.query_one(".search-label", Static).update(literal(text, single_line=True))

    def open_row(self: TaskView, row: Row) -> None:
        """Open the detail of a task that may not be on the current page (the Changes view)."""
        self._opened_rows = {row.key: row}
        if self.detail_key == row.key:
            self._load_detail(row.key)
        self.detail_key = row.key

    @work(exclusive=True, group="detail")
    async def _load_detail(self: TaskView, key: str) -> None:
        row = self.rows_by_key.get(key) or self._opened_rows.get(key)
        if row is None or self.source is None:
            return
        self._load_timeline(key)
        try:
            detail = await self.source.detail(row)
        except WorkerCancelled:
            raise
        except ProviderError as error:
            if self.detail_key == key and self._live:
                self.detail.show(key, [("error", literal(explanation(error), single_line=True))])
            return
        if self.detail_key == key and self._live:
            shown = self.spec.detail(detail, self.now())
            self.detail.show(shown.title, shown.fields, shown.long_texts, shown.json_blocks)

    @work(thread=True, exclusive=True, group="timeline")
    def _load_timeline(self: TaskView, key: str) -> None:
        """The task's timeline from the history file, read on a worker thread."""
        recorder = getattr(self.app, "recorder", None)
        if recorder is None or not recorder.attached:
            return
        recorder.history.flush()  # this tick's transitions are in the file first
        text = timeline_text(recorder.history.timeline(self.tab_id, key))
        try:
            self.app.call_from_thread(self._show_timeline, key, text)
        except RuntimeError:  # the app closed meanwhile
            pass

    def _show_timeline(self: TaskView, key: str, text: Text | None) -> None:
        if self.detail_key == key and self._live:
            self.detail.show_timeline("Timeline (tasktop's history)", text)
