"""While you were away: what each tab's pages say now against the last state the history stored.

When the history opens it hands over, per tab, the statuses it last stored and when tasktop last
watched the tab. Every page that lands afterwards is compared with that: a task seen for the first
time this session whose status differs from the stored one (or that was never stored) changed while
tasktop was closed. The result is one line per tab and the list the Changes view shows. Runs on
the UI thread; it only compares dicts the history already read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tui.core.timefmt import compact_duration, parse_time
from tui.core.transitions import server_times
from tui.history.timeline import phase


@dataclass(frozen=True, slots=True)
class AwayChange:
    """Task `task_id` was `previous` (None: never seen) when tasktop closed and is `status` now;
    `row` is the page row it came from, so the Changes view can open its detail."""

    task_id: str
    previous: str | None
    status: str
    when: datetime | None
    row: Any = None


def _server_when(record: Any) -> datetime | None:
    """The latest of the server's own times for the task (what 'newest first' orders by)."""
    times = [parse_time(value) for value in server_times(record)]
    known = [t for t in times if t is not None]
    return max(known) if known else None


def _created(record: Any) -> datetime | None:
    """When the server says the task was created (None when it does not say)."""
    return parse_time(server_times(record)[0])


@dataclass(slots=True)
class Away:
    """One tab's changes since `since` (the end of tasktop's last session on it)."""

    tab: str
    since: datetime
    stored: Mapping[str, str]
    changes: dict[str, AwayChange] = field(default_factory=dict)
    #: The catch-up beyond the first page: "checking" while it runs, then "done", or "partial"
    #: when a bound or an error stopped it with tasks left unchecked.
    catch_up: str | None = None
    _seen: set[str] = field(default_factory=set)
    _past_stored: bool = False  # a page has listed a stored task (see `_is_new`)

    def seen(self, task_id: str) -> bool:
        """A page (or a lookup) of this session has shown the task."""
        return task_id in self._seen

    def is_old(self, row: Any) -> bool:
        """Known before tasktop closed: stored, or the server says it existed at `since`."""
        created = _created(getattr(row, "record", None))
        return row.key in self.stored or (created is not None and created <= self.since)

    def _is_new(self, row: Any) -> bool:
        """Never stored and created after `since`; a task that gives no creation time counts as
        new only above every stored task (lists are newest first): below, it is an older task
        this history never saw."""
        if row.key in self.stored:
            return False
        created = _created(getattr(row, "record", None))
        return created > self.since if created is not None else not self._past_stored

    def observe(self, rows: Iterable[Any]) -> bool:
        """Compare a landed page; True when it added a change."""
        added = False
        for row in rows:
            status = row.status
            if not status or row.key in self._seen:
                self._past_stored = self._past_stored or row.key in self.stored
                continue
            self._seen.add(row.key)
            previous = self.stored.get(row.key)
            if previous is None and not self._is_new(row):
                continue  # never seen before, but older than `since`: not new while away
            self._past_stored = self._past_stored or previous is not None
            if previous == status:
                continue
            record = getattr(row, "record", None)
            self.changes[row.key] = AwayChange(row.key, previous, status, _server_when(record), row)
            added = True
        return added

    def counts(self) -> dict[str, int]:
        """'failed', 'finished', 'new' and 'other' (a status change that ends nothing)."""
        out = {"failed": 0, "finished": 0, "new": 0, "other": 0}
        for change in self.changes.values():
            if change.previous is None:
                out["new"] += 1
            elif phase(change.status) in ("failed", "finished"):
                out[phase(change.status)] += 1  # type: ignore[index]
            else:
                out["other"] += 1
        return out

    def line(self, now: datetime) -> str:
        """'since 17:40 (2h ago): 3 failed, 12 finished, 40 new'."""
        ago = compact_duration(max(0.0, (now - self.since).total_seconds()))
        head = f"since {self.since.strftime('%H:%M')} ({ago} ago)"
        counts = self.counts()
        parts = [f"{counts[k]} {k}" for k in ("failed", "finished", "new") if counts[k]]
        if counts["other"]:
            parts.append(f"{counts['other']} other changes" if counts["other"] > 1
                         else "1 other change")
        tail = {"checking": " · checking…",
                "partial": " · not all checked"}.get(self.catch_up or "", "")
        return f"{head}: {', '.join(parts) if parts else 'no changes'}{tail}"

    def newest_first(self, status: str | None = None) -> list[AwayChange]:
        """The changes, newest server time first (tasks without one after, in page order);
        `status` keeps only those now in it (case-insensitive)."""
        changes = list(self.changes.values())
        if status:
            changes = [c for c in changes if c.status.casefold() == status.casefold()]
        dated = sorted((c for c in changes if c.when is not None), key=lambda c: c.when,
                       reverse=True)
        return dated + [c for c in changes if c.when is None]

    def statuses(self) -> list[str]:
        """The distinct current statuses among the changes (server text: escape to show)."""
        seen: dict[str, str] = {}
        for change in self.changes.values():
            seen.setdefault(change.status.casefold(), change.status)
        return sorted(seen.values(), key=str.casefold)
