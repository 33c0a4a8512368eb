"""Figure 9: the history file at 1,000,000 transitions, and what recording costs while watching.

The file is built with the store's own schema (bulk inserts, without the writer's queue) as
three tabs of tasks that each go (new) Queued → Running → Finished/Failed, spread over the 30 days retention keeps, with sessions covering them. Then, through
`History`, the way the app and CLI call it: one task's timeline (random tasks) and the trends of
the last hour and day, medians of many calls. The CPU ratio runs the same watch twice per mode
(`--no-history` and with a fresh history file), interleaved, against one simulator; the
median of each mode, as a single run at ~2 % of a core moves by ±20 % on a shared machine.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tui.history import History
from tui.history.connect import connect
from tui.history.schema import migrate

TRANSITIONS = 1_000_000
PER_TASK = 3  # first seen Queued, then Running, then Finished or Failed
TABS = ("datasets", "redteam", "nimble")
DAYS = 30
END = datetime(2026, 12, 1, 12, 0, tzinfo=UTC).timestamp()


def build(path: Path, transitions: int = TRANSITIONS, seed: int = 0) -> dict:
    """A history of `transitions` rows; returns the tasks it holds per tab and the build time."""
    rng = random.Random(seed)
    conn = connect(path)
    migrate(conn)
    tasks = transitions // PER_TASK
    start = END - DAYS * 86400
    step = DAYS * 86400 / tasks
    moves: list[tuple] = []
    rows: list[tuple] = []
    ids: dict[str, list[str]] = {tab: [] for tab in TABS}
    begun = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO scopes (id, profile, tab) VALUES (?, 'default', ?)",
                     [(i + 1, tab) for i, tab in enumerate(TABS)])
    for n in range(tasks):
        tab = TABS[n % 3]
        task = f"{tab}-{n:08d}"
        ids[tab].append(task)
        queued = start + n * step
        running = queued + rng.uniform(30, 900)
        done = running + rng.uniform(60, 3600)
        final = "Failed" if rng.random() < 0.1 else "Finished"
        key = n + 1  # tasks.id
        scope = TABS.index(tab) + 1
        moves += [(scope, key, queued, None, None, None, "Queued"),
                  (scope, key, running, None, "Queued", queued, "Running"),
                  (scope, key, done, None, "Running", running, final)]
        rows.append((key, scope, task, queued, min(done, END), final, done))
        if len(moves) >= 100_000:
            _flush(conn, moves, rows)
    _flush(conn, moves, rows)
    for scope in range(1, len(TABS) + 1):
        conn.execute("INSERT INTO sessions (scope, started, stopped) VALUES (?, ?, ?)",
                     (scope, start, END + 86400))
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return {"tasks": {tab: len(v) for tab, v in ids.items()}, "ids": ids,
            "build_s": round(time.perf_counter() - begun, 1)}


def _flush(conn: sqlite3.Connection, moves: list[tuple], rows: list[tuple]) -> None:
    conn.executemany(
        "INSERT INTO tasks (id, scope, task_id, first_seen, last_seen, status, status_since)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.executemany(
        "INSERT INTO transitions (scope, task, seen_at, server_at, previous, previous_at, status)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)", moves)
    moves.clear()
    rows.clear()


def _median_ms(call, runs: int) -> float:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(samples), 2)


def queries(log=lambda message: None, transitions: int = TRANSITIONS) -> dict:
    """Build the file, then time timelines and trends on it."""
    with tempfile.TemporaryDirectory(prefix="tasktop-history-") as tmp:
        path = Path(tmp) / "history.sqlite3"
        log(f"history: building {transitions:,} transitions")
        built = build(path, transitions)
        size = path.stat().st_size
        history = History.open(path, "default")
        try:
            rng = random.Random(1)
            picks = [(tab, rng.choice(built["ids"][tab])) for tab in rng.choices(TABS, k=200)]
            it = iter(picks * 2)
            timeline = history.timeline(*picks[0])  # warm the cache once
            timeline_ms = _median_ms(lambda: history.timeline(*next(it)), 200)
            end = datetime.fromtimestamp(END, UTC)
            hour_ms = _median_ms(lambda: history.trends("redteam", timedelta(hours=1), 60, end=end), 21)
            day_ms = _median_ms(lambda: history.trends("redteam", timedelta(days=1), 48, end=end), 21)
            day = history.trends("redteam", timedelta(days=1), 48, end=end)
        finally:
            history.close()
    return {
        "transitions": transitions,
        "build_s": built["build_s"],
        "file_mib": round(size / 2**20, 1),
        "mib_per_million": round(size / 2**20 * 1_000_000 / transitions, 1),
        "timeline_ms": timeline_ms,
        "timeline_steps": len(timeline.steps),
        "trends_hour_ms": hour_ms,
        "trends_day_ms": day_ms,
        "trends_day_finished": sum(day.finished) if day else None,
    }


def cpu(sim, seconds: float, rounds: int = 3, log=lambda message: None) -> dict:
    """CPU % watching redteam (100 rows, 1 s refresh) with and without history, interleaved."""
    from .watch import watch

    runs: dict[str, list[dict]] = {"off": [], "on": []}
    for _ in range(rounds):
        for mode in ("off", "on"):
            log(f"history: CPU watching redteam, history {mode}, {seconds:g} s")
            extra = ("--no-history",) if mode == "off" else ()
            runs[mode].append(watch(sim, "tasktop", tab="redteam", seconds=seconds, args=extra))
    off = statistics.median(r["cpu_pct"] for r in runs["off"])
    on = statistics.median(r["cpu_pct"] for r in runs["on"])
    return {"off_cpu_pct": round(off, 2), "on_cpu_pct": round(on, 2), "runs": runs}
