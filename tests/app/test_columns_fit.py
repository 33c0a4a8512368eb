"""Columns and pages that fit the terminal (issue H §2), against the simulator over HTTP.

At every size the columns are laid out from the room the table has: identifiers stay apart (short
tails at 80 columns), nothing is cut while there is room, no column is wider than its widest
value, and the first page has exactly as many rows as the table shows.
"""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from support.app import loaded, make_app, make_runtime, wait_for

from tui.core.page_fit import rows_that_fit
from tui.sim.catalog import DATASET_TOPICS, MODELS, PROJECTS, TEST_KINDS
from tui.tabs.registry import spec
from tui.ui.app import TasktopApp
from widgets.text import ELLIPSIS

TABS = ["datasets", "redteam", "nimble"]
SIZES = [(80, 24), (120, 40), (200, 50)]
ID_COLUMN = {"datasets": "task_id", "redteam": "task_id", "nimble": "id"}
LIST = {"datasets": "/datasets/list-tasks", "redteam": "/redteam/list-tasks", "nimble": "/v1/tasks"}


def screen_lines(app) -> list[str]:
    return ["".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()]


def fitted_app(sim, tab: str) -> TasktopApp:
    """The app as `tasktop` starts it without --per-page: pages follow the terminal."""
    return make_app(sim, start_tab=tab, per_page=None)


def shown(table, column: str) -> list[str]:
    return [table.shown(key, column).plain for key in table.row_keys]


def stored(table, column: str) -> list[str]:
    return [table.get_cell(key, column).plain for key in table.row_keys]


def add_longest_demo_names(sim) -> None:
    """The longest names the demo produces, on the first page of every tab."""
    sim.add_task("redteam", test_name=max(TEST_KINDS, key=len) + " 14",
                 model_name=max(MODELS, key=len), project_name=max(PROJECTS, key=len))
    sim.add_task("datasets", dataset_name=max(DATASET_TOPICS, key=len) + "2",
                 project_name=max(PROJECTS, key=len))
    sim.add_task("nimble", state="error", error="Captcha challenge could not be solved",
                 status_code=429)


@pytest.mark.parametrize("tab", TABS)
async def test_at_80_columns_every_id_on_the_page_is_told_apart_by_its_tail(sim, tab):
    app = fitted_app(sim, tab)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app, tab)
        table = app.view(tab).table
        ids, full = shown(table, ID_COLUMN[tab]), stored(table, ID_COLUMN[tab])
        assert len(ids) == table.row_count > 10
        assert all(i.startswith(ELLIPSIS) and f.endswith(i[1:]) for i, f in zip(ids, full))
        assert len(set(ids)) == len(ids)  # distinct, unlike "data-generation-…" for every row
        assert all(len(i) - 1 >= 6 for i in ids)
        lines = "\n".join(screen_lines(app))
        assert all(i in lines for i in ids)  # painted as they are reported
        sums = sum(c.get_render_width(table) for c in table.columns.values())
        assert sums <= table.size.width  # no sideways scrolling


