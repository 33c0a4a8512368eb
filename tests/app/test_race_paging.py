"""Rapid input against a slow server: hold `n` (or `f`) while every answer takes 0.2 s.

What must hold: no page that was superseded is ever painted, a tab never has two fetches in flight,
and the tab ends on the page the user asked for.
"""

from __future__ import annotations

import asyncio

from support.app import loaded, make_app, row_keys, wait_for
from textual import events

from tui.providers.base import PageRequest
from tui.providers.enkrypt import EnkryptClient
from tui.providers.nimble import NimbleClient
from tui.sim.server import Fault

LATENCY = 0.3
#: A terminal's key repeat: ~30 keys a second while a key is held down.
REPEAT = 0.03


async def hold(pilot, *keys: str) -> None:
    """Send keys the way a terminal does while a key is held: at key-repeat pace, not waiting for
    the app to settle between them (Pilot.press does, which is slower than a held key)."""
    driver = pilot.app._driver
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(pilot.app)
        driver.send_message(event)
        await asyncio.sleep(REPEAT)
    await pilot.pause()


class Probe:
    """Wraps a view's source.fetch and _succeeded: counts fetches in flight, records paints."""

    def __init__(self, view) -> None:
        self.view = view
        self.in_flight = 0
        self.max_in_flight = 0
        self.started: list[PageRequest] = []
        self.painted: list[PageRequest] = []
        self.superseded_paints: list[PageRequest] = []
        source = view.source
        fetch = source.fetch

        async def counted(request):
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.started.append(request)
            try:
                return await fetch(request)
            finally:
                self.in_flight -= 1

        source.fetch = counted
        def painted(page):
            self.painted.append(page.request)
            if page.request != view.request:
                self.superseded_paints.append(page.request)

        view.page_observers.append(painted)


async def server_rows(sim, page: int, per_page: int = 10, status: str | None = None) -> list[str]:
    async with EnkryptClient(sim.url, sim.enkrypt_key) as client:
        answer = await client.list_redteam(PageRequest(page=page, per_page=per_page, status=status))
    return [t.task_id for t in answer.rows]


async def test_holding_n_ends_on_the_asked_page_and_paints_nothing_superseded(sim):
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        assert view.page.paging.total_pages >= 9
        probe = Probe(view)
        sim.set_fault(Fault("latency", path_prefix="/redteam/list-tasks", seconds=LATENCY))
        await hold(pilot, *"n" * 8)  # 8 presses within one answer's time
        assert view.request.page == 9 and "page 9 of" in view.pager.text
        await wait_for(pilot, lambda: view.page.request.page == 9 and not view.fetching)
        await pilot.pause(LATENCY * 2)  # any abandoned request's answer has come and gone

        assert probe.superseded_paints == []
        assert [r.page for r in probe.painted] == [9]
        assert probe.max_in_flight == 1
        assert view.page.paging.page == 9 and "page 9 of" in view.pager.text
        sim.clear_faults()
        assert row_keys(app, "redteam") == await server_rows(sim, 9)


async def test_holding_n_past_the_last_page_stops_there(sim):
    app = make_app(sim, start_tab="redteam", per_page=50)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        last = view.page.paging.total_pages
        assert 1 < last < 12
        probe = Probe(view)
        sim.set_fault(Fault("latency", path_prefix="/redteam/list-tasks", seconds=LATENCY))
        await hold(pilot, *"n" * 12)
        await wait_for(pilot, lambda: view.page.request.page == last and not view.fetching)
        assert view.request.page == last
        assert probe.superseded_paints == [] and probe.max_in_flight == 1
        assert [r.page for r in probe.painted] == [last]


