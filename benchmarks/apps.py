"""Command lines of the two apps under test and how to recognise their rows on a screen."""

from __future__ import annotations

import re
import sys

#: A task id as every tab (and the baseline) shows it: a full version-4 UUID.
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")

#: The key that shows each tab, and how its task ids look on screen.
TAB_KEYS = {"datasets": "1", "redteam": "2", "nimble": "3"}
TAB_IDS = {
    "datasets": re.compile(r"data-generation-" + UUID.pattern),
    "redteam": re.compile(r"red-team-" + UUID.pattern),
    "nimble": re.compile(r"(?<![-0-9a-z])" + UUID.pattern),
}
BASELINE_IDS = UUID
#: Both apps run at this size: wide enough that tasktop shows every task id whole beside a
#: 100-row scrollbar (narrower, its columns keep only the ids' unique tails).
TERMINAL = (140, 40)


def tasktop_argv(refresh: float, per_page: int) -> list[str]:
    return [sys.executable, "-m", "tui", "--refresh", f"{refresh:g}", "--per-page", str(per_page)]


def baseline_argv(rows: int, tick: float | None = None) -> list[str]:
    argv = [sys.executable, "-m", "benchmarks.baseline_app", "--rows", str(rows)]
    return argv + (["--tick", f"{tick:g}"] if tick else [])


def ids_on(text: str, pattern: re.Pattern[str]) -> list[str]:
    return [match.group(0) for match in pattern.finditer(text)]
