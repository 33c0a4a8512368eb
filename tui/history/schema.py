"""The history file's tables, indexes and forward migrations (`PRAGMA user_version`).

Times are UTC seconds since the Unix epoch (REAL), the cheapest form to range over; server times
are kept verbatim (TEXT), as the API sent them. Every row is keyed by (profile, tab, task id), and
no column ever holds a key. Indexes serve the three reads the monitor makes: one task's timeline
(`transitions_task`), a tab's transitions since T (`transitions_tab_time`, which also buckets
trends), and the current queue depth by status (`tasks_status`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

#: Migration N (1-based) brings a file from user_version N-1 to N. Only ever append.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE tasks (
        profile TEXT NOT NULL, tab TEXT NOT NULL, task_id TEXT NOT NULL,
        first_seen REAL NOT NULL, last_seen REAL NOT NULL, status TEXT NOT NULL,
        created TEXT, started TEXT, modified TEXT,
        PRIMARY KEY (profile, tab, task_id)
    ) WITHOUT ROWID;
    CREATE INDEX tasks_status ON tasks (profile, tab, status);
    CREATE TABLE transitions (
        id INTEGER PRIMARY KEY,
        profile TEXT NOT NULL, tab TEXT NOT NULL, task_id TEXT NOT NULL,
        seen_at REAL NOT NULL, server_at TEXT, previous TEXT, status TEXT NOT NULL
    );
    CREATE INDEX transitions_task ON transitions (profile, tab, task_id, seen_at);
    CREATE INDEX transitions_tab_time ON transitions (profile, tab, seen_at);
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        profile TEXT NOT NULL, tab TEXT NOT NULL, started REAL NOT NULL, stopped REAL NOT NULL
    );
    CREATE INDEX sessions_tab ON sessions (profile, tab, stopped);
    CREATE TABLE alerted (
        profile TEXT NOT NULL, tab TEXT NOT NULL, task_id TEXT NOT NULL, status TEXT NOT NULL,
        at REAL NOT NULL,
        PRIMARY KEY (profile, tab, task_id, status)
    ) WITHOUT ROWID;
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