async def test_cycling_the_filter_fast_ends_on_the_last_choice(sim):
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        probe = Probe(view)
        sim.set_fault(Fault("latency", path_prefix="/redteam/list-tasks", seconds=LATENCY))
        await hold(pilot, "n", "n", "f", "f", "f")  # page 3, then Queued, Running, Finished
        await wait_for(pilot, lambda: view.page.request.status == "Finished"
                       and not view.fetching)
        assert view.request.status == "Finished" and view.request.page == 1
        assert probe.superseded_paints == [] and probe.max_in_flight == 1
        assert [(r.page, r.status) for r in probe.painted] == [(1, "Finished")]
        sim.clear_faults()
        assert row_keys(app, "redteam") == await server_rows(sim, 1, status="Finished")


async def test_paging_back_and_forth_fast_ends_where_the_keys_say(sim):
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        probe = Probe(view)
        sim.set_fault(Fault("latency", path_prefix="/redteam/list-tasks", seconds=LATENCY))
        await hold(pilot, "n", "n", "n", "b", "n", "n", "b", "b")  # 2 3 4 3 4 5 4 3
        await wait_for(pilot, lambda: view.page.request.page == 3 and not view.fetching)
        assert probe.superseded_paints == [] and probe.max_in_flight == 1
        assert [r.page for r in probe.painted] == [3]


async def test_a_slow_answer_never_overwrites_a_newer_one(sim):
    """Page 2 is slow and page 3 fast: page 3 lands first; the late page 2 must be dropped."""
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        probe = Probe(view)
        sim.set_fault(Fault("latency", path_prefix="/redteam/list-tasks", seconds=0.5, times=1))
        await pilot.press("n")
        await wait_for(pilot, lambda: sim.counts()["/redteam/list-tasks"] >= 2)  # page 2 is out
        await pilot.press("n")
        await wait_for(pilot, lambda: view.page.request.page == 3)
        await pilot.pause(0.7)  # the slow page-2 answer has come and gone
        assert [r.page for r in probe.painted] == [3] and probe.superseded_paints == []
        assert view.page.paging.page == 3


