"""`History`: the local record of every transition tasktop sees, per profile, in one SQLite file.

Writes only queue (the UI thread calls `record` on every landed page); a writer thread commits
one batch per tick. Reads use a connection of their own and belong on worker threads. Nothing here
raises at the caller: an unusable file gives a History with `enabled=False` and a one-line
`notice`, and a writer that hits a wall (disk full, file gone read-only) turns history off the
same way. Keys never reach this module: only tab names, task ids, statuses and times are stored.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui.core.transitions import Transition

from . import queries
from .connect import Unusable, connect, default_path, one_line, open_file
from .retention import Retention
from .schema import MIGRATIONS
from .timeline import Timeline, phase
from .writer import Writer

#: Seconds `flush` and `close` wait for the writer.
WAIT = 10.0


def server_time(change: Transition) -> str | None:
    """The server's own time for this change, where the API gives one: Nimble's modified_at, a
    task's started_at when it starts running, its created_at when first seen queued."""
    if change.modified:
        return change.modified
    current = phase(change.status)
    if current == "running" and change.started:
        return change.started
    if change.previous is None and current == "queued" and change.created:
        return change.created
    return None


class History:
    """Open with `History.open`; a History that is off answers every call harmlessly."""

    def __init__(self, path: Path | None, profile: str, *, notice: str | None = None) -> None:
        self.path = path
        self.profile = profile
        self.notice = notice
        self.enabled = False
        self.on_notice: Callable[[str], None] | None = None
        self._writer: Writer | None = None
        self._reader: sqlite3.Connection | None = None
        self._read_lock = threading.Lock()
        self._alerted: set[tuple[str, str, str]] = set()

    @classmethod
    def off(cls, notice: str | None = None, profile: str = "default") -> History:
        return cls(None, profile, notice=notice)

    @classmethod
    def open(
        cls,
        path: Path | str | None = None,
        profile: str = "default",
        *,
        retention: Retention | None = None,
        on_notice: Callable[[str], None] | None = None,
        migrations: Sequence[str] = MIGRATIONS,
        pragmas: Sequence[str] = (),
    ) -> History:
        """Never raises. `on_notice` is called (from the writer thread) if history turns off later."""
        file = Path(path).expanduser() if path else default_path()
        history = cls(file, profile)
        history.on_notice = on_notice
        try:
            conn, history.notice = open_file(file, migrations=migrations, pragmas=pragmas)
            try:
                history._reader = connect(file)
                history._alerted = {
                    (tab, task, status) for tab, task, status in history._reader.execute(
                        "SELECT s.tab, a.task_id, a.status FROM alerted a JOIN scopes s"
                        " ON s.id = a.scope WHERE s.profile = ?", (profile,))
                }
            except BaseException:
                conn.close()
                raise
        except Unusable as exc:
            history.notice = str(exc)
            return history
        except (sqlite3.Error, OSError) as exc:
            history.notice = f"history off: {one_line(exc)}"
            return history
        history._writer = Writer(conn, profile, retention or Retention(), history._fail,
                                 path_name=file.name)
        history._writer.start()
        history.enabled = True
        return history

    def _fail(self, message: str) -> None:
        self.enabled = False
        self.notice = message
        if self.on_notice is not None:
            self.on_notice(message)

    def _put(self, *op: object) -> None:
        if self.enabled and self._writer is not None:
            self._writer.put(op)

    # ---------------------------------------------------------------------------------- writes

    def record(
        self, transitions: Iterable[Transition], *, tab: str, seen_at: datetime,
        seen: Iterable[str] = (),
    ) -> None:
        """Queue a page's transitions (and the ids it `seen` unchanged, for last-seen); never blocks."""
        transitions = list(transitions)
        if self._alerted:  # a task that moved on may alert again when it comes back
            moved = {(t.tab, t.task_id): t.status for t in transitions}
            # "<tab>:hooks" (the hooks' own records, tui.hooks.ledger) moves on with its tab
            self._alerted = {k for k in self._alerted
                             if moved.get((k[0].split(":")[0], k[1]), k[2]) == k[2]}
        if not self.enabled:
            return
        changes = [
            (t.task_id, t.previous, t.status, server_time(t), t.created, t.started, t.modified)
            for t in transitions
        ]
        self._put("record", tab, seen_at.timestamp(), changes, list(seen))

    def touch(self, tab: str, seen_at: datetime) -> None:
        """Session heartbeat: tasktop is watching `tab` at `seen_at` (gaps show where it was not)."""
        self._put("touch", tab, seen_at.timestamp())

    def already_alerted(self, tab: str, task_id: str, status: str) -> bool:
        """From memory (loaded at open), so the UI thread may ask."""
        return (tab, task_id, status) in self._alerted

    def mark_alerted(self, tab: str, task_id: str, status: str, at: datetime | None = None) -> None:
        self._alerted = {k for k in self._alerted if k[:2] != (tab, task_id)} | {(tab, task_id, status)}
        self._put("alerted", tab, task_id, status, (at or datetime.now(UTC)).timestamp())

    def forget(self) -> None:
        """Clear this profile's history (the file stays)."""
        self._alerted.clear()
        self._put("forget")

    def trim(self) -> None:
        """Apply retention now, in the background (it also runs every few minutes)."""
        self._put("trim")

    def flush(self, timeout: float = WAIT) -> bool:
        """Wait until everything queued so far is written (or history turned off)."""
        if self._writer is None or not self._writer.is_alive():
            return not self.enabled
        done = threading.Event()
        self._writer.put(("flush", done))
        return done.wait(timeout)

    def close(self, timeout: float = WAIT) -> None:
        """Write what is queued and close; safe to call twice."""
        writer, self._writer = self._writer, None
        self.enabled = False
        if writer is not None and writer.is_alive():
            writer.put(("stop",))
            writer.join(timeout)
        reader, self._reader = self._reader, None
        if reader is not None:
            with self._read_lock:
                reader.close()

    # ----------------------------------------------------------------------------------- reads

    def _read(self, query: Callable[..., object], *args: object, default: object) -> object:
        if self._reader is None:
            return default
        with self._read_lock:
            try:
                return query(self._reader, self.profile, *args)
            except sqlite3.Error:
                return default

    def statuses(self, tab: str) -> dict[str, str]:
        return self._read(queries.statuses, tab, default={})  # type: ignore[return-value]

    def last_seen(self, tab: str) -> datetime | None:
        return self._read(queries.last_seen, tab, default=None)  # type: ignore[return-value]

    def changes_since(
        self, tab: str, since: datetime | None, *, status: str | None = None,
        limit: int | None = None,
    ) -> list[queries.Change]:
        return self._read(queries.changes_since, tab, since, status, limit,  # type: ignore[return-value]
                          default=[])

    def timeline(self, tab: str, task_id: str) -> Timeline:
        return self._read(queries.timeline, tab, task_id,  # type: ignore[return-value]
                          default=Timeline(tab, task_id, ()))

    def tabs_of(self, task_id: str) -> list[str]:
        return self._read(queries.tabs_of, task_id, default=[])  # type: ignore[return-value]

    def trends(
        self, tab: str, span: timedelta | float, buckets: int, *, end: datetime | None = None
    ) -> queries.Trends | None:
        """`buckets` intervals over the `span` before `end` (default: the tab's last session)."""
        seconds = span.total_seconds() if isinstance(span, timedelta) else float(span)
        if end is None:
            end = self.last_seen(tab)
            if end is None:
                return None
        return self._read(queries.trends, tab, end.timestamp(), seconds, buckets,  # type: ignore[return-value]
                          default=None)
