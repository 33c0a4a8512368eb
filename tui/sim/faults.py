"""Fault injection: what can go wrong between tasktop and a vendor API, on demand.

A `Fault` matches API paths by prefix; the first matching fault in insertion order applies to a
request and, if it has `times`, is used up after that many requests. The body-level faults
(`truncated`, `wrong_type`, `huge`, `echo_key`, `many_rows`, `impossible_count`) transform the
answer the endpoint would have given.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import asdict, dataclass
from typing import Any

FAULT_KINDS = (
    "latency", "status", "html", "truncated", "wrong_type", "huge", "hang", "drop",
    "echo_key", "many_rows", "impossible_count",
)

#: Default `seconds` for the kinds that wait.
DEFAULT_SECONDS = {"latency": 1.0, "hang": 60.0}

#: Size of the long string in a `huge` answer.
HUGE_BYTES = 20 * 1024 * 1024

#: Rows of a `many_rows` list answer unless the fault says `rows`.
MANY_ROWS = 100_000


@dataclass(slots=True)
class Fault:
    """One injected fault. path_prefix "" matches every API path; times=None lasts until cleared."""

    kind: str
    path_prefix: str = ""
    status: int | None = None
    retry_after: str | int | float | None = None
    seconds: float | None = None
    times: int | None = None
    #: `many_rows`: how many rows the list answer carries.
    rows: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be >= 1 (or None for until cleared)")
        if self.rows is None and self.kind == "many_rows":
            self.rows = MANY_ROWS
        if self.rows is not None and (isinstance(self.rows, bool) or self.rows < 0):
            raise ValueError("rows must be >= 0")
        if self.seconds is None and self.kind in DEFAULT_SECONDS:
            self.seconds = DEFAULT_SECONDS[self.kind]
        if self.status is None:
            self.status = {"status": 500, "html": 502}.get(self.kind)
        if self.retry_after is not None:
            self.retry_after = str(self.retry_after)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultBook:
    """The active faults of one server (thread-safe)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        with self._lock:
            return [copy.copy(f) for f in self._faults]

    def take(self, path: str) -> Fault | None:
        """The fault for a request to `path`, using up one of its `times`."""
        with self._lock:
            for fault in self._faults:
                if path.startswith(fault.path_prefix):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None


# ----------------------------------------------------------------------------- bodies

_REASONS = {
    400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
    404: "Not Found", 408: "Request Timeout", 409: "Conflict", 422: "Unprocessable Entity",
    429: "Rate limit exceeded", 500: "Internal Server Error", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout",
}

#: task_id of the Error500 example in the Nimble spec; any uuid would do.
_ERROR500_TASK = "1ed1dbeb-8f34-4fd1-bb2d-a72bacae2ef3"


def status_body(status: int, vendor: str) -> dict[str, Any]:
    """A realistic JSON error body for `status` from `vendor` ('enkrypt' or 'nimble')."""
    if status == 402:
        return {"status": "failed", "msg": "trial expired"}
    if status == 429:
        return {"status": "failed", "msg": "Rate limit exceeded"}
    if status == 500:
        return {
            "success": "false",
            "task_id": _ERROR500_TASK,
            "message": "can't download the query response - please try again",
        }
    reason = _REASONS.get(status, "Error")
    if vendor == "nimble":
        if status == 400:
            return {
                "status": "failed",
                "msg": "Invalid request parameters",
                "error": "PARAMETERS_FAILED_JSON_SCHEMA_VALIDATION_ERROR",
                "details": {"schema_validation_errors": []},
            }
        if status == 404:
            return {"status": "failed", "error": "Task not found"}
        return {"status": "failed", "msg": reason}
    if status == 401:
        return {"message": "Unauthorized: invalid or missing apikey"}
    if status == 403:
        return {"message": "Forbidden: this key may not access this resource"}
    if status == 404:
        return {"error": "Task not found"}
    return {"error": reason}


HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


def wrong_type(payload: Any) -> Any:
    """The same answer with one field of the wrong type (a copy; the original is shared).

    Lists: a page-number pagination's total_count becomes a string, a Nimble pagination's total
    becomes a string, and the first red-team task's status becomes a number. Single tasks: the
    status/state becomes a number.
    """
    out = copy.deepcopy(payload)
    if not isinstance(out, dict):
        return {"unexpected": out}
    if isinstance(out.get("tasks"), list) and out["tasks"]:
        out["tasks"][0]["status"] = 2
    elif isinstance(out.get("pagination"), dict):
        pag = out["pagination"]
        if "total_count" in pag:
            pag["total_count"] = str(pag["total_count"])
        else:
            pag["total"] = str(pag.get("total"))
    elif isinstance(out.get("data"), dict):
        out["data"]["status"] = 3
    elif isinstance(out.get("task"), dict):
        out["task"]["state"] = 1
    else:
        out["status"] = 500
    return out