@pytest.mark.parametrize("tab", TABS)
async def test_at_200_columns_the_longest_demo_names_and_ids_are_whole(sim, tab):
    add_longest_demo_names(sim)
    app = fitted_app(sim, tab)
    async with app.run_test(size=(200, 50)) as pilot:
        await loaded(pilot, app, tab)
        table = app.view(tab).table
        for column in spec(tab).columns:
            assert shown(table, column.key) == stored(table, column.key), column.key
        lines = "\n".join(screen_lines(app))
        for value in stored(table, ID_COLUMN[tab]) + stored(table, spec(tab).columns[1].key):
            assert value in lines
        if tab == "redteam":
            assert max(MODELS, key=len) in lines and max(TEST_KINDS, key=len) + " 14" in lines
        if tab == "datasets":
            assert max(DATASET_TOPICS, key=len) + "2" in lines


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("tab", TABS)
async def test_no_column_is_wider_than_its_widest_value_and_cut_values_end_in_an_ellipsis(
    sim, tab, size
):
    add_longest_demo_names(sim)
    app = fitted_app(sim, tab)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot, app, tab)
        table = app.view(tab).table
        for column in spec(tab).columns:
            width = table.column_widths[column.key]
            if width is None:
                continue
            values = stored(table, column.key)
            widest = max(cell_len(v) for v in [column.label, *values])
            assert width <= widest, column.key
            for whole, painted in zip(values, shown(table, column.key), strict=True):
                assert cell_len(painted) <= width
                if cell_len(whole) <= width:
                    assert painted == whole  # room for it: never cut
                else:
                    assert ELLIPSIS in painted and painted != whole


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("tab", TABS)
async def test_the_first_page_fills_the_table_with_one_list_call(sim, tab, size):
    app = fitted_app(sim, tab)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot, app, tab)
        view = app.view(tab)
        table = view.table
        visible = table.size.height - table.header_height
        assert table.row_count == view.request.per_page == visible == rows_that_fit(*size)
        assert sim.counts().get(LIST[tab]) == 1  # the first request was already the right size
        lines = screen_lines(app)
        last = table.region.y + table.header_height + table.row_count - 1
        assert table.shown(table.row_keys[-1], ID_COLUMN[tab]).plain in lines[last]
        assert last == len(lines) - 2  # the last row sits right above the footer


async def test_resizing_relays_out_the_columns_and_refits_the_first_page(sim):
    app = fitted_app(sim, "redteam")
    async with app.run_test(size=(200, 50)) as pilot:
        await loaded(pilot, app, "redteam")
        view = app.view("redteam")
        table = view.table
        assert shown(table, "task_id") == stored(table, "task_id")
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: view.ticks >= 2 and not view.fetching)
        await pilot.pause()
        assert table.row_count == rows_that_fit(80, 24) == table.size.height - 1
        assert all(i.startswith(ELLIPSIS) for i in shown(table, "task_id"))
        assert view.pager.text.startswith("page 1 of ")


async def test_plus_and_minus_step_from_the_fitted_size_and_then_it_stays(sim):
    app = fitted_app(sim, "redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "redteam")
        view = app.view("redteam")
        assert view.request.per_page == 35
        await pilot.press("plus")
        await wait_for(pilot, lambda: view.table.row_count == 50 and not view.fetching)
        await pilot.press("minus", "minus")
        await wait_for(pilot, lambda: view.table.row_count == 10 and not view.fetching)
        ticks = view.ticks
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert view.request.per_page == 10 and view.ticks == ticks  # chosen: no re-fit
        await pilot.press("minus")
        await pilot.pause()
        assert view.request.per_page == 10  # already the smallest


async def test_a_given_per_page_is_kept_whatever_the_terminal(sim):
    app = make_app(sim, start_tab="nimble", per_page=25)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "nimble")
        view = app.view("nimble")
        assert view.table.row_count == 25
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        assert view.request.per_page == 25 and view.ticks == 1


async def test_an_idle_tick_lays_nothing_out_again(sim):
    app = fitted_app(sim, "nimble")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "nimble")
        view = app.view("nimble")
        layouts = view.table.layouts
        for ticks in (2, 3):
            await pilot.press("r")
            await wait_for(pilot, lambda: view.ticks >= ticks and not view.fetching)
            await pilot.pause()
        assert not view.table.last_stats.changed and view.table.layouts == layouts


@pytest.mark.parametrize("tab", TABS)
async def test_the_prefetched_first_page_is_sized_from_the_terminal_and_used(sim, tab):
    runtime = make_runtime(sim, per_page=None)
    runtime.terminal_size = (120, 40)
    runtime.prefetch(tab)
    early = runtime.early_pages[tab]
    assert early.request.per_page == rows_that_fit(120, 40)
    early.page.result(timeout=10)
    app = TasktopApp(runtime, start_tab=tab)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, tab)
        assert runtime.early_pages == {} and app.view(tab).early is None  # taken
        assert sim.counts().get(LIST[tab]) == 1
        assert app.view(tab).table.row_count == rows_that_fit(120, 40)
