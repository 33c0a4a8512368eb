"""What the user sees of the history, against the simulator with a real history file: two app runs
on the same file show the "since …" line and the Changes view with exactly the tasks that changed
while tasktop was closed; a task's timeline shows its wait, its run and the gap; the trend strip."""

from __future__ import annotations

import sqlite3

from support.app import loaded, make_runtime, wait_for
from textual.widgets import Sparkline, Static

from tui.core.export_walk import fetch_all
from tui.providers.base import PageRequest
from tui.sim.server import Fault
from tui.ui.app import TasktopApp
from tui.ui.screens.changes import ChangesScreen
from widgets.trend_strip import TrendStrip


def app_with_history(sim, path, start_tab="redteam", per_page=100) -> TasktopApp:
    runtime = make_runtime(sim, per_page=per_page)
    runtime.history_path = path
    return TasktopApp(runtime, start_tab=start_tab)


def stored_statuses(path) -> dict[str, str]:
    raw = sqlite3.connect(path)
    try:
        return dict(raw.execute(
            "SELECT k.task_id, k.status FROM tasks k JOIN scopes s ON s.id = k.scope"
            " WHERE s.tab = 'redteam'").fetchall())
    finally:
        raw.close()


def page_statuses(app, tab="redteam") -> dict[str, str]:
    return {row.key: row.status for row in app.view(tab).page.rows if row.status}


async def settle(pilot, app) -> None:
    await wait_for(pilot, lambda: app.recorder.attached)
    assert app.recorder.history.flush()


def shown(widget: Static) -> str:
    return str(widget.render())


async def first_session(sim, path) -> dict[str, str]:
    """Run the app once on a new history file; the statuses its first page showed."""
    app = app_with_history(sim, path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "redteam")
        await settle(pilot, app)
        assert not app.query_one("#away-line").display  # a first run has nothing to compare
        return page_statuses(app)


async def test_a_restart_shows_since_line_and_changes_view_with_exactly_what_changed(sim, tmp_path):
    path = tmp_path / "history.sqlite3"
    first_page = await first_session(sim, path)
    closed_at = sim.now()
    before = stored_statuses(path)
    assert before == first_page
    failed = next(k for k, s in first_page.items() if s not in ("Failed", "Finished"))
    sim.update_task("redteam", failed, status="Failed")
    new = sim.add_task("redteam", status="Queued", test_name="came while closed [b]x[/b]\x1b[2J")
    sim.advance(20 * 60)

    sim.reset_counts()
    again = app_with_history(sim, path, per_page=25)  # the failed task is beyond page 1 now
    async with again.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, again, "redteam")
        await settle(pilot, again)
        assert failed not in page_statuses(again)
        away = again._away["redteam"]
        await wait_for(pilot, lambda: away.catch_up == "done", state=lambda: away.catch_up)
        everything = await fetch_all(again.view("redteam").source.fetch, PageRequest.first(100))
        # newest first: the tasks listed above every stored one came while tasktop was closed
        arrived = next(i for i, row in enumerate(everything.rows) if row.key in before)
        expected = {row.key: row.status for i, row in enumerate(everything.rows)
                    if before.get(row.key, row.status) != row.status
                    or (row.key not in before and i < arrived)}
        assert failed in expected and new in expected and expected[new] == "Queued"
        assert {k: c.status for k, c in away.changes.items()} == expected
        assert again.recorder.history.flush()
        assert {k: s for k, s in stored_statuses(path).items() if k in expected} == expected
        counts = sim.counts()  # the hidden tabs caught up on nothing: they asked nothing
        assert not {"/v1/tasks", "/datasets/list-tasks"} & set(counts), counts
        assert away.changes[new].previous is None
        assert away.changes[failed].previous == before[failed]

        line = again.query_one("#away-line", Static)
        await wait_for(pilot, lambda: line.display)
        counts = away.counts()
        text = shown(line)
        assert text.startswith(f"since {closed_at.strftime('%H:%M')} (20m ago): "), text
        assert f"{counts['failed']} failed" in text and f"{counts['new']} new" in text
        assert counts["new"] == sum(1 for k in expected if k not in before)
        assert counts["failed"] == sum(
            1 for k, s in expected.items() if k in before and s == "Failed")
        assert counts["failed"] >= 1 and counts["new"] >= 1

        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(again.screen, ChangesScreen))
        screen = again.screen
        table = screen.query_one("TaskTable")
        await wait_for(pilot, lambda: table.row_count == len(expected))
        assert set(table.row_keys) == set(expected)
        assert table.row_keys == [c.task_id for c in away.newest_first()]
        # the hostile test name is not in this view; the task id and statuses are literal text
        while screen.status != "Failed":
            await pilot.press("f")
        failed_now = {k for k, s in expected.items() if s == "Failed"}
        await wait_for(pilot, lambda: set(table.row_keys) == failed_now)
        table.select_key(failed)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(again.screen, ChangesScreen))
        view = again.view("redteam")
        await wait_for(pilot, lambda: view.detail_key == failed)
        await wait_for(pilot, lambda: view.detail.title is not None)


