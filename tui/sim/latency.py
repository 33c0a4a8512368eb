"""How long the simulator waits before it answers: a far-away API on a loopback socket.

One mechanism for every delay: the server's standing latency (`--latency 150ms --jitter 30ms`)
and a `latency` fault both go through `Latency.draw`, and every delay applied is recorded, so tests
count delays instead of timing them. Jitter is uniform in [0, jitter] and drawn from a generator
seeded by the world's seed, so the same seed gives the same sequence of delays.
"""

from __future__ import annotations

import random
import re
import threading
from collections import deque
from typing import Any

#: How many of the latest delays `report()` lists (the count covers all of them).
KEPT_DELAYS = 1000

_DURATION = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s)\s*")


def parse_duration(text: str) -> float:
    """Seconds in "150ms", "0.15s" or "2s" (a unit is required); ValueError with one line else."""
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r} (expected e.g. 150ms, 0.15s or 2s)")
    value = float(match.group(1))
    return value / 1000 if match.group(2) == "ms" else value


class Latency:
    """The standing delay of every API answer plus what has been applied so far (thread-safe)."""

    def __init__(self, seconds: float = 0.0, jitter: float = 0.0, *, seed: int = 0) -> None:
        if seconds < 0 or jitter < 0:
            raise ValueError("latency and jitter must be >= 0")
        self.seconds = seconds
        self.jitter = jitter
        self._rng = random.Random(f"{seed}/latency")
        self._lock = threading.Lock()
        self._applied: deque[float] = deque(maxlen=KEPT_DELAYS)
        self._delayed = 0

    def draw(self, extra: float = 0.0) -> float:
        """The delay for one answer: the standing latency, its jitter and `extra` (a fault's)."""
        with self._lock:
            delay = self.seconds + extra
            if self.jitter:
                delay += self._rng.uniform(0.0, self.jitter)
            if delay > 0:
                self._applied.append(delay)
                self._delayed += 1
            return delay

    def report(self) -> dict[str, Any]:
        """{"latency", "jitter", "delayed": answers delayed, "applied": the latest delays, oldest
        first}."""
        with self._lock:
            return {"latency": self.seconds, "jitter": self.jitter, "delayed": self._delayed,
                    "applied": list(self._applied)}

    def reset(self) -> None:
        with self._lock:
            self._applied.clear()
            self._delayed = 0
