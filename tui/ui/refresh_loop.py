"""The refresh loop of a tab, mixed into TaskView: timer → one fetch → paint → the next timer.

One exclusive worker per tab fetches `request`; an answer whose generation is no longer current
is dropped; a success paints through `TaskTable.apply`, a failure keeps the last good rows dimmed
and schedules its retry. When the next fetch is due is `tui.core.refresh_schedule`'s answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work

from tui.core.delta import changed_keys
from tui.core.failure import explanation, headline
from tui.core.refresh_schedule import calls_per_tick
from tui.providers.base import Page, PageRequest, ProviderError
from tui.providers.sources import Row

if TYPE_CHECKING:
    from tui.ui.task_view import TaskView

#: Seconds a fetch may take before the badge says "loading…" (faster ones never flash it).
LOADING_DELAY = 0.15


class RefreshLoop:
    """Mixin for TaskView: its fetch, paint and timer."""

    def activate(self: TaskView) -> None:
        """The tab became visible: fetch now if its data is due, else wait out the rest."""
        self.active = True
        if self.source is None or self.paused:
            return
        wait = self.schedule.wait_on_activation(self.monotonic(), calls_per_tick(self.page))
        if wait is None:
            self.refresh_now()
        else:
            self._arm(wait)

    def deactivate(self: TaskView) -> None:
        """Hidden tabs do not tick (a fetch in flight may still land) unless watched in the
        background, where they poll at the slower `background_seconds`."""
        self.active = False
        self._disarm()
        self._stop_idle()
        self.badge.set_next(None)
        if self.background_seconds is not None:
            self._arm(self.background_seconds)

    def watch_in_background(self: TaskView, seconds: float, first_in: float = 1.0) -> None:
        """--watch-all: keep polling while hidden, every `seconds` (first poll after `first_in`)."""
        self.background_seconds = seconds
        if not self.active:
            self._arm(first_in if self.last_success is None else seconds)

    @property
    def fetching(self: TaskView) -> bool:
        """True while a list fetch of this tab is in flight."""
        return any(
            w.node is self and w.group == "fetch" and not w.is_finished for w in self.workers
        )

    @property
    def timer_armed(self: TaskView) -> bool:
        """True while a refresh (or retry) of this tab is scheduled."""
        return self._timer is not None

    def refresh_now(self: TaskView) -> None:
        """Fetch the current request now, superseding any fetch in flight."""
        if self.source is None:
            self.pager.flush()
            return
        self._disarm()
        generation = self.nav.supersede()
        self._start_loading_timer()
        self._fetch(self.request, generation)

    def _start_loading_timer(self: TaskView) -> None:
        # "loading…" shows only if the answer is slow: a fast tick repaints nothing but its
        # changes, instead of flashing the badge twice.
        self._stop_loading_timer()
        self._loading_timer = self.set_timer(LOADING_DELAY, self._show_loading)

    def _show_loading(self: TaskView) -> None:
        self._loading_timer = None
        self.badge.mark_loading()
        self.pager.flush()

    def _stop_loading_timer(self: TaskView) -> None:
        if self._loading_timer is not None:
            self._loading_timer.stop()
            self._loading_timer = None

    @work(exclusive=True, group="fetch")
    async def _fetch(self: TaskView, request: PageRequest, generation: int) -> None:
        # A superseded fetch's worker is cancelled, but its request lasts until the cancellation
        # has unwound (connection closed). The lock makes the next fetch wait for that, so a tab
        # never has two requests open; one superseded while it waited is never sent at all.
        async with self._fetch_lock:
            if not self.nav.current(generation) or self.source is None:
                return
            # A page not on screen yet: show what is known as soon as it is known.
            wants_partial = self.source.gives_partial(request) and not self._showing(request)
            partial = (lambda early: self._partial(early, generation)) if wants_partial else None
            page = await self._early_answer(request, partial)
            try:
                if page is None and partial is not None:
                    page = await self.source.fetch(request, partial=partial)
                elif page is None:
                    page = await self.source.fetch(request)
            except ProviderError as error:
                if self.nav.current(generation) and self._live:
                    self._failed(error)
                return
            if not self.nav.current(generation) or not self._live:
                return  # superseded (a newer page/filter was asked for), or the app is closing
            if self._walk_on(page):
                return  # the user already asked for a later page: this one is only a stepping stone
            self._succeeded(page)

    async def _early_answer(
        self: TaskView, request: PageRequest, partial: Callable[[Page[Row]], None] | None
    ) -> Page[Row] | None:
        """The start-up helper's page if it answers this very request (else None: ask the
        server); taken once."""
        early, self.early = self.early, None
        if early is None or self.source is None:
            return None
        if early.request != request:
            early.close()
            return None
        page = await early.take(partial)
        if page is not None:
            self.source.adopt(page)
        return page

    def _drop_early(self: TaskView) -> None:
        if self.early is not None:
            self.early.close()
            self.early = None

    def _showing(self: TaskView, request: PageRequest) -> bool:
        return self.page is not None and self.page.request == request

    def _partial(self: TaskView, page: Page[Row], generation: int) -> None:
        """An incomplete first look at a new page (datasets: names before their tasks)."""
        if not self.nav.current(generation) or not self._live or self._showing(page.request):
            return
        if self.steps_ahead > 0:
            return  # only a stepping stone to a later page
        self.table.apply(self._cells_for(page.rows), mark=False)
        if page.walk is not None:  # a filtered walk's progress: "searching… 1,200 of 9,400"
            self.notice(None)
            self._show_pager(page)
        else:
            self.notice(page.oversized or self._empty_note(page))

    def _walk_on(self: TaskView, page: Page[Row]) -> bool:
        """Cursor paging with `n` presses pending: go on to the next page instead of painting."""
        step = self.nav.walk_on(page)  # None: no presses pending, or the last page (paint it)
        if step is None:
            return False
        changes, steps = step
        self._go(changes)  # resets steps_ahead, like any navigation
        if self._showing(self.request):  # painted from a kept copy: take the other steps now
            for _ in range(steps):
                self.action_next_page()
            return True
        self.steps_ahead = steps
        self._show_pager(None)
        return True

    @property
    def _live(self: TaskView) -> bool:
        """False once the app or this view has started shutting down."""
        return self.is_attached and self.app.is_running and not (self._closing or self._closed)

    def _succeeded(self: TaskView, page: Page[Row]) -> None:
        for observe in self.page_observers:
            observe(page)
        self._stop_loading_timer()
        self.ticks += 1
        # Only a refresh of the same page marks changes; a new page or filter is not a change.
        same_view = self.page is not None and self.page.request == page.request
        self.page = page
        self.schedule.succeeded(self.monotonic())
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
        self._arm(self.schedule.interval * calls_per_tick(page))
        self._page_settled()

    @staticmethod
    def _empty_note(page: Page[Row]) -> str | None:
        if page.rows:
            return None
        if page.walk is not None and page.paging.has_next:
            return f"no {page.request.status} tasks among those searched — n searches further"
        return "no tasks on this page"

    def _cells_for(self: TaskView, rows: Sequence[Row]) -> list[tuple[str, list[Text]]]:
        """Each row's cells; on a timeless tab an unchanged record keeps last tick's cells, which
        TaskTable then skips without comparing them (most of a steady tick's work)."""
        now = self.now()
        cells = self.spec.cells
        if not self.spec.timeless:
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

    def _failed(self: TaskView, error: ProviderError) -> None:
        for observe in self.error_observers:
            observe(error)
        self._stop_loading_timer()
        self.pager.flush()
        now = self.monotonic()
        self.plan.note_failure(error, now)
        delay = self.schedule.failed(error, now)
        # The last good rows stay, dimmed; the badge says how old they are and when we retry.
        self.table.set_class(self.page is not None, "stale")
        self.badge.set_error(headline(error), self.retry_at)
        self.notice(explanation(error))
        self._arm(delay)

    def _arm(self: TaskView, delay: float) -> None:
        self._disarm()
        tick, show_next = self.schedule.ticking(self.source is not None)
        if tick:
            self._timer = self.set_timer(delay, self.refresh_now)
        self.badge.set_next(self.monotonic() + delay if show_next else None)

    def _disarm(self: TaskView) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

