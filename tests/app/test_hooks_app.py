"""Alert hooks in the app: the transitions that alert reach the hooks, off the UI thread; a failing
hook is a toast; dedupe and the per-minute limit hold across an app restart (with the history)."""

from __future__ import annotations

import json

from support.app import loaded, make_runtime, wait_for
from support.hooks import Receiver, env_recorder, recorded_envs
from test_app_oncall import record_notifications

from tui.core.hook_settings import HookSpec
from tui.core.safe_text import escape_as_codes
from tui.hooks.ledger import HistoryLedger
from tui.hooks.runner import HookRunner
from tui.ui.app import TasktopApp

HOSTILE = "rt-x; rm -rf ~ $(touch pwned)\n\x1b]52;c;cHduZWQ=\x07"


def app_with(sim, runner: HookRunner) -> TasktopApp:
    runtime = make_runtime(sim, per_page=100)
    runtime.hooks = runner
    return TasktopApp(runtime, start_tab="redteam")


async def refresh(pilot, app) -> None:
    ticks = app.view("redteam").ticks
    await pilot.press("r")
    await loaded(pilot, app, "redteam", ticks=ticks + 1)


async def test_a_failure_reaches_command_and_webhook_hooks_without_the_key(
    sim, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TASKTOP_ENKRYPT_API_KEY", sim.enkrypt_key)
    argv, out = env_recorder(tmp_path)
    receiver = Receiver()
    runner = HookRunner([
        HookSpec(1, command=tuple(argv)),
        HookSpec(2, "terminal", "redteam", webhook=receiver.url),
        HookSpec(3, tab="nimble", command=tuple(argv)),  # another tab: never fires here
    ])
    app = app_with(sim, runner)
    try:
        async with app.run_test() as pilot:
            await loaded(pilot, app, "redteam")
            assert runner.stats.processed == 0  # the first load is a silent baseline
            task_id = sim.add_task("redteam", status="Failed", task_id=HOSTILE,
                                   test_name=f"echo {sim.enkrypt_key}")
            await refresh(pilot, app)
            await wait_for(pilot, lambda: runner.stats.processed == 1, timeout=30)
    finally:
        receiver.close()
    assert task_id == HOSTILE
    [env] = recorded_envs(out)
    assert env["TASKTOP_TAB"] == "redteam" and env["TASKTOP_STATUS"] == "Failed"
    assert env["TASKTOP_TASK_ID"] == escape_as_codes(HOSTILE)
    assert env["TASKTOP_PREVIOUS"] == ""  # first seen already Failed
    task = json.loads(env["TASKTOP_TASK_JSON"])
    assert task["task_id"] == HOSTILE and task["status"] == "Failed"
    [body] = receiver.bodies()
    assert body["id"] == HOSTILE and body["from"] is None and body["to"] == "Failed"
    assert body["tab"] == "redteam" and body["task"] == task
    assert sim.enkrypt_key not in json.dumps(env) and sim.enkrypt_key not in json.dumps(body)
    assert sim.enkrypt_key not in json.dumps(receiver.requests[0]["headers"])
    assert not list(tmp_path.glob("pwned*"))
    assert runner._thread is not None and not runner._thread.is_alive()  # closed with the app


async def test_a_failing_hook_is_a_toast_and_the_monitor_goes_on(sim):
    runner = HookRunner([HookSpec(1, command=("false",))])
    app = app_with(sim, runner)
    async with app.run_test() as pilot:
        notes = record_notifications(app)
        await loaded(pilot, app, "redteam")
        task_id = sim.add_task("redteam", status="Failed", test_name="boom\x1b[2J")
        await refresh(pilot, app)
        await wait_for(pilot, lambda: any(s == "warning" for s, _ in notes), timeout=30)
        assert ("warning", f"hook 1 (false) failed for {task_id}: exit 1") in notes
        assert any(s == "error" and task_id in text for s, text in notes)  # the alert itself
        await refresh(pilot, app)  # still refreshing
        assert app.is_running


async def test_the_rate_limit_holds_across_an_app_restart(sim, tmp_path):
    """Two runs of the app on one history file: its own, opened by the app off the UI thread.
    (Dedupe across restarts: tests/unit/test_hooks_history.py.)"""
    path = tmp_path / "history.sqlite3"
    argv, out = env_recorder(tmp_path)
    clock = [2_000_000_000.0]

    def app_run() -> tuple[TasktopApp, HookRunner]:
        runner = HookRunner([HookSpec(1, command=tuple(argv))], per_minute=1,
                            clock=lambda: clock[0])
        app = app_with(sim, runner)
        app.runtime.history_path = path
        return app, runner

    async def ready(pilot, app, runner) -> None:
        await loaded(pilot, app, "redteam")
        await wait_for(pilot, lambda: isinstance(runner.ledger, HistoryLedger), timeout=30)

    app, first = app_run()
    async with app.run_test() as pilot:
        await ready(pilot, app, first)
        task_a = sim.add_task("redteam", status="Failed")
        await refresh(pilot, app)
        await wait_for(pilot, lambda: first.stats.processed == 1, timeout=30)
    assert first.stats.fired == 1
    assert [e["TASKTOP_TASK_ID"] for e in recorded_envs(out)] == [task_a]

    app, second = app_run()
    async with app.run_test() as pilot:
        notes = record_notifications(app)
        await ready(pilot, app, second)
        sim.update_task("redteam", task_a, status="Running")
        await refresh(pilot, app)
        # Failed again after a retry: news again (the history saw it move on), as for the toasts
        sim.update_task("redteam", task_a, status="Failed")
        task_b = sim.add_task("redteam", status="Failed")  # one of the two is over the limit
        await refresh(pilot, app)
        await wait_for(pilot, lambda: second.stats.processed == 2, timeout=30)
        assert second.stats.fired == 1 and second.stats.rate_limited == 1
        await wait_for(pilot, lambda: any(s == "warning" for s, _ in notes), timeout=30)
        assert ("warning", "hooks: hooks_per_minute (1) reached; skipping hooks until the rate "
                "drops") in notes
        alerts = [text for s, text in notes if s == "error"]
        assert any(task_a in t for t in alerts) and any(task_b in t for t in alerts)

        clock[0] += 61
        task_c = sim.add_task("redteam", status="Failed")
        await refresh(pilot, app)
        await wait_for(pilot, lambda: second.stats.processed == 3, timeout=30)
    first_run, second_run, third = [e["TASKTOP_TASK_ID"] for e in recorded_envs(out)]
    assert (first_run, third) == (task_a, task_c) and second_run in (task_a, task_b)


async def test_hooks_choose_their_own_states_whatever_alert_on_says(sim, tmp_path):
    argv, out = env_recorder(tmp_path)
    record = tuple(argv)
    runner = HookRunner([HookSpec(1, "terminal", command=record), HookSpec(2, "any", command=record)])
    app = app_with(sim, runner)  # alerts on Failed only (the default)
    async with app.run_test() as pilot:
        notes = record_notifications(app)
        await loaded(pilot, app, "redteam")
        task = sim.add_task("redteam", status="Queued")
        await refresh(pilot, app)
        sim.update_task("redteam", task, status="Finished")
        await refresh(pilot, app)
        await wait_for(pilot, lambda: runner.stats.processed == 2, timeout=30)
        assert not any(s == "error" for s, _ in notes)  # Finished is no alert for the app
    changes = [(e["TASKTOP_TASK_ID"], e["TASKTOP_PREVIOUS"], e["TASKTOP_STATUS"])
               for e in recorded_envs(out)]
    assert changes == [(task, "", "Queued"), (task, "Queued", "Finished"), (task, "Queued", "Finished")]


async def test_opening_any_tab_runs_no_hook(sim, tmp_path):
    """The baseline holds on every tab, Datasets too (its statuses arrive by enrichment)."""
    argv, out = env_recorder(tmp_path)
    runner = HookRunner([HookSpec(1, "any", command=tuple(argv))])
    runtime = make_runtime(sim, per_page=10)
    runtime.hooks = runner
    app = TasktopApp(runtime, start_tab="datasets")
    async with app.run_test() as pilot:
        for tab, key in (("datasets", "1"), ("redteam", "2"), ("nimble", "3")):
            await wait_for(pilot, lambda: bool(app.query(f"#view-{tab}")), timeout=60)
            await pilot.press(key)
            view = app.view(tab)
            await wait_for(pilot, lambda: view.ticks >= 1, timeout=60)
            ticks = view.ticks
            await pilot.press("r")
            await wait_for(pilot, lambda: view.ticks > ticks, timeout=60)
        assert all(row.status for row in app.view("datasets").page.rows)
        task = sim.add_task("nimble", state="pending")
        await pilot.press("r")
        await wait_for(pilot, lambda: runner.stats.processed == 1, timeout=30)
    assert [e["TASKTOP_TASK_ID"] for e in recorded_envs(out)] == [task]
