"""Where a tab is in its list: the request on screen, the cursor stack, pending `n` presses.

Pure: no Textual, no clock. The tab view asks this model what a key means (`next_page`,
`cycle_filter`, `resize`, …); each answer is the set of `PageRequest` changes to go to (None:
the key does nothing here), which the view then fetches or paints from a kept copy. Generation
numbers let the view drop an answer to a request that has been superseded.
"""

from __future__ import annotations

from typing import Literal

from tui.providers.base import Page, PageRequest

PAGE_SIZES: tuple[int, ...] = (10, 25, 50, 100)
#: `next_page` on a cursor page still loading: its cursor to the next is not known yet.
LATER: Literal["later"] = "later"

Changes = dict[str, object]


def next_page_size(current: int, step: int) -> int | None:
    """The next of PAGE_SIZES above (step > 0) or below `current`, or None at either end."""
    if step > 0:
        size = next((s for s in PAGE_SIZES if s > current), current)
    else:
        size = next((s for s in reversed(PAGE_SIZES) if s < current), current)
    return None if size == current else size


class Navigation:
    """A tab's position: `request`, and for cursor lists the cursor that opens each page seen.

    `cursors[i]` opens page i (None: the first); `page_index` is the page asked for;
    `steps_ahead` counts `n` presses made while that page was loading, walked once it lands.
    """

    def __init__(self, request: PageRequest, paging: Literal["number", "cursor"] = "number"):
        self.request = request
        self.paging = paging
        self.cursors: list[str | None] = [None]
        self.page_index = 0
        self.steps_ahead = 0
        self.filter_index = 0
        self.generation = 0

    @property
    def cursor_paging(self) -> bool:
        return self.paging == "cursor"

    # ------------------------------------------------------------------------ generations

    def supersede(self) -> int:
        """A new request (or a new source): answers to older generations are dropped."""
        self.generation += 1
        return self.generation

    def current(self, generation: int) -> bool:
        return generation == self.generation

    # ---------------------------------------------------------------------------- moving

    def go(self, changes: Changes, *, keep_pending: bool = False) -> PageRequest:
        """Take a move: any navigation ends the walk of pending `n` presses, except a new page
        size that only follows the room (`keep_pending`)."""
        if not keep_pending:
            self.steps_ahead = 0
        self.request = self.request.with_(**changes)
        return self.request

    def restart(self, paging: Literal["number", "cursor"]) -> None:
        """A new source: first page, no filter, a fresh cursor stack."""
        self.supersede()
        self.paging = paging
        self.request = self.request.with_(page=1, cursor=None, status=None)
        self.cursors, self.page_index, self.filter_index = [None], 0, 0
        self.steps_ahead = 0

    def _to_cursor(self, index: int) -> Changes:
        self.page_index = index
        return {"cursor": self.cursors[index]}

    def _push_cursor(self, next_cursor: str) -> Changes:
        del self.cursors[self.page_index + 1 :]
        self.cursors.append(next_cursor)
        return self._to_cursor(self.page_index + 1)

    def loading(self, page: Page[object]) -> bool:
        """Cursor paging: the page asked for is not the one shown yet."""
        return page.request.cursor != self.cursors[self.page_index]

    def next_page(self, page: Page[object] | None) -> Changes | Literal["later"] | None:
        """`n` from `page` (the page on screen; None: the first is still loading): the move,
        LATER (counted in steps_ahead), or None."""
        if page is None:  # where the next page is, and whether there is one, comes with it
            self.steps_ahead += 1
            return LATER
        if self.cursor_paging:
            next_cursor = page.paging.next_cursor
            if not page.paging.has_next or not next_cursor:
                return None
            if self.loading(page):
                self.steps_ahead += 1
                return LATER
            return self._push_cursor(next_cursor)
        last = page.paging.total_pages or 0
        return {"page": self.request.page + 1} if self.request.page < last else None

    def previous_page(self) -> Changes | None:
        if self.cursor_paging:
            return self._to_cursor(self.page_index - 1) if self.page_index > 0 else None
        return {"page": self.request.page - 1} if self.request.page > 1 else None

    def first_page(self) -> Changes | None:
        if self.cursor_paging:
            return self._to_cursor(0) if self.page_index > 0 else None
        return {"page": 1} if self.request.page != 1 else None

    def last_page(self, page: Page[object]) -> Changes | None:
        """`G`: page-number lists only."""
        if self.cursor_paging:
            return None
        last = page.paging.total_pages or 1
        return {"page": last} if self.request.page != last else None

    def jump(self, number: int | None) -> Changes | None:
        return {"page": number} if number is not None and number != self.request.page else None

    def cycle_filter(self, filters: tuple[str | None, ...]) -> Changes:
        """The next status filter, from the first page (a filtered list has its own cursors)."""
        self.filter_index = (self.filter_index + 1) % len(filters)
        status = filters[self.filter_index]
        if self.cursor_paging:
            self.cursors, self.page_index = [None], 0
            return {"cursor": None, "status": status}
        return {"page": 1, "status": status}

    def status_filter(self, filters: tuple[str | None, ...]) -> str | None:
        return filters[self.filter_index]

    def resize(self, size: int) -> Changes:
        """Pages of `size` rows, keeping the first row shown on its page (cursor lists: page 1)."""
        if self.cursor_paging:
            self.cursors, self.page_index = [None], 0
            return {"per_page": size, "limit": size, "cursor": None}
        first_item = (self.request.page - 1) * self.request.per_page
        return {"page": first_item // size + 1, "per_page": size, "limit": size}

    @property
    def on_first_page(self) -> bool:
        """Only the first page follows the terminal's height."""
        return self.page_index == 0 and self.request.page == 1

    @property
    def shown_index(self) -> int:
        """Cursor paging: the page the pager names (pending `n` presses included)."""
        return self.page_index + self.steps_ahead

    def walk_on(self, page: Page[object]) -> tuple[Changes, int] | None:
        """A page landed with `n` presses pending: the move to its next page and the presses
        left after it, or None (none pending, or the last page: paint it). A page-number list
        takes all the presses at once, up to its last page."""
        if self.steps_ahead <= 0:
            return None
        if not self.cursor_paging:
            target = min(self.request.page + self.steps_ahead, page.paging.total_pages or 0)
            self.steps_ahead = 0
            return ({"page": target}, 0) if target > self.request.page else None
        next_cursor = page.paging.next_cursor
        if not page.paging.has_next or not next_cursor:
            self.steps_ahead = 0
            return None
        return self._push_cursor(next_cursor), self.steps_ahead - 1
