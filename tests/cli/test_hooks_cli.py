"""`tasktop hooks test`: each configured hook fired once with a sample event, one line per hook."""

from __future__ import annotations

import argparse
import json
import os

import pytest
from support.hooks import Receiver, env_recorder, recorded_envs

from tui.commands.app_cmd import build_runtime


@pytest.fixture
def receivers():
    ok, broken = Receiver(204), Receiver(500)
    yield ok, broken
    ok.close()
    broken.close()


def write_config(tmp_path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_hooks_test_fires_every_hook_once_and_says_how_each_went(cli, env, tmp_path, receivers):
    ok, broken = receivers
    argv, out = env_recorder(tmp_path)
    config = write_config(tmp_path, f"""
[[hooks]]
on = "terminal"
tab = "nimble"
command = {json.dumps(argv)}
[[hooks]]
webhook = "{ok.url}"
[[hooks]]
webhook = "{broken.url}"
[[hooks]]
command = ["false"]
""")
    code, stdout, stderr = cli("--config", config, "hooks", "test")
    assert code == 1 and stderr == ""
    assert stdout.splitlines() == [
        f"hook 1 ({argv[0]}): ok",
        "hook 2 (webhook 127.0.0.1): ok",
        "hook 3 (webhook 127.0.0.1): HTTP 500",
        "hook 4 (false): exit 1",
    ]
    [hook_env] = recorded_envs(out)
    assert hook_env["TASKTOP_TAB"] == "nimble"  # the hook's own tab
    assert hook_env["TASKTOP_TASK_ID"] == "tasktop-hook-test"
    assert (hook_env["TASKTOP_PREVIOUS"], hook_env["TASKTOP_STATUS"]) == ("Running", "Failed")
    [body] = ok.bodies()
    assert body["id"] == "tasktop-hook-test" and body["to"] == "Failed"
    assert set(body) == {"time", "tab", "id", "from", "to", "task"}
    for name in ("TASKTOP_ENKRYPT_API_KEY", "TASKTOP_NIMBLE_API_KEY"):  # set by the env fixture
        key = os.environ[name]
        assert key and key not in json.dumps(hook_env)
        assert key not in ok.requests[0]["body"].decode() + json.dumps(ok.requests[0]["headers"])


def test_hooks_test_exit_0_when_all_are_ok(cli, tmp_path, receivers):
    ok, _ = receivers
    config = write_config(tmp_path, f'[[hooks]]\nwebhook = "{ok.url}"\n[[hooks]]\ncommand = ["true"]\n')
    code, stdout, _ = cli("--config", config, "hooks", "test")
    assert code == 0 and stdout.splitlines() == ["hook 1 (webhook 127.0.0.1): ok", "hook 2 (true): ok"]


def test_hooks_test_without_hooks_or_with_a_bad_one_is_a_config_error(cli, tmp_path):
    code, stdout, stderr = cli("--config", write_config(tmp_path, "refresh = 2\n"), "hooks", "test")
    assert code == 2 and stdout == "" and stderr.startswith("tasktop: config: no [[hooks]] in ")
    bad = write_config(tmp_path, '[[hooks]]\nwebhook = "http://hooks.example.com/x"\n')
    code, stdout, stderr = cli("--config", bad, "hooks", "test")
    assert code == 2 and stdout == ""
    assert stderr.count("\n") == 1 and "[[hooks]] #1: `webhook` must use https://" in stderr
    nowhere = write_config(tmp_path, '[[hooks]]\ncommand = ["true"]\ntab = "nosuch"\n')
    code, stdout, stderr = cli("--config", nowhere, "hooks", "test")
    assert (code, stdout) == (2, "")
    assert stderr == "tasktop: config: [[hooks]] #1: no tab 'nosuch' (tabs: datasets, redteam, nimble)\n"
    code, stdout, stderr = cli("--config", nowhere, "watch", "redteam")  # the same line, exit 2
    assert (code, stdout) == (2, "")
    assert stderr == "tasktop: config: [[hooks]] #1: no tab 'nosuch' (tabs: datasets, redteam, nimble)\n"


def test_the_monitor_gets_a_runner_for_the_configured_hooks(env, tmp_path):
    config = write_config(tmp_path, 'hooks_per_minute = 7\n[[hooks]]\ncommand = ["true"]\n')
    args = argparse.Namespace(config=config, profile=None, refresh=None, per_page=None, demo=False,
                              sim_latency=0.0)
    runtime = build_runtime(args)
    assert runtime.hooks.per_minute == 7 and [h.command for h in runtime.hooks.hooks] == [("true",)]
    none = write_config(tmp_path, "refresh = 2\n")
    assert build_runtime(argparse.Namespace(**{**vars(args), "config": none})).hooks is None
