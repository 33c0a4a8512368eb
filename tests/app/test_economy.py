"""Request and repaint economy of a refresh tick (issue E), pinned as counts, never as timings.

Every tick here is real: the app talks HTTP to the simulator (frozen clock, so nothing changes
unless a test changes it) and "r" does exactly what the refresh timer does.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import msgspec
import pytest
from support.app import FROZEN_MONOTONIC, make_runtime, wait_for

from tui.providers.sources import TERMINAL_STATES, Row, TaskSource
from tui.sim.server import Fault
from tui.ui.app import TasktopApp

LIST = {"datasets": "/datasets/list-tasks", "redteam": "/redteam/list-tasks", "nimble": "/v1/tasks"}
STATUS_FIELD = {"datasets": "status", "redteam": "status", "nimble": "state"}


def app_at(sim, tab: str, per_page: int = 100) -> TasktopApp:
    runtime = make_runtime(sim, per_page=per_page)
    return TasktopApp(runtime, start_tab=tab, monotonic=lambda: FROZEN_MONOTONIC)


async def loaded(pilot, app: TasktopApp, tab: str) -> None:
    view = app.view(tab)
    await wait_for(pilot, lambda: view.ticks >= 1 and not view.fetching)
    await pilot.pause()


async def tick(pilot, app: TasktopApp, tab: str) -> None:
    """One refresh tick, waited for until it has been applied and painted."""
    view = app.view(tab)
    before = view.ticks
    await pilot.press("r")
    await wait_for(pilot, lambda: view.ticks > before and not view.fetching)
    await pilot.pause()


class Repaints:
    """Records every repaint request (`refresh`) of some widgets: whole-widget or by region, and
    whether it asks for a re-layout (which re-flows the whole screen)."""

    def __init__(self, widgets: dict[str, Any]) -> None:
        self.widgets = widgets
        self.whole: Counter[str] = Counter()
        self.regions: dict[str, list[Any]] = {name: [] for name in widgets}
        self.layouts: Counter[str] = Counter()

    def __enter__(self) -> Repaints:
        for name, widget in self.widgets.items():

            def counting(*regions, _name=name, _f=widget.refresh, **kwargs):
                if kwargs.get("layout"):
                    self.layouts[_name] += 1
                if regions:
                    self.regions[_name].extend(regions)
                else:
                    self.whole[_name] += 1
                return _f(*regions, **kwargs)

            widget.refresh = counting
        return self

    def __exit__(self, *exc: object) -> None:
        for widget in self.widgets.values():
            del widget.refresh

    @property
    def nothing(self) -> bool:
        return not (self.whole or self.layouts or any(self.regions.values()))


class ChangingSource(TaskSource):
    """A real source whose later pages have `changed` evenly spaced rows with a new status."""

    def __init__(self, inner: TaskSource, tab: str, changed: int) -> None:
        self.inner, self.tab_id, self.changed, self.round = inner, tab, changed, 0
        self.paging, self.filters = inner.paging, inner.filters

    async def fetch(self, request):
        page = await self.inner.fetch(request)
        self.round += 1
        rows = list(page.rows)
        if self.round > 1:
            word = f"Phase{self.round}"
            step = len(rows) // self.changed
            for index in range(0, step * self.changed, step):
                record = msgspec.structs.replace(
                    rows[index].record, **{STATUS_FIELD[self.tab_id]: word}
                )
                rows[index] = Row(rows[index].key, word, record)
        return type(page)(rows, page.paging, page.request)

    async def detail(self, row):
        return await self.inner.detail(row)


# ----------------------------------------------------------------------------------- requests


@pytest.mark.parametrize("tab", ["redteam", "nimble", "datasets"])
async def test_a_tick_makes_one_list_call_for_the_visible_tab_and_none_for_hidden_ones(sim, tab):
    app = app_at(sim, tab)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, tab)
        for _ in range(3):
            sim.reset_counts()
            await tick(pilot, app, tab)
            counts = sim.counts()
            assert counts.get(LIST[tab]) == 1
            others = {path: n for path, n in counts.items() if not path.startswith(LIST[tab][:4])}
            assert others == {}, f"hidden tabs asked: {others}"
        assert all(app.view(t).ticks == 0 for t in LIST if t != tab)


async def test_datasets_tick_asks_get_task_only_for_tasks_not_yet_finished(sim):
    app = app_at(sim, "datasets")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "datasets")
        view = app.view("datasets")
        for advance in (0, 600, 3600):
            sim.advance(advance)  # tasks finish, new datasets appear on top
            settled = {r.key for r in view.page.rows if r.status.casefold() in TERMINAL_STATES}
            sim.reset_counts()
            await tick(pilot, app, "datasets")
            counts = sim.counts()
            unsettled = [r.key for r in view.page.rows if r.key not in settled]
            assert counts["/datasets/list-tasks"] == 1
            assert counts.get("/datasets/get-task", 0) == len(unsettled) < len(view.page.rows)
        assert len(settled) > len(view.page.rows) / 2  # the cache is doing real work here


async def test_a_new_datasets_page_shows_its_names_before_the_task_lookups_return(sim):
    # The first lookups stall, so the page is visibly waiting for them.
    sim.set_fault(Fault("latency", path_prefix="/datasets/get-task", seconds=0.5, times=4))
    app = app_at(sim, "datasets")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("datasets")
        await wait_for(pilot, lambda: view.table.row_count > 0)
        assert view.ticks == 0  # the lookups are still out, the names are already shown
        first = view.table.get_row_at(0)
        assert first[1].plain == "…" and first[2].plain == view.table.row_keys[0]
        sim.clear_faults()
        await loaded(pilot, app, "datasets")
        assert all(view.table.get_row_at(i)[1].plain not in ("…", "") for i in range(3))


# ------------------------------------------------------------------------------------- cells


async def test_ten_changed_rows_of_a_hundred_update_ten_cells_and_repaint_only_the_table(sim):
    app = app_at(sim, "redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "redteam")
        view = app.view("redteam")
        view.source = ChangingSource(view.source, "redteam", changed=10)
        await tick(pilot, app, "redteam")  # the wrapper's first page: as it was
        assert view.table.last_stats.updated_cells == 0
        total = view.table.cells_updated_total
        widgets = {"table": view.table, "pager": view.pager, "notice": view.query_one(".notice")}
        with Repaints(widgets) as repaints:
            await tick(pilot, app, "redteam")
        stats = view.table.last_stats
        assert view.table.row_count == 100
        assert (stats.added, stats.removed, stats.moved) == (0, 0, False)
        assert stats.updated_cells == 10  # 10 rows × 1 changed column, not 100 × 5
        assert view.table.cells_updated_total - total == 10
        assert len(view.table.marked_keys) == 10
        # Only the changed rows that are in view are repainted, one line each; nothing else.
        assert repaints.whole == Counter() and repaints.layouts == Counter()
        lines = repaints.regions["table"]
        assert 1 <= len(lines) <= 10 and all(region.height == 1 for region in lines)
        assert repaints.regions["pager"] == repaints.regions["notice"] == []


async def test_a_tick_with_nothing_changed_updates_no_cell_and_repaints_nothing(sim):
    app = app_at(sim, "nimble")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "nimble")
        await tick(pilot, app, "nimble")
        view = app.view("nimble")
        widgets = {
            "table": view.table,
            "pager": view.pager,
            "notice": view.query_one(".notice"),
            "filter": view.query_one("StatusFilter"),
            "tab bar": app.query_one("TabBar"),
        }
        for _ in range(2):
            sim.reset_counts()
            with Repaints(widgets) as repaints:
                await tick(pilot, app, "nimble")
            assert sim.counts() == {"/v1/tasks": 1}
            assert not view.table.last_stats.changed
            assert view.table.last_stats.updated_cells == 0
            assert repaints.nothing, (repaints.whole, repaints.regions, repaints.layouts)


async def test_relative_times_update_only_the_cells_whose_text_changed(sim):
    app = app_at(sim, "nimble")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "nimble")
        view = app.view("nimble")
        before = {key: [c.plain for c in view.table.get_row(key)] for key in view.table.row_keys}
        sim.advance(90)  # "3m ago" → "4m ago" for some rows, new tasks on top
        await tick(pilot, app, "nimble")
        stats = view.table.last_stats
        kept = [k for k in view.table.row_keys if k in before]
        differing = sum(
            a != b
            for key in kept
            for a, b in zip(before[key], [c.plain for c in view.table.get_row(key)], strict=True)
        )
        # The mark column is not counted in updated_cells; the data cells that differ are.
        marks = sum(1 for k in kept if k in view.table.marked_keys)
        assert stats.updated_cells == differing - marks
        assert 0 < stats.updated_cells < len(kept) * len(view.table.columns_spec)


# ------------------------------------------------------------------------------ rows per page


def test_per_page_option_sets_the_rows_per_page_at_start(clean_env, tmp_path, capsys):
    from tui.commands.app_cmd import build_runtime
    from tui.commands.main import build_parser

    clean_env.setenv("XDG_CONFIG_HOME", str(tmp_path))
    parser = build_parser()
    assert build_runtime(parser.parse_args(["--per-page", "100"])).per_page == 100
    assert build_runtime(parser.parse_args([])).per_page is None  # fits the terminal
    for bad in ("0", "101", "ten"):
        with pytest.raises(SystemExit):
            parser.parse_args(["--per-page", bad])
    assert "--per-page" in capsys.readouterr().err


async def test_a_page_flip_paints_the_pager_once_together_with_the_rows(sim):
    app = app_at(sim, "redteam", per_page=10)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "redteam")
        view = app.view("redteam")
        first_page = set(view.table.row_keys)
        painted_with: list[bool] = []  # for each pager repaint: were the new rows in already?
        original = view.pager.refresh

        def refresh(*args, **kwargs):
            painted_with.append(not first_page & set(view.table.row_keys))
            return original(*args, **kwargs)

        view.pager.refresh = refresh
        view.action_next_page()
        assert view.pager.text.startswith("page 2 of")  # known at once…
        assert painted_with == []  # …painted only with the rows
        await wait_for(pilot, lambda: view.ticks >= 2 and not view.fetching)
        await pilot.pause()
        assert painted_with == [True]
        assert "loading" not in view.badge.text  # a fast answer never flashes "loading…"
