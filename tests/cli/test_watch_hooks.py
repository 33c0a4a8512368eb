"""`tasktop watch` fires the config's alert hooks: a real command hook and a real loopback
webhook receiver, for each change after the first poll (never for where a task starts), and
waits for them before it exits."""

from __future__ import annotations

import json

import pytest
from support.hooks import Receiver, env_recorder, recorded_envs
from support.watch import WatchProcess, watch_env


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def test_a_watch_fires_command_and_webhook_hooks_for_its_changes_only(sim, tmp_path, receiver):
    argv, recorded = env_recorder(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[hooks]]\non = "failed"\ncommand = {json.dumps(argv)}\n\n'
        f'[[hooks]]\non = "any"\ntab = "redteam"\nwebhook = "{receiver.url}"\n',
        encoding="utf-8",
    )
    old = sim.add_task("redteam", status="Failed")  # already failed: where it starts, no hook
    hostile = "red-team-; rm -rf ~ $(touch pwned)\n\x1b]0;x\x07"
    sim.add_task("redteam", task_id=hostile, status="Queued")
    env = watch_env(sim, tmp_path)
    watch = WatchProcess(env, "redteam", "--config", str(config), "--until", "terminal",
                         "--interval", "0.1")
    try:
        lines = watch.lines(100)
        assert any(line.endswith(f"{old}  is Failed") for line in lines)
        sim.update_task("redteam", hostile, status="Running")
        assert watch.line().endswith("Queued → Running")
        sim.update_task("redteam", hostile, status="Failed")
        assert watch.line().endswith("Running → Failed")
        assert watch.finish() == 6  # after the hooks it had queued have run
    finally:
        watch.kill()
    # The command hook ran once, for the failure; the webhook twice (on = "any").
    (hook_env,) = recorded_envs(recorded)
    assert hook_env["TASKTOP_TAB"] == "redteam"
    assert hook_env["TASKTOP_TASK_ID"] == "red-team-; rm -rf ~ $(touch pwned)\\x0a\\x1b]0;x\\x07"
    assert (hook_env["TASKTOP_PREVIOUS"], hook_env["TASKTOP_STATUS"]) == ("Running", "Failed")
    assert json.loads(hook_env["TASKTOP_TASK_JSON"])["task_id"] == hostile
    assert not (tmp_path / "pwned").exists()
    bodies = receiver.bodies()
    assert [(b["id"], b["from"], b["to"]) for b in bodies] == [
        (hostile, "Queued", "Running"), (hostile, "Running", "Failed")]
    everything = json.dumps(hook_env) + repr([r["headers"] for r in receiver.requests]) + repr(
        [r["body"] for r in receiver.requests])
    assert sim.enkrypt_key not in everything and sim.nimble_key not in everything


def test_a_failure_hooked_by_one_watch_is_not_hooked_again_by_the_next(sim, tmp_path):
    """Dedupe goes through the history file, so it holds across watch runs; --no-history keeps it
    in memory (one run) only."""
    argv, recorded = env_recorder(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text(f'[[hooks]]\non = "failed"\ncommand = {json.dumps(argv)}\n', encoding="utf-8")
    task = sim.add_task("redteam", status="Running")
    env = watch_env(sim, tmp_path)

    def watch_it_fail(*extra: str) -> None:
        sim.update_task("redteam", task, status="Running")
        watch = WatchProcess(env, "redteam", task, "--config", str(config), "--interval", "0.1",
                             *extra)
        try:
            assert watch.line().endswith(f"{task}  is Running")
            sim.update_task("redteam", task, status="Failed")
            assert watch.line().endswith("Running → Failed")
            assert watch.finish() == 6
        finally:
            watch.kill()

    watch_it_fail()
    assert len(recorded_envs(recorded)) == 1
    watch_it_fail()  # the same task failing again: already hooked, by the earlier run
    assert len(recorded_envs(recorded)) == 1
    watch_it_fail("--no-history")
    assert len(recorded_envs(recorded)) == 2
