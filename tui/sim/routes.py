"""The six vendor endpoints as plain functions: (path, query, headers) -> status + JSON payload.

No sockets here, so the HTTP layer (server.py) stays a thin shell and the contract logic (auth,
parameter checks, pagination arithmetic, error bodies) reads in one place next to the specs.
"""

from __future__ import annotations

import hmac
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .tasks import render_redteam
from .world import World

ENKRYPT_STATUSES = ("Queued", "Running", "Finished", "Failed")
PAGINATION_ERROR = (
    "Invalid pagination parameters. Page must be >= 1, per_page must be between 1 and 100"
)
STATUS_ERROR = "Invalid status. Must be one of: " + ", ".join(ENKRYPT_STATUSES)
ENKRYPT_UNAUTHORIZED = {"message": "Unauthorized: invalid or missing apikey"}
NIMBLE_UNAUTHORIZED = {"status": "failed", "msg": "Unauthorized"}

_INT = re.compile(r"[+-]?\d{1,18}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass(slots=True)
class Answer:
    status: int
    payload: Any
    headers: dict[str, str] = field(default_factory=dict)


def vendor_of(path: str) -> str | None:
    """'enkrypt', 'nimble', or None for a path no vendor serves."""
    if path.startswith(("/datasets/", "/redteam/")):
        return "enkrypt"
    if path == "/v1" or path.startswith("/v1/"):
        return "nimble"
    return None


class Api:
    """Answers API requests from a World at the simulated second `now()` returns."""

    def __init__(
        self, world: World, now: Callable[[], float], *, enkrypt_key: str, nimble_key: str
    ) -> None:
        self.world = world
        self.now = now
        self.enkrypt_key = enkrypt_key
        self.nimble_key = nimble_key
        self._routes: dict[str, Callable[[Mapping[str, list[str]], Mapping[str, str]], Answer]] = {
            "/datasets/list-tasks": self.datasets_list,
            "/datasets/get-task": self.datasets_get,
            "/redteam/list-tasks": self.redteam_list,
            "/redteam/get-task": self.redteam_get,
            "/v1/tasks": self.nimble_list,
        }

    # ------------------------------------------------------------------------------ auth
    def authorized(self, vendor: str, headers: Mapping[str, str]) -> bool:
        if vendor == "enkrypt":
            return _same(headers.get("apikey"), self.enkrypt_key)
        scheme, _, token = (headers.get("authorization") or "").partition(" ")
        return scheme.lower() == "bearer" and _same(token.strip(), self.nimble_key)

    def unauthorized(self, vendor: str) -> Answer:
        if vendor == "enkrypt":
            return Answer(401, ENKRYPT_UNAUTHORIZED)
        return Answer(401, NIMBLE_UNAUTHORIZED, {"WWW-Authenticate": 'Bearer realm="nimble"'})

    # ---------------------------------------------------------------------------- routing
    def handle(
        self, method: str, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str]
    ) -> Answer:
        """Answer one API request. `headers` must be case-insensitive (email.message style)."""
        vendor = vendor_of(path)
        if vendor is None:
            return Answer(404, {"error": "Not found"})
        if not self.authorized(vendor, headers):
            return self.unauthorized(vendor)
        route = self._routes.get(path)
        if route is None and path.startswith("/v1/tasks/") and path.count("/") == 3:
            route = self._nimble_get_route(path.rsplit("/", 1)[1])
        if route is None:
            body = {"status": "failed", "error": "Not found"} if vendor == "nimble" else {
                "error": "Not found"}
            return Answer(404, body)
        if method != "GET":
            return Answer(405, {"error": "Method not allowed"}, {"Allow": "GET"})
        return route(query, headers)

    # ---------------------------------------------------------------------------- Enkrypt
    def _enkrypt_page(self, kind: str, query: Mapping[str, list[str]]) -> tuple[Any, ...] | Answer:
        page = _int_param(query, "page", 1)
        per_page = _int_param(query, "per_page", 10)
        if page is None or per_page is None or page < 1 or not 1 <= per_page <= 100:
            return Answer(400, {"error": PAGINATION_ERROR})
        status = _first(query, "status")
        if status is not None and status not in ENKRYPT_STATUSES:
            return Answer(400, {"error": STATUS_ERROR})
        rows = self.world.snapshot(kind, self.now()).with_status(status)
        total = len(rows)
        total_pages = math.ceil(total / per_page)
        start = (page - 1) * per_page
        pagination = {
            "page": page,
            "per_page": per_page,
            "total_count": total,
            "total_pages": total_pages,
            "has_next": page < total_pages,
            "has_previous": page > 1,
        }
        return rows[start : start + per_page], pagination

    def datasets_list(self, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> Answer:
        got = self._enkrypt_page("datasets", query)
        if isinstance(got, Answer):
            return got
        rows, pagination = got
        return Answer(200, {"datasets": [r.get("dataset_name") for r in rows],
                            "pagination": pagination})

    def redteam_list(self, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> Answer:
        got = self._enkrypt_page("redteam", query)
        if isinstance(got, Answer):
            return got
        rows, pagination = got
        return Answer(200, {"tasks": rows, "pagination": pagination})

    def datasets_get(self, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> Answer:
        name = headers.get("x-enkrypt-dataset")
        task_id = headers.get("x-enkrypt-task-id")
        if not name and not task_id:
            return Answer(400, {"error": "X-Enkrypt-Dataset or X-Enkrypt-Task-ID header is required"})
        snap = self.world.snapshot("datasets", self.now())
        row = snap.find("task_id", task_id) if task_id else snap.find("dataset_name", name)
        if row is None or (name and task_id and row.get("dataset_name") != name):
            return Answer(404, {"error": "Task not found"})
        return Answer(200, {"data": row})

    def redteam_get(self, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> Answer:
        task_id = headers.get("x-enkrypt-task-id")
        if not task_id:
            return Answer(400, {"error": "X-Enkrypt-Task-ID header is required"})
        snap = self.world.snapshot("redteam", self.now())
        pos = snap.index.get(task_id)
        if pos is None:
            return Answer(404, {"error": "Task not found"})
        return Answer(200, {"data": render_redteam(snap.specs[pos], snap.t, detail=True)})

    # ----------------------------------------------------------------------------- Nimble
    def nimble_list(self, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> Answer:
        limit = _int_param(query, "limit", 100)
        if limit is None:
            return _nimble_400("/limit", "type", {"type": "integer"}, "must be integer")
        if limit < 1:
            return _nimble_400(
                "/limit", "minimum", {"comparison": ">=", "limit": 1}, "must be >= 1"
            )
        snap = self.world.snapshot("nimble", self.now())
        cursor = _first(query, "cursor")
        start = 0
        if cursor is not None:
            pos = snap.index.get(cursor)
            if pos is None and not _UUID.fullmatch(cursor):
                return _nimble_400(
                    "/cursor", "format", {"format": "uuid"}, 'must match format "uuid"'
                )
            if pos is None:
                return Answer(400, {
                    "status": "failed",
                    "msg": "Invalid cursor: no task with this id",
                    "error": "PARAMETERS_FAILED_JSON_SCHEMA_VALIDATION_ERROR",
                    "details": {"cursor": cursor},
                })
            start = pos + 1
        rows = snap.rows[start : start + limit]
        has_next = start + limit < len(snap.rows)
        next_cursor = snap.specs[start + len(rows) - 1].key if has_next else None
        return Answer(200, {
            "data": rows,
            "pagination": {"has_next": has_next, "next_cursor": next_cursor,
                           "total": len(snap.rows)},
        })

    def _nimble_get_route(self, task_id: str) -> Callable[..., Answer]:
        def nimble_get(query: Mapping[str, list[str]], headers: Mapping[str, str]) -> Answer:
            snap = self.world.snapshot("nimble", self.now())
            pos = snap.index.get(task_id)
            if pos is None:
                return Answer(404, {"status": "failed", "error": "Task not found"})
            return Answer(200, {"task": snap.rows[pos]})

        return nimble_get


# ------------------------------------------------------------------------------- helpers


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _first(query: Mapping[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _int_param(query: Mapping[str, list[str]], name: str, default: int) -> int | None:
    """The integer value of a query parameter, its default when absent, None when not an int."""
    raw = _first(query, name)
    if raw is None:
        return default
    return int(raw) if _INT.fullmatch(raw.strip()) else None


def _nimble_400(where: str, keyword: str, params: dict[str, Any], message: str) -> Answer:
    """The spec's Error400 body, with an ajv-style validation error like the real API's."""
    name = where.lstrip("/")
    return Answer(400, {
        "status": "failed",
        "msg": "Invalid request parameters",
        "error": "PARAMETERS_FAILED_JSON_SCHEMA_VALIDATION_ERROR",
        "details": {
            "schema_validation_errors": [{
                "instancePath": where,
                "schemaPath": f"#/properties/{name}/{keyword}",
                "keyword": keyword,
                "params": params,
                "message": message,
            }]
        },
    })

