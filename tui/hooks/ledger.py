"""What the hook runner remembers: which (tab, task, status) already alerted, and when.

The runner asks its ledger, from its own thread, whether this task already alerted in this state
(dedupe) and how many alerts went out since a moment (the per-minute limit). `AlertLedger` is that
protocol; tui.history.History satisfies its first two methods, and `HistoryLedger` adds the count,
so both hold across restarts. `MemoryLedger` is the fallback without a history: both then hold for
the life of the process.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict, deque
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

#: Alerts the memory ledger remembers; the oldest are forgotten beyond this.
MAX_REMEMBERED = 20_000


@runtime_checkable
class AlertLedger(Protocol):
    def already_alerted(self, tab: str, task_id: str, status: str) -> bool:
        """True when this task already alerted in this state."""
        ...

    def mark_alerted(self, tab: str, task_id: str, status: str, at: datetime | None = None) -> None:
        """Remember that this task alerted in this state at `at` (UTC)."""
        ...

    def alerted_since(self, since: datetime) -> int:
        """How many alerts were marked at or after `since`."""
        ...


class MemoryLedger:
    """An AlertLedger for one process: thread-safe, bounded."""

    def __init__(self, max_remembered: int = MAX_REMEMBERED) -> None:
        self._lock = threading.Lock()
        self._alerted: OrderedDict[tuple[str, str, str], datetime] = OrderedDict()
        self._times: deque[datetime] = deque(maxlen=max_remembered)
        self.max_remembered = max_remembered

    def already_alerted(self, tab: str, task_id: str, status: str) -> bool:
        with self._lock:
            return (tab, task_id, status) in self._alerted

    def mark_alerted(self, tab: str, task_id: str, status: str, at: datetime | None = None) -> None:
        at = at or datetime.now(UTC)
        with self._lock:
            self._alerted[(tab, task_id, status)] = at
            self._alerted.move_to_end((tab, task_id, status))
            while len(self._alerted) > self.max_remembered:
                self._alerted.popitem(last=False)
            self._times.append(at)

    def alerted_since(self, since: datetime) -> int:
        with self._lock:
            return sum(1 for moment in self._times if moment >= since)


class HistoryLedger:
    """The history (tui.history.History) as an AlertLedger.

    The hooks keep their own records in it, under `<tab>:hooks`: the app's toasts mark the same
    transitions in the history under `<tab>`, before the runner gets to them. The per-minute
    count is the alerts this process marked plus the ones the history file already held when
    first asked (read once, read-only, on the runner's thread), so a restart does not reset the
    limit. A history that is off or unreadable counts only this process's alerts.
    """

    def __init__(self, history: Any) -> None:
        self.history = history
        self._mine = MemoryLedger()
        self._earlier: list[datetime] | None = None

    def already_alerted(self, tab: str, task_id: str, status: str) -> bool:
        return self.history.already_alerted(_scope(tab), task_id, status)

    def mark_alerted(self, tab: str, task_id: str, status: str, at: datetime | None = None) -> None:
        at = at or datetime.now(UTC)
        self.history.mark_alerted(_scope(tab), task_id, status, at)
        self._mine.mark_alerted(tab, task_id, status, at)

    def alerted_since(self, since: datetime) -> int:
        if self._earlier is None:
            self._earlier = self._read_earlier(since)
        return sum(1 for moment in self._earlier if moment >= since) + self._mine.alerted_since(since)

    def _read_earlier(self, since: datetime) -> list[datetime]:
        path = getattr(self.history, "path", None)
        if path is None or not getattr(self.history, "enabled", False):
            return []
        query = (
            "SELECT a.at FROM alerted a JOIN scopes s ON s.id = a.scope WHERE s.profile = ?"
            " AND s.tab LIKE ? AND a.at >= ?"
        )
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2.0)
            try:
                rows = conn.execute(query, (self.history.profile, _scope("%"), since.timestamp())).fetchall()
            finally:
                conn.close()
        except sqlite3.Error:
            return []
        return [datetime.fromtimestamp(at, UTC) for (at,) in rows]


def _scope(tab: str) -> str:
    return f"{tab}:hooks"
