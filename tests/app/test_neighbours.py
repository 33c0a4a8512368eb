"""Neighbour pages against the simulator, pinned as request counts and conditions, never timings.

Once a page has settled and the tab is idle it fetches the next page, once per visit, and keeps
the page it leaves; `n`/`b` to a kept copy paint from it, and refresh it in the same flip only when
it is older than the refresh interval.
"""

from __future__ import annotations

import pytest
from support.app import make_runtime, row_keys, wait_for

from tui.core.neighbours import Neighbours, next_request
from tui.providers.base import Page, PageInfo, PageRequest, WalkStats
from tui.providers.models import DatasetTask
from tui.sim.server import Fault
from tui.ui.app import TasktopApp

pytestmark = pytest.mark.neighbours

LIST = {"datasets": "/datasets/list-tasks", "redteam": "/redteam/list-tasks", "nimble": "/v1/tasks"}
#: Longer than any test waits for the answer it delays: the rows must be there before it.
SLOW = 5.0
REFRESH = 30.0


# ------------------------------------------------------------------------------------- units


def page_of(request: PageRequest, **paging) -> Page:
    return Page([], PageInfo(**paging), request)


def test_the_copies_are_a_small_lru_and_taking_one_removes_it():
    kept = Neighbours(keep=2)
    pages = [page_of(PageRequest(page=n), kind="number") for n in (1, 2, 3)]
    for n, page in enumerate(pages):
        kept.keep(page, float(n))
    assert PageRequest(page=1) not in kept and len(kept) == 2  # the oldest went
    copy = kept.take(PageRequest(page=2))
    assert copy is not None and copy.page is pages[1] and copy.fetched_at == 1.0
    assert kept.take(PageRequest(page=2)) is None


def test_the_next_request_follows_page_numbers_and_cursors_and_stops_at_the_end():
    first = PageRequest.first(25)
    numbered = page_of(first, kind="number", total_pages=3, has_next=True)
    assert next_request(numbered, "number") == first.with_(page=2)
    last = page_of(first.with_(page=3), kind="number", total_pages=3)
    assert next_request(last, "number") is None
    cursor = page_of(first, kind="cursor", has_next=True, next_cursor="c2")
    assert next_request(cursor, "cursor") == first.with_(cursor="c2")
    assert next_request(page_of(first, kind="cursor", has_next=False), "cursor") is None


def test_a_filtered_walk_has_no_neighbour():
    walked = Page([], PageInfo(kind="cursor", has_next=True, next_cursor="c2"),
                  PageRequest.first(25).with_(status="error"), walk=WalkStats(searched=2000, calls=20))
    assert next_request(walked, "cursor") is None


# ----------------------------------------------------------------------- against the sim


