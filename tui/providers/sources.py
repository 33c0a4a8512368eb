"""One data source per tab: what a tick fetches and what the detail view shows, without Textual.

The app's tab views only know `TaskSource`; the differences between the three APIs (names-only
dataset lists that need per-row enrichment, cursor paging, server- vs client-side filters) stay here,
where they can be tested without a screen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from tui.base.statuses import TERMINAL

from .base import (
    ENKRYPT_STATUSES,
    NIMBLE_STATES,
    RETRYABLE,
    InvalidArgument,
    NotFound,
    Page,
    PageInfo,
    PageRequest,
    ProtocolError,
    ProviderError,
)
from .models import DatasetTask, NimbleTask, RedteamTask
from .walk import WALK_BUDGET, WALK_PAGE, walk_filtered
from .window import AimdWindow

#: A dataset task id starts with this; anything else a user names on the Datasets tab is a
#: dataset name (see DatasetsSource.find).
DATASET_TASK_PREFIX = "data-generation-"
#: Status words (case-folded) after which a task never changes again (tui.base.statuses).
TERMINAL_STATES = TERMINAL


def is_terminal(status: str | None) -> bool:
    return bool(status) and status.casefold() in TERMINAL_STATES


@dataclass(frozen=True, slots=True)
class Row:
    """One table row: a stable key, its status word (verbatim) and the record behind it."""

    key: str
    status: str
    record: Any


@dataclass(frozen=True, slots=True)
class Detail:
    """What the detail view shows: the freshest record, plus an optional calm note."""

    record: Any
    row: Row
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class TaskSource:
    """Base of the tab sources. What a tab is called and whose key it needs is its spec's
    (tui.tabs); a source only fetches."""

    paging: Literal["number", "cursor"] = "number"
    #: Filter cycle; None means "All". A filter applies to the whole list (on the server, or by
    #: walking its pages, see NimbleSource), never to the fetched page alone.
    filters: tuple[str | None, ...] = (None, *ENKRYPT_STATUSES)
    #: True when `fetch` accepts `partial=`: a callback given an early, incomplete page.
    partial_pages: bool = False

    async def fetch(self, request: PageRequest) -> Page[Row]:
        raise NotImplementedError

    def gives_partial(self, request: PageRequest) -> bool:
        """True when fetching `request` can give early pages to `partial=` (see `partial_pages`)."""
        return self.partial_pages

    def adopt(self, page: Page[Row]) -> None:
        """Take a page that another client of this API fetched (the start-up helper,
        tui.process.prefetch) as if this source had fetched it."""

    async def detail(self, row: Row) -> Detail:
        raise NotImplementedError

    async def find(self, key: str) -> Detail:
        """The task a user names by its key (`tasktop show`). Unlike `detail` there is no row
        whose last record could stand in, so a task the server does not know is NotFound."""
        raise NotImplementedError


class RedteamSource(TaskSource):
    """Page-number paging; the server filters by status."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def fetch(self, request: PageRequest) -> Page[Row]:
        page = await self.client.list_redteam(request)
        rows = [Row(t.task_id, t.status, t) for t in page.rows]
        return replace(page, rows=rows, request=request)

    async def detail(self, row: Row) -> Detail:
        try:
            fresh: RedteamTask = await self.client.get_redteam_task(row.key)
        except NotFound:
            return Detail(row.record, row, note="this server has no further detail for the task")
        return Detail(fresh, row)

    async def find(self, key: str) -> Detail:
        fresh: RedteamTask = await self.client.get_redteam_task(key)
        return Detail(fresh, Row(fresh.task_id, fresh.status, fresh))


class NimbleSource(TaskSource):
    """Cursor paging; the API has no status filter, so a filtered fetch walks the list's pages
    (`walk.walk_filtered`) until it has a screen of matches or its budget of list calls is spent."""

    paging = "cursor"
    filters = (None, *NIMBLE_STATES)
    partial_pages = True

    def __init__(
        self, client: Any, *, walk_budget: int = WALK_BUDGET, walk_page: int = WALK_PAGE
    ) -> None:
        self.client = client
        self.walk_budget = walk_budget
        self.walk_page = walk_page

    async def fetch(
        self, request: PageRequest, partial: Callable[[Page[Row]], None] | None = None
    ) -> Page[Row]:
        """One list page, or with a status filter one walk; `partial` gets the walk's progress."""
        if request.status is None:
            return await self._list(request)
        status = request.status
        return await walk_filtered(
            self._list,
            request,
            key=lambda row: row.key,
            keep=lambda row: row.status == status,
            budget=self.walk_budget,
            page_size=self.walk_page,
            progress=partial,
        )

    def gives_partial(self, request: PageRequest) -> bool:
        return request.status is not None  # only a walk has progress to show

    async def _list(self, request: PageRequest) -> Page[Row]:
        page = await self.client.list_tasks(request.with_(status=None))
        rows = [Row(t.id, t.state, t) for t in page.rows]
        return replace(page, rows=rows, request=request)  # sent/surplus kept (see models.trim_list)

    async def detail(self, row: Row) -> Detail:
        fresh: NimbleTask = await self.client.get_task(row.key)
        return Detail(fresh, row)

    async def find(self, key: str) -> Detail:
        fresh: NimbleTask = await self.client.get_task(key)
        return Detail(fresh, Row(fresh.id, fresh.state, fresh))


