"""tui.hooks runner and delivery: real subprocesses, a real loopback HTTP receiver."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.hooks import Receiver, env_recorder, recorded_envs, wait_until

from tui.core.hook_settings import HookSpec
from tui.core.safe_text import escape_as_codes
from tui.hooks.event import HookEvent
from tui.hooks.ledger import MemoryLedger
from tui.hooks.runner import HookRunner

KEY = "enk-live-9f8e7d6c5b4a3210"
HOSTILE_ID = "t-1; rm -rf ~ $(touch pwned) `touch pwned2`\n\x1b]52;c;cHduZWQ=\x07\x1b[2J\x00\u202eend"
WHEN = datetime(2026, 12, 1, 23, 0, 5, tzinfo=UTC)


def event(task_id: str = "rt-1", status: str = "Failed", **task) -> HookEvent:
    record = {"task_id": task_id, "status": status, **task}
    return HookEvent("redteam", task_id, "Running", status, task=record, time=WHEN)


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def run(hooks, events, **kwargs) -> tuple[HookRunner, list[str]]:
    notices: list[str] = []
    runner = HookRunner(hooks, on_notice=notices.append, **kwargs)
    try:
        for one in events:
            runner.submit(one)
        assert runner.wait_idle(60)
    finally:
        runner.close()
    return runner, notices


def test_a_command_hook_gets_the_event_as_env_vars_and_never_a_key(tmp_path, monkeypatch):
    monkeypatch.setenv("TASKTOP_ENKRYPT_API_KEY", KEY)
    monkeypatch.setenv("TASKTOP_CONFIG", "/somewhere/config.toml")
    monkeypatch.setenv("ENKRYPT_API_KEY", "other-vendor-key-123")
    monkeypatch.setenv("MY_COPY_OF_THE_KEY", f"x{KEY}x")
    monkeypatch.setenv("HOOK_TEST_MARKER", "kept")
    argv, out = env_recorder(tmp_path)
    runner, notices = run(
        [HookSpec(1, command=tuple(argv))],
        [event("rt-1", progress=40, echoed=KEY, name="nightly ✓")],
        secrets=["session-key-abcdef"],
    )
    assert notices == [] and runner.stats.fired == 1 and runner.stats.failed == 0
    [env] = recorded_envs(out)
    assert env["TASKTOP_TAB"] == "redteam"
    assert env["TASKTOP_TASK_ID"] == "rt-1"
    assert env["TASKTOP_STATUS"] == "Failed"
    assert env["TASKTOP_PREVIOUS"] == "Running"
    assert json.loads(env["TASKTOP_TASK_JSON"]) == {
        "task_id": "rt-1", "status": "Failed", "progress": 40, "echoed": "***", "name": "nightly ✓",
    }
    assert env["HOOK_TEST_MARKER"] == "kept"  # the rest of the environment is inherited
    assert {k for k in env if k.startswith("TASKTOP_")} == {
        "TASKTOP_TAB", "TASKTOP_TASK_ID", "TASKTOP_STATUS", "TASKTOP_PREVIOUS", "TASKTOP_TASK_JSON",
    }
    assert "ENKRYPT_API_KEY" not in env and "MY_COPY_OF_THE_KEY" not in env
    everything = json.dumps(env)
    assert KEY not in everything and "other-vendor-key" not in everything


def test_a_hostile_task_id_arrives_as_inert_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv, out = env_recorder(tmp_path)
    # A shell hook that uses the value the way a careless script would still runs nothing from
    # it: the value is data in the environment, never part of the command line.
    shell_out = tmp_path / "shell.txt"
    shell = ("sh", "-c", f'printf "%s" "$TASKTOP_TASK_ID" > {shell_out}; echo $TASKTOP_TASK_ID >/dev/null')
    _, notices = run(
        [HookSpec(1, command=tuple(argv)), HookSpec(2, command=shell)],
        [event(HOSTILE_ID, name=HOSTILE_ID)],
    )
    assert notices == []
    [env] = recorded_envs(out)
    assert env["TASKTOP_TASK_ID"] == escape_as_codes(HOSTILE_ID)
    assert env["TASKTOP_TASK_ID"].startswith("t-1; rm -rf ~ $(touch pwned)")
    assert "\\x0a\\x1b]52;c;cHduZWQ=\\x07\\x1b[2J\\x00\\u202eend" in env["TASKTOP_TASK_ID"]
    assert env["TASKTOP_TASK_ID"].isprintable()
    task = env["TASKTOP_TASK_JSON"]
    assert json.loads(task)["task_id"] == HOSTILE_ID  # exact once decoded
    assert task.isprintable()
    assert "\x1b" not in task and "\u202e" not in task and "\n" not in task
    assert shell_out.read_text() == escape_as_codes(HOSTILE_ID)
    assert not list(tmp_path.glob("pwned*")) and not (Path.home() / "pwned").exists()


def test_a_webhook_gets_one_json_post_of_the_event_and_no_key(receiver, monkeypatch):
    monkeypatch.setenv("TASKTOP_NIMBLE_API_KEY", KEY)
    runner, notices = run(
        [HookSpec(1, webhook=receiver.url)],
        [event(HOSTILE_ID, echoed=f"Bearer {KEY}")],
    )
    assert notices == [] and runner.stats.fired == 1
    [request] = receiver.requests
    assert request["path"] == "/hook"
    assert request["headers"]["Content-Type"] == "application/json"
    body = request["body"].decode("utf-8")
    assert json.loads(body) == {
        "time": "2026-12-01T23:00:05Z",
        "tab": "redteam",
        "id": HOSTILE_ID,
        "from": "Running",
        "to": "Failed",
        "task": {"task_id": HOSTILE_ID, "status": "Failed", "echoed": "Bearer ***"},
    }
    assert "\x1b" not in body and "\u202e" not in body and "\n" not in body
    assert KEY not in body and KEY not in json.dumps(request["headers"])
    assert not any(name.lower() in ("authorization", "apikey") for name in request["headers"])


@pytest.mark.parametrize(
    ("status", "location", "reason"),
    [(500, None, "HTTP 500"), (404, None, "HTTP 404"), (302, "/elsewhere", "HTTP 302 redirect")],
)
def test_a_failing_webhook_is_one_notice(status, location, reason):
    server = Receiver(status, location)
    try:
        runner, notices = run([HookSpec(1, webhook=server.url)], [event("rt-9")])
        assert len(server.requests) == 1  # a redirect is not followed
    finally:
        server.close()
    assert runner.stats.failed == 1
    assert notices == [f"hook 1 (webhook 127.0.0.1) failed for rt-9: {reason}" + (
        ", not followed" if location else "")]


def test_an_unreachable_webhook_and_a_failing_command_are_notices_and_the_runner_goes_on(tmp_path):
    server = Receiver()
    url = server.url
    server.close()  # nothing listens there any more
    argv, out = env_recorder(tmp_path)
    fail = (sys.executable, "-c", "import sys; print('disk \\x1b[31mfull', file=sys.stderr); sys.exit(3)")
    hooks = [
        HookSpec(1, webhook=url),
        HookSpec(2, command=fail),
        HookSpec(3, command=("/no/such/hook",)),
        HookSpec(4, command=tuple(argv)),
    ]
    runner, notices = run(hooks, [event("rt-1"), event("rt-2")])
    assert notices[:3] == [
        "hook 1 (webhook 127.0.0.1) failed for rt-1: cannot connect",
        f"hook 2 ({sys.executable}) failed for rt-1: exit 3: disk ␛[31mfull",
        "hook 3 (/no/such/hook) failed for rt-1: command not found",
    ]
    assert len(notices) == 6 and runner.stats.fired == 8 and runner.stats.failed == 6
    assert [e["TASKTOP_TASK_ID"] for e in recorded_envs(out)] == ["rt-1", "rt-2"]


def pid_state(pid: int) -> str | None:
    """The process's state letter (R, S, Z…), None when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def test_a_hanging_hook_is_killed_with_its_process_group(tmp_path):
    pids = tmp_path / "pids"
    hang = ("sh", "-c", f"sleep 600 & echo $! >> {pids}; echo $$ >> {pids}; wait")
    argv, out = env_recorder(tmp_path)
    runner, notices = run(
        [HookSpec(1, command=hang, timeout=5), HookSpec(2, command=tuple(argv))],
        [event("rt-1")],
    )
    assert notices == ["hook 1 (sh) failed for rt-1: timed out after 5 s (killed)"]
    assert runner.stats.failed == 1 and len(recorded_envs(out)) == 1  # the next hook still ran
    shell_and_sleep = [int(line) for line in pids.read_text().split()]
    assert len(shell_and_sleep) == 2
    for pid in shell_and_sleep:  # the shell and its child: gone, or a zombie awaiting init
        assert pid_state(pid) in (None, "Z"), pid


