"""Hook dedupe and the per-minute limit across restarts, through the real SQLite history file."""

from __future__ import annotations

from support.hooks import env_recorder, recorded_envs

from tui.core.hook_settings import HookSpec
from tui.history import History
from tui.hooks.event import HookEvent
from tui.hooks.ledger import AlertLedger, HistoryLedger
from tui.hooks.runner import HookRunner


def failed(task_id: str, status: str = "Failed") -> HookEvent:
    return HookEvent("redteam", task_id, "Running", status)


def session(path, hooks, events, clock) -> HookRunner:
    """One tasktop process: open the history, fire what comes, close everything."""
    history = History.open(path, "default")
    assert history.enabled, history.notice
    runner = HookRunner(hooks, per_minute=2, ledger=HistoryLedger(history), clock=lambda: clock[0])
    try:
        for event in events:
            runner.submit(event)
        assert runner.wait_idle(60)
    finally:
        runner.close()
        history.close()
    return runner


def test_the_history_is_an_alert_ledger():
    assert isinstance(HistoryLedger(History.off()), AlertLedger)
    assert callable(History.already_alerted) and callable(History.mark_alerted)


def test_dedupe_and_rate_limit_hold_across_a_restart(tmp_path):
    path = tmp_path / "history.sqlite3"
    argv, out = env_recorder(tmp_path)
    hooks = [HookSpec(1, "terminal", command=tuple(argv))]
    clock = [2_000_000_000.0]

    first = session(path, hooks, [failed("rt-1"), failed("rt-2"), failed("rt-3")], clock)
    assert first.stats.fired == 2 and first.stats.rate_limited == 1
    assert [e["TASKTOP_TASK_ID"] for e in recorded_envs(out)] == ["rt-1", "rt-2"]

    # restarted within the minute: rt-1 Failed already alerted; rt-4 is over the limit
    second = session(path, hooks, [failed("rt-1"), failed("rt-4")], clock)
    assert second.stats.deduped == 1 and second.stats.rate_limited == 1
    assert second.stats.fired == 0

    clock[0] += 61  # a minute later, after another restart: the limit has room again
    third = session(path, hooks, [failed("rt-1"), failed("rt-4"), failed("rt-1", "Finished")], clock)
    assert third.stats.deduped == 1 and third.stats.fired == 2
    assert [e["TASKTOP_TASK_ID"] for e in recorded_envs(out)] == ["rt-1", "rt-2", "rt-4", "rt-1"]
    assert [e["TASKTOP_STATUS"] for e in recorded_envs(out)][-1] == "Finished"


def test_an_unusable_history_still_dedupes_in_memory(tmp_path):
    (tmp_path / "dir-not-file").mkdir()
    history = History.open(tmp_path / "dir-not-file", "default")
    assert not history.enabled
    argv, out = env_recorder(tmp_path)
    runner = HookRunner([HookSpec(1, command=tuple(argv))], ledger=HistoryLedger(history))
    try:
        for event in (failed("rt-1"), failed("rt-1")):
            runner.submit(event)
        assert runner.wait_idle(60)
    finally:
        runner.close()
    assert runner.stats.fired == 1 and runner.stats.deduped == 1


def test_a_task_that_fails_again_after_a_retry_runs_its_hooks_again(tmp_path):
    """Dedupe is per task and state: once the history sees the task move on (a retry), its next
    failure is news again, for the hooks as for the app's toasts, across restarts too."""
    from datetime import UTC, datetime

    from tui.core.transitions import Transition

    path = tmp_path / "history.sqlite3"
    argv, out = env_recorder(tmp_path)
    hooks = [HookSpec(1, "failed", command=tuple(argv))]
    clock = [2_000_000_000.0]
    session(path, hooks, [failed("rt-1")], clock)
    history = History.open(path, "default")
    moment = datetime(2026, 12, 1, tzinfo=UTC)
    history.record([Transition("redteam", "rt-1", "Failed", "Running", moment)],
                   tab="redteam", seen_at=moment)
    history.close()
    clock[0] += 61
    again = session(path, hooks, [failed("rt-1")], clock)
    assert again.stats.deduped == 0 and again.stats.fired == 1
    assert [e["TASKTOP_TASK_ID"] for e in recorded_envs(out)] == ["rt-1", "rt-1"]