async def test_a_catch_up_cut_short_by_server_errors_says_so_and_the_monitor_goes_on(sim, tmp_path):
    path = tmp_path / "history.sqlite3"
    first_page = await first_session(sim, path)
    live = next(k for k, s in first_page.items() if s not in ("Failed", "Finished"))
    for _ in range(30):  # push it off the next run's first page of 10
        sim.add_task("redteam", status="Queued")
    again = app_with_history(sim, path, per_page=10)
    async with again.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, again, "redteam")
        sim.set_fault(Fault("status", path_prefix="/redteam/", status=503))  # after page 1
        await settle(pilot, again)
        assert live not in page_statuses(again)
        line = again.query_one("#away-line", Static)
        await wait_for(pilot, lambda: shown(line).endswith("not all checked  w: list them"),
                       state=lambda: shown(line))
        assert "10 new" in shown(line)  # what page 1 showed
        sim.clear_faults()
        view = again.view("redteam")
        ticks = view.ticks
        await pilot.press("r")
        await wait_for(pilot, lambda: view.ticks > ticks and not view.fetching)
        assert not view.notice_text and view.page is not None


async def test_the_changes_key_without_an_earlier_session_says_so(sim, tmp_path):
    from test_app_oncall import record_notifications

    app = app_with_history(sim, tmp_path / "history.sqlite3")
    async with app.run_test(size=(120, 40)) as pilot:
        notes = record_notifications(app)
        await loaded(pilot, app, "redteam")
        await settle(pilot, app)
        await pilot.press("w")
        await wait_for(pilot, lambda: notes)
        assert not isinstance(app.screen, ChangesScreen)
        assert "no earlier session" in notes[0][1]


async def test_timeline_shows_wait_run_and_the_gap_while_closed(sim, tmp_path):
    path = tmp_path / "history.sqlite3"
    key = sim.add_task("redteam", status="Queued", test_name="timeline task")
    queued_at = sim.now()
    app = app_with_history(sim, path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "redteam")
        await settle(pilot, app)
        sim.update_task("redteam", key, status="Running")
        running_at = sim.advance(180)
        await pilot.press("r")
        await loaded(pilot, app, "redteam", ticks=2)
        await settle(pilot, app)
    sim.update_task("redteam", key, status="Failed")
    failed_at = sim.advance(900)

    again = app_with_history(sim, path)
    async with again.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, again, "redteam")
        await settle(pilot, again)
        view = again.view("redteam")
        assert view.table.select_key(key)
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.detail_key == key)
        timeline = view.detail.query_one("#detail-timeline", Static)
        await wait_for(pilot, lambda: timeline.display and "Failed" in shown(timeline),
                       state=lambda: shown(timeline))
        text = shown(timeline)
        hm = "%H:%M"
        assert (f"Queued {queued_at.strftime(hm)} → Running {running_at.strftime(hm)} (waited 3m)"
                f" → ⋯ Failed {failed_at.strftime(hm)} (ran ≤15m)") in text, text
        assert "tasktop was not running" in text


async def test_trend_strip_is_hidden_at_80x24_and_t_steps_hour_day_hidden(sim, tmp_path):
    path = tmp_path / "history.sqlite3"
    app = app_with_history(sim, path)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app, "redteam")
        await settle(pilot, app)
        strip = app.query_one("#trends", TrendStrip)
        assert not strip.display
        await pilot.press("t")
        await wait_for(pilot, lambda: strip.display and strip.shows >= 1)
        heading = shown(strip.query_one(".trend-heading", Static))
        assert heading.startswith("trends · last hour · 30 bars of 2m"), heading
        assert "wait p50" in heading and "run p50" in heading
        finished = strip.query_one(".trend-finished", Sparkline)
        assert len(finished.data) == 30
        await pilot.press("t")
        heading = strip.query_one(".trend-heading", Static)
        await wait_for(pilot, lambda: "last day" in shown(heading))
        assert "24 bars of 1h" in shown(strip.query_one(".trend-heading", Static))
        await pilot.press("t")
        await wait_for(pilot, lambda: not strip.display)


async def test_trend_strip_counts_what_the_history_recorded(sim, tmp_path):
    path = tmp_path / "history.sqlite3"
    key = sim.add_task("redteam", status="Queued", test_name="trend task")
    app = app_with_history(sim, path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "redteam")
        await settle(pilot, app)
        strip = app.query_one("#trends", TrendStrip)
        assert strip.display  # shown by default on a tall terminal
        sim.update_task("redteam", key, status="Running")
        sim.advance(240)
        await pilot.press("r")
        await loaded(pilot, app, "redteam", ticks=2)
        await settle(pilot, app)
        sim.update_task("redteam", key, status="Failed")
        sim.advance(600)
        await pilot.press("r")
        await loaded(pilot, app, "redteam", ticks=3)
        await settle(pilot, app)
        await pilot.press("t", "t", "t")  # round the cycle once: a fresh read after the writes
        failed = strip.query_one(".trend-failed", Sparkline)
        await wait_for(pilot, lambda: strip.display and failed.data and failed.data[-1] >= 1,
                       state=lambda: failed.data)
        heading = shown(strip.query_one(".trend-heading", Static))
        assert "wait p50 4m" in heading and "run p50 10m" in heading, heading


