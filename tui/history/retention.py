"""Keeping the history file bounded: by age (per profile, on that profile's own clock) and by size.

Age is measured against the newest time the profile recorded, not the wall clock, so a demo
profile on the simulator's clock is trimmed by its own days. Size is the file's used pages; the
oldest transitions go first, a tenth at a time, and freed pages are returned to the disk.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

DEFAULT_MAX_AGE = 30 * 86400.0
DEFAULT_MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Retention:
    max_age: float = DEFAULT_MAX_AGE
    max_bytes: int = DEFAULT_MAX_BYTES


def used_bytes(conn: sqlite3.Connection) -> int:
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    return (pages - free) * size


def trim(conn: sqlite3.Connection, profile: str, newest: float, retention: Retention) -> int:
    """Delete what is past the limits; returns the transitions deleted. One transaction per step,
    so another process's writes interleave."""
    cutoff = newest - retention.max_age
    deleted = 0
    mine = "scope IN (SELECT id FROM scopes WHERE profile = ?)"
    with _transaction(conn):
        deleted += conn.execute(
            f"DELETE FROM transitions WHERE {mine} AND seen_at < ?", (profile, cutoff)
        ).rowcount
        conn.execute(f"DELETE FROM tasks WHERE {mine} AND last_seen < ?", (profile, cutoff))
        conn.execute(f"DELETE FROM sessions WHERE {mine} AND stopped < ?", (profile, cutoff))
        conn.execute(f"DELETE FROM alerted WHERE {mine} AND at < ?", (profile, cutoff))
    for _ in range(20):
        if used_bytes(conn) <= retention.max_bytes:
            break
        with _transaction(conn):
            count = conn.execute("SELECT count(*) FROM transitions").fetchone()[0]
            if count == 0:
                break
            row = conn.execute(
                "SELECT id, seen_at FROM transitions ORDER BY id LIMIT 1 OFFSET ?",
                (max(1, count // 10) - 1,),
            ).fetchone()
            deleted += conn.execute("DELETE FROM transitions WHERE id <= ?", (row[0],)).rowcount
            conn.execute("DELETE FROM tasks WHERE last_seen <= ?", (row[1],))
            conn.execute("DELETE FROM sessions WHERE stopped <= ?", (row[1],))
        conn.execute("PRAGMA incremental_vacuum")
    if deleted:
        conn.execute("PRAGMA incremental_vacuum")
    return deleted


class _transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, value, tb) -> None:
        self.conn.execute("COMMIT" if kind is None else "ROLLBACK")
