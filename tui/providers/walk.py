"""A status filter for a list the API cannot filter: walk its cursor pages, keep the matches.

Nimble's task list has no status parameter, so one filtered screen is built by reading list pages
from where the screen starts until it holds a screen of matches or a budget of list calls is spent.
Where the next screen starts (an API cursor, the last task shown, how far down the list that is)
travels as one opaque cursor string, so the tab's cursor stack and `n` / `b` / `g` carry it like
any API cursor.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from .base import InvalidArgument, Page, PageInfo, PageRequest, WalkStats

T = TypeVar("T")

#: List calls one walk may make (a screen, a refresh of it, or one `n`).
WALK_BUDGET = 20
#: Rows per list call while walking: the API's default page size. Round trips dominate a walk's
#: cost, so each call searches ten screens of ten; 20 calls search 2,000 tasks.
WALK_PAGE = 100

_PREFIX = "walk:"


@dataclass(frozen=True, slots=True)
class WalkCursor:
    """Where a filtered screen starts: read from API `cursor`, skip that page's tasks through
    key `after` (the last one the previous screen showed); `searched` tasks lie above."""

    cursor: str | None = None
    after: str | None = None
    searched: int = 0

    def encode(self) -> str:
        raw = json.dumps([self.cursor, self.after, self.searched], separators=(",", ":"))
        return _PREFIX + base64.urlsafe_b64encode(raw.encode()).decode()

    @classmethod
    def decode(cls, text: str | None) -> WalkCursor:
        """The position `text` names; None is the top, a plain API cursor its page's start."""
        if text is None:
            return cls()
        if not text.startswith(_PREFIX):
            return cls(cursor=text)
        try:
            cursor, after, searched = json.loads(base64.urlsafe_b64decode(text[len(_PREFIX) :]))
        except (ValueError, TypeError, binascii.Error) as error:
            raise InvalidArgument("not a cursor of a filtered walk") from error
        if not (
            isinstance(cursor, str | None)
            and isinstance(after, str | None)
            and isinstance(searched, int)
            and searched >= 0
        ):
            raise InvalidArgument("not a cursor of a filtered walk")
        return cls(cursor, after, searched)


ListPage = Callable[[PageRequest], Awaitable[Page[T]]]
Progress = Callable[[Page[T]], None]


async def walk_filtered(
    list_page: ListPage[T],
    request: PageRequest,
    *,
    key: Callable[[T], str],
    keep: Callable[[T], bool],
    budget: int = WALK_BUDGET,
    page_size: int = WALK_PAGE,
    progress: Progress[T] | None = None,
) -> Page[T]:
    """Up to `request.limit` rows that `keep` accepts, from the position `request.cursor` names.

    Reads at most `budget` list pages of `page_size`. The answer's `next_cursor` is where the next
    screen starts (right after the last row shown, even mid-page) and `has_next` says whether any
    rows lie beyond it; `walk` carries the stats. `progress` gets the matches so far after each
    list call that does not end the walk.

    Resuming after the last task shown reads on past pages that no longer hold it (new tasks at
    the top push it down); if it is not found at all (deleted), every row read is searched, so a
    match may show twice but none is skipped.
    """
    start = WalkCursor.decode(request.cursor)
    wanted = max(1, request.limit)
    cursor, skip_through, searched = start.cursor, start.after, start.searched
    matches: list[T] = []
    held: list[tuple[str | None, T]] = []  # rows read while looking for `skip_through`
    calls, total = 0, None
    while True:
        page = await list_page(PageRequest(cursor=cursor, limit=page_size))
        calls += 1
        total = page.paging.total
        next_cursor = page.paging.next_cursor if page.paging.has_next else None
        rows = [(cursor, row) for row in page.rows]  # each with the cursor that reads its page
        if skip_through is not None:
            keys = [key(row) for _, row in rows]
            if skip_through in keys:
                rows, held, skip_through = rows[keys.index(skip_through) + 1 :], [], None
            elif next_cursor and calls < budget:
                held += rows
                cursor = next_cursor
                continue
            else:
                rows, held, skip_through = held + rows, [], None
        filled_at = None
        for index, (_, row) in enumerate(rows):
            searched += 1
            if keep(row):
                matches.append(row)
                if len(matches) >= wanted:
                    filled_at = index
                    break
        if filled_at is not None and filled_at < len(rows) - 1:
            page_cursor, last = rows[filled_at]
            resume: WalkCursor | None = WalkCursor(page_cursor, key(last), searched)
            break
        if not next_cursor:
            resume = None  # the end of the list
            break
        cursor = next_cursor
        resume = WalkCursor(cursor, None, searched)
        if filled_at is not None or calls >= budget:
            break
        if progress is not None:
            progress(_answer(request, list(matches), total, resume, searched, calls, True))
    return _answer(request, matches, total, resume, searched, calls, False)


def _answer(
    request: PageRequest,
    rows: list[T],
    total: int | None,
    resume: WalkCursor | None,
    searched: int,
    calls: int,
    in_progress: bool,
) -> Page[T]:
    paging = PageInfo(
        kind="cursor",
        cursor=request.cursor,
        next_cursor=resume.encode() if resume is not None else None,
        has_next=resume is not None,
        total=total,
        has_previous=request.cursor is not None,
    )
    return Page(rows, paging, request, WalkStats(searched, calls, in_progress))
