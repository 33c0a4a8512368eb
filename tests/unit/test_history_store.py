"""The history store on real SQLite files: recording, reads, timelines, trends, alerts, forget."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from tui.core.transitions import Transition, transitions
from tui.history import History, render_timeline
from tui.history.schema import SCHEMA_VERSION
from tui.providers.sources import Row

T0 = datetime(2026, 12, 1, 18, 2, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def history(tmp_path):
    store = History.open(tmp_path / "history.sqlite3", "default")
    assert store.enabled, store.notice
    yield store
    store.close()


def feed(store: History, tab: str, pages: list[tuple[float, list[Row]]]) -> list[Transition]:
    """Record pages as the app does: transitions against the last known statuses."""
    known = store.statuses(tab)
    out = []
    for minutes, rows in pages:
        changes = transitions(tab, known, rows, at(minutes))
        known.update({c.task_id: c.status for c in changes})
        store.record(changes, tab=tab, seen_at=at(minutes), seen=[r.key for r in rows])
        out += changes
    assert store.flush()
    return out


def test_each_transition_is_stored_once_with_its_observed_time(history, tmp_path):
    pages = [(0, [Row("a", "Queued", None)]), (1, [Row("a", "Queued", None)]),
             (3, [Row("a", "Running", None)]), (4, [Row("a", "Running", None)]),
             (18, [Row("a", "Failed", None)])]
    feed(history, "redteam", pages)
    changes = history.changes_since("redteam", None)
    assert [(c.previous, c.status, c.seen_at) for c in reversed(changes)] == [
        (None, "Queued", at(0)), ("Queued", "Running", at(3)), ("Running", "Failed", at(18))]
    raw = sqlite3.connect(tmp_path / "history.sqlite3")
    assert raw.execute("SELECT count(*) FROM transitions").fetchone()[0] == 3
    first, last, status = raw.execute("SELECT first_seen, last_seen, status FROM tasks").fetchone()
    assert (first, last, status) == (at(0).timestamp(), at(18).timestamp(), "Failed")


def test_the_timeline_says_how_long_it_waited_and_ran(history):
    minutes = [0, 1, 2, 3, 5, 7, 9, 11, 13, 15, 17, 18]
    status = {0: "Queued", 3: "Running", 18: "Failed"}
    current = "Queued"
    pages = []
    for m in minutes:  # a tick every two minutes or less: no gap
        current = status.get(m, current)
        pages.append((m, [Row("a", current, None)]))
    feed(history, "redteam", pages)
    line = render_timeline(history.timeline("redteam", "a"))
    assert line == "Queued 18:02 → Running 18:05 (waited 3m) → Failed 18:20 (ran 15m)"


def test_a_gap_in_the_sessions_is_marked_and_its_times_are_upper_bounds(history):
    feed(history, "redteam", [(0, [Row("a", "Queued", None)]), (3, [Row("a", "Running", None)]),
                              (60, [Row("a", "Failed", None)])])
    timeline = history.timeline("redteam", "a")
    assert [s.gap for s in timeline.steps] == [False, False, True]
    assert render_timeline(timeline).endswith("→ ⋯ Failed 19:02 (ran ≤57m)")


def test_server_times_are_kept_where_the_api_gives_them(history, tmp_path):
    from tui.providers.models import DatasetTask, NimbleTask

    queued = DatasetTask(dataset_name="d", created_at="2026-12-01T18:01:00Z", status="Queued", task_id="t")
    running = DatasetTask(dataset_name="d", created_at="2026-12-01T18:01:00Z", status="Running",
                          task_id="t", started_at="2026-12-01T18:04:30Z")
    feed(history, "datasets", [(0, [Row("d", "Queued", queued)]), (3, [Row("d", "Running", running)])])
    feed(history, "nimble", [(3, [Row("n", "error", NimbleTask(id="n", state="error",
                                                                modified_at="2026-12-01T18:04:59Z"))])])
    assert [s.server_at for s in history.timeline("datasets", "d").steps] == [
        "2026-12-01T18:01:00Z", "2026-12-01T18:04:30Z"]
    assert history.timeline("nimble", "n").steps[0].server_at == "2026-12-01T18:04:59Z"
    raw = sqlite3.connect(tmp_path / "history.sqlite3")
    assert raw.execute("SELECT created, started FROM tasks WHERE task_id = 'd'").fetchone() == (
        "2026-12-01T18:01:00Z", "2026-12-01T18:04:30Z")


def test_statuses_and_last_seen_come_back_after_a_reopen(tmp_path):
    path = tmp_path / "h.sqlite3"
    first = History.open(path, "default")
    feed(first, "nimble", [(0, [Row("a", "pending", None), Row("b", "success", None)])])
    first.close()
    again = History.open(path, "default")
    try:
        assert again.statuses("nimble") == {"a": "pending", "b": "success"}
        assert again.last_seen("nimble") == at(0)
        assert again.statuses("redteam") == {} and again.last_seen("redteam") is None
    finally:
        again.close()


def test_profiles_are_kept_apart(tmp_path):
    path = tmp_path / "h.sqlite3"
    one, two = History.open(path, "one"), History.open(path, "two")
    try:
        feed(one, "redteam", [(0, [Row("a", "Queued", None)])])
        assert two.statuses("redteam") == {}
        assert one.statuses("redteam") == {"a": "Queued"}
    finally:
        one.close()
        two.close()


def test_changes_since_filters_by_time_and_status_newest_first(history):
    feed(history, "redteam", [(0, [Row("a", "Queued", None), Row("b", "Queued", None)]),
                              (5, [Row("a", "Failed", None), Row("b", "Running", None)]),
                              (9, [Row("b", "failed", None)])])
    assert [c.task_id for c in history.changes_since("redteam", at(1))] == ["b", "b", "a"]
    assert [(c.task_id, c.status) for c in history.changes_since("redteam", at(1), status="FAILED")] == [
        ("b", "failed"), ("a", "Failed")]


def test_trends_bucket_depth_outcomes_and_percentiles(history):
    # a: queued 0, running 10, finished 30; b: queued 0, running 20, failed 50; c: queued 40
    pages = [(0, [Row("a", "Queued", None), Row("b", "Queued", None)]),
             (10, [Row("a", "Running", None), Row("b", "Queued", None)]),
             (20, [Row("a", "Running", None), Row("b", "Running", None)]),
             (30, [Row("a", "Finished", None), Row("b", "Running", None)]),
             (40, [Row("b", "Running", None), Row("c", "Queued", None)]),
             (50, [Row("b", "Failed", None), Row("c", "Queued", None)])]
    feed(history, "redteam", pages)
    trends = history.trends("redteam", timedelta(hours=1), 6, end=at(55))
    assert trends.finished == (0, 0, 0, 1, 0, 0)  # buckets start at -5, 5, 15, 25, 35, 45
    assert trends.failed == (0, 0, 0, 0, 0, 1)
    assert trends.depth == ({"Queued": 2}, {"Running": 1, "Queued": 1}, {"Running": 2},
                            {"Running": 1}, {"Running": 1, "Queued": 1}, {"Queued": 1})
    assert (trends.wait_p50, trends.wait_p95) == (600.0, 1200.0)
    assert (trends.run_p50, trends.run_p95) == (1200.0, 1800.0)


def test_trends_count_an_ending_where_it_was_seen_not_a_task_first_seen_ended(history):
    """A first look at a page of old Finished/Failed tasks is no burst of endings in that bar."""
    pages = [(0, [Row("old", "Finished", None), Row("gone", "Failed", None),
                  Row("live", "Running", None)]),
             (20, [Row("old", "Finished", None), Row("gone", "Failed", None),
                   Row("live", "Failed", None)])]
    feed(history, "redteam", pages)
    trends = history.trends("redteam", timedelta(hours=1), 6, end=at(55))
    assert sum(trends.finished) == 0
    assert trends.failed == (0, 0, 1, 0, 0, 0)  # "live", seen failing at 20 s


def test_alerted_survives_a_restart_and_is_cleared_when_the_task_moves_on(tmp_path):
    path = tmp_path / "h.sqlite3"
    first = History.open(path, "default")
    first.mark_alerted("redteam", "a", "Failed")
    assert first.already_alerted("redteam", "a", "Failed")
    first.close()
    second = History.open(path, "default")
    assert second.already_alerted("redteam", "a", "Failed")
    assert not second.already_alerted("redteam", "a", "error")
    feed(second, "redteam", [(0, [Row("a", "Running", None)])])
    second.close()
    third = History.open(path, "default")
    try:
        assert not third.already_alerted("redteam", "a", "Failed")
    finally:
        third.close()


def test_forget_clears_this_profile_only(tmp_path):
    path = tmp_path / "h.sqlite3"
    mine, other = History.open(path, "default"), History.open(path, "other")
    try:
        feed(mine, "redteam", [(0, [Row("a", "Queued", None)])])
        feed(other, "redteam", [(0, [Row("b", "Queued", None)])])
        mine.mark_alerted("redteam", "a", "Queued")
        mine.forget()
        assert mine.flush()
        assert mine.statuses("redteam") == {} and mine.changes_since("redteam", None) == []
        assert mine.last_seen("redteam") is None and not mine.already_alerted("redteam", "a", "Queued")
        assert other.statuses("redteam") == {"b": "Queued"}
    finally:
        mine.close()
        other.close()


def test_the_file_is_wal_with_the_current_schema_and_holds_no_key(tmp_path):
    path = tmp_path / "h.sqlite3"
    store = History.open(path, "default")
    secret = "sk-live-0123456789abcdef"
    record = type("Rec", (), {"api_key": secret, "created_at": None})()
    feed(store, "redteam", [(0, [Row("a", "Queued", record)])])
    store.close()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    raw.close()
    assert secret.encode() not in path.read_bytes()


def test_a_history_that_is_off_answers_harmlessly():
    off = History.off("history off: --no-history")
    off.record([Transition("redteam", "a", None, "Queued", T0)], tab="redteam", seen_at=T0)
    off.touch("redteam", T0)
    off.mark_alerted("redteam", "a", "Queued")
    assert off.flush() and not off.enabled
    assert off.statuses("redteam") == {} and off.timeline("redteam", "a").steps == ()
    assert off.trends("redteam", 3600, 6) is None
    off.close()


def test_the_recorder_writes_idle_pages_only_as_a_heartbeat(history):
    from tui.history.recorder import HEARTBEAT, Recorder

    recorder = Recorder()
    rows = [Row("a", "Queued", None), Row("b", "Running", None)]
    assert recorder.page("redteam", rows, at(0)) == []  # not attached yet: kept for later
    recorder.attach(history, {"redteam": {"b": "Running"}})
    assert history.flush()
    assert [(c.task_id, c.status) for c in history.changes_since("redteam", None)] == [("a", "Queued")]
    queued = []
    history._put = lambda *op: queued.append(op[0])  # count what reaches the writer
    for second in range(1, int(HEARTBEAT)):
        recorder.page("redteam", rows, at(second / 60))
    assert queued == []  # idle pages inside the heartbeat interval write nothing
    recorder.page("redteam", rows, at(HEARTBEAT / 60))
    assert queued == ["record"]
    changed = [Row("a", "Running", None), Row("b", "Running", None)]
    (change,) = recorder.page("redteam", changed, at(HEARTBEAT / 60 + 0.1))
    assert (change.previous, change.status) == ("Queued", "Running") and queued == ["record"] * 2
