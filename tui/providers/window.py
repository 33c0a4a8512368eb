"""How many requests to one provider may be in flight: an AIMD window, like TCP's.

A far-away API answers a page of 25 get-task calls in 25 / window round trips, so a fixed, timid
bound costs seconds; a fixed, bold one gets a busy server to answer 429. The window starts wide,
grows by one after a window's worth of fast, clean answers (additive increase), and halves at
once on a 429, a 5xx or a timeout (multiplicative decrease). Answers to requests sent before a
cut do not cut it again: one burst of errors halves the window once. Pure asyncio, no Textual.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

#: Where the window starts (a page of 25 in two rounds), its largest size (one page of 25) and
#: its floor.
START = 16
CAP = 25
FLOOR = 1
#: An answer slower than this (seconds) is clean but not fast: it does not grow the window.
SLOW_ANSWER = 2.0

log = logging.getLogger("tasktop.window")


class AimdWindow:
    """The bound and the gate: `async with window.slot():` waits while the window is full."""

    def __init__(
        self, name: str, *, start: int = START, cap: int = CAP, floor: int = FLOOR,
        slow: float = SLOW_ANSWER,
    ) -> None:
        if not floor <= start <= cap:
            raise ValueError(f"need floor <= start <= cap, got {floor}, {start}, {cap}")
        self.name = name
        self.size = start
        self.cap = cap
        self.floor = floor
        self.slow = slow
        self.in_flight = 0
        #: Most requests ever in flight at once (for tests and benchmarks).
        self.peak = 0
        self._run = 0  # fast, clean answers since the last change
        self._grace = 0  # answers still due from requests sent before the last cut
        self._waiters: list[asyncio.Future[None]] = []
        log.info("%s window %d (cap %d)", name, start, cap)

    # ------------------------------------------------------------------------- outcomes

    def answered(self, seconds: float) -> None:
        """A clean answer that took `seconds`: a window's worth of fast ones grows it by one."""
        if self._settle_grace():
            return
        if seconds > self.slow:
            self._run = 0
            return
        self._run += 1
        if self._run >= self.size and self.size < self.cap:
            self._resize(self.size + 1, "fast clean answers")

    def failed(self, reason: str) -> None:
        """A 429, 5xx or timeout: halve now, unless the request predates the last cut."""
        if self._settle_grace():
            return
        self._resize(max(self.floor, self.size // 2), reason)
        # The others still out were sent under the old, larger window (the failed one is
        # reported while it still holds its place).
        self._grace = max(0, self.in_flight - 1)

    def _settle_grace(self) -> bool:
        if self._grace > 0:
            self._grace -= 1
            return True
        return False

    def _resize(self, size: int, reason: str) -> None:
        self._run = 0
        if size == self.size:
            return
        log.info("%s window %d → %d (%s)", self.name, self.size, size, reason)
        self.size = size
        self._wake()

    # ----------------------------------------------------------------------------- gate

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the window's places for the duration of one request."""
        while self.in_flight >= self.size:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            yield
        finally:
            self.in_flight -= 1
            self._wake()

    def _wake(self) -> None:
        """Let waiters re-check the window (it grew, or a place came free)."""
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
