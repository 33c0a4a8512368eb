"""HookFeed: the app's landed pages turned into the transitions its hooks see.

The app's alerts only report the states `--alert-on` names, but a hook chooses its own (`on =
"terminal"` or `"any"`), so the feed keeps the last status of each task per tab and hands every
change (tui.core.transitions, the one definition) to the runner, whose hooks pick what they want.
It follows the alerts' baseline rule: a tab's first page, and each change of page, filter or
profile (`reset`), only records statuses, so opening tasktop on a queue of old failures runs no
hook. Pure: no Textual, no I/O (the runner does that on its own thread).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tui.core.transitions import transitions
from tui.hooks.event import from_transition

#: Tasks remembered per tab; the oldest are forgotten beyond this (a bound on memory).
MAX_REMEMBERED = 20_000


class HookFeed:
    def __init__(self, runner: Any, max_remembered: int = MAX_REMEMBERED) -> None:
        self.runner = runner
        self.max_remembered = max_remembered
        self._seen: dict[str, dict[str, str]] = {}

    def reset(self, tab: str | None = None) -> None:
        """Forget a tab (None: every tab); its next page is a silent baseline again."""
        if tab is None:
            self._seen.clear()
        else:
            self._seen.pop(tab, None)

    def observe(self, tab: str, rows: Iterable[Any], seen_at: datetime) -> int:
        """Record one landed page (rows with .key, .status, .record); queue its transitions for
        the hooks unless it is the tab's baseline. Returns how many the runner took."""
        rows = list(rows)
        seen = self._seen.get(tab)
        baseline = seen is None
        if seen is None:
            seen = self._seen[tab] = {}
        changes = transitions(tab, seen, rows, seen_at)
        for change in changes:
            seen.pop(change.task_id, None)  # re-inserted last: most recently changed
            seen[change.task_id] = change.status
        excess = len(seen) - self.max_remembered
        for key in list(seen)[:max(0, excess)]:
            del seen[key]
        if baseline:
            return 0
        return sum(bool(self.runner.submit(from_transition(change))) for change in changes)
