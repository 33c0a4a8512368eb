"""Figure 1: launch → first rows on screen, in a real pseudo-terminal, tasktop vs the baseline app.

tasktop opens on its Datasets tab. That list API returns names only; tasktop paints the names as
soon as the list call answers and fills each row's task in as its get-task call returns. So two
moments are timed: "first rows" (three names of the first page on screen) and "rows complete"
(a task id on screen, which only a fetched task has).
"""

from __future__ import annotations

import asyncio
import re
import statistics
from pathlib import Path

from tui.providers.base import PageRequest
from tui.providers.enkrypt import EnkryptClient

from .apps import BASELINE_IDS, TAB_IDS, TERMINAL, baseline_argv, tasktop_argv
from .simproc import SimProcess
from .term import Term

ROOT = str(Path(__file__).resolve().parent.parent)


def first_page_names(sim: SimProcess, per_page: int) -> list[str]:
    async def names() -> list[str]:
        async with EnkryptClient(sim.url, sim.env()["TASKTOP_ENKRYPT_API_KEY"]) as client:
            page = await client.list_datasets(PageRequest(page=1, per_page=per_page))
        return list(page.rows)

    return asyncio.run(names())


def names_pattern(names: list[str]) -> re.Pattern[str]:
    words = sorted(set(names), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])")


def launch_once(argv: list[str], env: dict[str, str], first: re.Pattern[str], need: int,
                complete: re.Pattern[str] | None) -> tuple[float, float | None]:
    """Seconds from spawn to `need` distinct `first` matches on screen (and to `complete`)."""
    term = Term(argv, env=env, size=TERMINAL, cwd=ROOT)
    try:
        shown = term.wait_for(lambda t: len(set(first.findall(t.text()))) >= need, timeout=30)
        done = None
        if complete is not None:
            done = term.wait_for(lambda t: complete.search(t.text()) is not None, timeout=30)
            done -= term.started
        return shown - term.started, done
    finally:
        term.close()


def measure(sim: SimProcess, runs: int, per_page: int = 100) -> dict:
    """Medians (and all samples) of `runs` launches of each app, interleaved, after a warm-up."""
    env = sim.env()
    names = first_page_names(sim, per_page)
    need = min(3, len(names)) or 1
    apps = {
        "tasktop": (tasktop_argv(3600, per_page), names_pattern(names), need, TAB_IDS["datasets"]),
        "baseline": (baseline_argv(per_page), BASELINE_IDS, 1, None),
    }
    first: dict[str, list[float]] = {name: [] for name in apps}
    complete: list[float] = []
    for run in range(runs + 1):
        order = list(apps) if run % 2 else list(reversed(apps))
        for name in order:
            argv, pattern, count, full = apps[name]
            shown, done = launch_once(argv, env, pattern, count, full)
            if run:  # run 0 warms the page cache and bytecode caches
                first[name].append(shown)
                if done is not None:
                    complete.append(done)
    out = {
        name: {"median_s": statistics.median(values), "samples_s": values}
        for name, values in first.items()
    }
    out["tasktop_complete"] = {"median_s": statistics.median(complete), "samples_s": complete}
    out["first_page_rows"] = len(names)
    return out
