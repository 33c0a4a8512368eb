"""`tasktop history` as a real subprocess against a real history file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui.core.transitions import Transition
from tui.history import History

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime.now(UTC).replace(microsecond=0)
HOSTILE = "evil\x1b]52;c;SGVsbG8=\x07\u202eid"


@pytest.fixture
def home(tmp_path, clean_env):
    """A config naming the history file, and a history recorded three hours ago and now."""
    path = tmp_path / "state" / "history.sqlite3"
    config = tmp_path / "config.toml"
    config.write_text(f'history_path = "{path}"\n')
    store = History.open(path, "default")

    def record(tab, task, previous, status, when, modified=None):
        store.record([Transition(tab, task, previous, status, when, modified=modified)],
                     tab=tab, seen_at=when)

    old, recent = NOW - timedelta(hours=3), NOW - timedelta(minutes=30)
    record("redteam", "rt-1", None, "Queued", old)
    record("redteam", "rt-1", "Queued", "Running", recent)
    record("redteam", "rt-1", "Running", "Failed", NOW)
    record("nimble", HOSTILE, None, "pending\x1b[31m", recent, modified="2026-12-01T00:00:00Z\x9b")
    record("datasets", "ds-1", None, "Finished", NOW)
    store.close()
    assert store.notice is None
    return {"config": str(config), "path": path, "env": {**os.environ}}


def tasktop(home, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui", "--config", home["config"], *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, env=home["env"])


def test_a_tab_prints_its_transitions_oldest_first(home):
    result = tasktop(home, "history", "redteam")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["SEEN", "(UTC)", "TAB", "TASK", "FROM", "TO", "SERVER", "TIME"]
    assert [line.split()[3:6] for line in lines[1:]] == [
        ["rt-1", "(new)", "Queued"], ["rt-1", "Queued", "Running"], ["rt-1", "Running", "Failed"]]


def test_since_and_status_narrow_the_list(home):
    result = tasktop(home, "history", "redteam", "--since", "2h")
    assert [line.split()[5] for line in result.stdout.splitlines()[1:]] == ["Running", "Failed"]
    result = tasktop(home, "history", "redteam", "--status", "failed")
    assert [line.split()[5] for line in result.stdout.splitlines()[1:]] == ["Failed"]
    result = tasktop(home, "history", "--since", "1h", "--json")
    data = json.loads(result.stdout)["transitions"]
    assert sorted((t["tab"], t["status"]) for t in data) == [
        ("datasets", "Finished"), ("nimble", "pending\x1b[31m"), ("redteam", "Failed"),
        ("redteam", "Running")]


def test_server_text_is_escaped_in_the_table_and_in_json(home):
    result = tasktop(home, "history", "nimble")
    assert result.returncode == 0
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout and "\x9b" not in result.stdout
    assert "evil\\x1b]52;c;SGVsbG8=\\x07\\u202eid" in result.stdout
    assert "pending\\x1b[31m" in result.stdout and "2026-12-01T00:00:00Z\\x9b" in result.stdout
    result = tasktop(home, "history", "nimble", "--json")
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout and "\x9b" not in result.stdout
    (entry,) = json.loads(result.stdout)["transitions"]
    assert entry["task_id"] == HOSTILE and entry["server_at"] == "2026-12-01T00:00:00Z\x9b"


def test_a_task_id_prints_its_timeline(home):
    result = tasktop(home, "history", "rt-1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "redteam rt-1"
    assert "Queued" in lines[1] and "Running" in lines[1] and "(waited ≤2h30m)" in lines[1]
    assert "⋯ Running" in lines[1]  # no session covered those hours: a gap
    data = json.loads(tasktop(home, "history", "rt-1", "--json").stdout)["timelines"]
    assert [s["status"] for s in data[0]["steps"]] == ["Queued", "Running", "Failed"]
    assert data[0]["waited"] == 9000.0 and data[0]["ran"] == 1800.0


def test_an_unknown_task_is_exit_5_and_bad_usage_exit_2(home):
    result = tasktop(home, "history", "no-such-task")
    assert (result.returncode, result.stderr.strip()) == (
        5, "tasktop: not found: no history for task no-such-task")
    result = tasktop(home, "history", "redteam", "--since", "yesterday-ish")
    assert result.returncode == 2 and result.stderr.startswith("tasktop: usage: --since")
    assert tasktop(home, "history", "redteam", "--forget").returncode == 2


def test_forget_clears_the_profile(home):
    result = tasktop(home, "history", "--forget")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("history: forgot profile default")
    after = tasktop(home, "history", "--json")
    assert json.loads(after.stdout) == {"transitions": []}
    assert tasktop(home, "history", "rt-1").returncode == 5


def test_no_file_yet_is_not_an_error_and_creates_nothing(tmp_path, clean_env):
    config = tmp_path / "config.toml"
    path = tmp_path / "nowhere" / "history.sqlite3"
    config.write_text(f'history_path = "{path}"\n')
    home = {"config": str(config), "env": {**os.environ}}
    result = tasktop(home, "history", "redteam")
    assert result.returncode == 0 and "nothing recorded yet" in result.stderr
    assert not path.parent.exists()


def test_an_unusable_file_is_exit_1_with_one_line(home):
    import sqlite3

    raw = sqlite3.connect(home["path"])
    raw.execute("PRAGMA user_version = 99")
    raw.close()
    result = tasktop(home, "history", "redteam")
    assert result.returncode == 1
    assert result.stderr == ("tasktop: history: history off: the history file is from a newer"
                             " tasktop (schema 99)\n")
