"""Typed wire models for every field of the API contract in tests/contract, validated by msgspec.

msgspec was picked over pydantic for start-up cost (≈23 ms vs ≈90 ms) and because its
validation errors name the JSON path of the bad field (`$.tasks[3].status`), which we pass on in
ProtocolError messages. Status/state words stay plain `str`: vendors add words across versions, and
an unknown word must be shown as it is, not rejected. Unknown extra fields are kept in `extra`
(filled by `decode_record`) so the detail view can show them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import msgspec

from .base import ProtocolError

#: Wire name of the slot that holds unknown fields; no real API sends a key like this.
_EXTRA = "__tasktop_extra__"
#: Rows beyond the requested page size kept from an oversized answer (for "export this page");
#: any further ones are dropped, so a hostile 8 MiB page costs bounded memory.
MAX_SURPLUS_ROWS = 10_000


class Record(msgspec.Struct, kw_only=True, dict=False):
    """Base of every task record: `extra` holds the fields the spec does not name."""

    extra: dict[str, Any] = msgspec.field(default_factory=dict, name=_EXTRA)

    def field_items(self) -> list[tuple[str, Any]]:
        """(wire name, value) for every known field, then every extra field, in order."""
        info = msgspec.structs.fields(self)
        pairs = [(f.encode_name, getattr(self, f.name)) for f in info if f.encode_name != _EXTRA]
        return pairs + list(self.extra.items())

    def to_json_dict(self) -> dict[str, Any]:
        """The record as the server would send it (extra fields merged back in)."""
        out = {k: v for k, v in msgspec.to_builtins(self).items() if k != _EXTRA}
        out.update(msgspec.to_builtins(self.extra))
        return out


# ------------------------------------------------------------------------------------ Enkrypt


class EnkryptPagination(msgspec.Struct, kw_only=True):
    page: int | None = None
    per_page: int | None = None
    total_count: int | None = None
    total_pages: int | None = None
    has_next: bool | None = None
    has_previous: bool | None = None


class DatasetsListResponse(msgspec.Struct, kw_only=True):
    datasets: list[str] = []
    pagination: EnkryptPagination = msgspec.field(default_factory=EnkryptPagination)


class Tool(msgspec.Struct, kw_only=True):
    name: str
    description: str


class DatasetTask(Record, kw_only=True):
    """`data` of GET /datasets/get-task."""

    dataset_name: str
    created_at: str
    status: str
    task_id: str
    started_at: str | None = None
    system_description: str | None = None
    scenarios: int | None = None
    categories: int | None = None
    depth: int | None = None
    max_prompts: int | None = None
    policy_description: str | None = None
    info_pdf_url: str | None = None
    tools: list[Tool] = []
    project_name: str | None = None


class RedteamTask(Record, kw_only=True):
    """One entry of GET /redteam/list-tasks `tasks` (and `data` of GET /redteam/get-task).

    The spec marks no field required; task_id is required here because it is the row key.
    """

    task_id: str
    status: str = ""
    model_name: str | None = None
    test_name: str | None = None
    project_name: str | None = None


class RedteamListResponse(msgspec.Struct, kw_only=True):
    tasks: list[dict[str, Any]] = []
    pagination: EnkryptPagination = msgspec.field(default_factory=EnkryptPagination)


# ------------------------------------------------------------------------------------- Nimble


class NimbleTask(Record, kw_only=True):
    """One entry of GET /v1/tasks `data`, and the answer of GET /v1/tasks/{id}.

    The spec requires id, state, status_url, created_at, input and _query; only id and state are
    required here, so one record missing a URL does not blank a whole page for the on-call user.
    """

    id: str
    state: str
    status_url: str | None = None
    created_at: str | None = None
    input: Any = None
    query: Any = msgspec.field(default=None, name="_query")
    output_url: str | None = None
    download_url: str | None = None
    error: str | None = None
    error_type: str | None = None
    modified_at: str | None = None
    account_name: str | None = None
    batch_id: str | None = None
    status_code: int | float | None = None
    api_type: str | None = None


class NimblePagination(msgspec.Struct, kw_only=True):
    has_next: bool
    next_cursor: str | None
    total: int | float


class NimbleListResponse(msgspec.Struct, kw_only=True):
    data: list[dict[str, Any]]
    pagination: NimblePagination


# ------------------------------------------------------------------------------------ decoding

R = TypeVar("R", bound=msgspec.Struct)


@functools.cache
def _known_names(model: type[msgspec.Struct]) -> frozenset[str]:
    # Cached per model: msgspec.structs.fields() re-evaluates annotations on every call (~0.2 ms),
    # which is most of a 100-row page's decode time.
    return frozenset(f.encode_name for f in msgspec.structs.fields(model))


def convert(obj: Any, model: type[R], *, where: str = "$") -> R:
    """Validate an already-decoded JSON value against `model`; ProtocolError names the bad field."""
    try:
        return msgspec.convert(obj, model)
    except msgspec.ValidationError as exc:
        raise ProtocolError(f"unexpected response: {_relocate(str(exc), where)}") from None


def decode_record(obj: Any, model: type[R], *, where: str = "$") -> R:
    """Validate one task record and keep its unknown fields in `extra`."""
    if not isinstance(obj, dict):
        raise ProtocolError(f"unexpected response: expected an object at `{where}`")
    clean = {k: v for k, v in obj.items() if k != _EXTRA}
    record = convert(clean, model, where=where)
    known = _known_names(model)
    record.extra = {k: v for k, v in clean.items() if k not in known}  # type: ignore[attr-defined]
    return record


def decode_json(body: bytes) -> Any:
    """Parse a body as JSON, or raise ProtocolError saying it is not JSON."""
    try:
        return msgspec.json.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"response is not valid JSON ({exc})") from None
    except RecursionError:  # msgspec's answer to "[[[[…" deeper than the recursion limit
        raise ProtocolError("response is not valid JSON (nested too deeply)") from None


class Trimmed(NamedTuple):
    """A list answer cut to the page size: `obj` with its list shortened, how many rows the
    server sent, and the surplus rows kept (see `MAX_SURPLUS_ROWS`)."""

    obj: Any
    count: int
    sent: int | None = None
    surplus: tuple[Any, ...] = ()


def trim_list(member: str, cap: int, row_type: type = dict) -> Callable[[Any], Trimmed]:
    """A `shape` for HttpClient.request: cut the answer's `member` list to its first `cap` rows.

    Runs where the body is decoded (a worker thread for big bodies), so an answer of 100 000 rows
    is never validated, kept or freed row by row on the UI thread. Surplus rows that are not
    `row_type` are not kept (they could not be exported as rows anyway).
    """

    def shape(obj: Any) -> Trimmed:
        rows = obj.get(member) if isinstance(obj, dict) else None
        if not isinstance(rows, list):
            return Trimmed(obj, 0)
        if len(rows) <= cap:
            return Trimmed(obj, len(rows))
        rest = rows[cap : cap + MAX_SURPLUS_ROWS]
        surplus = tuple(row for row in rest if isinstance(row, row_type))
        return Trimmed({**obj, member: rows[:cap]}, len(rows), len(rows), surplus)

    return shape


def _relocate(message: str, where: str) -> str:
    """Rewrite msgspec's `$...` path so it is relative to the real document root."""
    if "`$" in message:
        return message.replace("`$", f"`{where}", 1)
    return f"{message} - at `{where}`"
