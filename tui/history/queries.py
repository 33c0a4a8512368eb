"""Reads of the history file: statuses, changes since T, one task's timeline, trends.

Each function takes a connection of its own (never the writer's) and is meant to run off the UI
thread. Trends never scan the whole history: the current depth comes from the `tasks` table and
is walked back through the span's transitions only.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from tui.base.statuses import TERMINAL

from .timeline import Timeline, build_timeline, phase


@dataclass(frozen=True, slots=True)
class Change:
    """One stored transition of a tab (server text verbatim: escape it before showing it)."""

    tab: str
    task_id: str
    previous: str | None
    status: str
    seen_at: datetime
    server_at: str | None = None


@dataclass(frozen=True, slots=True)
class Trends:
    """A tab over [start, end] in `len(finished)` buckets of `width` seconds each."""

    tab: str
    start: datetime
    end: datetime
    width: float
    #: Live (non-terminal) tasks by status at the end of each bucket.
    depth: tuple[dict[str, int], ...]
    finished: tuple[int, ...]
    failed: tuple[int, ...]
    wait_p50: float | None = None
    wait_p95: float | None = None
    run_p50: float | None = None
    run_p95: float | None = None


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def scope(conn: sqlite3.Connection, profile: str, tab: str) -> int | None:
    """The id of (profile, tab), None when nothing was ever recorded for it."""
    row = conn.execute("SELECT id FROM scopes WHERE profile = ? AND tab = ?",
                       (profile, tab)).fetchone()
    return row[0] if row else None


def statuses(conn: sqlite3.Connection, profile: str, tab: str) -> dict[str, str]:
    rows = conn.execute("SELECT task_id, status FROM tasks WHERE scope = ?",
                        (scope(conn, profile, tab),))
    return dict(rows.fetchall())


def last_seen(conn: sqlite3.Connection, profile: str, tab: str) -> datetime | None:
    row = conn.execute("SELECT max(stopped) FROM sessions WHERE scope = ?",
                       (scope(conn, profile, tab),)).fetchone()
    return _utc(row[0]) if row and row[0] is not None else None


def changes_since(
    conn: sqlite3.Connection, profile: str, tab: str, since: datetime | None,
    status: str | None = None, limit: int | None = None,
) -> list[Change]:
    """Transitions of `tab` after `since` (None: all kept), newest first; `status` matches the
    new status case-insensitively."""
    sql = ("SELECT k.task_id, t.previous, t.status, t.seen_at, t.server_at FROM transitions t"
           " JOIN tasks k ON k.id = t.task WHERE t.scope = ? AND t.seen_at > ?")
    args: list[object] = [scope(conn, profile, tab), since.timestamp() if since else float("-inf")]
    if status:
        sql += " AND lower(t.status) = ?"
        args.append(status.casefold())
    sql += " ORDER BY t.seen_at DESC, t.id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    return [Change(tab, task_id, previous, new, _utc(seen), server)
            for task_id, previous, new, seen, server in conn.execute(sql, args)]


def tabs_of(conn: sqlite3.Connection, profile: str, task_id: str) -> list[str]:
    """The tabs that have seen a task with this id (the CLI is given only the id)."""
    rows = conn.execute("SELECT s.tab FROM tasks k JOIN scopes s ON s.id = k.scope"
                        " WHERE s.profile = ? AND k.task_id = ? ORDER BY s.tab", (profile, task_id))
    return [tab for (tab,) in rows]


def timeline(conn: sqlite3.Connection, profile: str, tab: str, task_id: str) -> Timeline:
    where = scope(conn, profile, tab)
    rows = conn.execute(
        "SELECT seen_at, server_at, previous, status FROM transitions WHERE task ="
        " (SELECT id FROM tasks WHERE scope = ? AND task_id = ?) ORDER BY seen_at, id",
        (where, task_id),
    ).fetchall()
    sessions: list[tuple[float, float]] = []
    if rows:
        sessions = conn.execute(
            "SELECT started, stopped FROM sessions WHERE scope = ? AND stopped >= ? AND started <= ?",
            (where, rows[0][0], rows[-1][0]),
        ).fetchall()
    return build_timeline(tab, task_id, rows, sessions)


def _percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def trends(
    conn: sqlite3.Connection, profile: str, tab: str, end: float, span: float, buckets: int
) -> Trends:
    width = span / buckets
    start = end - span
    where = scope(conn, profile, tab)
    # Depth counts the tasks seen during the span: one that left the page long ago (and may have
    # finished unseen) does not count as queued for ever.
    counts: dict[str, int] = dict(conn.execute(
        "SELECT status, count(*) FROM tasks WHERE scope = ? AND last_seen > ? GROUP BY status",
        (where, start),
    ).fetchall())
    rows = conn.execute(
        "SELECT seen_at, previous, status, previous_at FROM transitions"
        " WHERE scope = ? AND seen_at > ? ORDER BY seen_at DESC, id DESC",
        (where, start),
    ).fetchall()
    finished = [0] * buckets
    failed = [0] * buckets
    waits: list[float] = []
    runs: list[float] = []
    depth: list[dict[str, int]] = [{} for _ in range(buckets)]
    boundary = buckets - 1  # the next bucket end to snapshot, walking back from `end`
    for seen_at, previous, status, entered in rows:
        while boundary >= 0 and seen_at <= start + (boundary + 1) * width:
            depth[boundary] = _live(counts)
            boundary -= 1
        counts[status] = counts.get(status, 0) - 1  # undo: before seen_at the task was `previous`
        if previous is not None:
            counts[previous] = counts.get(previous, 0) + 1
        if seen_at > end:
            continue
        index = min(buckets - 1, int((seen_at - start) // width))
        now_phase, before = phase(status), phase(previous)
        # An ending counts where tasktop saw it happen: a task first seen already finished (or
        # failed) ended at some unknown earlier time, and would pile up in the first bar.
        ended_here = previous is not None and before not in ("finished", "failed")
        if now_phase == "finished" and ended_here:
            finished[index] += 1
        elif now_phase == "failed" and ended_here:
            failed[index] += 1
        if entered is not None:
            if before == "queued" and now_phase in ("running", "finished", "failed"):
                waits.append(seen_at - entered)
            elif before == "running" and now_phase in ("finished", "failed"):
                runs.append(seen_at - entered)
    while boundary >= 0:
        depth[boundary] = _live(counts)
        boundary -= 1
    return Trends(
        tab, _utc(start), _utc(end), width, tuple(depth), tuple(finished), tuple(failed),
        _percentile(waits, 0.5), _percentile(waits, 0.95),
        _percentile(runs, 0.5), _percentile(runs, 0.95),
    )


def _live(counts: dict[str, int]) -> dict[str, int]:
    return {s: n for s, n in counts.items() if n > 0 and s.casefold() not in TERMINAL}

