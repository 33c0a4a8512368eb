"""The catch-up beyond the first page (tui/history/catch_up.py), against the simulator through the
tabs' real sources: what it walks, what it looks up by id, its bounds, and the calls it makes."""

from __future__ import annotations

import pytest
from support.app import make_runtime

from tui.history.catch_up import CatchUpState, catch_up
from tui.providers.base import PageRequest

LIST = "/redteam/list-tasks"
GET = "/redteam/get-task"


async def caught_up(sim, stored, *, per_page=25, **bounds):
    """Every row the catch-up gives after a first page of `per_page`, and its state."""
    runtime = make_runtime(sim)
    try:
        source = runtime.source("redteam")
        first = await source.fetch(PageRequest.first(per_page))
        seen = {row.key for row in first.rows}
        sim.reset_counts()
        state = CatchUpState()

        async def find_row(key):
            return (await source.find(key)).row

        rows = []
        async for batch in catch_up(first, source.fetch, find_row, stored,
                                    seen=lambda key: key in seen or key in {r.key for r in rows},
                                    is_old=lambda row: row.key in stored, state=state,
                                    **bounds):
            rows.extend(batch)
        return first, rows, state
    finally:
        await runtime.aclose()


async def listed(sim, per_page=100, pages=3):
    runtime = make_runtime(sim)
    try:
        source = runtime.source("redteam")
        out = []
        for number in range(1, pages + 1):
            out += (await source.fetch(PageRequest(page=number, per_page=per_page))).rows
        return out
    finally:
        await runtime.aclose()


async def test_a_stored_live_task_far_down_the_list_is_looked_up_by_id(sim):
    everything = await listed(sim)
    stored = {row.key: row.status for row in everything[:200]}  # nothing new since
    deep = everything[170].key
    stored[deep] = "Running"  # as tasktop last saw it; it failed while tasktop was closed
    sim.update_task("redteam", deep, status="Failed")
    first, rows, state = await caught_up(sim, stored)
    assert state.pages == 0  # page 1 brought nothing new: no list call at all
    live_unseen = [k for k, s in stored.items() if s not in ("Failed", "Finished")
                   and k not in {r.key for r in first.rows}]
    assert state.lookups == len(live_unseen) and not state.cut_short
    assert sim.counts() == {GET: len(live_unseen)}
    assert {row.key: row.status for row in rows}[deep] == "Failed"


async def test_the_walk_goes_on_while_pages_bring_new_tasks_and_not_again_to_page_one(sim):
    everything = await listed(sim)
    stored = {row.key: row.status for row in everything[60:]}
    first, rows, state = await caught_up(sim, stored)
    # rows 0-59 are new: page 2 holds new ones only, page 3 (rows 50-74) the first known one
    assert state.pages == 2 and sim.counts() == {LIST: 2}
    assert [row.key for row in rows] == [row.key for row in everything[25:75]]
    assert state.lookups == 0 and not state.cut_short


async def test_the_bounds_cut_it_short_and_say_so(sim):
    first, rows, state = await caught_up(sim, {}, max_pages=2)
    assert state.pages == 2 and state.cut_short and len(rows) == 50
    everything = await listed(sim)
    stored = {row.key: "Running" for row in everything[50:100]}  # pages 1 and 2 are new
    first, rows, state = await caught_up(sim, stored, max_pages=1, max_lookups=3)
    assert state.pages == 1 and state.lookups == 3 and state.cut_short


@pytest.mark.parametrize("status", ["Queued", "Running", "in_progress", "Some new word"])
async def test_a_task_the_server_no_longer_knows_is_skipped(sim, status):
    first, rows, state = await caught_up(sim, {"red-team-gone": status})
    assert state.lookups == 1
    assert all(row.key != "red-team-gone" for row in rows)


async def test_ended_tasks_are_not_looked_up(sim):
    first, rows, state = await caught_up(sim, {"red-team-a": "Failed", "red-team-b": "completed",
                                               "red-team-c": "Cancelled"})
    assert state.lookups == 0
