"""Copies of the pages next to the one on screen, so `n` and `b` paint without a round trip.

Against an API 150 ms away every flip used to wait one round trip, even back to the page just
left. A tab keeps the page it leaves and, once idle, fetches the next one; flipping to a kept copy
paints it at once (and refreshes it in the same flip when it is older than the refresh interval).
Pure: no Textual; times are the view's monotonic clock.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

from tui.providers.base import Page, PageRequest, ProviderError, RateLimited
from tui.providers.sources import Row

#: Copies kept per tab: the previous and next page, and a couple more for back-and-forth.
KEEP = 4
#: Seconds after a 429 during which no neighbour is fetched (only the visible page refreshes).
RATE_LIMIT_QUIET = 60.0
#: False: tabs neither keep nor fetch neighbours (the test suite pins the plain fetch path with
#: it off, except in tests marked `neighbours`).
ENABLED = True


@dataclass(frozen=True, slots=True)
class Copy:
    page: Page[Row]
    fetched_at: float


class Neighbours:
    """A small LRU of answered pages, keyed by the exact request that fetched them."""

    def __init__(self, keep: int = KEEP) -> None:
        self.keep_at_most = keep
        self._copies: OrderedDict[PageRequest, Copy] = OrderedDict()

    def keep(self, page: Page[Row], fetched_at: float) -> None:
        self._copies.pop(page.request, None)
        self._copies[page.request] = Copy(page, fetched_at)
        while len(self._copies) > self.keep_at_most:
            self._copies.popitem(last=False)

    def take(self, request: PageRequest) -> Copy | None:
        """The copy of `request`, removed (it becomes the page on screen), or None."""
        return self._copies.pop(request, None)

    def peek(self, request: PageRequest) -> Copy | None:
        """The copy of `request`, left in place, or None."""
        return self._copies.get(request)

    def __contains__(self, request: PageRequest) -> bool:
        return request in self._copies

    def __len__(self) -> int:
        return len(self._copies)

    def clear(self) -> None:
        self._copies.clear()


def next_request(page: Page[Row], paging: Literal["number", "cursor"]) -> PageRequest | None:
    """The request `n` would make from `page`, or None on its last page (or a filtered walk,
    whose next screen may cost up to a walk's budget of calls)."""
    if page.walk is not None:
        return None
    info, request = page.paging, page.request
    if paging == "cursor":
        if not info.has_next or not info.next_cursor:
            return None
        return request.with_(cursor=info.next_cursor)
    if info.total_pages is None or request.page >= info.total_pages:
        return None
    return request.with_(page=request.page + 1)


class NeighbourPlan:
    """Which neighbour a tab fetches and which copy a flip paints from (the view's timers and
    workers carry it out).

    One neighbour per visit of a page: a refresh tick of the same page fetches none; nor does a
    tab that is not ready (hidden, paused, failed, no source), one within RATE_LIMIT_QUIET of a
    429, one whose page is still being fetched, or a filtered walk.
    """

    def __init__(self, keep: int = KEEP) -> None:
        self.copies = Neighbours(keep)
        self.visit: PageRequest | None = None  # the visit whose neighbour was fetched
        self.in_flight: PageRequest | None = None
        self.rate_limited_at: float | None = None
        self.leaving: Copy | None = None  # the page a flip leaves (see `note_leaving`)

    def note_failure(self, error: ProviderError, now: float) -> None:
        if isinstance(error, RateLimited):
            self.rate_limited_at = now

    def forget(self) -> None:
        """A new source (key or profile): no copy of the old one may be shown."""
        self.copies.clear()
        self.visit = self.in_flight = None

    def note_leaving(
        self, page: Page[Row] | None, request: PageRequest, settled_at: float | None,
        failed: bool,
    ) -> None:
        """Before the request changes: note the settled page on screen, kept by `take` once it
        has taken the copy it flips to (so that copy is not the one a full cache drops)."""
        self.leaving = None
        if (
            ENABLED and page is not None and page.request == request and page.walk is None
            and not failed and settled_at is not None
        ):
            self.leaving = Copy(page, settled_at)

    def take(self, request: PageRequest) -> Copy | None:
        """The copy to paint `request` from (removed), keeping the page being left."""
        copy = self.copies.take(request)
        if self.leaving is not None:
            self.copies.keep(self.leaving.page, self.leaving.fetched_at)
            self.leaving = None
        return copy

    def wanted(
        self, page: Page[Row] | None, request: PageRequest,
        paging: Literal["number", "cursor"], *, ready: bool, fetching: bool, now: float,
    ) -> PageRequest | None:
        """The next page to fetch now, or None."""
        if not ready:
            return None
        limited = self.rate_limited_at
        if limited is not None and now - limited < RATE_LIMIT_QUIET:
            return None
        if page is None or page.request != request or fetching:
            return None
        if self.visit == request or self.in_flight is not None:
            return None  # one neighbour per visit: a refresh tick of this page fetches none
        wanted = next_request(page, paging)
        if wanted is None or wanted in self.copies:
            return None
        return wanted

    def started(self, visit: PageRequest, wanted: PageRequest) -> None:
        self.visit, self.in_flight = visit, wanted

    def landed(self, request: PageRequest) -> None:
        """The fetch of `request` ended (answered or failed)."""
        if self.in_flight == request:
            self.in_flight = None
