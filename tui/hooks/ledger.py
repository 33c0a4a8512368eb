"""What the hook runner remembers: which (tab, task, status) already alerted, and when.

The runner asks the ledger twice per event, from its own thread: has this task already alerted in
this state (dedupe), and how many alerts went out since a moment (the per-minute limit). A ledger
backed by the history file makes both hold across restarts; `MemoryLedger` is the fallback when
there is no history (they then hold for the life of the process).

Times are wall-clock seconds (`time.time()`): a monotonic clock does not survive a restart.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from typing import Protocol, runtime_checkable

#: Alerts the memory ledger remembers for dedupe; the oldest are forgotten beyond this.
MAX_REMEMBERED = 20_000


@runtime_checkable
class AlertLedger(Protocol):
    """The tiny protocol the history satisfies (and MemoryLedger, without it)."""

    def already_alerted(self, tab: str, task_id: str, status: str) -> bool:
        """True when this task already alerted in this state (status compared as given)."""
        ...

    def mark_alerted(self, tab: str, task_id: str, status: str, at: float) -> None:
        """Remember that this task alerted in this state at `at`."""
        ...

    def alerted_since(self, at: float) -> int:
        """How many alerts were marked at or after `at`."""
        ...


class MemoryLedger:
    """An AlertLedger for one process: thread-safe, bounded."""

    def __init__(self, max_remembered: int = MAX_REMEMBERED) -> None:
        self._lock = threading.Lock()
        self._alerted: OrderedDict[tuple[str, str, str], float] = OrderedDict()
        self._times: deque[float] = deque()
        self.max_remembered = max_remembered

    def already_alerted(self, tab: str, task_id: str, status: str) -> bool:
        with self._lock:
            return (tab, task_id, status) in self._alerted

    def mark_alerted(self, tab: str, task_id: str, status: str, at: float) -> None:
        with self._lock:
            self._alerted[(tab, task_id, status)] = at
            self._alerted.move_to_end((tab, task_id, status))
            while len(self._alerted) > self.max_remembered:
                self._alerted.popitem(last=False)
            self._times.append(at)
            while len(self._times) > self.max_remembered:
                self._times.popleft()

    def alerted_since(self, at: float) -> int:
        with self._lock:
            return sum(1 for moment in self._times if moment >= at)
