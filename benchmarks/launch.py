"""Figure 1: launch → first rows on screen, in a real pseudo-terminal, tasktop vs the baseline app."""

from __future__ import annotations

import statistics
from pathlib import Path

from .apps import BASELINE_IDS, TAB_IDS, TERMINAL, baseline_argv, tasktop_argv
from .simproc import SimProcess
from .term import Term

ROOT = str(Path(__file__).resolve().parent.parent)


def time_to_rows(argv: list[str], pattern, env: dict[str, str]) -> float:
    """Seconds from spawning `argv` to the first row id matching `pattern` on the emulated screen."""
    term = Term(argv, env=env, size=TERMINAL, cwd=ROOT)
    try:
        shown = term.wait_for(lambda t: pattern.search(t.text()) is not None, timeout=30)
        return shown - term.started
    finally:
        term.close()


def measure(sim: SimProcess, runs: int, per_page: int = 100) -> dict:
    """Median (and all samples) of `runs` launches of each app, interleaved, after one warm-up each."""
    env = sim.env()
    apps = {
        "tasktop": (tasktop_argv(3600, per_page), TAB_IDS["datasets"]),
        "baseline": (baseline_argv(per_page), BASELINE_IDS),
    }
    samples: dict[str, list[float]] = {name: [] for name in apps}
    for run in range(runs + 1):
        order = list(apps) if run % 2 else list(reversed(apps))
        for name in order:
            seconds = time_to_rows(*apps[name], env)
            if run:  # run 0 warms the page cache and bytecode caches
                samples[name].append(seconds)
    return {
        name: {"median_s": statistics.median(values), "samples_s": values}
        for name, values in samples.items()
    }
