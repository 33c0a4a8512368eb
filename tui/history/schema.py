"""The history file's tables, indexes and forward migrations (`PRAGMA user_version`).

Times are UTC seconds since the Unix epoch (REAL), the cheapest form to range over; server times
are kept verbatim (TEXT), as the API sent them. Rows are keyed by (profile, tab, task id): a
(profile, tab) pair is a `scope` and a task a `tasks` row, both referred to by integer, which
halves the size of a transition. No column ever holds a key. Indexes serve the reads the monitor
makes: one task's timeline (`transitions_task`), a tab's transitions since T
(`transitions_scope_time`, which also buckets trends), and the queue depth by status of the tasks
seen since T (`tasks_seen`). A transition carries when the task entered the status it leaves
(`previous_at`), so waits and runs need no second look-up. The `changes` view reads transitions
with their names, for people and tests.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

#: Migration N (1-based) brings a file from user_version N-1 to N. Only ever append.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE scopes (
        id INTEGER PRIMARY KEY, profile TEXT NOT NULL, tab TEXT NOT NULL, UNIQUE (profile, tab)
    );
    CREATE TABLE tasks (
        id INTEGER PRIMARY KEY, scope INTEGER NOT NULL REFERENCES scopes, task_id TEXT NOT NULL,
        first_seen REAL NOT NULL, last_seen REAL NOT NULL, status TEXT NOT NULL,
        status_since REAL NOT NULL, created TEXT, started TEXT, modified TEXT,
        UNIQUE (scope, task_id)
    );
    CREATE INDEX tasks_seen ON tasks (scope, last_seen, status);
    CREATE TABLE transitions (
        id INTEGER PRIMARY KEY, scope INTEGER NOT NULL, task INTEGER NOT NULL,
        seen_at REAL NOT NULL, server_at TEXT, previous TEXT, previous_at REAL,
        status TEXT NOT NULL
    );
    CREATE INDEX transitions_task ON transitions (task, seen_at);
    CREATE INDEX transitions_scope_time ON transitions (scope, seen_at);
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY, scope INTEGER NOT NULL, started REAL NOT NULL, stopped REAL NOT NULL
    );
    CREATE INDEX sessions_scope ON sessions (scope, stopped);
    CREATE TABLE alerted (
        scope INTEGER NOT NULL, task_id TEXT NOT NULL, status TEXT NOT NULL, at REAL NOT NULL,
        PRIMARY KEY (scope, task_id, status)
    ) WITHOUT ROWID;
    CREATE VIEW changes AS
        SELECT t.id, s.profile, s.tab, k.task_id, t.seen_at, t.server_at, t.previous, t.status
        FROM transitions t JOIN tasks k ON k.id = t.task JOIN scopes s ON s.id = t.scope;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


class NewerSchema(Exception):
    """The file was written by a newer tasktop; it is left untouched."""


def migrate(conn: sqlite3.Connection, migrations: Sequence[str] = MIGRATIONS) -> int:
    """Bring the file up to `len(migrations)`, one transaction per step; returns the version.

    Two processes opening an old file at once both try: the second waits on the write lock, then
    sees the version already moved and applies nothing.
    """
    target = len(migrations)
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > target:
                raise NewerSchema(f"the history file is from a newer tasktop (schema {version})")
            if version == target:
                conn.execute("COMMIT")
                return version
            for statement in _statements(migrations[version]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """A migration script as single statements (executescript would commit on its own)."""
    return [s.strip() for s in script.split(";") if s.strip()]
