"""Snapshots of what the history shows, at 80×24 and 120×40: the "since …" line, the Changes
view, a task's timeline (with its wait, run and the gap while tasktop was closed) and the trend strip.

Each test first runs the app once on a history file in tmp_path, then changes the simulator while
"closed" (a task fails, two simulated minutes pass) and photographs the second run. Both clocks are
frozen (the simulator's manual clock, the app's monotonic clock), so every run paints the same
cells; regenerate with `pytest tests/snapshots --snapshot-update`.
"""

from __future__ import annotations

import asyncio

import pytest
from support.app import FROZEN_MONOTONIC, loaded, make_runtime, wait_for

from tui.ui.app import TasktopApp
from tui.ui.screens.changes import ChangesScreen

SIZES = [(120, 40), (80, 24)]


def history_app(sim, path, *, per_page=10, frozen=True) -> TasktopApp:
    """Fixed pages: a page fitted to the room would be fitted again once the line and the strip
    take theirs, and whether the first, larger page landed first would change what is recorded."""
    runtime = make_runtime(sim, per_page=per_page)
    runtime.history_path = path
    monotonic = (lambda: FROZEN_MONOTONIC) if frozen else None
    if monotonic is None:
        return TasktopApp(runtime, start_tab="redteam")
    app = TasktopApp(runtime, start_tab="redteam", monotonic=monotonic)
    app.trends_gap = 0  # every recorded change is read at once: the strip shows the last page
    return app


async def _first_run(sim, path, key: str) -> None:
    app = history_app(sim, path, per_page=100, frozen=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "redteam")
        await wait_for(pilot, lambda: app.recorder.attached)
        sim.update_task("redteam", key, status="Running")
        sim.advance(180)
        await pilot.press("r")
        await loaded(pilot, app, "redteam", ticks=2)
        assert app.recorder.history.flush()


def closed_a_while(sim, path) -> str:
    """A first run that saw one task queue and start; while closed it fails and time passes."""
    key = sim.add_task("redteam", status="Queued", test_name="nightly jailbreak suite")
    asyncio.run(_first_run(sim, path, key))
    sim.update_task("redteam", key, status="Failed")
    sim.advance(120)  # short: the task stays on the first page even at 80×24
    return key


def _state(app) -> tuple:
    """What may still change after the first rows: a page re-fitted to the room the "since" line
    and the strip take, a trends read, a timeline read."""
    view = app.view("redteam")
    busy = any(not w.is_finished for w in app.workers
               if w.group in ("fetch", "trends", "timeline", "detail", "history", "catch-up"))
    away = app._away.get("redteam")
    return (view.ticks, view.generation, view.request.per_page, app.query_one("#trends").shows,
            busy or app.trends_pending or (away is not None and away.catch_up == "checking")
            or view.fetching or "loading" in view.badge.text)


async def _quiet(pilot, app, frames: int = 2000) -> None:
    """Until nothing is in flight and the state held still over three frames in a row."""
    calm, last = 0, None
    for _ in range(frames):
        await pilot.pause()
        state = _state(app)
        calm = calm + 1 if state == last and not state[-1] else 0
        last = state
        assert app.recorder.history.flush()
        if calm >= 3:
            return
    raise AssertionError(f"the app never settled: {last}")


def _settled(then=None):
    async def run_before(pilot) -> None:
        app = pilot.app
        await loaded(pilot, app, "redteam")
        await wait_for(pilot, lambda: len(app.views()) == 3)
        await wait_for(pilot, lambda: all(view.is_mounted for view in app.views()))
        await wait_for(pilot, lambda: app.query_one("#away-line").display)
        trends = app.query_one("#trends")  # its first read runs on a worker thread
        await wait_for(pilot, lambda: not trends.display or trends.shows > 0)
        await _quiet(pilot, app)
        if then is not None:
            await then(pilot, app)
        await _quiet(pilot, app)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_since_line_and_trend_strip(snap_compare, sim, tmp_path, size):
    path = tmp_path / "history.sqlite3"
    closed_a_while(sim, path)

    async def trends_on(pilot, app) -> None:
        if not app.query_one("#trends").display:  # hidden at 80×24 until `t`
            await pilot.press("t")

    assert snap_compare(history_app(sim, path), terminal_size=size,
                        run_before=_settled(trends_on))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_changes_view(snap_compare, sim, tmp_path, size):
    path = tmp_path / "history.sqlite3"
    closed_a_while(sim, path)

    async def open_changes(pilot, app) -> None:
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, ChangesScreen))
        table = app.screen.query_one("TaskTable")
        await wait_for(pilot, lambda: table.row_count > 0)

    assert snap_compare(history_app(sim, path), terminal_size=size,
                        run_before=_settled(open_changes))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_timeline_in_detail(snap_compare, sim, tmp_path, size):
    path = tmp_path / "history.sqlite3"
    key = closed_a_while(sim, path)

    async def open_detail(pilot, app) -> None:  # from the Changes view: it is not on page 1
        view = app.view("redteam")
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, ChangesScreen))
        table = app.screen.query_one("TaskTable")
        await wait_for(pilot, lambda: table.select_key(key))
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.detail_key == key)
        await wait_for(pilot, lambda: view.detail.title is not None)
        timeline = view.detail.query_one("#detail-timeline")
        await wait_for(pilot, lambda: timeline.display)

    assert snap_compare(history_app(sim, path, per_page=25), terminal_size=size,
                        run_before=_settled(open_detail))
