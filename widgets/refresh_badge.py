"""How fresh the shown data is: "updated 3s ago · next in 2s", "paused", "stale: <why>".

Times are monotonic seconds from an injectable clock so tests and snapshots can freeze
them. The badge ticks once per second but repaints only when its text changes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from rich.cells import cell_len
from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from widgets.text import literal

__all__ = ["RefreshBadge", "format_duration"]

MAX_REASON = 160


def format_duration(seconds: float) -> str:
    """Whole seconds below a minute, then minutes, hours, days: "3s", "1m", "2h", "3d"."""
    seconds = max(int(seconds), 0)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def _until(at: float, now: float) -> str:
    # Round up so "next in 0s" only shows once the moment has come.
    return format_duration(math.ceil(max(at - now, 0.0)))


class RefreshBadge(Static):
    """Freshness of one list: last update, next refresh, paused, loading, or stale."""

    DEFAULT_CSS = """
    RefreshBadge {
        width: auto;
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    RefreshBadge.-paused {
        color: $text-warning;
    }
    RefreshBadge.-error {
        color: $text-error;
    }
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        tick: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """`clock` returns monotonic seconds; `tick=False` disables the 1 s self-refresh."""
        super().__init__("", name=name, id=id, classes=classes)
        self.clock = clock
        self._tick = tick
        self._timer: Timer | None = None
        self.updated_at: float | None = None
        self.next_at: float | None = None
        self.paused = False
        # Not `loading`: that is Textual's Widget.loading reactive, which mounts a LoadingIndicator
        # over the widget (and re-flows the screen) every time it is set.
        self.is_loading = False
        self.error: Text | None = None
        self.retry_at: float | None = None
        self.text = ""

    def on_mount(self) -> None:
        self.refresh_text()
        if self._tick:
            self._timer = self.set_interval(1.0, self.refresh_text)

    # -- state changes ----------------------------------------------------------

    def mark_loading(self) -> None:
        """A fetch started."""
        self.is_loading = True
        self.refresh_text()

    def mark_updated(self, at: float) -> None:
        """A fetch succeeded at monotonic time `at`; clears loading and any error."""
        self.updated_at = at
        self.is_loading = False
        self.error = None
        self.retry_at = None
        self.refresh_text()

    def set_next(self, at: float | None) -> None:
        """The next refresh is due at monotonic time `at` (None: not scheduled)."""
        self.next_at = at
        self.refresh_text()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self.refresh_text()

    def set_error(self, reason: str, retry_at: float | None = None) -> None:
        """The last fetch failed; `reason` comes from the server and is shown literally."""
        self.error = literal(reason, MAX_REASON, single_line=True)
        self.retry_at = retry_at
        self.is_loading = False
        self.refresh_text()

    def clear_error(self) -> None:
        self.error = None
        self.retry_at = None
        self.refresh_text()

    # -- rendering ---------------------------------------------------------------

    def render_text(self, now: float | None = None) -> Text:
        """The badge text at monotonic time `now` (default: the clock)."""
        now = self.clock() if now is None else now
        ago = None if self.updated_at is None else format_duration(now - self.updated_at)
        text = Text(end="")
        if self.paused:
            text.append("paused · ")
        if self.error is not None:
            text.append(f"stale (updated {ago} ago): " if ago else "failed: ")
            text.append_text(self.error)
            if self.is_loading:
                text.append(" · retrying…")
            elif self.retry_at is not None and not self.paused:
                text.append(f" · retrying in {_until(self.retry_at, now)}")
        elif ago is None:
            text.append("loading…" if self.is_loading or not self.paused else "no data")
        else:
            text.append(f"updated {ago} ago")
            if self.is_loading:
                text.append(" · loading…")
            elif self.next_at is not None and not self.paused:
                text.append(f" · next in {_until(self.next_at, now)}")
        return text

    def refresh_text(self) -> None:
        """Re-render; calls update() only if the text changed."""
        self.set_class(self.paused, "-paused")
        self.set_class(self.error is not None, "-error")
        self.set_class(self.is_loading, "-loading")
        text = self.render_text()
        if text.plain != self.text:
            # Same width (the usual "3s" -> "4s"), or a width set by CSS (the app gives the badge
            # the rest of its line): repaint only, no screen re-layout.
            width = self.styles.width
            resize = (width is None or width.is_auto) and cell_len(text.plain) != cell_len(self.text)
            self.text = text.plain
            self.update(text, layout=resize)
