"""Walk every page of a list, streaming: `tasktop list --all`, and the export of all pages.

Memory stays flat: each page is written (or yielded) as it arrives and dropped; the walk keeps only
the keys of its last pages (a task that slid onto the next page as new ones arrived is dropped)
and the cursors it was given.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.core.export import Format, new_row_file, record_to_dict
from tui.providers.base import Page, PageRequest, ProtocolError, ProviderError

#: Default page size when walking every page (the APIs' maximum).
ALL_PAGE_SIZE = 100
#: Stops a runaway walk: a million rows at the default page size.
DEFAULT_MAX_PAGES = 10_000
#: A walk drops a task seen on one of this many previous pages (it slid as new tasks arrived).
SLIDE_PAGES = 10


class PageLimitExceeded(ProviderError):
    """Walking every page would take more than `max_pages` requests (a runaway or looping API)."""

    kind = "too many pages"


@dataclass(slots=True)
class AllRows:
    """Every row of a walk, the number of pages fetched and the server's last total count."""

    rows: list[Any] = field(default_factory=list)
    pages: int = 0
    total: int | None = None


FetchPage = Callable[[PageRequest], Awaitable[Page[Any]]]
Progress = Callable[[int, int | None], object]


@dataclass(slots=True)
class WalkState:
    """How far a walk got: pages fetched, rows yielded and the server's last total count."""

    pages: int = 0
    rows: int = 0
    total: int | None = None


async def walk_pages(
    fetch_page: FetchPage,
    first_request: PageRequest,
    *,
    progress: Progress | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
    key: Callable[[Any], Hashable] | None = None,
    state: WalkState | None = None,
) -> AsyncIterator[list[Any]]:
    """The new rows of each page, page after page until the last one (see `fetch_all_pages`).

    Only the keys of the last `SLIDE_PAGES` pages are remembered, so a walk of any length holds
    a bounded number of keys; a task slides back by the number of tasks that arrived meanwhile,
    which would take more than `SLIDE_PAGES` pages of arrivals between two requests to miss.
    """
    request = first_request.with_(page=1, cursor=None)
    state = WalkState() if state is None else state
    recent: deque[set[Hashable]] = deque(maxlen=SLIDE_PAGES)
    seen_cursors: set[str] = set()
    while True:
        if state.pages >= max_pages:
            raise PageLimitExceeded(f"more than {max_pages} pages; stopped")
        page = await fetch_page(request)
        state.pages += 1
        fresh: list[Any] = []
        keys: set[Hashable] = set()
        for row in page.rows:
            if key is not None:
                k = key(row)
                if k in keys or any(k in earlier for earlier in recent):
                    continue  # a task that slid onto the next page while we walked
                keys.add(k)
            fresh.append(row)
        recent.append(keys)
        state.rows += len(fresh)
        info = page.paging
        state.total = info.total_items if info.total_items is not None else state.total
        if fresh:
            yield fresh
        if info.kind == "cursor":
            if progress is not None:
                progress(state.pages, None)
            if not info.has_next or not info.next_cursor:
                return
            if info.next_cursor in seen_cursors:
                raise ProtocolError("the server sent a cursor it already sent (paging loops)")
            seen_cursors.add(info.next_cursor)
            request = request.with_(cursor=info.next_cursor)
        else:
            total_pages = _total_pages(info, request)
            if progress is not None:
                progress(state.pages, total_pages)
            current = info.page or request.page
            more = current < total_pages if total_pages is not None else info.has_next
            if not more or not page.rows:
                return
            request = request.with_(page=current + 1)


async def fetch_all(
    fetch_page: FetchPage,
    first_request: PageRequest,
    *,
    progress: Progress | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
    key: Callable[[Any], Hashable] | None = None,
) -> AllRows:
    """Every row of a walk in memory (for a page count's worth; `export_all` streams instead)."""
    state = WalkState()
    result = AllRows()
    async for rows in walk_pages(fetch_page, first_request, progress=progress,
                                 max_pages=max_pages, key=key, state=state):
        result.rows.extend(rows)
    result.pages, result.total = state.pages, state.total
    return result


async def export_all(
    fetch_page: FetchPage,
    first_request: PageRequest,
    tab_id: str,
    fmt: Format,
    *,
    now: datetime,
    directory: Path | None = None,
    progress: Progress | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
    key: Callable[[Any], Hashable] | None = None,
) -> tuple[Path, WalkState]:
    """Walk every page into a fresh default-named file, one page in memory at a time.

    The file is created before the first request and removed if the walk fails. The CSV pass at
    the end (see `RowFile`) runs in a thread, so an event loop stays responsive.
    """
    state = WalkState()
    out = new_row_file(tab_id, fmt, now, directory)
    try:
        async for rows in walk_pages(fetch_page, first_request, progress=progress,
                                     max_pages=max_pages, key=key, state=state):
            out.write(record_to_dict(r) for r in rows)
        await asyncio.to_thread(out.close)
    except BaseException:
        out.discard()
        raise
    return out.path, state


async def fetch_all_pages(
    fetch_page: FetchPage,
    first_request: PageRequest,
    *,
    progress: Progress | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
    key: Callable[[Any], Hashable] | None = None,
) -> list[Any]:
    """All rows of a list, walking page numbers 1..total_pages or cursors until has_next is false.

    `first_request` gives page size, status filter and limit (its page/cursor are reset to the
    start). `progress(done_pages, total_pages or None)` is called after each page (None for cursor
    paging, whose page count is unknown). With `key`, a row whose key was already seen is dropped
    (rows shift between pages when new tasks arrive mid-walk). Raises the fetch's ProviderError,
    PageLimitExceeded after `max_pages`, or ProtocolError if cursors loop.
    """
    walk = await fetch_all(
        fetch_page, first_request, progress=progress, max_pages=max_pages, key=key
    )
    return walk.rows


def _total_pages(info: Any, request: PageRequest) -> int | None:
    if info.total_pages is not None:
        return int(info.total_pages)
    per_page = info.per_page or request.per_page
    if info.total_count is not None and per_page:
        return max(1, math.ceil(info.total_count / per_page))
    return None
