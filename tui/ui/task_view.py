"""One tab of the monitor: status line, live task table, detail pane, and the refresh loop.

The loop (README, Architecture): timer → one exclusive worker → `source.fetch(request)` → back on
the UI thread, `TaskTable.apply()` diffs by key → badge → the next timer is armed only once the
fetch has finished, so fetches never overlap. Every request carries a generation number; an answer
whose generation is no longer current (page, filter or size changed meanwhile) is dropped unseen.

What a key means and when the next fetch is due are pure models (`tui.core.navigation`,
`tui.core.refresh_schedule`); this view composes, paints, and carries their answers out. Its
refresh loop (`refresh_loop`), neighbour pages (`neighbour_paging`) and detail pane with sort and
search (`detail_search`) are mixins, one module each.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Input, Static

from tui.core.navigation import LATER, Changes, Navigation, next_page_size
from tui.core.page_fit import MAX_ROWS
from tui.core.refresh_schedule import RefreshSchedule
from tui.providers.base import AuthError, Page, PageRequest, ProviderError
from tui.providers.sources import Row, TaskSource
from tui.tabs.spec import TabSpec
from tui.ui.detail_search import DetailAndSearch
from tui.ui.neighbour_paging import NeighbourPaging
from tui.ui.refresh_loop import RefreshLoop
from widgets.detail_pane import DetailPane
from widgets.pager import Pager
from widgets.refresh_badge import RefreshBadge
from widgets.status_filter import StatusFilter
from widgets.task_table import TaskTable
from widgets.text import literal

if TYPE_CHECKING:
    from tui.process.prefetch import EarlyPage


def _on(model: str, name: str, doc: str) -> property:
    """A view attribute that lives on one of its models (readers keep the view's name for it)."""
    return property(
        lambda self: getattr(getattr(self, model), name),
        lambda self, value: setattr(getattr(self, model), name, value),
        doc=doc,
    )


class TaskView(RefreshLoop, NeighbourPaging, DetailAndSearch, Vertical):
    """A provider tab: everything on it refreshes only while it is the visible tab."""

    BINDINGS = [
        Binding("r", "refresh_now", "Refresh", tooltip="Refresh this tab now", id="refresh"),
        Binding("space", "toggle_pause", "Pause", tooltip="Pause / resume live refresh",
                id="pause"),
        Binding("f", "cycle_filter", "Filter", tooltip="Cycle the status filter", id="filter"),
        Binding("n", "next_page", "Next", tooltip="Next page", id="next_page"),
        Binding("b", "previous_page", "Prev", tooltip="Previous page", id="previous_page"),
        Binding("g", "first_page", "First", show=False, tooltip="First page", id="first_page"),
        Binding("G", "last_page", "Last", show=False, tooltip="Last page (page-number lists)",
                id="last_page"),
        Binding("colon", "jump_page", "Jump", show=False, tooltip="Go to a page number",
                id="jump_page"),
        Binding("plus", "page_size(1)", "Size+", show=False, tooltip="Larger pages (10/25/50/100)",
                id="page_size.larger"),
        Binding("minus", "page_size(-1)", "Size-", show=False, tooltip="Smaller pages",
                id="page_size.smaller"),
        Binding("escape", "close_detail", "Close", show=False, tooltip="Close the detail pane",
                id="close_detail"),
        Binding("k", "set_key", "Key", tooltip="Enter or replace this provider's API key",
                id="key_dialog"),
        Binding("s", "cycle_sort", "Sort", show=False, tooltip="Sort by the next column",
                id="sort"),
        Binding("S", "reverse_sort", "Reverse", show=False, tooltip="Reverse the sort order",
                id="reverse_sort"),
        Binding("slash", "search", "Search", show=False, tooltip="Search this page", id="search"),
    ]

    class Counted(Message):
        """The tab's total task count changed (the app shows it in the tab label)."""

        def __init__(self, view: TaskView, total: int | None) -> None:
            super().__init__()
            self.view = view
            self.total = total

    class KeyWanted(Message):
        """`k`: the app opens the key dialog for `provider` (`reason`: why the old key failed)."""

        def __init__(self, provider: str, reason: str | None) -> None:
            super().__init__()
            self.provider = provider
            self.reason = reason

    detail_key: reactive[str | None] = reactive(None, init=False)

    request = _on("nav", "request", "The page asked for (on screen, or loading).")
    cursors = _on("nav", "cursors", "Cursor paging: the cursor that opens page i.")
    page_index = _on("nav", "page_index", "Cursor paging: the page asked for.")
    steps_ahead = _on("nav", "steps_ahead", "`n` presses made while page_index was loading.")
    generation = _on("nav", "generation", "The current request's generation.")
    refresh_seconds = _on("schedule", "refresh_seconds", "Seconds between ticks.")
    background_seconds = _on("schedule", "background_seconds", "--watch-all: hidden polling.")
    active = _on("schedule", "active", "True while this is the visible tab.")
    paused = _on("schedule", "paused", "Live refresh paused (space).")
    last_success = _on("schedule", "last_success", "Monotonic time of the last good page.")
    failures = _on("schedule", "failures", "Failed fetches in a row.")
    error = _on("schedule", "error", "The last fetch's error (None after a success).")
    retry_at = _on("schedule", "retry_at", "Monotonic time of the retry a failure scheduled.")

    def __init__(
        self,
        spec: TabSpec,
        source: TaskSource | None,
        *,
        refresh_seconds: float,
        key_label: str,
        now: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
        per_page: int = 10,
        fit_rows: bool = False,
        early: EarlyPage | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="task-view")
        self.spec = spec
        self.tab_id = spec.id
        self.source = source
        #: The first page, fetched by the start-up helper; taken by the first fetch it answers.
        self.early = early
        self.nav = Navigation(PageRequest.first(per_page), source.paging if source else "number")
        self.schedule = RefreshSchedule(refresh_seconds)
        self.key_label = key_label
        self.now = now
        self.monotonic = monotonic
        #: The page size follows the table's height (no --per-page, no +/- yet); see `on_resize`.
        self.fit_rows = fit_rows
        self.page: Page[Row] | None = None
        self.rows_by_key: dict[str, Row] = {}
        self.ticks = 0
        #: Called with each page about to be painted from a complete answer, and with each error
        #: about to be shown (observers such as tests; they must be cheap).
        self.page_observers: list[Callable[[Page[Row]], object]] = []
        self.error_observers: list[Callable[[ProviderError], object]] = []
        self._timer: Timer | None = None
        self._loading_timer: Timer | None = None
        self._fetch_lock = asyncio.Lock()
        self._notice: str | None = None  # what the notice line shows (None: not set yet)
        #: False until on_mount: a late-built tab can be told its key or a notice while its
        #: children do not exist yet, and on_mount shows what it was told.
        self._ready = False
        self._early_notice: str | None = None
        self._composed_label = key_label
        self._search_text = ""
        self._cells_cache: dict[str, tuple[object, list[Text]]] = {}
        self._detail: DetailPane | None = None
        self._search_input: Input | None = None
        self._opened_rows: dict[str, Row] = {}  # opened from elsewhere (not on this page)
        self._init_neighbours()

    # ------------------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Horizontal(classes="status-line"):
            with Horizontal(classes="where"):
                self._composed_label = self.key_label
                yield Static(literal(self.key_label, single_line=True), classes="key-label")
                yield StatusFilter(classes="filter")
                yield Pager(classes="pager")
                yield Static("", classes="search-label")
            yield RefreshBadge(clock=self.monotonic, classes="badge")
        with Horizontal(classes="body"):
            yield TaskTable(classes="tasks")
            # The detail pane and the search box are built on first use (`detail`, `_search_box`):
            # start-up styles and lays out only what the first frame shows.
        yield Static("", classes="notice")

    def on_mount(self) -> None:
        if not self._live or not self.query(TaskTable):
            return  # the app closed while this (late-built, hidden) tab was being mounted
        self.table.set_columns(self.spec.columns)
        self._ready = True
        if self.key_label != self._composed_label:  # a key arrived between compose and mount
            self.query_one(".key-label", Static).update(literal(self.key_label, single_line=True))
        self._show_filter()
        early_notice = self._early_notice or self._no_key_notice()
        if early_notice:
            self.notice(early_notice)
        if self.source is None:
            self.badge.display = False

    def _no_key_notice(self) -> str | None:
        if self.source is not None:
            return None
        return f"{self.key_label} — press k to add a key for this provider"

    @property
    def provider(self) -> str:
        return self.spec.provider.name

    def set_source(self, source: TaskSource | None, key_label: str) -> None:
        """A new key (so a new client) for this tab: start over from the first page."""
        self._disarm()
        self._forget_neighbours()
        # Whatever the old client still answers is dropped (a new generation).
        self.nav.restart(source.paging if source else self.nav.paging)
        self.source = source
        self._drop_early()
        self.key_label = key_label
        self.page = None
        self.schedule.forget()
        self.notice(self._no_key_notice())
        if not self._ready:
            return  # still being built: on_mount shows the new key
        self.query_one(".key-label", Static).update(literal(key_label, single_line=True))
        self._show_filter()
        self.badge.display = source is not None
        if self.active:
            self.refresh_now()

    async def fetch_aside(self, source: TaskSource, request: PageRequest) -> Page[Row]:
        """A page of this tab that is not for the screen (the history's catch-up), asked in turn
        with the tab's own requests, so the tab still has one list call open at a time."""
        async with self._fetch_lock:
            return await source.fetch(request)

    def action_set_key(self) -> None:
        reason = None
        if isinstance(self.error, AuthError):
            reason = f"the current key was refused: {self.error.message}"
        self.post_message(self.KeyWanted(self.provider, reason))

    @property
    def table(self) -> TaskTable:
        return self.query_one(TaskTable)

    @property
    def badge(self) -> RefreshBadge:
        return self.query_one(RefreshBadge)

    @property
    def pager(self) -> Pager:
        return self.query_one(Pager)

    def notice(self, message: str | None) -> None:
        """A one-line message under the table (errors, missing keys); None hides it."""
        if not self._ready:
            self._early_notice = message  # the line does not exist yet: on_mount shows it
            return
        if (message or "") == self._notice:
            return  # every tick says "no notice": repainting (and re-laying out) it costs
        self._notice = message or ""
        widget = self.query_one(".notice", Static)
        widget.update(literal(message or "", single_line=True))
        widget.display = bool(message)

    @property
    def notice_text(self) -> str | None:
        """What the notice line under the table says ('' or None: nothing)."""
        return self._notice if self._ready else self._early_notice

    # --------------------------------------------------------------------------- actions

    def action_refresh_now(self) -> None:
        self.refresh_now()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self.badge.set_paused(self.paused)
        if self.paused:
            self._disarm()
            self.badge.set_next(None)
        elif self.active:
            self.refresh_now()

    def action_cycle_filter(self) -> None:
        if self.source is None:
            return
        self._go(self.nav.cycle_filter(self.source.filters))
        self._show_filter()

    def action_next_page(self) -> None:
        if self.source is None:
            return
        move = self.nav.next_page(self.page)
        if move == LATER:
            # The page asked for is still loading (the tab's first, or a cursor page): where
            # its next page is is not known yet. The press is counted; `_walk_on` takes the
            # step when the page lands.
            self._show_pager(None)
        elif move is not None:
            self._go(move)

    def action_previous_page(self) -> None:
        if self.source is not None:
            self._go(self.nav.previous_page())

    def action_first_page(self) -> None:
        if self.source is not None:
            self._go(self.nav.first_page())

    def action_last_page(self) -> None:
        if self.source is not None and self.page is not None:
            self._go(self.nav.last_page(self.page))

    def action_jump_page(self) -> None:
        if self.source is None or self.source.paging == "cursor" or self.page is None:
            return
        from tui.ui.screens.jump import JumpScreen

        last = self.page.paging.total_pages or 1
        self.app.push_screen(
            JumpScreen(self.request.page, last), lambda page: self.go_to_page(page)
        )

    def go_to_page(self, number: int | None) -> None:
        """Show page `number` of a page-number list (None, or the page shown: nothing)."""
        self._go(self.nav.jump(number))

    def action_page_size(self, step: int) -> None:
        if self.source is None:
            return
        size = next_page_size(self.request.per_page, step)
        if size is None:
            return
        self.fit_rows = False  # chosen: it no longer follows the terminal
        self._resize_page(size)

    def _resize_page(self, size: int, *, keep_pending: bool = False) -> None:
        """Pages of `size` rows, keeping the first row shown on its page (cursor lists: page 1).
        `keep_pending`: `n` pressed while the page loads still counts, at the new size."""
        if self.source is None:  # nothing shown yet: the size waits for a key
            self.request = self.request.with_(per_page=size, limit=size)
            return
        self._go(self.nav.resize(size), keep_pending=keep_pending)

    def on_resize(self) -> None:
        """While the page size follows the terminal, the first page re-fits the table's height.

        The height counted is the view's less its status line and the table's header: a notice
        or the search box, which come and go, do not change the page size.
        """
        table = next(iter(self.query(TaskTable).results(TaskTable)), None)
        if table is None or not self.fit_rows or self.size.height <= 0:
            return
        status = self.query_one(".status-line").outer_size.height
        rows = self.size.height - status - (table.header_height if table.show_header else 0)
        if not (self.nav.on_first_page and rows >= 1):
            return
        rows = min(rows, MAX_ROWS)
        if rows != self.request.per_page:  # the room often changes while the first page loads
            self._resize_page(rows, keep_pending=True)  # (the history's lines mount after it)

    def _go(self, changes: Changes | None, *, keep_pending: bool = False) -> None:
        """Go to the request these changes make (None: stay), from a kept copy if there is one."""
        if changes is None:
            return
        self._keep_leaving_page()
        self.nav.go(changes, keep_pending=keep_pending)
        self._show_pager(None, paint=False)  # painted with the rows, or after LOADING_DELAY
        if not self._flip_to_neighbour():
            self.refresh_now()

    # ------------------------------------------------------------------------- status line

    def _show_filter(self) -> None:
        status = self.nav.status_filter(self.source.filters) if self.source else None
        self.query_one(StatusFilter).show(status or "All")

    def _show_pager(self, page: Page[Row] | None, paint: bool = True) -> None:
        """Page line for the answered page, or for the request still in flight.

        For a request in flight (`paint=False`) the pager knows its text at once, but paints it
        with the rows (or with "loading…" if they are slow): one frame per page flip, not two.
        """
        info = page.paging if page else (self.page.paging if self.page else None)
        walk = page.walk if page else None
        if page is None and self.page is not None and self.request.status is not None:
            walk = self.page.walk  # the next page of a filtered walk is in flight
        if self.source is not None and self.source.paging == "cursor" and walk is not None:
            total = info.total if info else None
            self.pager.show_walk(
                walk.searched if page else None,  # a walk in flight: "searching…"
                total,
                bool(info and info.has_next),
                searching=page is None or walk.in_progress,
                paint=paint,
            )
        elif self.source is not None and self.source.paging == "cursor":
            total = info.total if info else None
            has_next = bool(info.has_next) if page else True
            self.pager.show_cursor(self.nav.shown_index, total, has_next, paint=paint)
        else:
            total_pages = info.total_pages if info else None
            total = info.total_count if info else None
            pending = self.nav.steps_ahead if page is None else 0  # `n` pressed before a page
            self.pager.show_number(self.request.page + pending, total_pages, total, paint=paint)