def echo_key(payload: Any, key: str) -> Any:
    """The same answer with the caller's own API key echoed in it (a copy), as a careless or
    hostile server might: as the first task's id, in a text field and an unknown field, as the
    Nimble next_cursor, as the first dataset name and in a single task's fields."""
    out = copy.deepcopy(payload)
    if not isinstance(out, dict):
        return {"echo": key}
    out["echo"] = key
    if isinstance(out.get("datasets"), list):
        out["datasets"] = [key, *out["datasets"][1:]]
    if isinstance(out.get("tasks"), list) and out["tasks"]:
        out["tasks"][0].update(task_id=key, test_name=f"owner {key}", echo=key)
    if isinstance(out.get("data"), list) and out["data"]:
        out["data"][0].update(id=key, account_name=f"owner {key}", echo=key)
        pag = out.get("pagination")
        if isinstance(pag, dict):
            pag.update(has_next=True, next_cursor=key)
    for single in ("data", "task"):
        if isinstance(out.get(single), dict):
            out[single].update(echo=key, error=f"bad key {key}", project_name=key)
    return out


def many_rows(payload: Any, rows: int) -> Any:
    """The same list answer padded with small extra rows up to `rows` (a copy; others unchanged).

    Rows are tiny (≈ 45 bytes of JSON) so that 100 000 of them fit the clients' 8 MiB body cap.
    """
    out = copy.copy(payload)
    if not isinstance(out, dict):
        return out
    if isinstance(out.get("datasets"), list):
        have = out["datasets"]
        out["datasets"] = have + [f"pad-{i:06d}" for i in range(len(have), rows)]
    elif isinstance(out.get("tasks"), list):
        have = out["tasks"]
        extra = ({"task_id": f"pad-{i:06d}", "status": "Queued"} for i in range(len(have), rows))
        out["tasks"] = have + list(extra)
    elif isinstance(out.get("data"), list):
        have = out["data"]
        extra = ({"id": f"pad-{i:06d}", "state": "pending"} for i in range(len(have), rows))
        out["data"] = have + list(extra)
    return out


def impossible_count(payload: Any) -> Any:
    """The same list answer claiming -5 tasks in all (total_count, or Nimble's total)."""
    out = copy.deepcopy(payload)
    pag = out.get("pagination") if isinstance(out, dict) else None
    if isinstance(pag, dict):
        pag["total_count" if "total_count" in pag else "total"] = -5
    return out


#: Stands in for the huge string until the JSON is encoded; then spliced in as raw bytes.
HUGE_MARK = "\u2063tasktop-sim-huge\u2063"


def huge(payload: Any) -> Any:
    """The same answer with one string field replaced by HUGE_MARK (see `HUGE_MARK`)."""
    out = copy.deepcopy(payload)
    if not isinstance(out, dict):
        return {"padding": HUGE_MARK}
    if isinstance(out.get("datasets"), list):
        out["datasets"] = [HUGE_MARK, *out["datasets"][1:]]
    elif isinstance(out.get("tasks"), list) and out["tasks"]:
        out["tasks"][0]["test_name"] = HUGE_MARK
    elif isinstance(out.get("data"), list) and out["data"]:
        out["data"][0]["account_name"] = HUGE_MARK
    elif isinstance(out.get("data"), dict):
        out["data"]["system_description"] = HUGE_MARK
    elif isinstance(out.get("task"), dict):
        out["task"]["account_name"] = HUGE_MARK
    else:
        out["padding"] = HUGE_MARK
    return out


_HUGE_FILL: bytes | None = None


def splice_huge(body: bytes) -> bytes:
    """Replace the encoded HUGE_MARK by HUGE_BYTES of plain text (valid JSON string content)."""
    global _HUGE_FILL
    if _HUGE_FILL is None:
        unit = b"The quick brown fox jumps over the lazy dog. "
        _HUGE_FILL = (unit * (HUGE_BYTES // len(unit) + 1))[:HUGE_BYTES]
    mark = HUGE_MARK.encode()
    head, sep, tail = body.partition(mark)
    return head + _HUGE_FILL + tail if sep else body
