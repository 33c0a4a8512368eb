"""HookRunner: the caller queues events; one worker thread fires the matching hooks.

Why a thread of its own: a hook may hang up to its timeout, and the ledger may be an SQLite file;
neither may block the app's UI thread or a watch loop. `submit` only puts the event on a bounded
queue. For each event the worker, in order:
1. skips it when no hook matches (tab and `on`), or the ledger says this task already alerted in
   this state (dedupe per (tab, task, status), across restarts with a history ledger);
2. skips it when `per_minute` events already went to the hooks in the last 60 s (counted by the
   ledger, so a restart does not reset the limit), with one notice when skipping starts;
3. marks it alerted, then runs every matching hook, one after another, each with its timeout.
A failing hook gives one one-line notice through `on_notice` (called on the worker thread), and
the runner carries on.
"""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tui.core.hook_settings import DEFAULT_HOOKS_PER_MINUTE, HookSpec
from tui.core.safe_text import escape_controls
from tui.hooks.deliver import deliver, kill_group
from tui.hooks.event import HookEvent
from tui.hooks.ledger import AlertLedger, MemoryLedger

log = logging.getLogger("tasktop.hooks")


def env_secrets() -> list[str]:
    """The API keys set in this process's environment."""
    from tui.core.keys import ENV_VARS

    return [value for name in ENV_VARS.values() if (value := os.environ.get(name, "").strip())]

WINDOW = 60.0
#: Events waiting for the worker; beyond this new ones are dropped (and counted).
MAX_QUEUED = 1000
_STOP = object()


@dataclass
class HookStats:
    """What the runner did, for tests and the log: counted, never timed."""

    fired: int = 0
    failed: int = 0
    deduped: int = 0
    rate_limited: int = 0
    dropped: int = 0
    processed: int = 0


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class HookRunner:
    def __init__(
        self,
        hooks: Iterable[HookSpec],
        *,
        per_minute: int = DEFAULT_HOOKS_PER_MINUTE,
        ledger: AlertLedger | None = None,
        on_notice: Callable[[str], None] | None = None,
        secrets: Callable[[], Iterable[str]] | Iterable[str] = (),
        clock: Callable[[], float] = time.time,  # wall-clock seconds: the ledger outlives us
    ) -> None:
        self.hooks = tuple(hooks)
        self.per_minute = per_minute
        self.ledger: AlertLedger = ledger if ledger is not None else MemoryLedger()
        self.on_notice = on_notice
        #: Key values kept out of every hook (masked as *** in event data; a variable holding
        #: one is not inherited), besides the env keys, which are always kept out.
        self.secrets = secrets
        self.clock = clock
        self.stats = HookStats()
        self._queue: queue.Queue = queue.Queue(MAX_QUEUED)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._running: subprocess.Popen | None = None
        self._closed = False
        self._limited = False  # inside a run of rate-limited events (one notice per run)
        self._idle = threading.Condition(self._lock)
        self._pending = 0

    # ------------------------------------------------------------------------------ caller side

    def submit(self, event: HookEvent) -> bool:
        """Queue `event` for the hooks; never blocks. False when it was not queued (no hook
        could match it, the runner is closed, or the queue is full)."""
        if self._closed or not any(h.matches(event.tab, event.status) for h in self.hooks):
            return False
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="tasktop-hooks", daemon=True)
                self._thread.start()
            try:
                self._queue.put_nowait(event)
            except queue.Full:
                self.stats.dropped += 1
                return False
            self._pending += 1
        return True

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every queued event has been handled (tests, `hooks test`, `watch` at exit);
        False if `timeout` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self, *, drain: bool = False, timeout: float | None = None) -> None:
        """Stop the worker. Without `drain`, queued events are dropped and a running command is
        killed (its process group too); with it, they are handled first (each within its own
        timeout)."""
        if drain:
            self.wait_idle(timeout)
        self._closed = True
        with self._lock:
            running, thread = self._running, self._thread
        if running is not None:
            kill_group(running)
        if thread is not None:
            self._queue.put(_STOP)
            thread.join(timeout)

    # ------------------------------------------------------------------------------ worker side

    def _work(self) -> None:
        while True:
            event = self._queue.get()
            if event is _STOP:
                return
            try:
                if not self._closed:
                    self._handle(event)
            except Exception:  # noqa: BLE001 - a broken ledger must not end the worker
                log.exception("hook runner: event not handled")
            finally:
                with self._idle:
                    self.stats.processed += 1
                    self._pending -= 1
                    self._idle.notify_all()

    def _handle(self, event: HookEvent) -> None:
        hooks = [h for h in self.hooks if h.matches(event.tab, event.status)]
        if not hooks:
            return
        if self.ledger.already_alerted(*event.dedupe_key):
            self.stats.deduped += 1
            return
        now = datetime.fromtimestamp(self.clock(), UTC)
        if self.ledger.alerted_since(now - timedelta(seconds=WINDOW)) >= self.per_minute:
            self.stats.rate_limited += 1
            if not self._limited:
                self._limited = True
                self._notice(
                    f"hooks: hooks_per_minute ({self.per_minute}) reached; "
                    "skipping hooks until the rate drops"
                )
            return
        self._limited = False
        self.ledger.mark_alerted(*event.dedupe_key, now)
        secrets = (*env_secrets(), *(self.secrets() if callable(self.secrets) else self.secrets))
        for hook in hooks:
            if self._closed:
                return
            reason = deliver(hook, event, secrets, started=self._track)
            with self._lock:
                self._running = None
            self.stats.fired += 1
            if reason is not None:
                self.stats.failed += 1
                self._notice(f"{hook.label()} failed for {_short(event.id)}: {reason}")

    def _track(self, process: subprocess.Popen) -> None:
        with self._lock:
            self._running = process
            closed = self._closed
        if closed:  # close() came between the check and the start: do not let it run on
            kill_group(process)

    def _notice(self, text: str) -> None:
        line = escape_controls(text, single_line=True)
        log.warning("%s", line)
        if self.on_notice is not None:
            try:
                self.on_notice(line)
            except Exception:  # noqa: BLE001 - e.g. the app already closing
                log.debug("hook notice not delivered", exc_info=True)
