"""Figures 2 and 3: CPU and memory of an app left watching a live page, read from /proc."""

from __future__ import annotations

import time
from pathlib import Path

from .apps import BASELINE_IDS, TAB_IDS, TAB_KEYS, TERMINAL, baseline_argv, tasktop_argv
from .procstat import cpu_seconds, memory_mib
from .simproc import SimProcess
from .term import Term

ROOT = str(Path(__file__).resolve().parent.parent)


def watch(
    sim: SimProcess,
    app: str,
    *,
    seconds: float,
    refresh: float = 1.0,
    per_page: int = 100,
    tab: str = "redteam",
    settle: float = 3.0,
    rate: float | None = None,
    args: tuple[str, ...] = (),
) -> dict:
    """Start `app` ("tasktop" or "baseline"), show `tab`, let it settle, then measure `seconds`.

    The screen is emulated only until the rows are up; after that the pty is just drained, so
    the benchmark's own work stays small and off the measured process.
    """
    if app == "tasktop":
        argv, first = [*tasktop_argv(refresh, per_page), *args], TAB_IDS["datasets"]
    else:
        argv, first = baseline_argv(per_page, tick=refresh), BASELINE_IDS
    term = Term(argv, env=sim.env(), size=TERMINAL, cwd=ROOT)
    try:
        term.wait_for(lambda t: first.search(t.text()) is not None, timeout=30)
        if app == "tasktop" and tab != "datasets":
            term.send(TAB_KEYS[tab])
            term.wait_for(lambda t: TAB_IDS[tab].search(t.text()) is not None, timeout=30)
        term.drain_for(0.5)
        pid = term.pid
        start_memory = memory_mib(pid)
        term.emulate = False
        term.drain_for(settle)
        window_memory = memory_mib(pid)
        if app == "tasktop":
            sim.reset_counts()
        cpu0, bytes0, wall0 = cpu_seconds(pid), term.bytes_read, time.perf_counter()
        term.drain_for(seconds)
        cpu1, bytes1, wall1 = cpu_seconds(pid), term.bytes_read, time.perf_counter()
        counts = sim.counts() if app == "tasktop" else {}
        end_memory = memory_mib(pid)
    finally:
        term.close()
    wall = wall1 - wall0
    return {
        "app": app,
        "tab": tab if app == "tasktop" else None,
        "per_page": per_page,
        "refresh_s": refresh,
        "sim_rate": rate,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu1 - cpu0, 3),
        "cpu_pct": round(100 * (cpu1 - cpu0) / wall, 2),
        "tty_bytes_per_s": round((bytes1 - bytes0) / wall),
        "requests_per_s": {path: round(n / wall, 2) for path, n in sorted(counts.items())},
        "memory_start_mib": start_memory,  # just after the first rows
        "memory_window_mib": window_memory,  # after settling, when measuring starts
        "memory_end_mib": end_memory,
    }
