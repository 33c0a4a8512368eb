"""The Nimble status filter walks cursor pages (the API has no status parameter).

Everything talks HTTP to the simulator with a frozen clock. The expected rows come from reading
the whole list plainly with the client, and every walk's list calls are counted by the simulator.
"""

from __future__ import annotations

import pytest
from support.app import FROZEN_MONOTONIC, make_app, row_keys, wait_for

from tui.providers.base import InvalidArgument, Page, PageRequest
from tui.providers.nimble import NimbleClient
from tui.providers.sources import NimbleSource
from tui.providers.walk import WALK_BUDGET, WalkCursor
from tui.sim.server import Fault

LIST = "/v1/tasks"
#: A day of new tasks on top of the simulator's 400: 4,719 tasks, 742 of them in error.
DAY = 86400


async def whole_list(sim) -> list[tuple[str, str]]:
    """(id, state) of every task, newest first, read page by page without any filter."""
    out: list[tuple[str, str]] = []
    async with NimbleClient(sim.url, sim.nimble_key) as client:
        cursor = None
        while True:
            page = await client.list_tasks(PageRequest(cursor=cursor, limit=100))
            out += [(t.id, t.state) for t in page.rows]
            if not page.paging.has_next:
                return out
            cursor = page.paging.next_cursor


def positions(tasks: list[tuple[str, str]], state: str) -> list[int]:
    return [i for i, (_, s) in enumerate(tasks) if s == state]


def calls(sim) -> int:
    return sim.counts().get(LIST, 0)


# ------------------------------------------------------------------------------ the source


async def test_a_screen_of_matches_comes_from_several_pages_and_the_next_resumes_mid_page(sim):
    tasks = await whole_list(sim)
    errors = positions(tasks, "error")
    async with NimbleClient(sim.url, sim.nimble_key) as client:
        source = NimbleSource(client, walk_page=10)
        sim.reset_counts()
        first = await source.fetch(PageRequest(limit=10, status="error"))
        tenth = errors[9]
        assert [r.key for r in first.rows] == [tasks[i][0] for i in errors[:10]]
        assert calls(sim) == tenth // 10 + 1 > 1  # across pages, none read past the screen
        assert first.walk is not None and first.walk.searched == tenth + 1
        assert first.walk.calls == calls(sim)
        assert first.paging.has_next and first.paging.total == len(tasks)
        assert tenth % 10 != 9  # the screen ends mid-page: the next one starts inside it

        sim.reset_counts()
        second = await source.fetch(
            PageRequest(limit=10, status="error", cursor=first.paging.next_cursor)
        )
        twentieth = errors[19]
        assert [r.key for r in second.rows] == [tasks[i][0] for i in errors[10:20]]
        assert calls(sim) == twentieth // 10 - tenth // 10 + 1  # its first page read again
        assert second.walk.searched == twentieth + 1


async def test_a_walk_stops_when_its_budget_of_list_calls_is_spent(sim):
    tasks = await whole_list(sim)
    pending = positions(tasks, "pending")
    assert len(pending) < 10 and pending[-1] < 20  # a rare state: every one on the first pages
    async with NimbleClient(sim.url, sim.nimble_key) as client:
        source = NimbleSource(client, walk_budget=3, walk_page=10)
        sim.reset_counts()
        page = await source.fetch(PageRequest(limit=10, status="pending"))
        assert [r.key for r in page.rows] == [tasks[i][0] for i in pending]
        assert calls(sim) == 3 and page.walk.calls == 3 and page.walk.searched == 30
        assert page.paging.has_next

        sim.reset_counts()
        further = await source.fetch(page.request.with_(cursor=page.paging.next_cursor))
        assert further.rows == [] and calls(sim) == 3 and further.walk.searched == 60


