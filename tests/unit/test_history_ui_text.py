"""The words the history's UI shows, without an app: the "since …" line and its counts, the order
of the Changes view, and the timeline text (server statuses stay literal and escaped)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tui.history.queries import Trends
from tui.history.timeline import Step, Timeline
from tui.ui.away import Away
from tui.ui.history_panel import trend_footer, trend_series
from tui.ui.timeline_text import timeline_text

HOSTILE = "[bold]Failed[/]\x1b[2J\x07"
T0 = datetime(2026, 11, 20, 17, 40, tzinfo=UTC)


@dataclass
class Rec:
    created_at: str | None = None
    modified_at: str | None = None


@dataclass
class R:
    key: str
    status: str
    record: Any = None


def test_since_line_counts_failed_finished_new_and_others_once_each():
    away = Away("redteam", T0, {"a": "Running", "b": "Queued", "c": "Running", "d": "Finished",
                                "e": "Queued"})
    rows = [R("n1", "Queued"), R("n2", "Failed"), R("a", "Failed"), R("b", "Finished"),
            R("c", "Finished"), R("d", "Finished"), R("e", "Running"), R("x", "")]
    assert away.observe(rows)
    assert away.counts() == {"failed": 1, "finished": 2, "new": 2, "other": 1}
    now = T0 + timedelta(hours=2, minutes=5)
    assert away.line(now) == "since 17:40 (2h ago): 1 failed, 2 finished, 2 new, 1 other change"
    # a task seen once this session is compared once: its later changes are not "while away"
    assert not away.observe([R("a", "Finished"), R("d", "Finished")])
    assert away.changes["a"].status == "Failed"


def test_a_task_never_seen_but_older_than_since_is_not_new():
    """Paging to an old page after a restart shows tasks this history never saw: they existed
    before tasktop closed, so they are no news."""
    away = Away("nimble", T0, {})
    before, after = T0 - timedelta(days=3), T0 + timedelta(minutes=5)
    assert away.observe([R("old", "success", Rec(created_at=before.isoformat())),
                         R("fresh", "pending", Rec(created_at=after.isoformat())),
                         R("undated", "pending")])
    assert set(away.changes) == {"fresh", "undated"}


def test_an_undated_task_below_a_stored_one_is_an_old_one_never_seen_not_new():
    """Lists are newest first: without a creation time, only the tasks above every stored one
    came while tasktop was closed; below one (this page or a later one) they are older."""
    away = Away("redteam", T0, {"known": "Running"})
    assert away.observe([R("came", "Queued"), R("known", "Running"), R("older", "Finished")])
    assert away.observe([R("also-older", "Failed")]) is False
    assert set(away.changes) == {"came"}
    assert away.is_old(R("known", "Failed")) and not away.is_old(R("came", "Queued"))
    assert away.is_old(R("dated", "Queued", Rec(created_at=(T0 - timedelta(1)).isoformat())))


def test_since_line_says_while_it_checks_beyond_the_first_page_and_when_it_could_not_finish():
    away = Away("redteam", T0, {})
    now = T0 + timedelta(minutes=5)
    assert away.line(now) == "since 17:40 (5m ago): no changes"
    away.catch_up = "checking"
    assert away.line(now) == "since 17:40 (5m ago): no changes · checking…"
    away.catch_up = "partial"
    assert away.line(now) == "since 17:40 (5m ago): no changes · not all checked"
    away.catch_up = "done"
    assert away.line(now) == "since 17:40 (5m ago): no changes"


def test_since_line_without_changes():
    away = Away("nimble", T0, {"a": "success"})
    assert not away.observe([R("a", "success")])
    assert away.line(T0 + timedelta(minutes=3)) == "since 17:40 (3m ago): no changes"


def test_changes_are_newest_first_by_server_time_then_page_order_and_filter_by_status():
    away = Away("nimble", T0, {"old": "pending", "undated": "pending", "newest": "pending",
                               "mid": "pending"})
    away.observe([
        R("old", "error", Rec(created_at="2026-11-20T10:00:00Z")),
        R("undated", "error"),
        R("newest", "success", Rec(created_at="2026-11-20T09:00:00Z",
                                   modified_at="2026-11-20T18:00:00Z")),
        R("mid", "ERROR", Rec(created_at="2026-11-20T12:00:00Z")),
    ])
    assert [c.task_id for c in away.newest_first()] == ["newest", "mid", "old", "undated"]
    assert [c.task_id for c in away.newest_first("error")] == ["mid", "old", "undated"]
    assert away.statuses() == ["error", "success"]


def step(status, minute, **kw) -> Step:
    return Step(status, T0 + timedelta(minutes=minute), **kw)


def test_timeline_text_reads_as_the_issue_says_and_marks_the_gap():
    timeline = Timeline("redteam", "t1", (
        step("Queued", 0), step("Running", 3, waited=180.0),
        step("Failed", 18, ran=900.0, gap=True),
    ))
    text = timeline_text(timeline)
    assert text is not None
    first, note = text.plain.split("\n")
    assert first == "Queued 17:40 → Running 17:43 (waited 3m) → ⋯ Failed 17:58 (ran ≤15m)"
    assert "tasktop was not running" in note
    assert timeline_text(Timeline("redteam", "t2", ())) is None


def test_timeline_text_keeps_a_hostile_status_literal_and_escaped():
    text = timeline_text(Timeline("redteam", "t1", (step(HOSTILE, 0),)))
    assert text is not None
    assert "[bold]Failed[/]" in text.plain  # markup is not parsed
    assert "\x1b" not in text.plain and "\x07" not in text.plain


def test_trend_series_group_statuses_by_phase_and_say_their_scale():
    trends = Trends(
        "redteam", T0, T0 + timedelta(hours=1), 1200.0,
        depth=({"Queued": 2, "Running": 1}, {"Pending": 3, "queued": 1, "Running": 4}, {}),
        finished=(0, 5, 1), failed=(1, 0, 0),
        wait_p50=120.0, wait_p95=600.0, run_p50=None, run_p95=None,
    )
    series = trend_series(trends)
    assert series["queued"] == ([2.0, 4.0, 0.0], "0–4 tasks")
    assert series["running"] == ([1.0, 4.0, 0.0], "0–4 tasks")
    assert series["finished"] == ([0.0, 5.0, 1.0], "0–5 per 20m")
    assert series["failed"] == ([1.0, 0.0, 0.0], "0–1 per 20m")
    assert trend_footer(trends) == "wait p50 2m p95 10m · run p50 – p95 –"
