"""The Textual side of neighbour pages (tui/core/neighbours.py), mixed into TaskView.

Once a page has settled and no key has come for `neighbour_idle` seconds, the tab asks its
`NeighbourPlan` which page to fetch, and fetches it. The neighbour fetch takes the tab's fetch
lock, so a tab still never has two requests open; a flip to the page it is fetching waits for
that answer instead of asking again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.timer import Timer

import tui.core.neighbours
from tui.core.neighbours import NeighbourPlan
from tui.providers.base import PageRequest, ProviderError
from tui.providers.sources import TaskSource

if TYPE_CHECKING:
    from tui.ui.task_view import TaskView

#: Seconds without a key after a page settles before its next page is fetched.
NEIGHBOUR_IDLE = 0.5


class NeighbourPaging:
    """Mixin for TaskView: `_init_neighbours` in __init__, then the hooks below."""

    def _init_neighbours(self: TaskView) -> None:
        self.plan = NeighbourPlan()
        self.neighbours = self.plan.copies
        self.neighbour_idle = NEIGHBOUR_IDLE
        #: Idle moments considered, and neighbour pages fetched (tests count these).
        self.neighbour_checks = 0
        self.neighbour_fetches = 0
        self._idle_timer: Timer | None = None

    # --------------------------------------------------------------------------- hooks

    def _page_settled(self: TaskView) -> None:
        """A page was painted from a complete answer: wait for an idle moment."""
        self._stop_idle()
        if self.active and tui.core.neighbours.ENABLED:
            self._idle_timer = self.set_timer(self.neighbour_idle, self.idle_moment)

    def _postpone_idle(self: TaskView) -> None:
        """A key came: the idle moment starts again from now."""
        if self._idle_timer is not None:
            self._page_settled()

    def _stop_idle(self: TaskView) -> None:
        if self._idle_timer is not None:
            self._idle_timer.stop()
            self._idle_timer = None

    def _forget_neighbours(self: TaskView) -> None:
        """A new source (key or profile): no copy of the old one may be shown."""
        self._stop_idle()
        self.workers.cancel_group(self, "neighbour")
        self.plan.forget()

    def _keep_leaving_page(self: TaskView) -> None:
        """Before the request changes: the plan notes the settled page on screen."""
        schedule = self.schedule
        self.plan.note_leaving(
            self.page, self.request, schedule.last_success, schedule.error is not None
        )

    def _flip_to_neighbour(self: TaskView) -> bool:
        """Paint `self.request` from its copy (True), or wait for the neighbour fetch already
        asking for it (True), or leave it to a normal fetch (False)."""
        if self.plan.in_flight != self.request:
            self.workers.cancel_group(self, "neighbour")  # it would hold the fetch lock
        copy = self.plan.take(self.request)
        if copy is None and self.plan.in_flight == self.request:
            self._disarm()
            self.nav.supersede()  # the old page's answer, if any, is dropped
            self._start_loading_timer()
            return True  # `_fetch_neighbour` paints it when it lands
        if copy is None or self.source is None:
            return False
        self._disarm()
        self.nav.supersede()
        self._stop_loading_timer()
        self._succeeded(copy.page)
        self.schedule.last_success = copy.fetched_at
        self.badge.mark_updated(copy.fetched_at)
        age = self.monotonic() - copy.fetched_at
        if age >= self.refresh_seconds:
            self.refresh_now()  # shown at once, refreshed in the same flip
        else:
            self._arm(self.refresh_seconds - age)
        return True

    # ---------------------------------------------------------------------------- fetch

    def idle_moment(self: TaskView) -> None:
        """No key since the page settled: fetch its neighbour if the plan wants one."""
        self._idle_timer = None
        self.neighbour_checks += 1
        schedule = self.schedule
        wanted = None
        if self.source is not None:
            wanted = self.plan.wanted(
                self.page, self.request, self.source.paging,
                ready=self.active and not schedule.paused and schedule.error is None,
                fetching=self.fetching, now=self.monotonic(),
            )
        if wanted is not None and self.source is not None:
            self.plan.started(self.request, wanted)
            self._fetch_neighbour(wanted, self.source)

    @work(exclusive=True, group="neighbour")
    async def _fetch_neighbour(self: TaskView, request: PageRequest, source: TaskSource) -> None:
        try:
            async with self._fetch_lock:
                if source is not self.source:
                    return
                page = await source.fetch(request)
        except ProviderError as error:
            self.plan.note_failure(error, self.monotonic())
            self.plan.in_flight = None
            if self.request == request and not self._showing(request) and self._live:
                self.refresh_now()  # the user is waiting for this page: ask the normal way
            return
        finally:
            self.plan.landed(request)
        if source is not self.source or not self._live:
            return
        self.neighbour_fetches += 1
        self.plan.copies.keep(page, self.monotonic())
        if self.request == request and not self._showing(request) and not self._walk_on(page):
            self._flip_to_neighbour()  # the user flipped here while it was on its way
