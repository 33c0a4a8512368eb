"""One tab of the monitor: status line, live task table, detail pane, and the refresh loop.

The loop (README, Architecture): timer → one exclusive worker → `source.fetch(request)` → back on
the UI thread, `TaskTable.apply()` diffs by key → badge → the next timer is armed only once the
fetch has finished, so fetches never overlap. Every request carries a generation number; an answer
whose generation is no longer current (page, filter or size changed meanwhile) is dropped unseen.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import WorkerCancelled

from tui.core.delta import changed_keys
from tui.core.failure import explanation, headline
from tui.core.page_fit import MAX_ROWS
from tui.providers.base import AuthError, Page, PageRequest, ProviderError, RateLimited
from tui.providers.sources import Row, TaskSource
from tui.ui.neighbour_paging import NeighbourPaging
from tui.ui.presenters import CELLS, COLUMNS, DETAILS, TIMELESS
from tui.ui.timeline_text import timeline_text
from widgets.detail_pane import DetailPane
from widgets.pager import Pager
from widgets.refresh_badge import RefreshBadge
from widgets.status_filter import StatusFilter
from widgets.task_table import TaskTable
from widgets.text import literal

PAGE_SIZES: tuple[int, ...] = (10, 25, 50, 100)
MAX_BACKOFF = 60.0
#: Seconds a fetch may take before the badge says "loading…" (faster ones never flash it).
LOADING_DELAY = 0.15


class TaskView(NeighbourPaging, Vertical):
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

    detail_key: reactive[str | None] = reactive(None, init=False)

    def __init__(
        self,
        tab_id: str,
        source: TaskSource | None,
        *,
        refresh_seconds: float,
        key_label: str,
        now: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
        per_page: int = 10,
        fit_rows: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="task-view")
        self.tab_id = tab_id
        self.source = source
        self.refresh_seconds = refresh_seconds
        self.key_label = key_label
        self.now = now
        self.monotonic = monotonic
        self.request = PageRequest.first(per_page)
        #: The page size follows the table's height (no --per-page, no +/- yet); see `on_resize`.
        self.fit_rows = fit_rows
        self.cursors: list[str | None] = [None]  # cursor paging: the cursor that opens page i
        self.page_index = 0
        #: Cursor paging: `n` presses made while page_index was loading, walked once it lands.
        self.steps_ahead = 0
        self.generation = 0
        self.paused = False
        self.active = False
        self.page: Page[Row] | None = None
        self.rows_by_key: dict[str, Row] = {}
        self.last_success: float | None = None
        self.failures = 0
        self.error: ProviderError | None = None
        #: Monotonic time of the retry a failure scheduled (kept across tab switches).
        self.retry_at: float | None = None
        self.ticks = 0
        #: With --watch-all, hidden tabs keep polling at this slower interval (None: they idle).
        self.background_seconds: float | None = None
        self._timer: Timer | None = None
        self._loading_timer: Timer | None = None
        self._fetch_lock = asyncio.Lock()
        self._filter_index = 0
        self._notice: str | None = None  # what the notice line shows (None: not set yet)
        #: False until on_mount: a late-built tab can be told its key or a notice while its
        #: children do not exist yet, and on_mount shows what it was told.
        self._ready = False
        self._early_notice: str | None = None
        self._composed_label = key_label
        self._search_text = ""
        self._cells_cache: dict[str, tuple[object, list[Text]]] = {}
        self._detail: DetailPane | None = None
        self._opened_rows: dict[str, Row] = {}  # opened from elsewhere (not on this page)
        self._search_input: Input | None = None
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
        self.table.set_columns(COLUMNS[self.tab_id])
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
        return "nimble" if self.tab_id == "nimble" else "enkrypt"

    def set_source(self, source: TaskSource | None, key_label: str) -> None:
        """A new key (so a new client) for this tab: start over from the first page."""
        self._disarm()
        self._forget_neighbours()
        self.generation += 1  # whatever the old client still answers is dropped
        self.source = source
        self.key_label = key_label
        self.request = self.request.with_(page=1, cursor=None, status=None)
        self.cursors, self.page_index, self._filter_index = [None], 0, 0
        self.steps_ahead = 0
        self.page, self.last_success, self.failures, self.error = None, None, 0, None
        self.notice(self._no_key_notice())
        if not self._ready:
            return  # still being built: on_mount shows the new key
        self.query_one(".key-label", Static).update(literal(key_label, single_line=True))
        self._show_filter()
        self.badge.display = source is not None
        if self.active:
            self.refresh_now()

    def action_set_key(self) -> None:
        reason = None
        if isinstance(self.error, AuthError):
            reason = f"the current key was refused: {self.error.message}"
        self.app.open_key_dialog(self.provider, reason)  # type: ignore[attr-defined]

    @property
    def table(self) -> TaskTable:
        return self.query_one(TaskTable)

    @property
    def badge(self) -> RefreshBadge:
        return self.query_one(RefreshBadge)

    @property
    def pager(self) -> Pager:
        return self.query_one(Pager)

    @property
    def detail(self) -> DetailPane:
        """The detail pane, mounted the first time it is asked for (it shows what it is given
        once its children exist)."""
        if self._detail is None:
            self._detail = DetailPane(classes="detail")
            self.query_one(".body", Horizontal).mount(self._detail)
        return self._detail

    async def _search_box(self) -> Input:
        """The search box, mounted above the notice line the first time it is asked for."""
        if self._search_input is None:
            self._search_input = Input(
                placeholder="search this page (escape clears)", classes="search"
            )
            await self.mount(self._search_input, before=self.query_one(".notice"))
        return self._search_input

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

    # ------------------------------------------------------------------------ refresh loop

    def activate(self) -> None:
        """The tab became visible: fetch now if its data is due, else wait out the rest."""
        self.active = True
        if self.source is None or self.paused:
            return
        due = self._next_due()
        if due is None or due <= self.monotonic():
            self.refresh_now()
        else:
            self._arm(due - self.monotonic())

    def deactivate(self) -> None:
        """Hidden tabs do not tick (a fetch in flight may still land) unless watched in the
        background, where they poll at the slower `background_seconds`."""
        self.active = False
        self._disarm()
        self._stop_idle()
        self.badge.set_next(None)
        if self.background_seconds is not None:
            self._arm(self.background_seconds)

    def watch_in_background(self, seconds: float, first_in: float = 1.0) -> None:
        """--watch-all: keep polling while hidden, every `seconds` (first poll after `first_in`)."""
        self.background_seconds = seconds
        if not self.active:
            self._arm(first_in if self.last_success is None else seconds)

    @property
    def _interval(self) -> float:
        """Seconds between ticks: the refresh interval, or the slower background one if hidden."""
        if not self.active and self.background_seconds is not None:
            return self.background_seconds
        return self.refresh_seconds

    @property
    def _calls_per_tick(self) -> int:
        """List calls the current page's fetch made: more than one for a filtered walk, whose
        ticks come that many intervals apart so the tab's request rate stays that of one call."""
        walk = self.page.walk if self.page is not None else None
        return max(1, walk.calls) if walk is not None else 1

    def _next_due(self) -> float | None:
        if self.error is not None and self.retry_at is not None:
            return self.retry_at  # a failed tab waits out its retry (Retry-After) even if hidden
        if self.last_success is None:
            return None
        return self.last_success + self.refresh_seconds * self._calls_per_tick

    @property
    def fetching(self) -> bool:
        """True while a list fetch of this tab is in flight."""
        return any(
            w.node is self and w.group == "fetch" and not w.is_finished for w in self.app.workers
        )

    def refresh_now(self) -> None:
        """Fetch the current request now, superseding any fetch in flight."""
        if self.source is None:
            self.pager.flush()
            return
        self._disarm()
        self.generation += 1
        # "loading…" shows only if the answer is slow: a fast tick repaints nothing but its
        # changes, instead of flashing the badge twice.
        self._stop_loading_timer()
        self._loading_timer = self.set_timer(LOADING_DELAY, self._show_loading)
        self._fetch(self.request, self.generation)

    def _show_loading(self) -> None:
        self._loading_timer = None
        self.badge.mark_loading()
        self.pager.flush()

    def _stop_loading_timer(self) -> None:
        if self._loading_timer is not None:
            self._loading_timer.stop()
            self._loading_timer = None

    @work(exclusive=True, group="fetch")
    async def _fetch(self, request: PageRequest, generation: int) -> None:
        # A superseded fetch's worker is cancelled, but its request lasts until the cancellation
        # has unwound (connection closed). The lock makes the next fetch wait for that, so a tab
        # never has two requests open; one superseded while it waited is never sent at all.
        async with self._fetch_lock:
            if generation != self.generation or self.source is None:
                return
            try:
                if self.source.gives_partial(request) and not self._showing(request):
                    # A page not on screen yet: show what is known as soon as it is known.
                    page = await self.source.fetch(
                        request, partial=lambda early: self._partial(early, generation)
                    )
                else:
                    page = await self.source.fetch(request)
            except ProviderError as error:
                if generation == self.generation and self._live:
                    self._failed(error)
                return
            if generation != self.generation or not self._live:
                return  # superseded (a newer page/filter was asked for), or the app is closing
            if self._walk_on(page):
                return  # the user already asked for a later page: this one is only a stepping stone
            self._succeeded(page)

    def _showing(self, request: PageRequest) -> bool:
        return self.page is not None and self.page.request == request

    def _partial(self, page: Page[Row], generation: int) -> None:
        """An incomplete first look at a new page (datasets: names before their tasks)."""
        if generation != self.generation or not self._live or self._showing(page.request):
            return
        if self.steps_ahead > 0:
            return  # only a stepping stone to a later page
        self.table.apply(self._cells_for(page.rows), mark=False)
        if page.walk is not None:  # a filtered walk's progress: "searching… 1,200 of 9,400"
            self.notice(None)
            self._show_pager(page)
        else:
            self.notice(page.oversized or self._empty_note(page))

    def _walk_on(self, page: Page[Row]) -> bool:
        """Cursor paging with `n` presses pending: go on to the next page instead of painting."""
        if self.steps_ahead <= 0:
            return False
        next_cursor = page.paging.next_cursor
        if not page.paging.has_next or not next_cursor:
            self.steps_ahead = 0  # the last page: paint it
            return False
        steps = self.steps_ahead - 1
        del self.cursors[self.page_index + 1 :]
        self.cursors.append(next_cursor)
        self._go_cursor(self.page_index + 1)  # resets steps_ahead, like any navigation
        if self._showing(self.request):  # painted from a kept copy: take the other steps now
            for _ in range(steps):
                self.action_next_page()
            return True
        self.steps_ahead = steps
        self._show_pager(None)
        return True

    @property
    def _live(self) -> bool:
        """False once the app or this view has started shutting down."""
        return self.is_attached and not (self._closing or self._closed or self.app._closing)

    def _succeeded(self, page: Page[Row]) -> None:
        self._stop_loading_timer()
        self.ticks += 1
        # Only a refresh of the same page marks changes; a new page or filter is not a change.
        same_view = self.page is not None and self.page.request == page.request
        self.page = page
        self.failures = 0
        self.error = None
        self.retry_at = None
        self.last_success = self.monotonic()
        before, self.rows_by_key = self.rows_by_key, {row.key: row for row in page.rows}
        mark = changed_keys(before, page.rows) if same_view else False
        self.table.apply(self._cells_for(page.rows), mark=mark)
        self.table.remove_class("stale")
        self.badge.clear_error()
        self.badge.mark_updated(self.last_success)
        self.notice(page.oversized or self._empty_note(page))
        self._show_pager(page)
        self._show_search()
        self.post_message(self.Counted(self, page.paging.total_items))
        if self.detail_key is not None:
            self._load_detail(self.detail_key)
        self._arm(self._interval * self._calls_per_tick)
        self._page_settled()

    @staticmethod
    def _empty_note(page: Page[Row]) -> str | None:
        if page.rows:
            return None
        if page.walk is not None and page.paging.has_next:
            return f"no {page.request.status} tasks among those searched — n searches further"
        return "no tasks on this page"

    def _cells_for(self, rows: Sequence[Row]) -> list[tuple[str, list[Text]]]:
        """Each row's cells; on a timeless tab an unchanged record keeps last tick's cells, which
        TaskTable then skips without comparing them (most of a steady tick's work)."""
        now = self.now()
        cells = CELLS[self.tab_id]
        if self.tab_id not in TIMELESS:
            return [(row.key, cells(row, now)) for row in rows]
        previous, kept = self._cells_cache, {}
        out = []
        for row in rows:
            hit = previous.get(row.key)
            value = hit[1] if hit is not None and hit[0] == row.record else cells(row, now)
            kept[row.key] = (row.record, value)
            out.append((row.key, value))
        self._cells_cache = kept
        return out

    def _failed(self, error: ProviderError) -> None:
        self._stop_loading_timer()
        self.pager.flush()
        self.failures += 1
        self.error = error
        self._note_failure(error)
        delay = self._retry_delay(error)
        self.retry_at = self.monotonic() + delay
        # The last good rows stay, dimmed; the badge says how old they are and when we retry.
        self.table.set_class(self.page is not None, "stale")
        self.badge.set_error(headline(error), self.retry_at)
        self.notice(explanation(error))
        self._arm(delay)

    def _retry_delay(self, error: ProviderError) -> float:
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return min(MAX_BACKOFF, max(0.0, error.retry_after))
        return min(MAX_BACKOFF, self.refresh_seconds * 2 ** (self.failures - 1))

    def _arm(self, delay: float) -> None:
        self._disarm()
        if self.paused or self.source is None:
            self.badge.set_next(None)
            return
        if not self.active:
            if self.background_seconds is not None:  # watched while hidden: slower, no badge
                self._timer = self.set_timer(delay, self.refresh_now)
            self.badge.set_next(None)
            return
        self._timer = self.set_timer(delay, self.refresh_now)
        self.badge.set_next(self.monotonic() + delay)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

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
        self._filter_index = (self._filter_index + 1) % len(self.source.filters)
        status = self.source.filters[self._filter_index]
        if self.source.paging == "cursor":
            self.cursors, self.page_index = [None], 0  # a filtered list has its own cursors
            self._go(cursor=None, status=status)
        else:
            self._go(page=1, status=status)
        self._show_filter()

    def action_next_page(self) -> None:
        if self.page is None or self.source is None:
            return
        if self.source.paging == "cursor":
            next_cursor = self.page.paging.next_cursor
            if not self.page.paging.has_next or not next_cursor:
                return
            if self.page.request.cursor != self.cursors[self.page_index]:
                # The page at page_index is still loading: its cursor to the next is not known
                # yet. Remember the press; `_walk_on` takes the step when the page lands.
                self.steps_ahead += 1
                self._show_pager(None)
                return
            del self.cursors[self.page_index + 1 :]
            self.cursors.append(next_cursor)
            self._go_cursor(self.page_index + 1)
        else:
            last = self.page.paging.total_pages or 0
            if self.request.page < last:
                self._go(page=self.request.page + 1)

    def action_previous_page(self) -> None:
        if self.source is None:
            return
        if self.source.paging == "cursor":
            if self.page_index > 0:
                self._go_cursor(self.page_index - 1)
        elif self.request.page > 1:
            self._go(page=self.request.page - 1)

    def action_first_page(self) -> None:
        if self.source is None:
            return
        if self.source.paging == "cursor":
            if self.page_index > 0:
                self._go_cursor(0)
        elif self.request.page != 1:
            self._go(page=1)

    def action_last_page(self) -> None:
        if self.source is None or self.page is None or self.source.paging == "cursor":
            return
        last = self.page.paging.total_pages or 1
        if self.request.page != last:
            self._go(page=last)

    def action_jump_page(self) -> None:
        if self.source is None or self.source.paging == "cursor" or self.page is None:
            return
        from tui.ui.screens.jump import JumpScreen

        last = self.page.paging.total_pages or 1

        def jump(page: int | None) -> None:
            if page is not None and page != self.request.page:
                self._go(page=page)

        self.app.push_screen(JumpScreen(self.request.page, last), jump)

    def action_page_size(self, step: int) -> None:
        if self.source is None:
            return
        current = self.request.per_page
        if step > 0:
            size = next((s for s in PAGE_SIZES if s > current), current)
        else:
            size = next((s for s in reversed(PAGE_SIZES) if s < current), current)
        if size == current:
            return
        self.fit_rows = False  # chosen: it no longer follows the terminal
        self._resize_page(size)

    def _resize_page(self, size: int) -> None:
        """Pages of `size` rows, keeping the first row shown on its page (cursor lists: page 1)."""
        current = self.request.per_page
        if self.source is None:  # nothing shown yet: the size waits for a key
            self.request = self.request.with_(per_page=size, limit=size)
            return
        if self.source.paging == "cursor":
            self.cursors = [None]
            self.page_index = 0
            self._go(per_page=size, limit=size, cursor=None)
        else:
            first_item = (self.request.page - 1) * current
            self._go(page=first_item // size + 1, per_page=size, limit=size)

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
        if not (self.page_index == 0 and self.request.page == 1 and rows >= 1):
            return
        rows = min(rows, MAX_ROWS)
        if rows != self.request.per_page:
            self._resize_page(rows)

    def _go_cursor(self, index: int) -> None:
        self.page_index = index
        self._go(cursor=self.cursors[index])

    def _go(self, **changes: object) -> None:
        self.steps_ahead = 0
        self._keep_leaving_page()
        self.request = self.request.with_(**changes)
        self._show_pager(None, paint=False)  # painted with the rows, or after LOADING_DELAY
        if not self._flip_to_neighbour():
            self.refresh_now()

    # ------------------------------------------------------------------------- status line

    def _show_filter(self) -> None:
        status = self.source.filters[self._filter_index] if self.source else None
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
            self.pager.show_cursor(
                self.page_index + self.steps_ahead, total, has_next, paint=paint
            )
        else:
            total_pages = info.total_pages if info else None
            total = info.total_count if info else None
            self.pager.show_number(self.request.page, total_pages, total, paint=paint)

    # ------------------------------------------------------------------------------ detail

    def on_task_table_opened(self, event: TaskTable.Opened) -> None:
        event.stop()
        if event.key in self.rows_by_key:
            self.detail_key = event.key

    def take_focus(self) -> None:
        """Focus what this tab shows, now (keys already queued land here): the table, or the
        detail pane where it replaces the table. A hidden tab never takes the focus."""
        if not self.active or not self.is_attached:
            return
        table = self.table
        target = self.detail if self.detail_key is not None and not table.display else table
        table.screen.set_focus(target)

    def watch_detail_key(self, key: str | None) -> None:
        self.set_class(key is not None, "-detail-open")
        if key is None:
            self.take_focus()
        else:
            # Narrow: the pane replaces the table, and takes its focus once the CSS says so.
            self.call_after_refresh(self.take_focus)
            self._load_detail(key)

    def action_close_detail(self) -> None:
        if self.detail_key is not None:
            self.detail_key = None
        elif self.table.search:
            self._end_search(clear=True)

    # ----------------------------------------------------------------------- sort / search

    def action_cycle_sort(self) -> None:
        self.table.cycle_sort()

    def action_reverse_sort(self) -> None:
        if self.table.sort_column is not None:
            self.table.sort_by(self.table.sort_column, not self.table.sort_reverse)

    async def action_search(self) -> None:
        box = await self._search_box()
        box.display = True
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.has_class("search"):
            event.stop()
            self.table.set_search(event.value)
            self._show_search()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.has_class("search"):
            event.stop()
            self._end_search(clear=not event.value)

    def on_key(self, event) -> None:  # noqa: ANN001 - textual.events.Key
        self._postpone_idle()
        if event.key == "escape" and isinstance(self.app.focused, Input) and (
            self.app.focused.has_class("search")
        ):
            event.stop()
            self._end_search(clear=True)

    def _end_search(self, clear: bool) -> None:
        box = self._search_input
        if clear:
            self.table.set_search("")
        if box is not None:
            if clear:
                box.value = ""
            box.display = False
        self._show_search()
        self.table.focus()

    def _show_search(self) -> None:
        table = self.table
        text = (
            f"search: {table.search} ({table.row_count} of {table.source_count})"
            if table.search
            else ""
        )
        if text != self._search_text:  # unchanged on most ticks: no repaint, no re-layout
            self._search_text = text
            self.query_one(".search-label", Static).update(literal(text, single_line=True))

    def open_row(self, row: Row) -> None:
        """Open the detail of a task that may not be on the current page (the Changes view)."""
        self._opened_rows = {row.key: row}
        if self.detail_key == row.key:
            self._load_detail(row.key)
        self.detail_key = row.key

    @work(exclusive=True, group="detail")
    async def _load_detail(self, key: str) -> None:
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
            self.detail.show(**DETAILS[self.tab_id](detail, self.now()))

    @work(thread=True, exclusive=True, group="timeline")
    def _load_timeline(self, key: str) -> None:
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

    def _show_timeline(self, key: str, text: Text | None) -> None:
        if self.detail_key == key and self._live:
            self.detail.show_timeline("Timeline (tasktop's history)", text)
