"""Nimble client: task list (cursor paging) and one task by id.

Same rules as the Enkrypt client: validate before sending, parse with the wire models, answer with
provider-neutral Pages. Nimble wants `Authorization: Bearer <key>`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .base import InvalidArgument, Page, PageInfo, PageRequest, plausible_count
from .client import ProviderClient
from .models import NimbleListResponse, NimbleTask, convert, decode_record, trim_list

DEFAULT_NIMBLE_URL = "https://sdk.nimbleway.com"


class NimbleClient(ProviderClient):
    """The web-data task queue of one Nimble account."""

    provider = "nimble"
    default_url = DEFAULT_NIMBLE_URL
    auth_header = "Authorization"
    auth_scheme = "Bearer"

    async def list_tasks(self, request: PageRequest | None = None) -> Page[NimbleTask]:
        """GET /v1/tasks?cursor=&limit=: one page of tasks, newest first as the server orders."""
        request = request or PageRequest()
        validate_cursor_request(request)
        params: dict[str, str | int] = {"limit": request.limit}
        if request.cursor is not None:
            params["cursor"] = request.cursor
        got = await self._http.get_json(
            "/v1/tasks", params=params, shape=trim_list("data", request.limit)
        )
        answer = convert(got.obj, NimbleListResponse)
        rows = [
            decode_record(task, NimbleTask, where=f"$.data[{i}]")
            for i, task in enumerate(answer.data)
        ]
        p = answer.pagination
        paging = PageInfo(
            kind="cursor",
            cursor=request.cursor,
            next_cursor=p.next_cursor,
            has_next=p.has_next,
            total=plausible_count(p.total, got.count),
            has_previous=request.cursor is not None,
        )
        return Page(rows, paging, request, sent=got.sent, surplus=got.surplus)

    async def get_task(self, task_id: str) -> NimbleTask:
        """GET /v1/tasks/{id}; the task may come bare or wrapped in {"task": …} / {"data": …}."""
        if not isinstance(task_id, str) or not task_id.strip():
            raise InvalidArgument("task id must be a non-empty string")
        segment = quote(task_id, safe="")
        if segment in (".", ".."):
            segment = segment.replace(".", "%2E")
        obj = await self._http.get_json(f"/v1/tasks/{segment}")
        body, where = _unwrap(obj)
        return decode_record(body, NimbleTask, where=where)


def validate_cursor_request(request: PageRequest) -> None:
    """Raise InvalidArgument unless the cursor request is one the API accepts."""
    limit = request.limit
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidArgument(f"limit must be an integer >= 1, got {limit!r}")
    if request.cursor is not None and (
        not isinstance(request.cursor, str) or not request.cursor.strip()
    ):
        raise InvalidArgument("cursor must be a non-empty string (or None for the first page)")


def _unwrap(obj: Any) -> tuple[Any, str]:
    if isinstance(obj, dict) and "id" not in obj:
        for wrapper in ("task", "data"):
            if isinstance(obj.get(wrapper), dict):
                return obj[wrapper], f"$.{wrapper}"
    return obj, "$"
