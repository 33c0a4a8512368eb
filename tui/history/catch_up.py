"""Catching up after a restart: what changed while tasktop was closed beyond the first page.

The "since …" line compares the pages a tab shows with the statuses the history stored. Two kinds
of change stay off the first page: tasks that were live when tasktop closed and have since been
pushed down by newer ones (often the failures an on-call engineer opened it for), and new tasks
beyond the first page. So once the first page has landed, a tab walks the following pages (lists
are newest first) until one holds a task it already knew, then asks for each stored live task it
has still not seen by its id, a few at a time. Both are bounded: a tab never spends more than `MAX_PAGES` list calls and
`MAX_LOOKUPS` lookups on this, and the caller learns whether the bound cut it short.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tui.core.export_walk import walk_pages
from tui.providers.base import NotFound, Page, PageRequest
from tui.providers.sources import is_terminal

#: List calls at most (the first page, already on screen, is not asked again).
MAX_PAGES = 5
#: Stored live tasks looked up by id at most, and at once.
MAX_LOOKUPS = 100
LOOKUPS_AT_ONCE = 4

FetchPage = Callable[[PageRequest], Awaitable[Page[Any]]]
FindRow = Callable[[str], Awaitable[Any]]


@dataclass(slots=True)
class CatchUpState:
    """How far a catch-up got (for the log, the line and tests)."""

    pages: int = 0  # list calls made
    lookups: int = 0  # tasks asked for by id
    cut_short: bool = False  # a bound stopped it with tasks left unchecked


async def catch_up(
    first_page: Page[Any],
    fetch_page: FetchPage,
    find_row: FindRow,
    stored: Mapping[str, str],
    *,
    seen: Callable[[str], bool],
    is_old: Callable[[Any], bool],
    state: CatchUpState | None = None,
    max_pages: int = MAX_PAGES,
    max_lookups: int = MAX_LOOKUPS,
) -> AsyncIterator[list[Any]]:
    """Batches of rows the first page did not show: the following pages' rows up to the first page
    with a row `is_old` (known before tasktop closed), then the stored live tasks not `seen` by
    then, looked up.

    `first_page` is the unfiltered first page already shown (reused, not fetched again);
    `find_row(task_id)` answers a Row (NotFound: the task is gone, skipped).
    """
    state = CatchUpState() if state is None else state
    first = first_page.request

    async def fetch(request: PageRequest) -> Page[Any]:
        if request == first.with_(page=1, cursor=None):
            return first_page
        state.pages += 1
        return await fetch_page(request)

    pages = walk_pages(fetch, first, key=lambda row: row.key, max_pages=max_pages + 1)
    try:
        async for rows in pages:
            if state.pages:
                yield rows
            if any(is_old(row) for row in rows):
                break
            if state.pages >= max_pages:
                state.cut_short = True
                break
    finally:
        await pages.aclose()

    missing = [key for key, status in stored.items() if not is_terminal(status) and not seen(key)]
    if len(missing) > max_lookups:
        state.cut_short = True
        missing = missing[:max_lookups]
    for start in range(0, len(missing), LOOKUPS_AT_ONCE):
        batch = missing[start:start + LOOKUPS_AT_ONCE]
        state.lookups += len(batch)
        answers = await asyncio.gather(*(_found(find_row, key) for key in batch))
        rows = [row for row in answers if row is not None]
        if rows:
            yield rows


async def _found(find_row: FindRow, key: str) -> Any:
    try:
        return await find_row(key)
    except NotFound:
        return None  # gone from the server: nothing to say about it
