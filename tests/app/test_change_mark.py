"""The change mark `•` means "this task's data changed", never "its relative time moved"."""

from __future__ import annotations

import pytest
from support.app import column_text, loaded, make_app, wait_for

from tui.core.delta import changed_keys
from tui.providers.sources import Row

#: tab, pages to step forward (Nimble's cursor pages below the newest stay put as tasks arrive),
#: the column showing "…m ago" (column 0 is the mark), and a status change for one of its rows.
CASES = {
    "datasets": (0, 3, {"status": "Failed"}),
    "nimble": (2, 3, {"state": "error"}),
}


async def _settled_tab(pilot, app, tab: str, pages: int):
    view = app.view(tab)
    await loaded(pilot, app, tab)
    for _ in range(pages):
        ticks = view.ticks
        await pilot.press("n")
        await wait_for(pilot, lambda: view.ticks > ticks)
    await pilot.pause()
    return view


async def _tick(pilot, view) -> None:
    ticks = view.ticks
    await pilot.press("r")
    await wait_for(pilot, lambda: view.ticks > ticks)
    await pilot.pause()


@pytest.mark.parametrize("tab", CASES)
async def test_a_minute_without_task_changes_marks_no_row(sim, tab):
    pages, when_column, _ = CASES[tab]
    app = make_app(sim, start_tab=tab)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _settled_tab(pilot, app, tab, pages)
        rows, times = dict(view.rows_by_key), column_text(app, tab, when_column)
        sim.advance(60)
        await _tick(pilot, view)
        assert view.rows_by_key == rows, "the simulator changed a task: the premise is gone"
        changed_times = sum(a != b for a, b in zip(times, column_text(app, tab, when_column)))
        assert changed_times > 0  # "44m ago" → "45m ago": cells differ, records do not
        assert view.table.marked_keys == frozenset()
        assert set(column_text(app, tab, 0)) == {""}


@pytest.mark.parametrize("tab", CASES)
async def test_one_status_change_marks_exactly_that_row(sim, tab):
    pages, _, change = CASES[tab]
    app = make_app(sim, start_tab=tab)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _settled_tab(pilot, app, tab, pages)
        live = [k for k, row in view.rows_by_key.items() if row.status in ("Running", "pending")]
        # Datasets re-fetch only live tasks (finished ones are cached): change a live one there.
        key = live[0] if tab == "datasets" else view.table.row_keys[4]
        sim.advance(60)
        sim.update_task(tab, key, **change)
        await _tick(pilot, view)
        assert view.rows_by_key[key].status == next(iter(change.values()))
        assert view.table.marked_keys == {key}
        marks = column_text(app, tab, 0)
        assert marks[view.table.row_keys.index(key)] == "•" and marks.count("•") == 1
        await _tick(pilot, view)  # the mark lasts one tick
        assert view.table.marked_keys == frozenset()


def test_changed_keys_are_new_rows_and_rows_whose_data_differ():
    before = {"a": Row("a", "Running", {"n": 1}), "b": Row("b", "Queued", {"n": 2})}
    rows = [Row("a", "Running", {"n": 1}), Row("b", "Running", {"n": 2}), Row("c", "Queued", None)]
    assert changed_keys(before, rows) == {"b", "c"}
    assert changed_keys(before, [Row("a", "Running", {"n": 9})]) == {"a"}  # a field, same status
    assert changed_keys(before, list(before.values())) == frozenset()
    assert changed_keys({}, []) == frozenset()
