"""A task's timeline from the history as the detail pane shows it (rich Text, never markup).

'Queued 18:02 → Running 18:05 (waited 3m) → Failed 18:20 (ran 15m)'; a step tasktop could not
have seen happen (it was not running for part of the time before it) starts with '⋯' and its
wait or run is an upper bound ('≤'), with a line under the timeline saying so.
"""

from __future__ import annotations

from rich.text import Text

from tui.history.timeline import Timeline, step_notes
from tui.tabs.cells import status_text
from widgets.text import literal

GAP = "⋯ "
GAP_NOTE = ("⋯ tasktop was not running before this step: it happened at most this late,"
            " times are bounds")


def timeline_text(timeline: Timeline, *, clock: str = "%H:%M") -> Text | None:
    """None when the history holds nothing for the task."""
    if not timeline.steps:
        return None
    text = Text(end="")
    gaps = False
    for index, step in enumerate(timeline.steps):
        if index:
            text.append(" → ", style="dim")
        if step.gap:
            gaps = True
            text.append(GAP, style="bold yellow")
        text.append_text(status_text(step.status))
        text.append(f" {step.seen_at.strftime(clock)}")
        notes = step_notes(step)
        if notes:
            text.append(f" ({', '.join(notes)})", style="dim" if not step.gap else "yellow")
    if gaps:
        text.append("\n")
        text.append_text(literal(GAP_NOTE, style="dim italic"))
    text.overflow = "fold"
    return text
