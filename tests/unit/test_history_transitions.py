"""The one transition stream: what changed between the last known statuses and a fetched page."""

from __future__ import annotations

from datetime import UTC, datetime

from tui.core.transitions import Transition, server_times, transitions
from tui.providers.models import DatasetTask, NimbleTask
from tui.providers.sources import Row

NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def test_first_sighting_is_a_transition_from_none_and_unchanged_rows_are_not():
    rows = [Row("a", "Queued", None), Row("b", "Running", None)]
    out = transitions("redteam", {"b": "Running"}, rows, NOW)
    assert out == [Transition("redteam", "a", None, "Queued", NOW)]


def test_a_change_carries_the_previous_status_and_the_record():
    record = object()
    (one,) = transitions("redteam", {"a": "Queued"}, [Row("a", "Running", record)], NOW)
    assert (one.previous, one.status, one.record, one.seen_at) == ("Queued", "Running", record, NOW)


def test_an_empty_status_is_not_known_yet_and_never_a_change():
    assert transitions("datasets", {"a": "Queued"}, [Row("a", "", "a")], NOW) == []


def test_a_task_listed_twice_on_one_page_changes_once_per_distinct_status():
    rows = [Row("a", "Queued", None), Row("a", "Queued", None), Row("a", "Failed", None)]
    out = transitions("nimble", {}, rows, NOW)
    assert [(t.previous, t.status) for t in out] == [(None, "Queued"), ("Queued", "Failed")]


def test_server_times_come_from_the_record_where_the_api_gives_them():
    dataset = DatasetTask(dataset_name="d", created_at="2026-12-01T17:00:00Z", status="Running",
                          task_id="t", started_at="2026-12-01T17:05:00Z")
    nimble = NimbleTask(id="n", state="pending", modified_at="2026-12-01T17:09:00Z")
    assert server_times(dataset) == ("2026-12-01T17:00:00Z", "2026-12-01T17:05:00Z", None)
    assert server_times(nimble) == (None, None, "2026-12-01T17:09:00Z")
    assert server_times("names-only") == (None, None, None)
    (one,) = transitions("datasets", {}, [Row("d", "Running", dataset)], NOW)
    assert (one.created, one.started, one.modified) == ("2026-12-01T17:00:00Z", "2026-12-01T17:05:00Z", None)
