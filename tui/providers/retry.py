"""How one request retries: briefly, and only when waiting can help.

Inside one fetch a failure is retried a couple of times within a few seconds — 5xx, timeouts,
refused or dropped connections, and a 429 whose Retry-After is short. Anything longer is the
caller's business: the typed error goes up (a RateLimited keeps its `retry_after`) and the app
schedules its own retry, showing "retrying in 12s" instead of freezing inside one fetch. 400, 401,
402, 403, 404 and protocol errors are never retried: waiting does not change their answer.

The retry loop is stamina's (jittered exponential backoff, attempt and time limits). It is imported
only after a first failure, so a healthy start-up never pays for it.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from .base import RETRYABLE, ProviderError, RateLimited

T = TypeVar("T")

#: A Unix time above this is a date, not a number of seconds (2001-09-09).
_EPOCH_THRESHOLD = 1_000_000_000


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Limits of the retries inside one request; all times in seconds.

    attempts:        tries in all, the first included (1 = never retry).
    budget:          no retry is scheduled once this long has passed since the first try began,
                     nor a Retry-After wait that would end past it.
    wait_initial, wait_max, wait_jitter: exponential backoff (stamina's parameters).
    max_retry_after: a 429 asking for a longer wait is not waited for here but raised at once.
    """

    attempts: int = 3
    budget: float = 4.0
    wait_initial: float = 0.3
    wait_max: float = 1.5
    wait_jitter: float = 0.3
    max_retry_after: float = 2.0

    def backoff(self, error: BaseException, elapsed: float) -> bool | float:
        """stamina's hook: False (give up), True (exponential backoff) or a wait in seconds."""
        if not isinstance(error, RETRYABLE):
            return False
        if isinstance(error, RateLimited) and error.retry_after is not None:
            wait = error.retry_after
            if wait > self.max_retry_after or elapsed + wait > self.budget:
                return False
            return wait
        return elapsed < self.budget

    async def call(self, send: Callable[[], Awaitable[T]]) -> T:
        """`send()` once; on a retryable failure, again under this policy. Raises the last error."""
        started = time.monotonic()
        try:
            return await send()
        except ProviderError as error:
            if self.attempts <= 1 or self.backoff(error, time.monotonic() - started) is False:
                raise
            first = error
        return await self._retry(send, first, started)

    async def _retry(
        self, send: Callable[[], Awaitable[T]], first: ProviderError, started: float
    ) -> T:
        stamina = _stamina()
        pending: ProviderError | None = first
        retrying = stamina.retry_context(
            on=lambda exc: self.backoff(exc, time.monotonic() - started),
            attempts=self.attempts,
            timeout=None,  # the budget is enforced by `backoff`, which knows each wait
            wait_initial=self.wait_initial,
            wait_max=self.wait_max,
            wait_jitter=self.wait_jitter,
        )
        async for attempt in retrying:
            with attempt:
                if pending is not None:
                    # The first try already happened in `call`; replay its error so stamina
                    # counts it as attempt 1 and waits before the second.
                    error, pending = pending, None
                    raise error
                return await send()
        raise AssertionError("unreachable: stamina re-raises the last error")  # pragma: no cover


#: Used by every client unless told otherwise.
DEFAULT_RETRY = RetryPolicy()
#: One try, no retries (for callers that schedule every retry themselves).
NO_RETRY = RetryPolicy(attempts=1)


def rate_limit_reset(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds until a rate limit resets, from RateLimit-Reset / X-RateLimit-Reset; None if absent.

    RateLimit-Reset (IETF draft) counts seconds. X-RateLimit-Reset counts seconds on some APIs
    and is a Unix time on others (GitHub); a value past 2001 in seconds is read as a Unix time.
    """
    for name in ("ratelimit-reset", "x-ratelimit-reset"):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            value = float(raw.strip())
        except ValueError:
            continue
        if not math.isfinite(value) or value < 0:
            continue
        if value > _EPOCH_THRESHOLD:
            value -= time.time() if now is None else now
        return max(value, 0.0)
    return None


_STAMINA = None


def _stamina():  # -> the stamina module
    """Import stamina on first need, retries logged to "tasktop.retry" instead of its default
    logger (whose warnings would reach a TUI's stderr when no logging is configured)."""
    global _STAMINA
    if _STAMINA is None:
        import stamina
        import stamina.instrumentation

        stamina.instrumentation.set_on_retry_hooks([_log_retry])
        _STAMINA = stamina
    return _STAMINA


def _log_retry(details: Any) -> None:
    """stamina's on-retry hook: one line in the --log file (silent without --log)."""
    logging.getLogger("tasktop.retry").info(
        "retry %d in %.2fs after: %s", details.retry_num, details.wait_for, details.caused_by
    )
