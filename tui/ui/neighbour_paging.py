"""The Textual side of neighbour pages (tui/core/neighbours.py), mixed into TaskView.

Once a page has settled and no key has come for `neighbour_idle` seconds, the tab fetches the
next page once per visit (never on a refresh tick of the same page, never while hidden, paused,
failed or within RATE_LIMIT_QUIET of a 429) and keeps the page it leaves. The neighbour fetch
takes the tab's fetch lock, so a tab still never has two requests open; a flip to the page it is
fetching waits for that answer instead of asking again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.timer import Timer

import tui.core.neighbours
from tui.core.neighbours import Copy, Neighbours, next_request
from tui.providers.base import PageRequest, ProviderError, RateLimited
from tui.providers.sources import TaskSource

if TYPE_CHECKING:
    from tui.ui.task_view import TaskView

#: Seconds without a key after a page settles before its next page is fetched.
NEIGHBOUR_IDLE = 0.5
#: Seconds after a 429 during which no neighbour is fetched (only the visible page refreshes).
RATE_LIMIT_QUIET = 60.0


class NeighbourPaging:
    """Mixin for TaskView: `_init_neighbours` in __init__, then the hooks below."""

    def _init_neighbours(self: TaskView) -> None:
        self.neighbours = Neighbours()
        self.neighbour_idle = NEIGHBOUR_IDLE
        #: Idle moments considered, and neighbour pages fetched (tests count these).
        self.neighbour_checks = 0
        self.neighbour_fetches = 0
        self._idle_timer: Timer | None = None
        self._neighbour_visit: PageRequest | None = None  # the visit whose neighbour was fetched
        self._neighbour_in_flight: PageRequest | None = None
        self._rate_limited_at: float | None = None
        self._leaving: Copy | None = None  # the page a flip leaves (see _keep_leaving_page)

    # --------------------------------------------------------------------------- hooks

    def _page_settled(self: TaskView) -> None:
        """A page was painted from a complete answer: wait for an idle moment."""
        self._stop_idle()
        if self.active and tui.core.neighbours.ENABLED:
            self._idle_timer = self.set_timer(self.neighbour_idle, self._idle_moment)

    def _postpone_idle(self: TaskView) -> None:
        """A key came: the idle moment starts again from now."""
        if self._idle_timer is not None:
            self._page_settled()

    def _stop_idle(self: TaskView) -> None:
        if self._idle_timer is not None:
            self._idle_timer.stop()
            self._idle_timer = None

    def _note_failure(self: TaskView, error: ProviderError) -> None:
        if isinstance(error, RateLimited):
            self._rate_limited_at = self.monotonic()

    def _forget_neighbours(self: TaskView) -> None:
        """A new source (key or profile): no copy of the old one may be shown."""
        self._stop_idle()
        self.workers.cancel_group(self, "neighbour")
        self.neighbours.clear()
        self._neighbour_visit = self._neighbour_in_flight = None

    def _keep_leaving_page(self: TaskView) -> None:
        """Before the request changes: note the settled page on screen, kept for `b` (or `n`) by
        `_flip_to_neighbour` once it has taken the copy it flips to (so that copy is not the one
        a full cache drops)."""
        page = self.page
        self._leaving = None
        if (
            tui.core.neighbours.ENABLED and page is not None and page.request == self.request
            and page.walk is None and self.error is None and self.last_success is not None
        ):
            self._leaving = Copy(page, self.last_success)

    def _flip_to_neighbour(self: TaskView) -> bool:
        """Paint `self.request` from its copy (True), or wait for the neighbour fetch already
        asking for it (True), or leave it to a normal fetch (False)."""
        if self._neighbour_in_flight != self.request:
            self.workers.cancel_group(self, "neighbour")  # it would hold the fetch lock
        copy = self.neighbours.take(self.request)
        if self._leaving is not None:
            self.neighbours.keep(self._leaving.page, self._leaving.fetched_at)
            self._leaving = None
        if copy is None and self._neighbour_in_flight == self.request:
            from tui.ui.task_view import LOADING_DELAY

            self._disarm()
            self.generation += 1  # the old page's answer, if any, is dropped
            self._stop_loading_timer()
            self._loading_timer = self.set_timer(LOADING_DELAY, self._show_loading)
            return True  # `_fetch_neighbour` paints it when it lands
        if copy is None or self.source is None:
            return False
        self._disarm()
        self.generation += 1
        self._stop_loading_timer()
        self._succeeded(copy.page)
        self.last_success = copy.fetched_at
        self.badge.mark_updated(copy.fetched_at)
        age = self.monotonic() - copy.fetched_at
        if age >= self.refresh_seconds:
            self.refresh_now()  # shown at once, refreshed in the same flip
        else:
            self._arm(self.refresh_seconds - age)
        return True

    # ---------------------------------------------------------------------------- fetch

    def _idle_moment(self: TaskView) -> None:
        self._idle_timer = None
        self.neighbour_checks += 1
        wanted = self._neighbour_wanted()
        if wanted is not None and self.source is not None:
            self._neighbour_visit = self.request
            self._neighbour_in_flight = wanted
            self._fetch_neighbour(wanted, self.source)

    def _neighbour_wanted(self: TaskView) -> PageRequest | None:
        """The next page to fetch now, or None (see the module docstring for when not)."""
        if not self.active or self.paused or self.source is None or self.error is not None:
            return None
        limited = self._rate_limited_at
        if limited is not None and self.monotonic() - limited < RATE_LIMIT_QUIET:
            return None
        page = self.page
        if page is None or page.request != self.request or self.fetching:
            return None
        if self._neighbour_visit == self.request or self._neighbour_in_flight is not None:
            return None  # one neighbour per visit: a refresh tick of this page fetches none
        wanted = next_request(page, self.source.paging)
        if wanted is None or wanted in self.neighbours:
            return None
        return wanted

    @work(exclusive=True, group="neighbour")
    async def _fetch_neighbour(self: TaskView, request: PageRequest, source: TaskSource) -> None:
        try:
            async with self._fetch_lock:
                if source is not self.source:
                    return
                page = await source.fetch(request)
        except ProviderError as error:
            self._note_failure(error)
            self._neighbour_in_flight = None
            if self.request == request and not self._showing(request) and self._live:
                self.refresh_now()  # the user is waiting for this page: ask the normal way
            return
        finally:
            if self._neighbour_in_flight == request:
                self._neighbour_in_flight = None
        if source is not self.source or not self._live:
            return
        self.neighbour_fetches += 1
        self.neighbours.keep(page, self.monotonic())
        if self.request == request and not self._showing(request) and not self._walk_on(page):
            self._flip_to_neighbour()  # the user flipped here while it was on its way
