"""One task's timeline: the statuses tasktop saw, how long it waited and ran, and where it was blind.

Pure (no SQLite, no Textual): the store hands in the task's transitions and the tab's watched
sessions; the detail pane and the CLI render the same model. A step is marked `gap` when tasktop
was not watching the tab for the whole interval before it: the change may have happened anywhere in
that interval, so its wait or run time is an upper bound ("≤").
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tui.base.statuses import FAILED, FINISHED, QUEUED, RUNNING
from tui.core.safe_text import escape_controls


@functools.lru_cache(maxsize=256)
def phase(status: str | None) -> str | None:
    """'queued', 'running', 'failed', 'finished' or None for an unknown word."""
    word = (status or "").casefold()
    for name, words in (("queued", QUEUED), ("running", RUNNING), ("failed", FAILED),
                        ("finished", FINISHED)):
        if word in words:
            return name
    return None


@dataclass(frozen=True, slots=True)
class Step:
    """The task seen with `status` at `seen_at`. `waited`/`ran` are seconds spent in the queued or
    running phase up to this step, when it ends one; `gap`: unwatched time before this step."""

    status: str
    seen_at: datetime
    server_at: str | None = None
    previous: str | None = None
    waited: float | None = None
    ran: float | None = None
    gap: bool = False


@dataclass(frozen=True, slots=True)
class Timeline:
    tab: str
    task_id: str
    steps: tuple[Step, ...]

    @property
    def waited(self) -> float | None:
        return next((s.waited for s in self.steps if s.waited is not None), None)

    @property
    def ran(self) -> float | None:
        return next((s.ran for s in self.steps if s.ran is not None), None)


def covered(start: float, end: float, sessions: Sequence[tuple[float, float]]) -> bool:
    """True when the watched sessions (start, stop) together cover [start, end]."""
    reach = start
    for begin, stop in sorted(sessions):
        if begin > reach:
            break
        reach = max(reach, stop)
        if reach >= end:
            return True
    return reach >= end


def build_timeline(
    tab: str,
    task_id: str,
    transitions: Sequence[tuple[float, str | None, str | None, str]],
    sessions: Sequence[tuple[float, float]],
) -> Timeline:
    """From (seen_at, server_at, previous, status) rows in time order and the tab's sessions."""
    steps: list[Step] = []
    entered: dict[str, float] = {}  # phase -> when the task entered it
    last: float | None = None
    for seen_at, server_at, previous, status in transitions:
        current = phase(status)
        waited = ran = None
        if current == "running" and "queued" in entered:
            waited = seen_at - entered["queued"]
        elif current in ("failed", "finished"):
            if "running" in entered:
                ran = seen_at - entered["running"]
            elif "queued" in entered:
                waited = seen_at - entered["queued"]
        if current is not None and current not in entered:
            entered[current] = seen_at
        gap = last is not None and not covered(last, seen_at, sessions)
        steps.append(Step(status, _utc(seen_at), server_at, previous, waited, ran, gap))
        last = seen_at
    return Timeline(tab, task_id, tuple(steps))


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def span(seconds: float) -> str:
    """'45s', '3m', '2h05m', '3d04h': short enough for one line of a timeline."""
    seconds = max(0, int(round(seconds)))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d{hours:02d}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


def step_notes(step: Step) -> list[str]:
    """What a step says of the phase it ends: "waited 3m", "ran 15m" ("≤" after a gap: the
    phase may have ended while tasktop was not watching)."""
    bound = "≤" if step.gap else ""
    notes = []
    if step.waited is not None:
        notes.append(f"waited {bound}{span(step.waited)}")
    if step.ran is not None:
        notes.append(f"ran {bound}{span(step.ran)}")
    return notes


def render_timeline(timeline: Timeline, *, clock: str = "%H:%M") -> str:
    """'Queued 18:02 → Running 18:05 (waited 3m) → Failed 18:20 (ran 15m)' on one line; a step
    after a gap reads '⋯ Failed 18:20 (ran ≤15m)'. Statuses are server text: escaped here."""
    parts: list[str] = []
    for step in timeline.steps:
        notes = step_notes(step)
        status = escape_controls(step.status, single_line=True)
        text = f"{status} {step.seen_at.strftime(clock)}"
        if notes:
            text += f" ({', '.join(notes)})"
        parts.append(("⋯ " if step.gap else "") + text)
    return " → ".join(parts)
