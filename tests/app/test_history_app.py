"""The app records every landed page into the history file (against the simulator, advancing its
clock), and an alert given once is not given again after a restart."""

from __future__ import annotations

import sqlite3

from support.app import loaded, make_runtime, wait_for

from tui.ui.app import TasktopApp


def stored(path, sql, *args):
    raw = sqlite3.connect(path)
    try:
        return raw.execute(sql, args).fetchall()
    finally:
        raw.close()


def app_with_history(sim, path, start_tab, **kwargs) -> TasktopApp:
    runtime = make_runtime(sim, **kwargs)
    runtime.history_path = path
    return TasktopApp(runtime, start_tab=start_tab)


def page_statuses(app, tab):
    return {row.key: row.status for row in app.view(tab).page.rows if row.status}


async def settle(pilot, app) -> None:
    """The history is open and everything the app queued so far is in the file."""
    await wait_for(pilot, lambda: app.recorder.attached)
    assert app.recorder.history.flush()


async def test_each_transition_is_recorded_once_with_observed_and_server_times(sim, tmp_path):
    path = tmp_path / "history.sqlite3"
    app = app_with_history(sim, path, "nimble", per_page=50)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "nimble")
        await settle(pilot, app)
        first = page_statuses(app, "nimble")
        first_at = sim.now().timestamp()
        rows = stored(path, "SELECT task_id, previous, status, seen_at FROM changes"
                            " WHERE tab = 'nimble'")
        assert sorted(rows) == sorted((k, None, s, first_at) for k, s in first.items())
        expected = len(rows)
        changed = 0
        for tick in range(2, 8):
            before = page_statuses(app, "nimble")
            sim.advance(90)
            await pilot.press("r")
            await loaded(pilot, app, "nimble", ticks=tick)
            await settle(pilot, app)
            after = page_statuses(app, "nimble")
            moved = {k: s for k, s in after.items() if before.get(k) != s}
            changed += sum(1 for k in moved if k in before)
            expected += len(moved)
            now = sim.now().timestamp()
            recorded = stored(path, "SELECT task_id, previous, status FROM changes"
                                    " WHERE tab = 'nimble' AND seen_at = ?", now)
            assert sorted(recorded) == sorted((k, before.get(k), s) for k, s in moved.items())
        assert changed, "the simulator should move a Nimble task within 9 simulated minutes"
        assert stored(path, "SELECT count(*) FROM transitions")[0][0] == expected
        # server times: Nimble sends modified_at, kept verbatim with each transition
        records = {row.key: row.record for row in app.view("nimble").page.rows}
        latest = stored(path, "SELECT task_id, server_at FROM changes WHERE tab = 'nimble'"
                              " AND seen_at = (SELECT max(seen_at) FROM transitions)")
        for key, server_at in latest:
            if key in records and records[key].modified_at:
                assert server_at == records[key].modified_at
        # a refresh with nothing new records nothing more
        ticks = app.view("nimble").ticks
        await pilot.press("r")
        await loaded(pilot, app, "nimble", ticks=ticks + 1)
        await settle(pilot, app)
        assert stored(path, "SELECT count(*) FROM transitions")[0][0] == expected
        assert stored(path, "SELECT count(*) FROM sessions JOIN scopes ON scopes.id = scope"
                      " WHERE tab = 'nimble'")[0][0] == 1


async def test_a_restart_records_what_changed_while_closed_once(sim, tmp_path):
    path = tmp_path / "history.sqlite3"
    app = app_with_history(sim, path, "redteam", per_page=20)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "redteam")
        await settle(pilot, app)
        seen = page_statuses(app, "redteam")
    target = next(k for k, s in seen.items() if s != "Failed")
    sim.update_task("redteam", target, status="Failed")
    count = stored(path, "SELECT count(*) FROM transitions")[0][0]
    again = app_with_history(sim, path, "redteam", per_page=20)
    async with again.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, again, "redteam")
        await settle(pilot, again)
    assert stored(path, "SELECT count(*) FROM transitions")[0][0] == count + 1
    assert stored(path, "SELECT previous, status FROM changes WHERE task_id = ?"
                        " ORDER BY seen_at", target)[-1] == (seen[target], "Failed")


async def test_no_history_path_means_no_file(sim, tmp_path):
    runtime = make_runtime(sim)
    assert runtime.history_path is None
    app = TasktopApp(runtime, start_tab="redteam")
    async with app.run_test() as pilot:
        await loaded(pilot, app, "redteam")
        assert not app.recorder.attached and not app.recorder.history.enabled
    assert list(tmp_path.iterdir()) == []


async def test_a_failure_alerted_once_is_not_alerted_again_after_a_restart(sim, tmp_path):
    from test_app_oncall import record_notifications

    path = tmp_path / "history.sqlite3"
    app = app_with_history(sim, path, "redteam", per_page=20)
    async with app.run_test(size=(120, 40)) as pilot:
        notes = record_notifications(app)
        await loaded(pilot, app, "redteam")
        await settle(pilot, app)
        live = [k for k, s in page_statuses(app, "redteam").items() if s != "Failed"]
        target, control = live[0], live[1]
        sim.update_task("redteam", target, status="Failed")
        await pilot.press("r")
        await loaded(pilot, app, "redteam", ticks=2)
        await settle(pilot, app)
        assert [t for sev, t in notes if sev == "error" and target in t]
    sim.update_task("redteam", control, status="Failed")
    again = app_with_history(sim, path, "redteam", per_page=20)
    async with again.run_test(size=(120, 40)) as pilot:
        notes = record_notifications(again)
        await loaded(pilot, again, "redteam")
        await settle(pilot, again)
        assert notes == []  # the first load is a silent baseline, as without history
        # Both tasks slide onto the page as if new (as rows do when tasks before them go away):
        # the tracker would alert both; the history knows one was alerted already.
        seen = again.alerts._seen["redteam"]
        seen.pop(target)
        seen.pop(control)
        await pilot.press("r")
        await loaded(pilot, again, "redteam", ticks=2)
        await pilot.pause()
        alerts = [t for sev, t in notes if sev == "error"]
        assert len(alerts) == 1 and control in alerts[0], alerts


async def test_an_unusable_history_is_one_notice_and_the_monitor_carries_on(sim, tmp_path):
    from test_app_oncall import record_notifications

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the state dir should be")
    app = app_with_history(sim, blocker / "history.sqlite3", "redteam")
    notes = record_notifications(app)  # before start: the notice may come before the first frame
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: bool(notes))
        assert notes == [("warning", f"history off: cannot create {blocker} (File exists)")]
        await loaded(pilot, app, "redteam")
        sim.advance(300)
        await pilot.press("r")
        await loaded(pilot, app, "redteam", ticks=2)
        assert app.view("redteam").error is None and not app.recorder.history.enabled


async def test_a_corrupt_history_file_is_moved_aside_and_recording_goes_on(sim, tmp_path):
    from test_app_oncall import record_notifications

    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"\x00garbage" * 512)
    app = app_with_history(sim, path, "redteam")
    notes = record_notifications(app)
    async with app.run_test() as pilot:
        await loaded(pilot, app, "redteam")
        await settle(pilot, app)
        (aside,) = tmp_path.glob("history.sqlite3.corrupt-*")
        assert notes == [("warning", f"history: history.sqlite3 was unreadable (file is not a"
                                     f" database); moved to {aside.name}, started a new one")]
        rows = len(app.view("redteam").page.rows)
    assert stored(path, "SELECT count(*) FROM transitions")[0][0] == rows
