"""The simulator's clock: simulated seconds since a fixed epoch, real-time or manual.

Everything the simulator answers is a pure function of this clock (plus the seed and the tasks
added by tests), so a frozen clock gives byte-identical answers across runs.
"""

from __future__ import annotations

import functools
import threading
import time
from datetime import UTC, datetime, timedelta

#: Simulated time 0. Seeded tasks were created before it; new tasks appear after it.
EPOCH = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)


class SimClock:
    """Simulated seconds since EPOCH.

    Real-time mode: advances `rate` simulated seconds per real second (monotonic clock).
    Manual mode: frozen until `advance()`; starts at exactly 0 so output is reproducible.
    """

    def __init__(self, *, rate: float = 1.0, manual: bool = False) -> None:
        if rate <= 0:
            raise ValueError("rate must be > 0")
        self.rate = float(rate)
        self.manual = manual
        self._offset = 0.0
        self._started = time.monotonic()
        self._lock = threading.Lock()

    def seconds(self) -> float:
        """Simulated seconds since EPOCH (never negative, never decreasing)."""
        with self._lock:
            if self.manual:
                return self._offset
            return self._offset + (time.monotonic() - self._started) * self.rate

    def advance(self, seconds: float) -> float:
        """Jump forward by `seconds` simulated seconds; returns the new simulated time."""
        if seconds < 0:
            raise ValueError("the simulated clock only moves forward")
        with self._lock:
            self._offset += float(seconds)
        return self.seconds()

    def now(self) -> datetime:
        return at(self.seconds())


def at(seconds: float) -> datetime:
    """The UTC datetime `seconds` after EPOCH (negative = before)."""
    return EPOCH + timedelta(seconds=seconds)


@functools.lru_cache(maxsize=16384)
def enkrypt_ts(seconds: float) -> str:
    """Enkrypt style: '2025-02-28T11:07:36.872803+00:00'."""
    return at(seconds).isoformat(timespec="microseconds")


@functools.lru_cache(maxsize=16384)
def nimble_ts(seconds: float) -> str:
    """Nimble style: '2024-01-15T10:30:00Z'."""
    return at(seconds).strftime("%Y-%m-%dT%H:%M:%SZ")
