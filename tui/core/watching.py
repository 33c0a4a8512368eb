"""What `tasktop watch` decides, without I/O: when a watch is over, its exit code, and its output.

The command (tui/commands/watch_cmd.py) polls and prints; everything a script depends on — which
task counts as ended, which ending is a failure, which exit code wins, the event schema and the
human line — is here, so it can be tested without a server or a clock.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from tui.base.statuses import FAILURES
from tui.core.safe_text import escape_as_codes, json_safe
from tui.core.transitions import Transition
from tui.providers.base import ProviderError
from tui.providers.sources import is_terminal

#: Exit codes of `tasktop watch` beyond the CLI's usual ones (2 usage, 3 auth, 4 rate limited,
#: 5 not found, 1 other). 124 is what timeout(1) exits with; 130/143 are 128 + SIGINT/SIGTERM.
EXIT_OK = 0
EXIT_FAILED = 6
EXIT_TIMEOUT = 124
EXIT_SIGINT = 130
EXIT_SIGTERM = 143

DEFAULT_FAIL_ON = FAILURES
Until = Literal["terminal", "all-terminal"]

_DURATION = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h)?\s*")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(text: str) -> float:
    """Seconds in "90", "90s", "1500ms", "10m" or "2h"; ValueError with one line otherwise."""
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r} (expected e.g. 90s, 10m or 1h)")
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds <= 0:
        raise ValueError(f"not a positive duration: {text!r}")
    return seconds


def parse_states(text: str) -> frozenset[str]:
    """`--fail-on failed,error` as case-folded words; ValueError when it names none."""
    words = frozenset(w.strip().casefold() for w in text.split(",") if w.strip())
    if not words:
        raise ValueError("--fail-on needs at least one state, e.g. failed,error")
    return words


@dataclass
class WatchState:
    """The watched tasks' statuses and how the watch stands.

    With `ids` the named tasks are watched from their first poll on, so one already ended counts.
    Without, the queue's first page is a baseline: a task counts as ended only when it is seen to
    reach an ending state during the watch. A task ends in a terminal state or a `fail_on` state
    (so `--fail-on` can name a vendor's word tasktop does not know); it ended badly in the latter.
    """

    ids: tuple[str, ...] = ()
    fail_on: frozenset[str] = DEFAULT_FAIL_ON
    until: Until | None = None
    statuses: dict[str, str] = field(default_factory=dict)
    ended: dict[str, str] = field(default_factory=dict)
    #: Every task a queue watch has seen (the page's and those that left it), for the summary.
    seen: set[str] = field(default_factory=set)
    polls: int = 0

    def __post_init__(self) -> None:
        if self.ids and self.until is None:
            self.until = "all-terminal"

    def ends(self, status: str) -> bool:
        return is_terminal(status) or status.casefold() in self.fail_on

    def failed(self, status: str) -> bool:
        return status.casefold() in self.fail_on

    def observe(self, changes: Iterable[Transition], page: dict[str, str] | None = None) -> None:
        """One poll's transitions; `page`, in a queue watch, is every status now on the page
        (a task that left it is watched no longer, once its last change is in `changes`)."""
        baseline = self.polls == 0 and not self.ids
        self.polls += 1
        if page is not None:
            self.statuses = dict(page)
            self.seen.update(page)
        for change in changes:
            self.seen.add(change.task_id)
            self.statuses[change.task_id] = change.status
            if not baseline and self.ends(change.status):
                self.ended[change.task_id] = change.status

    def done(self) -> bool:
        if self.until is None or self.polls == 0:
            return False
        if self.until == "terminal":
            return bool(self.ended)
        if self.ids:
            return all(i in self.statuses and self.ends(self.statuses[i]) for i in self.ids)
        return all(self.ends(s) for s in self.statuses.values())

    def any_failed(self) -> bool:
        return any(self.failed(s) for s in self.ended.values())

    def exit_code(self, *, timed_out: bool = False, outage: ProviderError | None = None) -> int:
        """A failure seen beats a timeout; a timeout in the middle of an outage is the outage's
        code (4 rate limited, 1 other: the tasks could not be seen), else 124; else 0."""
        if self.any_failed():
            return EXIT_FAILED
        if timed_out:
            return outage.exit_code if outage is not None else EXIT_TIMEOUT
        return EXIT_OK

    def summary(self) -> str:
        """"3 tasks watched · 1 Finished, 1 Failed · 1 not ended" (server words escaped); a queue
        watch counts every task it has seen."""
        watched = len(self.ids) if self.ids else len(self.seen)
        noun = "watched" if self.ids else "seen"
        parts = [f"{watched} task{'s' if watched != 1 else ''} {noun}"]
        counts: dict[str, int] = {}
        for status in self.ended.values():
            counts[status] = counts.get(status, 0) + 1
        if counts:
            parts.append(", ".join(f"{n} {escape_as_codes(s)}" for s, n in sorted(counts.items())))
        known = [self.statuses.get(i, "") for i in self.ids] if self.ids else self.statuses.values()
        live_count = sum(1 for status in known if not self.ends(status))
        if live_count:
            parts.append(f"{live_count} not ended")
        return " · ".join(parts)


# ---------------------------------------------------------------------------------- output

#: The JSON Schema of one `--json` line (documented in the README; the tests validate with it).
EVENT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["time", "tab", "id", "from", "to", "task"],
    "additionalProperties": False,
    "properties": {
        "time": {"type": "string", "description": "when the watch saw it: ISO 8601, UTC (Z)"},
        "tab": {"type": "string", "description": "the tab id: datasets, redteam, nimble, or a tab package's"},
        "id": {"type": "string"},
        "from": {"type": ["string", "null"], "description": "null: first seen by this watch"},
        "to": {"type": "string"},
        "task": {"type": "object", "description": "every field the server sent"},
    },
}


def task_object(record: Any) -> dict[str, Any]:
    """A task record (wire struct, dataset name, mapping or tab Row) as plain JSON data: the
    `task` of a watch event and of an alert hook's event alike."""
    if record is None:
        return {}
    from tui.core.export import record_to_dict

    try:
        return record_to_dict(record)
    except TypeError:
        return {"value": str(record)}


def event_line(change: Transition) -> str:
    """One JSON Lines event: compact, exact values, nothing a terminal acts on."""
    event = {
        "time": utc_iso(change.seen_at),
        "tab": change.tab,
        "id": change.task_id,
        "from": change.previous,
        "to": change.status,
        "task": task_object(change.record),
    }
    return json_safe(json.dumps(event, ensure_ascii=False, separators=(",", ":")))


def human_line(change: Transition) -> str:
    """"14:03:07  redteam  5f0c…  Running → Finished" (first sight: "… is Running")."""
    when = change.seen_at.astimezone().strftime("%H:%M:%S")
    task = escape_as_codes(change.task_id)
    status = escape_as_codes(change.status)
    if change.previous is None:
        return f"{when}  {change.tab}  {task}  is {status}"
    return f"{when}  {change.tab}  {task}  {escape_as_codes(change.previous)} → {status}"


def utc_iso(moment: datetime) -> str:
    """"2026-12-01T03:12:09.123456Z", as the alert hooks' events give it."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
