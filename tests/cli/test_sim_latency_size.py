"""The simulator far away and big: `--latency`/`--jitter` delay every answer, `--tasks N` sizes
the world. Delays are counted from the simulator's own report, never timed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import pytest

from tui.sim.latency import parse_duration
from tui.sim.server import Fault, start_simulator


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("150ms", 0.15), ("0.15s", 0.15), ("2s", 2.0), ("0ms", 0.0), (" 30ms ", 0.03), (".5s", 0.5)],
)
def test_durations_parse(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["150", "fast", "-5ms", "1.5 m", "ms", "2h", "1e3ms", ""])
def test_bad_durations_are_refused(text):
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def _launch(*args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKTOP_")}
    return subprocess.Popen(
        [sys.executable, "-m", "tui", "sim", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [("--latency", "150",
      "argument --latency: not a duration: '150' (expected e.g. 150ms, 0.15s or 2s)"),
     ("--jitter", "lots",
      "argument --jitter: not a duration: 'lots' (expected e.g. 150ms, 0.15s or 2s)"),
     ("--tasks", "-1", "argument --tasks: must be >= 0"),
     ("--tasks", "many", "argument --tasks: not a whole number: 'many'")],
)
def test_sim_cli_refuses_bad_values_with_one_line(option, value, message):
    proc = _launch(option, value)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and out == ""
    assert err.splitlines()[-1] == f"tasktop sim: error: {message}"


def test_sim_cli_latency_delays_every_answer_by_the_seeded_amount():
    proc = _launch("--latency", "40ms", "--jitter", "10ms", "--seed", "7", "--tasks", "120",
                   "--rate", "0.001")  # no task arrives while the test reads the totals
    try:
        first = proc.stdout.readline()
        assert "latency 40 ms + jitter 10 ms, 120 tasks per tab" in first, first
        url = first.split(" on ", 1)[1].split(" ", 1)[0]
        with httpx.Client(base_url=url, timeout=10) as http:
            ok = http.get("/redteam/list-tasks", headers={"apikey": "sim-demo-key-enkrypt"})
            denied = http.get("/v1/tasks", headers={"Authorization": "Bearer wrong"})
            nimble = http.get("/v1/tasks", headers={"Authorization": "Bearer sim-demo-key-nimble"})
            report = http.get("/_sim/delays").json()
        assert (ok.status_code, denied.status_code, nimble.status_code) == (200, 401, 200)
        assert ok.json()["pagination"]["total_count"] == 120
        assert nimble.json()["pagination"]["total"] == 120
        assert report["latency"] == pytest.approx(0.04)
        assert report["jitter"] == pytest.approx(0.01)
        assert report["delayed"] == 3  # the refused request too: the network is as far for it
        assert all(0.04 <= d <= 0.05 for d in report["applied"])
        # Same seed, same delays, whoever asks: the in-process simulator draws the same values.
        same = start_simulator(seed=7, latency=0.04, jitter=0.01)
        try:
            assert [same.latency.draw() for _ in range(3)] == report["applied"]
        finally:
            same.stop()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)


def test_latency_fault_adds_to_the_standing_latency_and_other_faults_still_apply():
    sim = start_simulator(manual_clock=True, latency=0.01)
    try:
        sim.set_fault(Fault("latency", path_prefix="/redteam", seconds=0.02, times=1))
        sim.set_fault(Fault("status", path_prefix="/v1", status=429, retry_after=1, times=1))
        with httpx.Client(base_url=sim.url, timeout=10) as http:
            slow = http.get("/redteam/list-tasks", headers={"apikey": sim.enkrypt_key})
            limited = http.get("/v1/tasks", headers={"Authorization": f"Bearer {sim.nimble_key}"})
            plain = http.get("/redteam/list-tasks", headers={"apikey": sim.enkrypt_key})
        assert (slow.status_code, limited.status_code, plain.status_code) == (200, 429, 200)
        report = sim.delays()
        assert report["delayed"] == 3
        assert report["applied"] == pytest.approx([0.03, 0.01, 0.01])
    finally:
        sim.stop()


def test_no_latency_delays_nothing(sim, ek):
    with httpx.Client(base_url=sim.url, timeout=10) as http:
        assert http.get("/redteam/list-tasks", headers=ek).status_code == 200
    assert sim.delays() == {"latency": 0.0, "jitter": 0.0, "delayed": 0, "applied": []}


def test_tasks_sets_every_tab_and_only_the_tab_read_is_made():
    sim = start_simulator(manual_clock=True, tasks=2500)
    try:
        with httpx.Client(base_url=sim.url, timeout=30) as http:
            nimble = http.get("/v1/tasks", params={"limit": 100},
                              headers={"Authorization": f"Bearer {sim.nimble_key}"}).json()
            assert not sim.world.streams["redteam"]._seeded  # a tab never read costs nothing
            ek = {"apikey": sim.enkrypt_key}
            red = http.get("/redteam/list-tasks", params={"per_page": 100, "page": 25},
                           headers=ek).json()
            done = http.get("/redteam/list-tasks", params={"status": "Finished"}, headers=ek)
            data = http.get("/datasets/list-tasks", headers=ek).json()
            name = data["datasets"][3]
            one = http.get("/datasets/get-task", headers={**ek, "X-Enkrypt-Dataset": name})
        assert nimble["pagination"]["total"] == 2500 and len(nimble["data"]) == 100
        assert red["pagination"]["total_count"] == 2500 and len(red["tasks"]) == 100
        assert red["pagination"]["has_next"] is False
        finished = done.json()["pagination"]["total_count"]
        assert 0 < finished < 2500
        assert data["pagination"]["total_count"] == 2500
        assert one.status_code == 200 and one.json()["data"]["dataset_name"] == name
    finally:
        sim.stop()


def test_default_world_keeps_its_size(sim, ek, nk):
    with httpx.Client(base_url=sim.url, timeout=10) as http:
        red = http.get("/redteam/list-tasks", headers=ek).json()["pagination"]["total_count"]
        nim = http.get("/v1/tasks", headers=nk).json()["pagination"]["total"]
        data = http.get("/datasets/list-tasks", headers=ek).json()["pagination"]["total_count"]
    assert (red, nim, data) == (300, 400, 60)


def test_a_sized_world_is_the_same_for_the_same_seed():
    one, two = start_simulator(manual_clock=True, tasks=300), start_simulator(manual_clock=True)
    try:
        sized = one.world.snapshot("redteam", 0).rows[:]
        default = two.world.snapshot("redteam", 0).rows[:]
        assert sized == default  # 300 is the default size: the same tasks, made the same way
    finally:
        one.stop()
        two.stop()


def test_demo_sim_latency_slows_the_embedded_simulator(clean_env, tmp_path):
    from tui.commands.app_cmd import build_runtime
    from tui.commands.main import build_parser

    clean_env.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    runtime = build_runtime(build_parser().parse_args(["--demo", "--sim-latency", "150ms"]))
    try:
        assert runtime.simulator.delays()["latency"] == pytest.approx(0.15)
    finally:
        runtime.simulator.stop()
    with pytest.raises(SystemExit, match="--sim-latency needs --demo"):
        build_runtime(build_parser().parse_args(["--sim-latency", "150ms"]))
    with pytest.raises(SystemExit) as refused:
        build_parser().parse_args(["--demo", "--sim-latency", "slow"])
    assert refused.value.code == 2
