"""tui.hooks.event: what a hook receives, made from a transition, safe for env vars and JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

from tui.core.transitions import Transition
from tui.hooks.event import (
    MAX_TASK_JSON,
    HookEvent,
    event_env,
    event_json,
    from_transition,
)
from tui.providers.models import RedteamTask

WHEN = datetime(2026, 12, 1, 3, 12, 9, tzinfo=UTC)


def test_an_event_from_a_transition_carries_the_wire_record():
    record = RedteamTask(task_id="rt-7", status="Failed", test_name="nightly", extra={"x": 1})
    change = Transition("redteam", "rt-7", "Running", "Failed", WHEN, record)
    event = from_transition(change)
    assert event.to_object() == {
        "time": "2026-12-01T03:12:09Z", "tab": "redteam", "id": "rt-7", "from": "Running",
        "to": "Failed", "task": record.to_json_dict(),
    }
    assert event.task["x"] == 1 and event.task["test_name"] == "nightly"
    dataset = from_transition(Transition("datasets", "ds-1", None, "Failed", WHEN, "ds-1"))
    assert dataset.task == {"dataset_name": "ds-1"} and dataset.previous is None


def test_values_no_env_var_can_hold_are_escaped_and_the_json_stays_exact():
    nasty = "a\x00b\ud800c\u2028d\x9be\tf"
    event = HookEvent("nimble", nasty, None, "error", task={"id": nasty}, time=WHEN)
    env = event_env(event)
    assert env["TASKTOP_TASK_ID"] == "a\\x00b\\ud800c\\u2028d\\x9be\\x09f"
    assert env["TASKTOP_PREVIOUS"] == ""
    assert json.loads(env["TASKTOP_TASK_JSON"]) == {"id": nasty}
    assert json.loads(event_json(event))["id"] == nasty
    # every value is one an execve environment can carry
    out = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ['TASKTOP_TASK_ID'])"],
        env={**os.environ, **env}, capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == env["TASKTOP_TASK_ID"]


def test_a_huge_task_is_null_in_the_env_but_whole_in_the_webhook_body():
    event = HookEvent("redteam", "rt-1", "Running", "Failed", task={"blob": "x" * MAX_TASK_JSON})
    assert event_env(event)["TASKTOP_TASK_JSON"] == "null"
    assert len(json.loads(event_json(event))["task"]["blob"]) == MAX_TASK_JSON


def test_known_keys_are_masked_in_every_field():
    key = "nimble-secret-0123456789"
    event = HookEvent("nimble", f"id-{key}", None, key, task={"k": key, "n": [key]})
    env = event_env(event, [key])
    body = event_json(event, [key])
    assert key not in json.dumps(env) and key not in body
    assert env["TASKTOP_TASK_ID"] == "id-***" and json.loads(body)["task"] == {"k": "***", "n": ["***"]}
