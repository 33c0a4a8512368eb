"""Figure 4: page flip latency — key press → the new page's rows drawn, in a real pty."""

from __future__ import annotations

import statistics
from pathlib import Path

from .apps import TAB_IDS, TAB_KEYS, TERMINAL, ids_on, tasktop_argv
from .procstat import cpu_seconds
from .simproc import SimProcess
from .term import Term

ROOT = str(Path(__file__).resolve().parent.parent)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def flips(sim: SimProcess, *, per_page: int, count: int = 30, tab: str = "redteam") -> dict:
    """Alternate "n" and "b" `count` times; each sample ends when the screen shows the new page.

    "Shown" means: as many task ids on screen as before, at least 80 % of them new (the simulator
    runs almost frozen, so pages do not shift between flips). Refresh is 1 h so no tick interferes.
    """
    pattern = TAB_IDS[tab]
    term = Term(tasktop_argv(3600, per_page), env=sim.env(), size=TERMINAL, cwd=ROOT)
    samples: list[float] = []
    try:
        term.wait_for(lambda t: TAB_IDS["datasets"].search(t.text()) is not None, timeout=30)
        if tab != "datasets":
            term.send(TAB_KEYS[tab])
            term.wait_for(lambda t: pattern.search(t.text()) is not None, timeout=30)
        term.drain_for(0.5)
        cpu0 = cpu_seconds(term.pid)
        for i in range(count):
            old = set(ids_on(term.text(), pattern))

            def new_page(t: Term, old: set[str] = old) -> bool:
                new = set(ids_on(t.text(), pattern))
                return len(new) >= len(old) and len(new - old) >= max(1, int(0.8 * len(old)))

            sent = term.send("n" if i % 2 == 0 else "b")
            shown = term.wait_for(new_page, timeout=10)
            samples.append(shown - sent)
            term.drain_for(0.15)
        cpu = cpu_seconds(term.pid) - cpu0  # the flips, plus the badge ticking in the pauses
    finally:
        term.close()
    return {
        "tab": tab,
        "per_page": per_page,
        "flips": len(samples),
        "median_ms": round(1000 * statistics.median(samples), 1),
        "p95_ms": round(1000 * percentile(samples, 0.95), 1),
        "cpu_ms_per_flip": round(1000 * cpu / len(samples), 1),
        "samples_ms": [round(1000 * s, 1) for s in samples],
    }
