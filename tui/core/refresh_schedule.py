"""When a tab fetches next: refresh interval, background polling, retry after a failure.

Pure: no Textual; times are the view's monotonic clock, passed in. The view arms its one timer
from these answers, so the rules (Retry-After honoured, backoff doubling up to MAX_BACKOFF, a
filtered walk's ticks spaced by the calls it made) are tested without a screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.providers.base import Page, ProviderError, RateLimited

MAX_BACKOFF = 60.0


def retry_delay(error: ProviderError, refresh_seconds: float, failures: int) -> float:
    """Seconds before retrying after the `failures`-th failure in a row: the server's
    Retry-After when it sent one, else the refresh interval doubled per failure; at most
    MAX_BACKOFF."""
    if isinstance(error, RateLimited) and error.retry_after is not None:
        return min(MAX_BACKOFF, max(0.0, error.retry_after))
    return min(MAX_BACKOFF, refresh_seconds * 2 ** (failures - 1))


def calls_per_tick(page: Page[object] | None) -> int:
    """List calls the page's fetch made: more than one for a filtered walk, whose ticks come that
    many intervals apart so the tab's request rate stays that of one call."""
    walk = page.walk if page is not None else None
    return max(1, walk.calls) if walk is not None else 1


@dataclass
class RefreshSchedule:
    """A tab's refresh state: last success, the failure streak and the retry it scheduled."""

    refresh_seconds: float
    #: With --watch-all, hidden tabs keep polling at this slower interval (None: they idle).
    background_seconds: float | None = None
    active: bool = False
    paused: bool = False
    last_success: float | None = None
    failures: int = 0
    error: ProviderError | None = None
    #: Monotonic time of the retry a failure scheduled (kept across tab switches).
    retry_at: float | None = None

    @property
    def interval(self) -> float:
        """Seconds between ticks: the refresh interval, or the slower background one if hidden."""
        if not self.active and self.background_seconds is not None:
            return self.background_seconds
        return self.refresh_seconds

    def next_due(self, calls: int = 1) -> float | None:
        """When the data is due again (None: never fetched, due now)."""
        if self.error is not None and self.retry_at is not None:
            return self.retry_at  # a failed tab waits out its retry (Retry-After) even if hidden
        if self.last_success is None:
            return None
        return self.last_success + self.refresh_seconds * calls

    def wait_on_activation(self, now: float, calls: int = 1) -> float | None:
        """A tab became visible: seconds to wait before fetching, or None to fetch now."""
        due = self.next_due(calls)
        return None if due is None or due <= now else due - now

    def succeeded(self, now: float) -> None:
        self.failures, self.error, self.retry_at, self.last_success = 0, None, None, now

    def failed(self, error: ProviderError, now: float) -> float:
        """Record a failure; the seconds until its retry."""
        self.failures += 1
        self.error = error
        delay = retry_delay(error, self.refresh_seconds, self.failures)
        self.retry_at = now + delay
        return delay

    def forget(self) -> None:
        """A new source: nothing it fetched or failed counts."""
        self.last_success, self.failures, self.error = None, 0, None

    def ticking(self, has_source: bool) -> tuple[bool, bool]:
        """(arm a timer, show "next in" on the badge) for the tab as it is now."""
        if self.paused or not has_source:
            return False, False
        if not self.active:
            return self.background_seconds is not None, False  # watched while hidden: no badge
        return True, True