async def test_a_tick_that_changed_nothing_reads_no_trends(sim, tmp_path, monkeypatch):
    """Watching a quiet queue costs no query (nor the write a read first waits for) per tick:
    the strip is read again when a page recorded a change, or when its bars have moved on."""
    from tui.history import History

    reads: list[str] = []
    original = History.trends
    monkeypatch.setattr(History, "trends", lambda self, tab, *a, **k: (
        reads.append(tab), original(self, tab, *a, **k))[1])
    path = tmp_path / "history.sqlite3"
    app = app_with_history(sim, path)
    app.trends_gap = 0  # a change is read at once (the gap has a test of its own)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "redteam")
        await settle(pilot, app)
        await wait_for(pilot, lambda: reads)
        before = len(reads)
        for tick in (2, 3, 4):  # the simulator's clock stands still: nothing changes
            await pilot.press("r")
            await loaded(pilot, app, "redteam", ticks=tick)
        assert len(reads) == before
        key = next(iter(page_statuses(app)))
        sim.update_task("redteam", key, status="Failed")
        await pilot.press("r")
        await loaded(pilot, app, "redteam", ticks=5)
        await wait_for(pilot, lambda: len(reads) == before + 1)
        sim.advance(31)  # the bars moved on: read again, though nothing changed
        await pilot.press("r")
        await loaded(pilot, app, "redteam", ticks=6)
        await wait_for(pilot, lambda: len(reads) == before + 2)


async def test_changes_within_the_gap_wait_for_one_trailing_read(sim, tmp_path):
    """A busy queue records a change nearly every tick: the strip is read for the first, then
    once more when the gap ends, and that read shows the last change too."""
    path = tmp_path / "history.sqlite3"
    app = app_with_history(sim, path)
    app.trends_gap = 5  # longer than the burst below takes, shorter than a wait_for
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "redteam")
        await settle(pilot, app)
        strip = app.query_one("#trends", TrendStrip)
        await wait_for(pilot, lambda: strip.shows >= 1)
        live = [k for k, s in page_statuses(app).items() if s not in ("Failed", "Finished")]
        before = app.trends_reads
        for tick, key in enumerate(live[:3], start=2):
            sim.update_task("redteam", key, status="Failed")
            await pilot.press("r")
            await loaded(pilot, app, "redteam", ticks=tick)
        burst = app.trends_reads
        assert burst <= before + 1  # the first change (unless the start's changes had one)
        assert app.trends_pending  # the gap outlasts the burst: the rest wait
        failed = strip.query_one(".trend-failed", Sparkline)
        await wait_for(pilot, lambda: not app.trends_pending and failed.data
                       and failed.data[-1] == 3, state=lambda: (app.trends_reads, failed.data))
        assert app.trends_reads == burst + 1


async def test_a_hostile_status_is_shown_literally_in_the_changes_view(sim, tmp_path):
    path = tmp_path / "history.sqlite3"
    app = app_with_history(sim, path)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "redteam")
        await settle(pilot, app)
        target = next(iter(page_statuses(app)))
    hostile = "[bold red]Failed[/]\x1b]52;c;aGk=\x07"
    sim.update_task("redteam", target, status=hostile)
    again = app_with_history(sim, path)
    async with again.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, again, "redteam")
        await settle(pilot, again)
        await wait_for(pilot, lambda: "redteam" in again._away)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(again.screen, ChangesScreen))
        table = again.screen.query_one("TaskTable")
        await wait_for(pilot, lambda: target in table.row_keys)
        cell = table.shown(target, "now")
        assert "[bold red]Failed[/]" in cell.plain
        assert "\x1b" not in cell.plain and "\x07" not in cell.plain
        while again.screen.status != hostile:
            await pilot.press("f")
        label = str(again.screen.query_one(".changes-filter", Static).render())
        assert "[bold red]Failed[/]" in label and "\x1b" not in label
        await wait_for(pilot, lambda: table.row_keys == [target])


async def test_a_trends_answer_landing_during_shutdown_is_dropped(sim, tmp_path):
    """Closing takes the tab bar down while a trends read may still be on its way back."""
    app = app_with_history(sim, tmp_path / "history.sqlite3")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "redteam")
        await settle(pilot, app)
        strip = app.query_one("#trends", TrendStrip)
        await wait_for(pilot, lambda: strip.shows >= 1)
        shows = strip.shows
        await app.query_one("#tabs").remove()
        app._draw_trends("redteam", 0, "hour", None)  # what call_from_thread runs
        assert strip.shows == shows
