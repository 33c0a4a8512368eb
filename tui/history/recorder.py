"""What the app keeps between landed pages and the history: the last known status per task.

A page is turned into transitions against those statuses (seeded from the history when it
opens, so changes that happened while tasktop was closed are recorded on the first page), and the
transitions are queued for the writer. Pages that land before the history has opened wait in a
short list and are replayed in order. Runs on the UI thread: nothing here touches the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from tui.core.transitions import Transition, transitions

from .store import History

#: Pages kept while the history is still opening (a bound on memory for a slow disk).
MAX_PENDING = 64
#: Seconds (tasktop's clock) between writes of a tab's heartbeat: its session and its tasks'
#: last-seen times. A page that changes nothing is not written in between, so an idle tick costs
#: the writer nothing.
HEARTBEAT = 30.0


class Recorder:
    def __init__(self) -> None:
        self.history: History = History.off()
        self.attached = False
        self._known: dict[str, dict[str, str]] = {}
        self._pending: list[tuple[str, list[Any], datetime]] = []
        self._beats: dict[str, datetime] = {}  # tab -> when its heartbeat was last written

    def attach(self, history: History, known: Mapping[str, Mapping[str, str]]) -> None:
        """Start recording into `history`, whose stored statuses per tab are `known`."""
        self.history = history
        self.attached = True
        self._known = {tab: dict(statuses) for tab, statuses in known.items()}
        pending, self._pending = self._pending, []
        for tab, rows, seen_at in pending:
            self.page(tab, rows, seen_at)

    def detach(self) -> History:
        """Stop recording (before closing the history, or switching profile); returns it."""
        history, self.history = self.history, History.off()
        self.attached = False
        self._known.clear()
        self._pending.clear()
        self._beats.clear()
        return history

    def page(self, tab: str, rows: Iterable[Any], seen_at: datetime) -> list[Transition]:
        """Record one landed page of `tab`; returns its transitions (empty until attached)."""
        rows = list(rows)
        if not self.attached:
            self._pending = [*self._pending[-(MAX_PENDING - 1):], (tab, rows, seen_at)]
            return []
        known = self._known.setdefault(tab, {})
        changes = transitions(tab, known, rows, seen_at)
        for change in changes:
            known[change.task_id] = change.status
        last = self._beats.get(tab)
        beat = last is None or not 0 <= (seen_at - last).total_seconds() < HEARTBEAT
        if beat:
            self._beats[tab] = seen_at
        if changes or beat:
            seen = [row.key for row in rows if row.status] if beat else ()
            self.history.record(changes, tab=tab, seen_at=seen_at, seen=seen)
        return changes
