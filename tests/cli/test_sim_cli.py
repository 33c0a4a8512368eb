"""`tasktop sim` as a user runs it: a foreground process that prints how to point tasktop at it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import pytest

from tui.sim.server import DEMO_ENKRYPT_KEY, DEMO_NIMBLE_KEY, start_simulator


def launch(*args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKTOP_")}
    return subprocess.Popen(
        [sys.executable, "-m", "tui", "sim", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        preexec_fn=interruptible,
    )


def interruptible() -> None:
    """Ctrl-C reaches a foreground `tasktop sim`; a suite run as a script's background job
    would hand down an ignored SIGINT (which the sim rightly keeps ignoring)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def banner(proc: subprocess.Popen) -> tuple[str, dict[str, str]]:
    """Read the start-up banner: (first line, the exported variables)."""
    lines = []
    while True:
        line = proc.stdout.readline()
        assert line, f"sim exited early: {proc.stderr.read()}"
        lines.append(line.rstrip("\n"))
        if line.startswith("Ctrl-C"):
            break
    exports = dict(
        line.strip().removeprefix("export ").split("=", 1)
        for line in lines if line.strip().startswith("export ")
    )
    return lines[0], exports


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_sim_serves_until_signalled_and_prints_env_lines(sig):
    proc = launch("--port", "0", "--seed", "3", "--rate", "2")
    try:
        first, env = banner(proc)
        assert set(env) == {"TASKTOP_ENKRYPT_URL", "TASKTOP_NIMBLE_URL",
                            "TASKTOP_ENKRYPT_API_KEY", "TASKTOP_NIMBLE_API_KEY"}
        url = env["TASKTOP_ENKRYPT_URL"]
        assert url == env["TASKTOP_NIMBLE_URL"] and url.startswith("http://127.0.0.1:")
        assert url in first and "seed 3" in first
        assert (env["TASKTOP_ENKRYPT_API_KEY"], env["TASKTOP_NIMBLE_API_KEY"]) == (
            DEMO_ENKRYPT_KEY, DEMO_NIMBLE_KEY)
        with httpx.Client(base_url=url, timeout=10) as http:
            r = http.get("/redteam/list-tasks",
                         headers={"apikey": env["TASKTOP_ENKRYPT_API_KEY"]})
            assert r.status_code == 200 and r.json()["pagination"]["total_count"] >= 300
            r = http.get("/v1/tasks", headers={
                "Authorization": f"Bearer {env['TASKTOP_NIMBLE_API_KEY']}"})
            assert r.status_code == 200
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=20)
        assert proc.returncode == 0
        assert "stopped" in err and "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_right_after_the_banner_still_stops_it_cleanly(sig):
    """The banner says it is ready: from then on a stop signal is never lost or half-handled
    (SIGINT here used to raise KeyboardInterrupt before the cleanup was armed: exit 130)."""
    for _ in range(3):
        proc = launch("--port", "0")
        try:
            banner(proc)
            proc.send_signal(sig)
            _, err = proc.communicate(timeout=20)
            assert (proc.returncode, err) == (0, "simulator stopped\n")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_sim_refuses_non_loopback_host_without_allow_remote():
    proc = launch("--host", "0.0.0.0", "--port", "0")
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 2
    assert "--allow-remote" in err and out == ""


def test_sim_reports_a_busy_port():
    with start_simulator(manual_clock=True) as busy:
        proc = launch("--port", str(busy.port))
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 1
    assert f"127.0.0.1:{busy.port}" in err and "Traceback" not in err


@pytest.mark.parametrize("rate", ["0", "-1", "fast"])
def test_sim_rejects_bad_rate(rate):
    proc = launch("--rate", rate)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 2 and "--rate" in err


def test_simulator_imports_stay_light():
    """The simulator is stdlib only: no Textual, no httpx, nothing from the app layers."""
    code = (
        "import sys, tui.sim.server, tui.commands.sim_cmd;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'httpx', 'widgets',"
        " 'rich', 'msgspec') or m in ('tui.ui.app', 'tui.providers'));"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
