"""tui.core.watching: when a watch is over, which exit code wins, and what it prints."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import jsonschema
import pytest

from tui.core.transitions import Transition
from tui.core.watching import (
    EVENT_SCHEMA,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_TIMEOUT,
    WatchState,
    event_line,
    human_line,
    parse_duration,
    parse_states,
)
from tui.providers.base import RateLimited, ServerError
from tui.providers.models import RedteamTask

NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def change(task_id: str, previous: str | None, status: str, record=None) -> Transition:
    return Transition("redteam", task_id, previous, status, NOW, record)


@pytest.mark.parametrize(("text", "seconds"), [
    ("90", 90.0), ("90s", 90.0), ("1500ms", 1.5), ("10m", 600.0), ("2h", 7200.0), (" 0.5s ", 0.5),
])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "5 minutes", "0s", "-1s", "1d"])
def test_bad_durations_are_one_line_errors(text):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_fail_on_words_are_case_folded_and_blank_ones_dropped():
    assert parse_states("Failed, ERROR,,") == {"failed", "error"}
    with pytest.raises(ValueError):
        parse_states(" , ")


def test_named_tasks_are_done_when_each_has_ended_and_one_failure_decides_the_code():
    state = WatchState(("a", "b"))
    state.observe([change("a", None, "Running"), change("b", None, "Failed")])
    assert not state.done() and state.exit_code(timed_out=True) == EXIT_FAILED
    state.observe([change("a", "Running", "Finished")])
    assert state.done() and state.exit_code() == EXIT_FAILED


def test_until_terminal_stops_at_the_first_ending():
    state = WatchState(("a", "b"), until="terminal")
    state.observe([change("a", None, "Running"), change("b", None, "Running")])
    assert not state.done()
    state.observe([change("b", "Running", "Finished")])
    assert state.done() and state.exit_code() == EXIT_OK


def test_unknown_words_never_count_as_failure_nor_as_ended():
    state = WatchState(("a",))
    state.observe([change("a", None, "Exploded")])
    assert not state.done() and state.exit_code(timed_out=True) == EXIT_TIMEOUT
    custom = WatchState(("a",), fail_on=frozenset({"exploded"}))
    custom.observe([change("a", None, "EXPLODED")])
    assert custom.done() and custom.exit_code() == EXIT_FAILED


def test_a_queue_watch_baseline_never_counts_as_ended():
    state = WatchState(until="all-terminal")
    state.observe([change("old", None, "Failed"), change("a", None, "Running")],
                  {"old": "Failed", "a": "Running"})
    assert not state.done() and state.exit_code(timed_out=True) == EXIT_TIMEOUT
    state.observe([change("a", "Running", "Finished")], {"old": "Failed", "a": "Finished"})
    assert state.done() and state.exit_code() == EXIT_OK
    assert state.summary() == "2 tasks seen · 1 Finished"


def test_a_timeout_in_an_outage_exits_with_the_outage_code():
    state = WatchState(("a",))
    assert state.exit_code(timed_out=True, outage=RateLimited("x")) == 4
    assert state.exit_code(timed_out=True, outage=ServerError("x")) == 1


def test_event_lines_match_the_schema_and_keep_values_exact_but_inert():
    record = RedteamTask(task_id="t\x1b]52;c;x\x07\u202e", status="Failed", test_name="[b]x[/]")
    line = event_line(change(record.task_id, "Running", "Failed", record))
    assert "\x1b" not in line and "\u202e" not in line and "\n" not in line
    event = json.loads(line)
    jsonschema.validate(event, EVENT_SCHEMA)
    assert (event["id"], event["from"], event["to"]) == (record.task_id, "Running", "Failed")
    assert event["task"]["test_name"] == "[b]x[/]"
    assert datetime.fromisoformat(event["time"]) == NOW
    first = json.loads(event_line(Transition("datasets", "name", None, "Queued", NOW, "name")))
    jsonschema.validate(first, EVENT_SCHEMA)
    assert (first["from"], first["task"]) == (None, {"dataset_name": "name"})  # as in hooks


def test_human_lines_escape_every_server_string():
    line = human_line(change("id\x1b[2J", "Run\u202ening", "Fail\x07ed"))
    assert line.endswith("  redteam  id\\x1b[2J  Run\\u202ening → Fail\\x07ed")
    assert human_line(change("a", None, "Queued")).endswith("  redteam  a  is Queued")
