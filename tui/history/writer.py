"""The one thread that writes the history file: whatever was queued since its last batch, in one
transaction. Callers (the UI thread among them) only ever put on a queue.

The thread never dies silently: an error it cannot get past becomes a one-line notice, history
turns itself off (later records are dropped, flushes still return), and the monitor goes on.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from .connect import one_line
from .retention import Retention, trim

#: A tab's session continues while heartbeats come at most this many seconds apart.
SESSION_GAP = 300.0
#: Seconds between background retention trims.
TRIM_EVERY = 600.0
#: Attempts at a batch that finds the file locked past the busy timeout.
LOCKED_RETRIES = 3


class Writer(threading.Thread):
    def __init__(
        self,
        conn: sqlite3.Connection,
        profile: str,
        retention: Retention,
        fail: Callable[[str], None],
        *,
        path_name: str = "history file",
    ) -> None:
        super().__init__(name="tasktop-history", daemon=True)
        self.conn = conn
        self.profile = profile
        self.retention = retention
        self.fail = fail
        self.path_name = path_name
        self.queue: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self.failed = False
        self.newest = 0.0
        self._sessions: dict[str, tuple[int, float]] = {}  # tab -> (row id, stopped)
        self._scopes: dict[str, int] = {}  # tab -> scope id (rows of `scopes` are never deleted)
        self._trimmed_at: float | None = None

    def put(self, op: tuple[Any, ...]) -> None:
        self.queue.put(op)

    def run(self) -> None:
        try:
            self._loop()
        except BaseException as exc:  # the last resort: say so, never vanish
            self._failed(exc)
        finally:
            try:
                self.conn.close()
            except sqlite3.Error:
                pass

    def _loop(self) -> None:
        while True:
            batch = [self.queue.get()]
            while True:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            writes = [op for op in batch if op[0] not in ("flush", "stop", "trim")]
            if any(op[0] == "trim" for op in batch):
                self._trimmed_at = None  # asked for: trim now
            if writes and not self.failed:
                self._write(writes)
            if not self.failed and (writes or self._trimmed_at is None):
                self._maybe_trim()
            for op in batch:
                if op[0] == "flush":
                    op[1].set()
            if any(op[0] == "stop" for op in batch):
                return

    def _write(self, ops: list[tuple[Any, ...]]) -> None:
        for attempt in range(LOCKED_RETRIES):
            sessions, scopes = dict(self._sessions), dict(self._scopes)
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                for op in ops:
                    getattr(self, f"_op_{op[0]}")(*op[1:])
                self.conn.execute("COMMIT")
                return
            except sqlite3.Error as exc:
                self._sessions, self._scopes = sessions, scopes  # rolled back with the batch
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if "locked" in str(exc).lower() and attempt < LOCKED_RETRIES - 1:
                    continue
                self._failed(exc)
                return

    def _maybe_trim(self) -> None:
        now = time.monotonic()
        if self._trimmed_at is not None and now - self._trimmed_at < TRIM_EVERY:
            return
        self._trimmed_at = now
        if self.newest:
            try:
                trim(self.conn, self.profile, self.newest, self.retention)
            except sqlite3.Error as exc:
                self._failed(exc)

    def _failed(self, exc: BaseException) -> None:
        if self.failed:
            return
        self.failed = True
        text = str(exc).lower()
        if "full" in text:
            message = f"history off: disk full, {self.path_name} cannot grow"
        elif "readonly" in text or "read-only" in text:
            message = f"history off: {self.path_name} is read-only"
        else:
            message = f"history off: {one_line(exc)}"
        self.fail(message)

    # ----------------------------------------------------------------------------- operations

    def _scope(self, tab: str) -> int:
        scope = self._scopes.get(tab)
        if scope is None:
            self.conn.execute("INSERT OR IGNORE INTO scopes (profile, tab) VALUES (?, ?)",
                              (self.profile, tab))
            scope = self.conn.execute("SELECT id FROM scopes WHERE profile = ? AND tab = ?",
                                      (self.profile, tab)).fetchone()[0]
            self._scopes[tab] = scope
        return scope

    def _op_record(self, tab: str, seen_at: float, changes: list[tuple], seen: list[str]) -> None:
        scope = self._scope(tab)
        self.newest = max(self.newest, seen_at)
        for task_id, previous, status, server_at, created, started, modified in changes:
            row = self.conn.execute("SELECT id, status_since, status FROM tasks WHERE scope = ?"
                                    " AND task_id = ?", (scope, task_id)).fetchone()
            if row is not None and row[2] == status:
                # Another tasktop on this file recorded this change first: once is enough.
                self.conn.execute("UPDATE tasks SET last_seen = max(last_seen, ?) WHERE id = ?",
                                  (seen_at, row[0]))
                continue
            if row is not None:
                previous = row[2]  # what the file knows, which may be newer than this process
            if row is None:
                task, previous_at = self.conn.execute(
                    "INSERT INTO tasks (scope, task_id, first_seen, last_seen, status,"
                    " status_since, created, started, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (scope, task_id, seen_at, seen_at, status, seen_at, created, started, modified),
                ).lastrowid, None
            else:
                task, previous_at, _ = row
                self.conn.execute(
                    "UPDATE tasks SET last_seen = max(last_seen, ?), status = ?, status_since = ?,"
                    " created = coalesce(?, created), started = coalesce(?, started),"
                    " modified = coalesce(?, modified) WHERE id = ?",
                    (seen_at, status, seen_at, created, started, modified, task),
                )
            self.conn.execute(
                "INSERT INTO transitions (scope, task, seen_at, server_at, previous, previous_at,"
                " status) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (scope, task, seen_at, server_at, previous, previous_at, status),
            )
            self.conn.execute(  # the tab's alerts and its hooks' ("<tab>:hooks") alike
                "DELETE FROM alerted WHERE task_id = ? AND status != ? AND scope IN"
                " (SELECT id FROM scopes WHERE profile = ? AND tab IN (?, ?))",
                (task_id, status, self.profile, tab, f"{tab}:hooks"),
            )
        if seen:
            self.conn.executemany(
                "UPDATE tasks SET last_seen = max(last_seen, ?) WHERE scope = ? AND task_id = ?",
                [(seen_at, scope, task_id) for task_id in seen],
            )
        self._op_touch(tab, seen_at)

    def _op_touch(self, tab: str, seen_at: float) -> None:
        self.newest = max(self.newest, seen_at)
        current = self._sessions.get(tab)
        if current is not None and 0 <= seen_at - current[1] <= SESSION_GAP:
            self.conn.execute("UPDATE sessions SET stopped = ? WHERE id = ?", (seen_at, current[0]))
            self._sessions[tab] = (current[0], seen_at)
            return
        if current is not None and seen_at < current[1]:
            return  # a clock that went back: keep the session as it is
        cursor = self.conn.execute(
            "INSERT INTO sessions (scope, started, stopped) VALUES (?, ?, ?)",
            (self._scope(tab), seen_at, seen_at),
        )
        self._sessions[tab] = (int(cursor.lastrowid or 0), seen_at)

    def _op_alerted(self, tab: str, task_id: str, status: str, at: float) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO alerted (scope, task_id, status, at) VALUES (?, ?, ?, ?)",
            (self._scope(tab), task_id, status, at),
        )

    def _op_forget(self) -> None:
        mine = "scope IN (SELECT id FROM scopes WHERE profile = ?)"
        for table in ("transitions", "tasks", "sessions", "alerted"):
            self.conn.execute(f"DELETE FROM {table} WHERE {mine}", (self.profile,))
        self._sessions.clear()
