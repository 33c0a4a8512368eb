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

from tui.providers.base import Page, PageRequest
from tui.providers.sources import Row

#: Copies kept per tab: the previous and next page, and a couple more for back-and-forth.
KEEP = 4
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
