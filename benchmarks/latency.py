"""Figure 7: tasktop against a far-away API — the simulator's latency fault on every request.

At each latency (0, 50, 150 ms by default) the simulator, in its own process, delays every API
answer by that much. Timed in a real pty, 25 rows per page: launch → first rows (Datasets names),
→ first task id, → the whole Datasets page enriched; on Red team, `n` to a page fetched ahead
(neighbour pages), `b` back to a kept page, and a flip after a filter change (which no copy can
serve). Requests are counted by the simulator: list calls per flip (the idle neighbour fetch
included) and per refresh tick. Round trips are times divided by the latency.
"""

from __future__ import annotations

import json
import statistics
import urllib.request
from pathlib import Path

from .apps import (
    BASELINE_IDS,
    TAB_IDS,
    TAB_KEYS,
    TERMINAL,
    baseline_argv,
    ids_on,
    tasktop_argv,
)
from .launch import first_page_names, names_pattern
from .simproc import SimProcess
from .term import Term

ROOT = str(Path(__file__).resolve().parent.parent)
PER_PAGE = 25
LATENCIES_MS = (0, 50, 150)
LIST = "/redteam/list-tasks"
#: The simulator practically frozen (as for figures 1 and 4; benchmarks.run.FROZEN_RATE).
FROZEN_RATE = 0.001
#: Seconds to stay idle after a page settled: the neighbour fetch starts 0.5 s after it.
IDLE = 0.5


def set_latency(sim: SimProcess, seconds: float) -> None:
    """Every API request answered `seconds` late, until cleared (the simulator's latency fault)."""
    request = urllib.request.Request(sim.url + "/_sim/faults", method="DELETE")
    urllib.request.urlopen(request, timeout=10).close()
    if seconds > 0:
        body = json.dumps({"kind": "latency", "seconds": seconds}).encode()
        request = urllib.request.Request(sim.url + "/_sim/faults", data=body, method="POST")
        urllib.request.urlopen(request, timeout=10).close()


def launch(sim: SimProcess, names: list[str]) -> dict[str, float | None]:
    """Spawn → three Datasets names, → one task id, → every row of the page with its task id."""
    first = names_pattern(names)
    ids = TAB_IDS["datasets"]
    term = Term(tasktop_argv(3600, PER_PAGE), env=sim.env(), size=TERMINAL, cwd=ROOT)
    try:
        shown = term.wait_for(lambda t: len(set(first.findall(t.text()))) >= 3, timeout=30)
        one = term.wait_for(lambda t: ids.search(t.text()) is not None, timeout=30)
        rows = len(names)  # 25 rows fit the 40-line terminal
        done = term.wait_for(lambda t: len(set(ids_on(t.text(), ids))) >= rows, timeout=30)
        start = term.started
        return {"first_rows_s": shown - start, "first_task_s": one - start,
                "page_complete_s": done - start, "rows_checked": rows}
    finally:
        term.close()


def baseline_launch(sim: SimProcess) -> float:
    term = Term(baseline_argv(PER_PAGE), env=sim.env(), size=TERMINAL, cwd=ROOT)
    try:
        return term.wait_for(lambda t: BASELINE_IDS.search(t.text()) is not None,
                             timeout=30) - term.started
    finally:
        term.close()


def flips(sim: SimProcess, rounds: int) -> dict[str, object]:
    """Red team, 25 rows: per round three `n` (each to a page fetched ahead while idle), three
    `b` (each to a page kept when left); then `f` once. Counts list calls per flip and per tick."""
    pattern = TAB_IDS["redteam"]
    term = Term(tasktop_argv(3600, PER_PAGE), env=sim.env(), size=TERMINAL, cwd=ROOT)
    out: dict[str, list[float]] = {"next": [], "back": [], "filter": []}
    calls: dict[str, list[int]] = {"next": [], "back": [], "filter": [], "tick": []}
    try:
        term.wait_for(lambda t: TAB_IDS["datasets"].search(t.text()) is not None, timeout=30)
        term.send(TAB_KEYS["redteam"])
        term.wait_for(lambda t: pattern.search(t.text()) is not None, timeout=30)
        term.drain_for(IDLE + 1.0)  # settled, and its neighbour fetched

        def flip(key: str, kind: str, changed) -> None:  # noqa: ANN001
            old = set(ids_on(term.text(), pattern))
            sim.reset_counts()
            sent = term.send(key)
            shown = term.wait_for(lambda t: changed(old, set(ids_on(t.text(), pattern))),
                                  timeout=15)
            out[kind].append(shown - sent)
            term.drain_for(IDLE + 0.6)  # idle: the next neighbour, if any, is fetched here
            calls[kind].append(sim.counts().get(LIST, 0))

        def new_page(old: set[str], new: set[str]) -> bool:
            return len(new) >= len(old) and len(new - old) >= max(1, int(0.8 * len(old)))

        for _ in range(rounds):
            for _ in range(3):
                flip("n", "next", new_page)
            for _ in range(3):
                flip("b", "back", new_page)
        for _ in range(2):
            sim.reset_counts()
            term.send("r")
            term.drain_for(IDLE + 1.0)
            calls["tick"].append(sim.counts().get(LIST, 0))
        flip("f", "filter", lambda old, new: new != old)
    finally:
        term.close()
    result: dict[str, object] = {
        f"{kind}_ms": round(1000 * statistics.median(values), 1) for kind, values in out.items()
    }
    result.update({f"{kind}_calls": max(v) for kind, v in calls.items()})  # the worst flip
    result["samples_ms"] = {k: [round(1000 * s, 1) for s in v] for k, v in out.items()}
    result["calls"] = calls
    return result


def measure(runs: int, rounds: int, latencies_ms: tuple[int, ...] = LATENCIES_MS) -> dict:
    """Every figure at every latency, one simulator (frozen pace) reused with its fault reset."""
    results: dict[str, dict] = {}
    with SimProcess(rate=FROZEN_RATE) as sim:  # pages must not shift between samples
        names = first_page_names(sim, PER_PAGE)
        for ms in latencies_ms:
            set_latency(sim, ms / 1000)
            samples = []
            base = []
            for run in range(runs + 1):
                sample = launch(sim, names)
                base_s = baseline_launch(sim)
                if run:  # run 0 warms the caches
                    samples.append(sample)
                    base.append(base_s)
            median = {key: statistics.median(s[key] for s in samples)
                      for key in ("first_rows_s", "first_task_s", "page_complete_s")}
            results[str(ms)] = {
                **median, "baseline_s": statistics.median(base), "launches": samples,
                "flip": flips(sim, rounds),
            }
        set_latency(sim, 0)
    return results
