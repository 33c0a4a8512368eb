"""Enkrypt AI client: datasets list + get-task, red-team list + get-task (page-number paging).

Arguments are validated before anything is sent, so a typo costs no request and gets a clear
InvalidArgument; answers are parsed with the msgspec wire models into provider-neutral Pages.
"""

from __future__ import annotations

import math
from typing import Any

from .base import (
    ENKRYPT_STATUSES,
    MAX_PER_PAGE,
    InvalidArgument,
    Page,
    PageInfo,
    PageRequest,
    ProtocolError,
    plausible_count,
)
from .client import ProviderClient
from .http import header_value
from .models import (
    DatasetsListResponse,
    DatasetTask,
    EnkryptPagination,
    RedteamListResponse,
    RedteamTask,
    convert,
    decode_record,
    trim_list,
)

DEFAULT_ENKRYPT_URL = "https://api.enkryptai.com"


class EnkryptClient(ProviderClient):
    """Datasets and red-team task queues of one Enkrypt account (one key serves both)."""

    provider = "enkrypt"
    default_url = DEFAULT_ENKRYPT_URL
    auth_header = "apikey"

    # ------------------------------------------------------------------------------ datasets

    async def list_datasets(self, request: PageRequest | None = None) -> Page[str]:
        """GET /datasets/list-tasks: dataset names of one page."""
        request = request or PageRequest()
        got = await self._http.get_json(
            "/datasets/list-tasks",
            params=_number_params(request),
            shape=trim_list("datasets", request.per_page, str),
        )
        answer = convert(got.obj, DatasetsListResponse)
        rows = list(answer.datasets)
        paging = _number_paging(answer.pagination, request, got.count)
        return Page(rows, paging, request, sent=got.sent, surplus=got.surplus)

    async def get_dataset_task(
        self, dataset: str | None = None, task_id: str | None = None
    ) -> DatasetTask:
        """GET /datasets/get-task by dataset name and/or task id (sent as headers)."""
        if dataset is None and task_id is None:
            raise InvalidArgument("get_dataset_task needs a dataset name or a task id")
        headers: dict[str, str | bytes] = {}
        if dataset is not None:
            headers["X-Enkrypt-Dataset"] = header_value("dataset name", dataset)
        if task_id is not None:
            headers["X-Enkrypt-Task-ID"] = header_value("task id", task_id)
        obj = await self._http.get_json("/datasets/get-task", headers=headers)
        return decode_record(_data(obj), DatasetTask, where="$.data")

    # ------------------------------------------------------------------------------ red team

    async def list_redteam(self, request: PageRequest | None = None) -> Page[RedteamTask]:
        """GET /redteam/list-tasks: red-team tasks of one page."""
        request = request or PageRequest()
        got = await self._http.get_json(
            "/redteam/list-tasks",
            params=_number_params(request),
            shape=trim_list("tasks", request.per_page),
        )
        answer = convert(got.obj, RedteamListResponse)
        rows = [
            decode_record(task, RedteamTask, where=f"$.tasks[{i}]")
            for i, task in enumerate(answer.tasks)
        ]
        paging = _number_paging(answer.pagination, request, got.count)
        return Page(rows, paging, request, sent=got.sent, surplus=got.surplus)

    async def get_redteam_task(self, task_id: str) -> RedteamTask:
        """GET /redteam/get-task with the id in X-Enkrypt-Task-ID; answer {"data": {...}}."""
        headers = {"X-Enkrypt-Task-ID": header_value("task id", task_id)}
        obj = await self._http.get_json("/redteam/get-task", headers=headers)
        return decode_record(_data(obj), RedteamTask, where="$.data")


def validate_number_request(request: PageRequest) -> None:
    """Raise InvalidArgument unless the page-number request is one the API accepts."""
    if isinstance(request.page, bool) or not isinstance(request.page, int) or request.page < 1:
        raise InvalidArgument(f"page must be an integer >= 1, got {request.page!r}")
    per_page = request.per_page
    if isinstance(per_page, bool) or not isinstance(per_page, int):
        raise InvalidArgument(f"per_page must be an integer, got {per_page!r}")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidArgument(f"per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}")
    if request.status is not None and request.status not in ENKRYPT_STATUSES:
        raise InvalidArgument(
            f"status must be one of {', '.join(ENKRYPT_STATUSES)} (case-sensitive), "
            f"got {request.status!r}"
        )


def _number_params(request: PageRequest) -> dict[str, str | int]:
    validate_number_request(request)
    params: dict[str, str | int] = {"page": request.page, "per_page": request.per_page}
    if request.status is not None:
        params["status"] = request.status
    return params


def _number_paging(p: EnkryptPagination, request: PageRequest, n_rows: int) -> PageInfo:
    """PageInfo with all six fields; any the server left out is derived from the rest."""
    page = p.page if p.page is not None else request.page
    per_page = p.per_page if p.per_page is not None else request.per_page
    # Rows before this page plus the rows on it: a smaller total is impossible, so unknown.
    seen = max(page - 1, 0) * max(per_page, 0) + n_rows if n_rows else 0
    total_count = plausible_count(p.total_count, seen)
    total_pages = plausible_count(p.total_pages)
    if total_pages is None and total_count is not None and per_page > 0:
        total_pages = math.ceil(total_count / per_page)
    if p.has_next is not None:
        has_next = p.has_next
    elif total_pages is not None:
        has_next = page < total_pages
    else:
        has_next = n_rows >= per_page > 0
    has_previous = p.has_previous if p.has_previous is not None else page > 1
    return PageInfo(
        kind="number",
        page=page,
        per_page=per_page,
        total_count=total_count,
        total_pages=total_pages,
        has_next=has_next,
        has_previous=has_previous,
    )


def _data(obj: Any) -> Any:
    """The `data` member of an {"data": {...}} answer, or ProtocolError naming it."""
    if not isinstance(obj, dict):
        raise ProtocolError("unexpected response: expected an object at `$`")
    if "data" not in obj:
        raise ProtocolError("unexpected response: missing required field `$.data`")
    return obj["data"]