async def test_timer_ticks_never_overlap_a_slow_fetch(sim):
    """Refresh every 0.05 s against 0.2 s answers: the next tick waits for the fetch to end."""
    app = make_app(sim, start_tab="redteam", refresh=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        probe = Probe(view)
        sim.set_fault(Fault("latency", path_prefix="/redteam/list-tasks", seconds=LATENCY))
        ticks = view.ticks
        await wait_for(pilot, lambda: view.ticks >= ticks + 4)
        assert probe.max_in_flight == 1
        assert len(probe.started) <= len(probe.painted) + 1  # nothing was abandoned


async def test_holding_n_on_cursor_pages_walks_to_the_asked_page(sim):
    """Nimble pages by cursor: page 5 can only be reached through 2, 3 and 4, whose cursors come
    with their answers. Presses made while a page loads are remembered, the pages in between are
    fetched but never painted, and the walk ends on the page asked for."""
    app = make_app(sim, start_tab="nimble")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("nimble")
        await loaded(pilot, app, "nimble")
        sim.reset_counts()
        probe = Probe(view)
        sim.set_fault(Fault("latency", path_prefix="/v1/tasks", seconds=LATENCY))
        await hold(pilot, *"n" * 4)
        assert "page 5" in view.pager.text  # what was asked for shows at once
        await wait_for(pilot, lambda: view.page_index == 4 and not view.fetching
                       and view.page.request == view.request)
        assert [r.cursor for r in probe.painted] == [view.cursors[4]]
        assert probe.superseded_paints == [] and probe.max_in_flight == 1
        assert sim.counts()["/v1/tasks"] == 4 and len(set(view.cursors)) == 5
        assert "page 5" in view.pager.text
        sim.clear_faults()
        async with NimbleClient(sim.url, sim.nimble_key) as client:
            cursor = None
            for _ in range(4):
                cursor = (await client.list_tasks(PageRequest(cursor=cursor))).paging.next_cursor
            expected = [t.id for t in (await client.list_tasks(PageRequest(cursor=cursor))).rows]
        assert row_keys(app, "nimble") == expected


async def test_going_back_while_walking_forward_cancels_the_walk(sim):
    app = make_app(sim, start_tab="nimble")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("nimble")
        await loaded(pilot, app, "nimble")
        first = row_keys(app, "nimble")
        probe = Probe(view)
        sim.set_fault(Fault("latency", path_prefix="/v1/tasks", seconds=LATENCY))
        await hold(pilot, "n", "n", "n", "g")
        await wait_for(pilot, lambda: not view.fetching and view.page.request == view.request)
        await pilot.pause(LATENCY * 2)
        assert view.page_index == 0 and row_keys(app, "nimble") == first
        assert probe.superseded_paints == [] and probe.max_in_flight == 1


async def keys_while_a_first_page_loads(pilot, app, sim, path: str, *keys: str) -> None:
    """Datasets loaded, then `keys` in one burst while the list at `path` answers late."""
    await loaded(pilot, app, "datasets")
    sim.set_fault(Fault("latency", path_prefix=path, seconds=LATENCY))
    await hold(pilot, *keys)


async def test_n_pressed_while_a_tabs_first_page_loads_is_not_lost(sim):
    """`2 n n` in one burst, the Red team tab never shown and its list slow: it opens on page 3,
    and page 1, only a stepping stone by then, is never painted."""
    app = make_app(sim, start_tab="datasets")
    async with app.run_test(size=(120, 40)) as pilot:
        await keys_while_a_first_page_loads(pilot, app, sim, "/redteam/list-tasks", "2", "n", "n")
        view = app.view("redteam")
        assert view.page is None and "page 3" in view.pager.text  # said at once
        painted: list[PageRequest] = []
        view.page_observers.append(lambda page: painted.append(page.request))
        await wait_for(pilot, lambda: view.page is not None and not view.fetching)
        assert view.request.page == 3 and [r.page for r in painted] == [3]
        assert "page 3 of" in view.pager.text
        sim.clear_faults()
        assert row_keys(app, "redteam") == await server_rows(sim, 3)


async def test_n_pressed_while_a_cursor_tabs_first_page_loads_is_not_lost(sim):
    app = make_app(sim, start_tab="datasets")
    async with app.run_test(size=(120, 40)) as pilot:
        await keys_while_a_first_page_loads(pilot, app, sim, "/v1/tasks", "3", "n")
        view = app.view("nimble")
        await wait_for(pilot, lambda: view.page is not None and not view.fetching)
        assert view.nav.page_index == 1 and view.page.request.cursor is not None
        assert view.pager.text.startswith("page 2")
        sim.clear_faults()
        async with NimbleClient(sim.url, sim.nimble_key) as client:
            first = await client.list_tasks(PageRequest.first(view.request.per_page))
            second = await client.list_tasks(view.request)
        assert second.rows and row_keys(app, "nimble") == [t.id for t in second.rows]
        assert first.paging.next_cursor == view.request.cursor


async def test_n_pressed_while_the_first_page_loads_survives_a_new_page_size(sim):
    """The room changes while the first page loads (the history's lines mount then, or the
    terminal is resized): the page is asked again at the new size, and the presses still count."""
    app = make_app(sim, start_tab="datasets")
    async with app.run_test(size=(120, 40)) as pilot:
        await keys_while_a_first_page_loads(pilot, app, sim, "/redteam/list-tasks", "2", "n", "n")
        view = app.view("redteam")
        view.fit_rows = True  # the page size follows the room, as it does without --per-page
        before = view.request.per_page
        await pilot.resize_terminal(120, 30)
        await wait_for(pilot, lambda: view.request.per_page != before)
        await wait_for(pilot, lambda: view.page is not None and not view.fetching)
        assert view.request.page == 3 and view.page.request == view.request
        sim.clear_faults()
        assert row_keys(app, "redteam") == await server_rows(sim, 3, view.request.per_page)
