"""The history file under faults: migrations, two processes, corrupt file, read-only directory,
disk full, retention. Each ends in a one-line notice (or no notice at all), never an exception."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui.core.transitions import Transition
from tui.history import History, Retention
from tui.history.retention import used_bytes
from tui.history.schema import MIGRATIONS, SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def changes(tab: str, ids: list[str], status: str, when: datetime) -> list[Transition]:
    return [Transition(tab, i, None, status, when) for i in ids]


def count(path: Path, sql: str = "SELECT count(*) FROM transitions") -> int:
    raw = sqlite3.connect(path)
    try:
        return raw.execute(sql).fetchone()[0]
    finally:
        raw.close()


# ---------------------------------------------------------------------------------- migrations


def test_an_empty_file_at_version_0_is_migrated_to_the_current_schema(tmp_path):
    path = tmp_path / "h.sqlite3"
    sqlite3.connect(path).close()
    store = History.open(path)
    store.close()
    assert store.notice is None
    assert count(path, "PRAGMA user_version") == SCHEMA_VERSION
    assert count(path, "SELECT count(*) FROM sqlite_master WHERE name = 'transitions_task'") == 1


def test_a_forward_migration_keeps_the_rows_already_stored(tmp_path):
    path = tmp_path / "h.sqlite3"
    old = History.open(path)
    old.record(changes("redteam", ["a"], "Queued", T0), tab="redteam", seen_at=T0)
    old.close()
    newer = (*MIGRATIONS, "ALTER TABLE tasks ADD COLUMN note TEXT; CREATE INDEX tasks_note ON tasks (note)")
    store = History.open(path, migrations=newer)
    try:
        assert store.enabled and store.statuses("redteam") == {"a": "Queued"}
    finally:
        store.close()
    assert count(path, "PRAGMA user_version") == SCHEMA_VERSION + 1
    assert count(path, "SELECT count(*) FROM tasks WHERE note IS NULL") == 1


def test_a_file_from_a_newer_tasktop_is_left_alone_and_history_is_off(tmp_path):
    path = tmp_path / "h.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version = 99")
    raw.close()
    store = History.open(path)
    assert not store.enabled
    assert store.notice == "history off: the history file is from a newer tasktop (schema 99)"
    assert count(path, "PRAGMA user_version") == 99


# ---------------------------------------------------------------------------------- processes

WRITER = textwrap.dedent("""
    import sys
    from datetime import UTC, datetime, timedelta
    from tui.core.transitions import Transition
    from tui.history import History

    path, name, pages = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = History.open(path, "default")
    assert store.enabled, store.notice
    print("open", flush=True)
    sys.stdin.readline()  # both processes start writing together
    t0 = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
    for page in range(pages):
        when = t0 + timedelta(seconds=page)
        batch = [Transition("redteam", f"{name}-{page}-{i}", None, "Queued", when) for i in range(5)]
        store.record(batch, tab="redteam", seen_at=when)
        if page % 10 == 0:
            store.flush()
    store.close()
    print(store.notice or "ok", flush=True)
""")


def test_two_processes_writing_at_once_lose_no_transition(tmp_path):
    path = tmp_path / "h.sqlite3"
    pages = 200
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(pages)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
             for name in ("one", "two")]
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "open"
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=120)[0].strip() for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    assert outputs == ["ok", "ok"]
    assert [p.returncode for p in procs] == [0, 0]
    assert count(path) == 2 * pages * 5
    assert count(path, "SELECT count(DISTINCT task_id) FROM tasks") == 2 * pages * 5


def test_two_processes_seeing_the_same_change_record_it_once(tmp_path):
    """Two monitors of one queue on one file: each sees a task go Running → Finished, the file
    holds that transition once (and its first sighting once)."""
    path = tmp_path / "h.sqlite3"
    one, two = History.open(path), History.open(path)
    try:
        for store in (one, two):
            store.record(changes("redteam", ["a"], "Running", T0), tab="redteam", seen_at=T0)
            assert store.flush()
        later = T0 + timedelta(minutes=5)
        for store in (one, two):
            store.record([Transition("redteam", "a", "Running", "Finished", later)],
                         tab="redteam", seen_at=later)
            assert store.flush()
    finally:
        one.close()
        two.close()
    assert count(path, "SELECT count(*) FROM transitions") == 2
    assert count(path, "SELECT count(*) FROM transitions WHERE status = 'Finished'") == 1


# ------------------------------------------------------------------------------------- corrupt


def test_a_corrupt_file_is_moved_aside_and_a_fresh_one_started(tmp_path):
    path = tmp_path / "history.sqlite3"
    garbage = b"this is not a database\x00" * 400
    path.write_bytes(garbage)
    store = History.open(path)
    try:
        assert store.enabled
        (aside,) = tmp_path.glob("history.sqlite3.corrupt-*")
        assert aside.read_bytes() == garbage
        assert store.notice == (f"history: history.sqlite3 was unreadable (file is not a database);"
                                f" moved to {aside.name}, started a new one")
        store.record(changes("redteam", ["a"], "Queued", T0), tab="redteam", seen_at=T0)
        assert store.flush() and store.statuses("redteam") == {"a": "Queued"}
    finally:
        store.close()


# ----------------------------------------------------------------------------------- read-only

READ_ONLY = textwrap.dedent("""
    import sys
    from datetime import UTC, datetime
    from tui.history import History
    store = History.open(sys.argv[1], "default")
    store.record([], tab="redteam", seen_at=datetime.now(UTC))
    store.close()
    print(store.enabled, store.notice)
