"""Alerts on task state changes: which transitions deserve one, and desktop-notification escapes.

Why a separate state machine: "exactly one alert per transition, none on first load" is easy to get
wrong inside widget code and easy to test here. Rules:

- The first observation of a tab (after start or `reset(tab_id)`, which the app calls when the page,
  filter or profile changes) only records a baseline: no alerts, however many tasks have failed.
- Afterwards a known task whose status changes *into* an alerting state (from a non-alerting one)
  gives exactly one Alert; staying Failed gives nothing; Failed -> Running -> Failed gives two.
- A task not seen before on this tab that is already in an alerting state alerts too, by default
  (`alert_new_failed=True`): after the first load, a task that appears already Failed (created and
  failed between two ticks, or newly matching a "Failed" filter) is a transition we would otherwise
  miss. Tasks can also slide onto a page from a neighbouring one as new tasks arrive; those are
  not new, so the caller passes `alert_new=False` for views where that happens (every page but the
  first of a newest-first list).
- Alerting states are case-folded words, by default {"failed", "error"}; `states="terminal"` alerts
  on any terminal state (tui.providers.sources.TERMINAL_STATES).

Statuses are compared case-insensitively. Pure logic, no Textual, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from tui.base.statuses import FAILURES
from tui.core.safe_text import escape_controls
from tui.providers.sources import TERMINAL_STATES

DEFAULT_ALERT_STATES = FAILURES
#: Tasks remembered per tab; the oldest are forgotten beyond this (a bound on memory, not a rule).
MAX_REMEMBERED = 20_000


@dataclass(frozen=True, slots=True)
class Alert:
    """Task `key` on tab `tab_id` went from `old` (None: not seen before) to `new`."""

    tab_id: str
    key: str
    old: str | None
    new: str

    def message(self, tab_title: str | None = None) -> str:
        """'Red team: abc-123 Running → Failed' (plain text; server words included verbatim)."""
        where = tab_title or self.tab_id
        change = f"{self.old} → {self.new}" if self.old else f"new task, {self.new}"
        return f"{where}: {self.key} {change}"


class AlertTracker:
    """Remembers the last status of every task per tab and reports transitions worth an alert."""

    def __init__(
        self,
        states: Iterable[str] | Literal["terminal"] = DEFAULT_ALERT_STATES,
        *,
        alert_new_failed: bool = True,
        max_remembered: int = MAX_REMEMBERED,
    ) -> None:
        if states == "terminal":
            self.states = frozenset(TERMINAL_STATES)
        else:
            self.states = frozenset(s.casefold() for s in states)
        self.alert_new_failed = alert_new_failed
        self.max_remembered = max_remembered
        self._seen: dict[str, dict[str, str]] = {}

    def is_alerting(self, status: str | None) -> bool:
        return bool(status) and status.casefold() in self.states  # type: ignore[union-attr]

    def has_baseline(self, tab_id: str) -> bool:
        return tab_id in self._seen

    def reset(self, tab_id: str | None = None) -> None:
        """Forget a tab (None: every tab); its next observation is a silent baseline again."""
        if tab_id is None:
            self._seen.clear()
        else:
            self._seen.pop(tab_id, None)

    def observe(
        self, tab_id: str, rows: Iterable[Any], *, alert_new: bool | None = None
    ) -> list[Alert]:
        """Record the statuses of one fetched page; return its alerts in row order.

        `rows` holds (key, status) pairs or objects with `.key` and `.status` (tab Rows).
        `alert_new` overrides `alert_new_failed` for this observation.
        """
        pairs = [_pair(row) for row in rows]
        seen = self._seen.get(tab_id)
        if seen is None:
            self._seen[tab_id] = {key: status for key, status in pairs}
            self._trim(tab_id)
            return []
        alert_new = self.alert_new_failed if alert_new is None else alert_new
        alerts: list[Alert] = []
        for key, status in pairs:
            if key in seen:
                old = seen.pop(key)  # re-inserted below: most recently seen last
                if self.is_alerting(status) and not self.is_alerting(old):
                    alerts.append(Alert(tab_id, key, old, status))
            elif alert_new and self.is_alerting(status):
                alerts.append(Alert(tab_id, key, None, status))
            seen[key] = status
        self._trim(tab_id)
        return alerts

    def _trim(self, tab_id: str) -> None:
        seen = self._seen[tab_id]
        excess = len(seen) - self.max_remembered
        if excess > 0:
            for key in list(seen)[:excess]:
                del seen[key]


def _pair(row: Any) -> tuple[str, str]:
    if isinstance(row, tuple):
        key, status = row
    else:
        key, status = row.key, row.status
    return str(key), "" if status is None else str(status)


# ------------------------------------------------------------------ desktop notifications

MAX_TITLE = 64
MAX_BODY = 256


def notification_text(text: str, limit: int) -> str:
    """Server text made safe inside an OSC string: whitespace folded, every other unsafe code point
    shown as a symbol (tui.core.safe_text), capped."""
    clean = escape_controls(" ".join(text.split()), single_line=True)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def desktop_notification_sequences(
    title: str, body: str, *, max_title: int = MAX_TITLE, max_body: int = MAX_BODY
) -> list[str]:
    """OSC 9 (iTerm2, WezTerm, Windows Terminal, kitty…) and OSC 777 (foot, rxvt, Ghostty, VTE…)
    desktop notifications. Terminals ignore the one they do not know.

    The OSC 777 title cannot hold ";" (its field separator), so it becomes ","; an OSC 9 text
    starting with "<digits>;" would be read as a ConEmu command, so it gets a leading space.
    """
    safe_title = notification_text(title, max_title).replace(";", ",")
    safe_body = notification_text(body, max_body)
    nine = f"{safe_title}: {safe_body}" if safe_title else safe_body
    if re.match(r"\d+;", nine):
        nine = " " + nine
    return [f"\x1b]9;{nine}\x07", f"\x1b]777;notify;{safe_title};{safe_body}\x07"]