async def test_a_walk_to_the_end_of_the_list_says_so_and_reports_progress(sim):
    tasks = await whole_list(sim)
    seen: list[Page] = []
    async with NimbleClient(sim.url, sim.nimble_key) as client:
        source = NimbleSource(client)  # the real sizes: 100 rows a call, 20 calls
        sim.reset_counts()
        page = await source.fetch(PageRequest(limit=10, status="pending"), partial=seen.append)
    pages = -(-len(tasks) // 100)
    assert calls(sim) == pages == 4 and pages <= WALK_BUDGET
    assert len(page.rows) == len(positions(tasks, "pending"))
    assert not page.paging.has_next and page.paging.next_cursor is None
    assert page.walk.searched == len(tasks) and not page.walk.in_progress
    assert [p.walk.searched for p in seen] == [100, 200, 300]  # one look per call but the last
    assert all(p.walk.in_progress for p in seen)


async def test_an_unfiltered_fetch_is_one_list_call_at_the_page_size(sim):
    async with NimbleClient(sim.url, sim.nimble_key) as client:
        source = NimbleSource(client)
        sim.reset_counts()
        page = await source.fetch(PageRequest(limit=10))
    assert calls(sim) == 1 and len(page.rows) == 10 and page.walk is None
    assert not source.gives_partial(PageRequest(limit=10))


def test_a_walk_cursor_survives_the_round_trip_and_garbage_is_refused():
    here = WalkCursor("3f1c-…", 'id with "quotes", commas and ✓', 1234)
    assert WalkCursor.decode(here.encode()) == here
    assert WalkCursor.decode(None) == WalkCursor()
    assert WalkCursor.decode("plain-api-cursor") == WalkCursor("plain-api-cursor")
    for junk in ("walk:", "walk:!!!", "walk:" + "WzEsMiwzXQ==", "walk:bnVsbA=="):
        with pytest.raises(InvalidArgument):
            WalkCursor.decode(junk)


# -------------------------------------------------------------------------------- the tab


async def test_the_error_filter_walks_for_a_screen_and_n_continues_the_walk(sim):
    sim.advance(DAY)
    tasks = await whole_list(sim)
    errors = positions(tasks, "error")
    app = make_app(sim, start_tab="nimble", per_page=100)
    async with app.run_test(size=(160, 40)) as pilot:
        view = app.view("nimble")
        await wait_for(pilot, lambda: view.ticks == 1)
        for state in ("pending", "success", "error"):
            ticks = view.ticks
            sim.reset_counts()
            await pilot.press("f")
            await wait_for(pilot, lambda: view.ticks > ticks and not view.fetching)
            assert view.request.status == state
            assert calls(sim) <= WALK_BUDGET
        assert view.query_one("StatusFilter").text == "filter: error"
        hundredth = errors[99]
        assert row_keys(app, "nimble") == [tasks[i][0] for i in errors[:100]]
        assert calls(sim) == hundredth // 100 + 1 > 1
        assert view.pager.text == f"searched {hundredth + 1:,} of 4,719 tasks · more"

        sim.reset_counts()
        await pilot.press("n")
        await wait_for(pilot, lambda: view.ticks > ticks + 1 and not view.fetching)
        last = errors[199]
        assert row_keys(app, "nimble") == [tasks[i][0] for i in errors[100:200]]
        assert calls(sim) == last // 100 - hundredth // 100 + 1
        assert view.pager.text == f"searched {last + 1:,} of 4,719 tasks · more"
        assert view.page_index == 1

        await pilot.press("b")
        await wait_for(pilot, lambda: view.page_index == 0 and view.page.request == view.request)
        assert row_keys(app, "nimble") == [tasks[i][0] for i in errors[:100]]


async def test_a_rare_state_shows_progress_spends_the_budget_and_refreshes_less_often(sim):
    sim.advance(DAY)
    tasks = await whole_list(sim)
    pending = positions(tasks, "pending")
    app = make_app(sim, start_tab="nimble", frozen=True)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("nimble")
        await wait_for(pilot, lambda: view.ticks == 1)
        await pilot.press("f")
        await wait_for(pilot, lambda: view.ticks == 2 and not view.fetching)
        assert row_keys(app, "nimble") == [tasks[i][0] for i in pending[:10]]
        assert view.pager.text == f"searched {pending[9] + 1} of 4,719 tasks · more"

        sim.reset_counts()
        sim.set_fault(Fault("latency", path_prefix=LIST, seconds=0.05))
        await pilot.press("n")
        await wait_for(pilot, lambda: view.pager.text.startswith("searching… "))
        assert view.pager.text.endswith(" of 4,719 tasks")  # counted, not just "searching…"
        sim.clear_faults()
        await wait_for(pilot, lambda: view.ticks == 3 and not view.fetching)
        assert calls(sim) == WALK_BUDGET
        assert row_keys(app, "nimble") == [tasks[i][0] for i in pending[10:]]
        assert view.pager.text == "searched 2,000 of 4,719 tasks · more"

        sim.reset_counts()
        await pilot.press("r")  # a refresh re-walks the same screen, within the same budget
        await wait_for(pilot, lambda: view.ticks == 4 and not view.fetching)
        assert calls(sim) == WALK_BUDGET
        assert view.badge.next_at == FROZEN_MONOTONIC + view.refresh_seconds * WALK_BUDGET

        await pilot.press("n")
        await wait_for(pilot, lambda: view.ticks == 5 and not view.fetching)
        assert row_keys(app, "nimble") == []
        assert view.pager.text == "searched 4,000 of 4,719 tasks · more"
        notice = view.query_one(".notice").render().plain
        assert notice == "no pending tasks among those searched — n searches further"

        await pilot.press("n")
        await wait_for(pilot, lambda: view.ticks == 6 and not view.fetching)
        assert view.pager.text == "searched all 4,719 tasks"
        await pilot.press("n")  # nothing beyond the end
        await pilot.pause()
        assert view.page_index == 3


def test_the_walk_line_says_how_much_was_searched():
    from widgets.pager import walk_text

    assert walk_text(2000, 9400, True) == "searched 2,000 of 9,400 tasks · more"
    assert walk_text(400, 400, False) == "searched all 400 tasks"
    assert walk_text(1200, 9400, True, searching=True) == "searching… 1,200 of 9,400 tasks"
    assert walk_text(None, 9400, True, searching=True) == "searching…"
    assert walk_text(1, None, False) == "searched all 1 task"
    assert walk_text(30, None, True) == "searched 30 tasks · more"
    assert walk_text(410, 400, True) == "searched 400 of 400 tasks · more"


async def test_the_next_screen_starts_after_the_last_task_shown_when_new_ones_push_it_down(sim):
    tasks = await whole_list(sim)
    done = positions(tasks, "success")
    async with NimbleClient(sim.url, sim.nimble_key) as client:
        source = NimbleSource(client, walk_page=10)
        request = PageRequest(limit=2, status="success")
        first = await source.fetch(request)
        assert done[1] < 9  # the screen ends inside the top page...
        for _ in range(12):  # ...whose last shown task is then pushed off it by new ones
            sim.add_task("nimble", state="error")
        sim.reset_counts()
        second = await source.fetch(request.with_(cursor=first.paging.next_cursor))
    assert [r.key for r in second.rows] == [tasks[i][0] for i in done[2:4]]
    assert calls(sim) == (done[3] + 12) // 10 + 1  # read on to it, then to the screen's end
    assert second.walk.searched == done[3] + 1


async def test_a_resume_point_that_is_gone_searches_every_row_read_instead(sim):
    tasks = await whole_list(sim)
    gone = WalkCursor(None, "a-task-that-was-deleted", 0).encode()
    async with NimbleClient(sim.url, sim.nimble_key) as client:
        source = NimbleSource(client, walk_budget=3, walk_page=10)
        sim.reset_counts()
        page = await source.fetch(PageRequest(limit=100, status="error", cursor=gone))
    assert calls(sim) == 3
    assert [r.key for r in page.rows] == [tasks[i][0] for i in positions(tasks[:30], "error")]
    assert page.walk.searched == 30 and page.paging.has_next
