"""What a hook receives about one transition: env vars for a command, a JSON body for a webhook.

The event object is the one `tasktop watch --json` prints per line:
`{"time", "tab", "id", "from", "to", "task": {...}}`. Server text reaches a hook only as data:
- JSON (the webhook body, `TASKTOP_TASK_JSON`) holds the exact values, with every unsafe code point
  (C0, DEL, C1, bidi, zero-width, lone surrogates) as a `\\u` escape (tui.core.safe_text.json_safe);
- the one-line env vars (`TASKTOP_TAB`, `TASKTOP_TASK_ID`, `TASKTOP_STATUS`, `TASKTOP_PREVIOUS`)
  hold printable text, those code points (and tab, newline, NUL) as ASCII escapes such as `\\x1b`
  (tui.core.safe_text.escape_as_codes), as `tasktop list` prints them.
Known key values are replaced by `***` everywhere, should a server have echoed one into a task.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tui.core.safe_text import escape_as_codes, json_safe
from tui.core.watching import task_object, utc_iso

#: The env vars a command hook gets (besides the caller's environment, keys removed).
ENV_FIELDS = ("TASKTOP_TAB", "TASKTOP_TASK_ID", "TASKTOP_STATUS", "TASKTOP_PREVIOUS",
              "TASKTOP_TASK_JSON")
#: Longest one-line env value (escaped), and longest TASKTOP_TASK_JSON: one env string may hold
#: at most 128 KiB on Linux. A longer task JSON is passed as "null" (the webhook gets it whole).
MAX_FIELD = 4096
MAX_TASK_JSON = 64 * 1024
MASK = "***"


@dataclass(frozen=True, slots=True)
class HookEvent:
    """Task `id` on `tab` went from `previous` (None: first seen) to `status` at `time`."""

    tab: str
    id: str
    previous: str | None
    status: str
    task: dict[str, Any] = field(default_factory=dict)
    time: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_object(self) -> dict[str, Any]:
        """The event as JSON data (watch's JSON Lines shape)."""
        return {
            "time": utc_iso(self.time),
            "tab": self.tab,
            "id": self.id,
            "from": self.previous,
            "to": self.status,
            "task": self.task,
        }

    @property
    def dedupe_key(self) -> tuple[str, str, str]:
        return (self.tab, self.id, self.status)


def from_transition(transition: Any) -> HookEvent:
    """A HookEvent from a tui.core.transitions.Transition (tab, task_id, previous, status,
    seen_at, record, …)."""
    seen = getattr(transition, "seen_at", None)
    return HookEvent(
        tab=str(transition.tab),
        id=str(transition.task_id),
        previous=None if transition.previous is None else str(transition.previous),
        status="" if transition.status is None else str(transition.status),
        task=task_object(getattr(transition, "record", None)),
        time=seen if isinstance(seen, datetime) else datetime.now(UTC),
    )


def sample_event(tab: str = "redteam") -> HookEvent:
    """What `tasktop hooks test` sends: plainly a test, in the shape of a real failure."""
    task_id = "tasktop-hook-test"
    return HookEvent(
        tab=tab,
        id=task_id,
        previous="Running",
        status="Failed",
        task={"task_id": task_id, "status": "Failed", "note": "sample event from tasktop hooks test"},
    )


def event_json(event: HookEvent, secrets: Iterable[str] = ()) -> str:
    """The event object as one line of JSON, safe to print, keys masked."""
    text = json.dumps(event.to_object(), ensure_ascii=False, separators=(",", ":"), default=str)
    return json_safe(_mask(text, secrets))


def event_env(event: HookEvent, secrets: Iterable[str] = ()) -> dict[str, str]:
    """The TASKTOP_* variables describing the event."""
    secrets = tuple(secrets)
    task = json.dumps(event.task, ensure_ascii=False, separators=(",", ":"), default=str)
    task = json_safe(_mask(task, secrets))
    return {
        "TASKTOP_TAB": _one_line(event.tab, secrets),
        "TASKTOP_TASK_ID": _one_line(event.id, secrets),
        "TASKTOP_STATUS": _one_line(event.status, secrets),
        "TASKTOP_PREVIOUS": _one_line(event.previous or "", secrets),
        "TASKTOP_TASK_JSON": task if len(task) <= MAX_TASK_JSON else "null",
    }


def _one_line(value: str, secrets: Iterable[str]) -> str:
    text = escape_as_codes(_mask(value, secrets))
    return text if len(text) <= MAX_FIELD else text[: MAX_FIELD - 1] + "…"


def _mask(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret and secret in text:
            text = text.replace(secret, MASK)
    return text