class Clock:
    """The views' monotonic clock, moved by hand (the refresh timers are then never due)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def app_at(sim, tab: str, clock: Clock | None = None, per_page: int = 10) -> TasktopApp:
    runtime = make_runtime(sim, per_page=per_page, refresh=REFRESH)
    return TasktopApp(runtime, start_tab=tab, monotonic=clock or Clock())


def lists(sim, tab: str) -> int:
    return sim.counts().get(LIST[tab], 0)


def neighbour_busy(view) -> bool:
    return any(w.node is view and w.group == "neighbour" and not w.is_finished
               for w in view.app.workers)


async def settled(pilot, view, checks: int) -> None:
    """Until the view has had `checks` idle moments and no fetch of any kind is in flight."""
    await wait_for(pilot, lambda: view.neighbour_checks >= checks and not view.fetching
                   and not neighbour_busy(view))
    await pilot.pause()


@pytest.mark.parametrize("tab", ["redteam", "nimble", "datasets"])
async def test_n_and_b_paint_kept_copies_without_a_request(sim, tab):
    app = app_at(sim, tab)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view(tab)
        await settled(pilot, view, 1)
        assert lists(sim, tab) == 2 and view.neighbour_fetches == 1  # the page, then its next
        first = row_keys(app, tab)
        sim.set_fault(Fault("latency", seconds=SLOW))  # any request now would be visibly slow
        view.neighbour_idle = 3600  # a slow machine's pause between keys is no idle moment
        sim.reset_counts()
        await pilot.press("n")
        second = row_keys(app, tab)
        assert second and second != first
        assert view.page.request == view.request and view.request != view.page.request.with_(
            page=1, cursor=None)
        if tab == "datasets":  # the neighbour came enriched
            assert all(isinstance(row.record, DatasetTask) for row in view.page.rows)
        await pilot.press("b")
        assert row_keys(app, tab) == first
        await pilot.press("n")
        assert row_keys(app, tab) == second
        assert sim.counts() == {} and not view.fetching


async def test_three_pages_forward_and_back_again_cost_only_the_neighbour_fetches(sim):
    app = app_at(sim, "redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await settled(pilot, view, 1)
        seen = {1: row_keys(app, "redteam")}
        for page in (2, 3, 4):
            await pilot.press("n")
            seen[page] = row_keys(app, "redteam")
            await settled(pilot, view, page)  # the next neighbour is fetched here
        sim.reset_counts()
        for page in (3, 2, 1):
            await pilot.press("b")
            assert view.page.request.page == page and row_keys(app, "redteam") == seen[page]
            await settled(pilot, view, 4 + 4 - page)
        assert sim.counts() == {}  # every page left was kept, the copy flipped to not evicted


async def test_a_stale_copy_paints_at_once_and_refreshes_in_the_same_flip(sim):
    clock = Clock()
    app = app_at(sim, "redteam", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await settled(pilot, view, 1)
        kept = [row.key for row in view.neighbours.peek(view.request.with_(page=2)).page.rows]
        clock.now += REFRESH + 1  # the copy is now older than the refresh interval
        sim.set_fault(Fault("latency", LIST["redteam"], seconds=SLOW))
        sim.reset_counts()
        await pilot.press("n")
        await wait_for(pilot, lambda: lists(sim, "redteam") == 1)  # the refresh reached the server
        assert view.fetching  # ... and its answer is still SLOW seconds away
        assert row_keys(app, "redteam") == kept  # while the copy is already on screen


async def test_one_extra_list_call_per_page_visited_and_none_per_idle_tick(sim):
    app = app_at(sim, "redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await settled(pilot, view, 1)
        for visit in range(2, 5):
            sim.reset_counts()
            await pilot.press("n")
            await settled(pilot, view, visit)
            assert view.request.page == visit
            assert lists(sim, "redteam") == 1  # the next page's copy; this one was kept already
        checks = view.neighbour_checks
        for tick in range(3):
            sim.reset_counts()
            before = view.ticks
            await pilot.press("r")
            await wait_for(pilot, lambda: view.ticks > before)
            await settled(pilot, view, checks + tick + 1)  # the idle moment after the tick came
            assert lists(sim, "redteam") == 1  # the tick itself, no neighbour
        assert view.neighbour_fetches == 4


async def test_hidden_tabs_fetch_no_neighbour(sim):
    app = app_at(sim, "redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        redteam = app.view("redteam")
        await settled(pilot, redteam, 1)
        sim.reset_counts()
        await pilot.press("3")
        nimble = app.view("nimble")
        await settled(pilot, nimble, 1)
        redteam.idle_moment()  # an idle moment reaching the hidden tab anyway fetches nothing
        await pilot.pause()
        assert not neighbour_busy(redteam)
        assert sim.counts() == {LIST["nimble"]: 2}  # nimble's page and its next; nothing else
        assert app.view("datasets").neighbour_checks == 0


async def test_no_neighbour_while_rate_limited(sim):
    sim.set_fault(Fault("status", LIST["redteam"], status=429, retry_after=30, times=1))
    app = app_at(sim, "redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await wait_for(pilot, lambda: view.error is not None)
        view.idle_moment()  # a failed tab: nothing
        await pilot.press("r")  # the 429 is over: the page loads
        await settled(pilot, view, 2)
        assert view.error is None and view.ticks == 1
        assert lists(sim, "redteam") == 2  # the 429 and the page: no neighbour after a 429
        assert view.neighbour_fetches == 0


async def test_n_while_the_neighbour_is_on_its_way_waits_for_it_instead_of_asking_again(sim):
    app = app_at(sim, "redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await wait_for(pilot, lambda: view.ticks >= 1)
        sim.set_fault(Fault("latency", LIST["redteam"], seconds=0.5, times=1))
        await wait_for(pilot, lambda: neighbour_busy(view))
        await pilot.press("n")
        assert view.request.page == 2
        await wait_for(pilot, lambda: view.page.request.page == 2)
        await settled(pilot, view, 2)
        assert lists(sim, "redteam") == 3  # page 1, page 2 (the neighbour, shown), page 3


async def test_an_answer_superseded_by_a_kept_copy_is_never_painted(sim):
    app = app_at(sim, "redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await settled(pilot, view, 1)
        await pilot.press("n")  # page 2 from its copy
        await settled(pilot, view, 2)
        painted = []
        view.page_observers.append(lambda page: painted.append(page.request.page))
        sim.set_fault(Fault("latency", LIST["redteam"], seconds=0.5, times=1))
        sim.reset_counts()
        await pilot.press("r")  # a slow refresh of page 2 ...
        await wait_for(pilot, lambda: lists(sim, "redteam") == 1)
        await pilot.press("b")  # ... superseded by page 1's kept copy
        await wait_for(pilot, lambda: not view.fetching)  # the slow answer has come and gone
        await pilot.pause()
        assert painted == [1] and view.page.request.page == 1