class DatasetsSource(TaskSource):
    """The list endpoint returns names only: each visible name is enriched with its get-task.

    Tasks in a terminal state are cached, so a steady page costs one list call plus one get-task per
    live dataset per tick. The get-task calls in flight are bounded by an AIMD window
    (window.AimdWindow) that hears every answer of the provider's client, so a 429 on any of
    its calls narrows it.
    """

    def __init__(self, client: Any, window: AimdWindow | None = None) -> None:
        self.client = client
        self._settled: dict[str, DatasetTask] = {}
        self.window = window or AimdWindow(f"{getattr(client, 'provider', '') or 'enkrypt'}"
                                           " enrichment")
        http = getattr(client, "http", None)
        if http is not None:
            http.listeners.append(self._heard)

    def _heard(self, error: ProviderError | None, seconds: float) -> None:
        if error is None or not isinstance(error, RETRYABLE):
            self.window.answered(seconds)  # a 404 is a clean answer too
        else:
            self.window.failed(f"{type(error).__name__} {error.status_code or ''}".strip())

    partial_pages = True

    async def fetch(
        self, request: PageRequest, partial: Callable[[Page[Row]], None] | None = None
    ) -> Page[Row]:
        """The page with each name's task. `partial`, if given, first gets the page as soon as
        the names are known: tasks already settled are filled in, the others have record None
        (so a new page can show its rows before the get-task calls come back)."""
        page = await self.client.list_datasets(request)
        names = list(dict.fromkeys(page.rows))  # a name listed twice is one row
        if partial is not None:
            early = [self._settled.get(name) for name in names]
            partial(
                Page(
                    [Row(n, t.status if t else "", t) for n, t in zip(names, early, strict=True)],
                    page.paging,
                    request,
                )
            )
        tasks = await asyncio.gather(*(self._task_for(name) for name in names))
        rows = [
            Row(name, task.status if task else "", task if task else name)
            for name, task in zip(names, tasks, strict=True)
        ]
        return replace(page, rows=rows, request=request)

    async def _task_for(self, name: str) -> DatasetTask | None:
        cached = self._settled.get(name)
        if cached is not None:
            return cached
        async with self.window.slot():
            try:
                task: DatasetTask = await self.client.get_dataset_task(dataset=name)
            except (NotFound, ProtocolError, InvalidArgument):
                # The name still shows; the detail view says what failed. InvalidArgument: a name
                # that cannot travel in a header (control characters) must not sink the whole tab.
                return None
        if is_terminal(task.status):
            self._settled[name] = task
        return task

    async def detail(self, row: Row) -> Detail:
        try:
            fresh = self._settled.get(row.key) or await self.client.get_dataset_task(
                dataset=row.key
            )
        except NotFound:
            return Detail(row.record, row, note="the server has no task for this dataset")
        return Detail(fresh, row)

    async def find(self, key: str) -> Detail:
        """By task id when `key` starts with DATASET_TASK_PREFIX, else by dataset name."""
        if key.startswith(DATASET_TASK_PREFIX):
            task: DatasetTask = await self.client.get_dataset_task(task_id=key)
        else:
            task = self._settled.get(key) or await self.client.get_dataset_task(dataset=key)
        return Detail(task, Row(task.dataset_name, task.status, task))

    def adopt(self, page: Page[Row]) -> None:
        """Settled tasks of the page go into the terminal-state cache, as if enriched here."""
        for row in page.rows:
            if isinstance(row.record, DatasetTask) and is_terminal(row.record.status):
                self._settled[row.key] = row.record

    def forget(self) -> None:
        """Drop the terminal-state cache (used when the profile or key changes)."""
        self._settled.clear()


def empty_page(kind: Literal["number", "cursor"], request: PageRequest) -> Page[Row]:
    return Page([], PageInfo(kind=kind), request)