""")


def run_on_read_only(directory: Path) -> subprocess.CompletedProcess[str]:
    """Run READ_ONLY against `directory` made read-only: a read-only bind mount in a private
    mount namespace as root (root writes through permissions), else plain permissions."""
    target = str(directory / "history.sqlite3")
    if os.geteuid() == 0:
        if not shutil.which("unshare"):
            pytest.skip("as root this needs unshare(1) for a read-only mount")
        script = ('mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && '
                  'exec "$2" -c "$3" "$4"')
        command = ["unshare", "--mount", "sh", "-c", script, "sh", str(directory), sys.executable,
                   READ_ONLY, target]
    else:
        directory.chmod(0o555)
        command = [sys.executable, "-c", READ_ONLY, target]
    try:
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    finally:
        directory.chmod(0o755)


@pytest.mark.parametrize("existing", [False, True], ids=["no-file-yet", "existing-file"])
def test_a_read_only_directory_turns_history_off_with_a_notice(tmp_path, existing):
    directory = tmp_path / "state"
    directory.mkdir()
    if existing:
        store = History.open(directory / "history.sqlite3")
        store.record(changes("redteam", ["a"], "Queued", T0), tab="redteam", seen_at=T0)
        store.close()
    before = sorted(p.name for p in directory.iterdir())
    result = run_on_read_only(directory)
    if result.returncode and "mount" in result.stderr and "permission" in result.stderr.lower():
        pytest.skip(f"no read-only mount here: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"False history off: cannot write {directory} (read-only?)"
    assert sorted(p.name for p in directory.iterdir()) == before


# ----------------------------------------------------------------------------------- disk full


def test_disk_full_is_a_notice_and_the_caller_carries_on(tmp_path):
    path = tmp_path / "h.sqlite3"
    notices: list[str] = []
    got = threading.Event()

    def heard(message: str) -> None:
        notices.append(message)
        got.set()

    store = History.open(path, on_notice=heard, pragmas=("max_page_count = 1",))
    try:
        assert store.enabled
        for page in range(50):
            when = T0 + timedelta(seconds=page)
            store.record(changes("redteam", [f"{page}-{i}" for i in range(40)], "Queued", when),
                         tab="redteam", seen_at=when)
        assert got.wait(30)
        assert notices == ["history off: disk full, h.sqlite3 cannot grow"]
        assert not store.enabled and store.notice == notices[0]
        store.record(changes("redteam", ["late"], "Queued", T0), tab="redteam", seen_at=T0)
        assert store.flush()
        assert "late" not in store.statuses("redteam")
    finally:
        store.close()


# ----------------------------------------------------------------------------------- retention


def test_rows_older_than_the_age_limit_are_trimmed(tmp_path):
    path = tmp_path / "h.sqlite3"
    store = History.open(path, retention=Retention(max_age=3600))
    old, new = T0, T0 + timedelta(hours=2)
    store.record(changes("redteam", ["old1", "old2"], "Queued", old), tab="redteam", seen_at=old)
    store.record(changes("redteam", ["new"], "Queued", new), tab="redteam", seen_at=new)
    store.mark_alerted("redteam", "old1", "Queued", at=old)
    store.trim()
    assert store.flush()
    try:
        assert store.statuses("redteam") == {"new": "Queued"}
        assert [c.task_id for c in store.changes_since("redteam", None)] == ["new"]
    finally:
        store.close()
    assert count(path, "SELECT count(*) FROM alerted") == 0
    assert count(path, "SELECT count(*) FROM sessions") == 1


def test_a_file_past_the_size_limit_loses_its_oldest_transitions_first(tmp_path):
    path = tmp_path / "h.sqlite3"
    limit = 256 * 1024
    store = History.open(path, retention=Retention(max_bytes=limit))
    try:
        for page in range(400):
            when = T0 + timedelta(seconds=page)
            store.record(changes("redteam", [f"{page:04d}-{i}" for i in range(20)], "Queued", when),
                         tab="redteam", seen_at=when)
        assert store.flush()
        raw = sqlite3.connect(path)
        assert used_bytes(raw) > limit  # the limit is really exceeded before the trim
        raw.close()
        store.trim()
        assert store.flush()
        kept = sorted(c.task_id for c in store.changes_since("redteam", None))
    finally:
        store.close()
    raw = sqlite3.connect(path)
    assert used_bytes(raw) <= limit
    raw.close()
    assert 0 < len(kept) < 400 * 20
    assert kept[-1] == "0399-9" and kept[0] > "0000-0"  # the newest kept, the oldest gone


def test_a_writer_that_breaks_says_so_and_turns_history_off(tmp_path):
    heard: list[str] = []
    store = History.open(tmp_path / "h.sqlite3", on_notice=heard.append)
    try:
        store._writer.put(("no_such_operation",))  # a bug in the writer, not a SQLite error
        store._writer.join(30)
        assert not store._writer.is_alive()
        assert len(heard) == 1 and heard[0].startswith("history off: ")
        assert not store.enabled and store.notice == heard[0]
        store.record(changes("redteam", ["a"], "Queued", T0), tab="redteam", seen_at=T0)
        assert store.flush()  # returns at once: nothing is waiting on a dead thread
    finally:
        store.close()