def test_dedupe_per_task_and_state_and_the_per_minute_limit(tmp_path):
    argv, out = env_recorder(tmp_path)
    clock = [1_000_000.0]
    ledger = MemoryLedger()
    hooks = [HookSpec(1, command=tuple(argv))]
    events = [event("rt-1"), event("rt-1"), event("rt-2"), event("rt-3"), event("rt-4"), event("rt-5")]
    runner, notices = run(hooks, events, per_minute=3, ledger=ledger, clock=lambda: clock[0])
    assert [e["TASKTOP_TASK_ID"] for e in recorded_envs(out)] == ["rt-1", "rt-2", "rt-3"]
    assert runner.stats.deduped == 1 and runner.stats.rate_limited == 2
    assert notices == ["hooks: hooks_per_minute (3) reached; skipping hooks until the rate drops"]

    # a new runner on the same ledger (what a restart is with the history): same limit, same dedupe
    runner, notices = run(hooks, [event("rt-6"), event("rt-1")], per_minute=3, ledger=ledger,
                          clock=lambda: clock[0])
    assert runner.stats.rate_limited == 1 and runner.stats.deduped == 1
    assert len(recorded_envs(out)) == 3
    clock[0] += 61
    runner, notices = run(hooks, [event("rt-6"), event("rt-1"), event("rt-1", "Finished")],
                          per_minute=3, ledger=ledger, clock=lambda: clock[0])
    assert notices == [] and [e["TASKTOP_TASK_ID"] for e in recorded_envs(out)][3:] == ["rt-6"]
    assert runner.stats.deduped == 1  # rt-1 Failed again; rt-1 Finished matches no hook


def test_submit_only_queues_what_a_hook_wants():
    runner = HookRunner([HookSpec(1, "failed", "nimble", command=("true",))])
    try:
        assert runner.submit(HookEvent("nimble", "n-1", "pending", "error"))
        assert not runner.submit(HookEvent("nimble", "n-2", "pending", "success"))
        assert not runner.submit(HookEvent("redteam", "r-1", "Running", "Failed"))
        assert runner.wait_idle(60)
    finally:
        runner.close()
    assert runner.stats.processed == 1 and runner.stats.fired == 1


def test_close_kills_a_running_hook(tmp_path):
    started = tmp_path / "started"
    hang = ("sh", "-c", f"echo $$ > {started}; exec sleep 600")
    runner = HookRunner([HookSpec(1, command=hang, timeout=300)])
    runner.submit(event("rt-1"))
    wait_until(lambda: started.exists() and started.read_text().strip(), what="hook started")
    pid = int(started.read_text())
    runner.close(timeout=60)
    assert not runner._thread.is_alive()
    assert pid_state(pid) in (None, "Z")
    assert not runner.submit(event("rt-2"))  # closed
