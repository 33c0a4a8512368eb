"""Figure 5: request economy and repaint economy of one refresh tick, measured in-process.

Runs the real app (Textual's headless `run_test`) against an in-process simulator with a frozen
clock, so every number is exact and repeatable: what one tick asks the server for, which cells it
rewrites, and which widgets it repaints.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

import msgspec

from tui.core.keys import KeyInfo
from tui.process.runtime import Runtime
from tui.providers.sources import TERMINAL_STATES, Row, TaskSource
from tui.sim.server import start_simulator
from tui.tabs.registry import BUILTINS
from tui.ui.app import TasktopApp

LIST_PATHS = {
    "datasets": "/datasets/list-tasks",
    "redteam": "/redteam/list-tasks",
    "nimble": "/v1/tasks",
}
TAB_PATHS = {
    "datasets": {"/datasets/list-tasks", "/datasets/get-task"},
    "redteam": {"/redteam/list-tasks", "/redteam/get-task"},
    "nimble": {"/v1/tasks"},
}
STATUS_FIELD = {"datasets": "status", "redteam": "status", "nimble": "state"}


class ChangingSource(TaskSource):
    """Wraps a real source; from its second fetch on, `changed` evenly spaced rows get a new status.

    Each fetch uses a status word it has not used before, so exactly those rows differ from the
    previous tick in exactly one column.
    """

    def __init__(self, inner: TaskSource, tab_id: str, changed: int = 10) -> None:
        self.inner = inner
        self.tab_id = tab_id
        self.paging, self.filters = inner.paging, inner.filters
        self.field = STATUS_FIELD[tab_id]
        self.changed = changed
        self.round = 0

    async def fetch(self, request):  # type: ignore[no-untyped-def]
        page = await self.inner.fetch(request)
        self.round += 1
        if self.round == 1 or not page.rows:
            return page
        step = max(1, len(page.rows) // self.changed)
        rows = list(page.rows)
        word = f"Phase{self.round}"
        for index in range(0, step * self.changed, step)[: len(rows)]:
            row = rows[index]
            record = msgspec.structs.replace(row.record, **{self.field: word})
            rows[index] = Row(row.key, word, record)
        return type(page)(rows, page.paging, page.request)

    async def detail(self, row: Row):  # type: ignore[no-untyped-def]
        return await self.inner.detail(row)


def _runtime(sim: Any, per_page: int) -> Runtime:
    keys = {
        "enkrypt": KeyInfo("enkrypt", "demo", sim.enkrypt_key),
        "nimble": KeyInfo("nimble", "demo", sim.nimble_key),
    }
    return Runtime(sim.url, sim.url, keys, 3600.0, "bench", per_page=per_page, now=sim.now)


class RepaintCounter:
    """Counts, per chosen widget, the times it was painted (`render_lines`, called by the
    compositor once per repaint) and the layout refreshes it asked for (each one re-flows the
    screen)."""

    def __init__(self, widgets: dict[str, Any]) -> None:
        self.widgets = widgets
        self.paints: Counter[str] = Counter()
        self.layouts: Counter[str] = Counter()

    def __enter__(self) -> RepaintCounter:
        for name, widget in self.widgets.items():
            refresh, render_lines = widget.refresh, widget.render_lines

            def counting_refresh(*args: Any, _name: str = name, _f: Callable = refresh, **kw: Any):
                if kw.get("layout"):
                    self.layouts[_name] += 1
                return _f(*args, **kw)

            def counting_render(*args: Any, _name: str = name, _f: Callable = render_lines):
                self.paints[_name] += 1
                return _f(*args)

            widget.refresh, widget.render_lines = counting_refresh, counting_render
        return self

    def __exit__(self, *exc: object) -> None:
        for widget in self.widgets.values():
            del widget.refresh, widget.render_lines

    def report(self) -> dict[str, dict[str, int]]:
        return {
            name: {"paints": self.paints[name], "layouts": self.layouts[name]}
            for name in self.widgets
            if self.paints[name] or self.layouts[name]
        }


async def _wait(pilot: Any, condition: Callable[[], bool], timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("condition not met")
        await pilot.pause(0.01)


async def _tick(pilot: Any, app: TasktopApp, tab: str) -> None:
    """One refresh tick ("r" does exactly what the timer does), waited for and painted."""
    view = app.view(tab)
    before = view.ticks
    await pilot.press("r")
    await _wait(pilot, lambda: view.ticks > before and not view.fetching)
    await pilot.pause()


def _widgets(app: TasktopApp, tab: str) -> dict[str, Any]:
    view = app.view(tab)
    return {
        "table": view.table,
        "badge": view.badge,
        "pager": view.pager,
        "notice": view.query_one(".notice"),
        "tab bar": app.query_one("TabBar"),
    }


async def tab_ticks(sim: Any, tab: str, per_page: int = 100) -> dict:
    """Per-tick requests (visible and hidden tabs) and repaints, for an idle and a live tick."""
    app = TasktopApp(_runtime(sim, per_page), start_tab=tab, monotonic=lambda: 1000.0)
    out: dict[str, Any] = {"tab": tab, "per_page": per_page}
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view(tab)
        await _wait(pilot, lambda: view.ticks >= 1 and not view.fetching)
        # The idle moment after the first page fetches its neighbour once; the ticks measured
        # are the steady ones after it (which fetch none).
        await _wait(pilot, lambda: view.neighbour_checks >= 1 and not any(
            w.node is view and w.group == "neighbour" and not w.is_finished for w in app.workers))
        await pilot.pause()
        rows = view.page.rows if view.page else []
        out["rows"] = len(rows)
        out["live_rows"] = sum(
            1 for r in rows if (r.status or "").casefold() not in TERMINAL_STATES
        )
        for name, advance in (("idle", 0.0), ("live", 60.0)):
            if advance:
                sim.advance(advance)
            if tab == "datasets":
                rows = view.page.rows if view.page else []
                live = sum(1 for r in rows if (r.status or "").casefold() not in TERMINAL_STATES)
            sim.reset_counts()
            with RepaintCounter(_widgets(app, tab)) as repaints:
                await _tick(pilot, app, tab)
            counts = sim.counts()
            stats = view.table.last_stats
            entry = {
                "list_calls": counts.get(LIST_PATHS[tab], 0),
                "hidden_tab_calls": sum(
                    n for path, n in counts.items() if path not in TAB_PATHS[tab]
                ),
                "requests": dict(sorted(counts.items())),
                "rows_added": stats.added,
                "rows_removed": stats.removed,
                "cells_updated": stats.updated_cells,
                "repaints": repaints.report(),
            }
            if tab == "datasets":
                entry["get_task_calls"] = counts.get("/datasets/get-task", 0)
                entry["live_tasks_before_tick"] = live
            out[name] = entry
    return out


async def ten_of_hundred(sim: Any, tab: str = "redteam") -> dict:
    """Cells updated by a tick in which exactly 10 of 100 rows change one column."""
    app = TasktopApp(_runtime(sim, 100), start_tab=tab, monotonic=lambda: 1000.0)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view(tab)
        await _wait(pilot, lambda: view.ticks >= 1 and not view.fetching)
        assert view.source is not None
        view.source = ChangingSource(view.source, tab, changed=10)
        await _tick(pilot, app, tab)  # the wrapper's first fetch: unchanged
        with RepaintCounter(_widgets(app, tab)) as repaints:
            await _tick(pilot, app, tab)
        stats = view.table.last_stats
        return {
            "tab": tab,
            "rows": view.table.row_count,
            "rows_changed": 10,
            "columns": len(view.table.columns_spec),
            "cells_updated": stats.updated_cells,
            "rows_added": stats.added,
            "rows_removed": stats.removed,
            "repaints": repaints.report(),
        }


async def _measure(per_page: int) -> dict:
    results: dict[str, Any] = {}
    for tab in BUILTINS:
        with start_simulator(seed=0, port=0, manual_clock=True) as sim:
            results[tab] = await tab_ticks(sim, tab, per_page)
    with start_simulator(seed=0, port=0, manual_clock=True) as sim:
        results["ten_of_hundred"] = await ten_of_hundred(sim)
    return results


def measure(per_page: int = 100) -> dict:
    return asyncio.run(_measure(per_page))


if __name__ == "__main__":
    import json

    print(json.dumps(measure(), indent=1))
