"""`tasktop serve`: a real textual-serve server on loopback, its refusals, and the missing extra."""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tui.commands import serve_cmd
from tui.commands.main import build_parser, main
from tui.commands.serve_cmd import (
    MISSING_EXTRA,
    app_command,
    host_problem,
    shell_command,
)

STARTUP_LIMIT = 60.0  # generous: a loaded 2-core CI box; the loop ends as soon as it answers
#: Bound on "a session outlives its server by no more than a few seconds"; the wait ends at exit.
SESSION_EXIT_LIMIT = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKTOP_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "xdg"),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    return env


def wait_for_page(proc: subprocess.Popen, url: str) -> httpx.Response:
    """Poll until the server answers (or the process dies); the condition, not a fixed sleep."""
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"serve exited with {proc.returncode}: {out!r} {err!r}")
        try:
            return httpx.get(url, timeout=2.0)
        except httpx.TransportError:
            time.sleep(0.05)
    pytest.fail("tasktop serve did not answer in time")


def stop(proc: subprocess.Popen) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


async def read_session(url: str, wanted: list[bytes]) -> bytes:
    """Open the page's websocket like a browser and collect terminal output until `wanted` shows."""
    import aiohttp

    seen = b""
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{url}/ws?width=100&height=30") as ws:
            async with asyncio.timeout(STARTUP_LIMIT):
                while not all(w in seen for w in wanted):
                    msg = await ws.receive()
                    if msg.type == aiohttp.WSMsgType.BINARY:
                        seen += msg.data
                    elif msg.type != aiohttp.WSMsgType.TEXT:
                        break
            await ws.send_json(["stdin", "q"])
    return seen


async def test_serve_answers_on_loopback_with_the_textual_serve_page(serve_env, tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "serve", "--port", str(port), "--demo"],
        cwd=tmp_path, env=serve_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        page = await asyncio.to_thread(wait_for_page, proc, url + "/")
        assert page.status_code == 200
        html = page.text
        assert "textual.js" in html  # textual-serve's page, which runs the terminal in the browser
        assert "<div>tasktop</div>" in html  # the app title on its splash
        assert f"ws://127.0.0.1:{port}/ws" in html
        # a browser session really runs `python -m tui --demo`: its tabs arrive over the websocket
        output = await read_session(url, [b"Datasets", b"Red team", b"Nimble"])
        assert b"Datasets" in output and b"Nimble" in output
    finally:
        code = stop(proc)
    out, err = proc.communicate()
    assert code == 0, err
    assert b"-m tui --demo" in out  # the command it serves


def children_of(pid: int) -> list[int]:
    """Live child processes of `pid`, from /proc (no psutil here)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := proc_stat(int(entry))) and int(fields[1]) == pid:
            found.append(int(entry))
    return found


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        children = children_of(todo.pop())
        found += children
        todo += children
    return found


def proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state first), None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].decode().split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else fields  # a zombie has exited, unreaped


def cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().decode(errors="replace").split("\0")
    except OSError:
        return []


def describe(pids: list[int]) -> list[str]:
    """pid, state and CPU time so far (clock ticks): a spinning orphan shows a growing count."""
    shown = []
    for pid in pids:
        fields = proc_stat(pid) or ["gone"] + ["0"] * 13
        ticks = int(fields[11]) + int(fields[12])  # utime + stime
        shown.append(f"{pid} {' '.join(cmdline(pid)[1:3])} state {fields[0]} cpu {ticks} ticks")
    return shown


async def connect_and_kill_server(proc: subprocess.Popen, url: str) -> list[int]:
    """A browser session is up (its tabs have arrived); SIGKILL the server; the session's pids."""
    import aiohttp

    seen = b""
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{url}/ws?width=100&height=30") as ws:
            async with asyncio.timeout(STARTUP_LIMIT):
                while b"Nimble" not in seen:
                    msg = await ws.receive()
                    assert msg.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), msg
                    if msg.type == aiohttp.WSMsgType.BINARY:
                        seen += msg.data
            sessions = descendants(proc.pid)
            proc.kill()  # as an OOM kill or a crash would: no chance to stop its sessions
            proc.wait()
    return sessions


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc to find the session")
async def test_a_session_exits_when_its_server_is_killed(serve_env, tmp_path):
    """SIGKILL the server with a browser connected: its `python -m tui` must not live on."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "serve", "--port", str(port), "--demo"],
        cwd=tmp_path, env=serve_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    sessions: list[int] = []
    try:
        await asyncio.to_thread(wait_for_page, proc, url + "/")
        sessions = await connect_and_kill_server(proc, url)
        apps = [p for p in sessions if cmdline(p)[1:3] == ["-m", "tui"]]
        assert len(apps) == 1, [cmdline(p) for p in sessions]
        # It notices within a fraction of a second and exits well within its 3 s grace period.
        deadline = time.monotonic() + SESSION_EXIT_LIMIT
        while (alive := [p for p in sessions if proc_stat(p)]) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert alive == [], f"still running after the server died: {describe(alive)}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in sessions:
            if proc_stat(pid):
                os.kill(pid, signal.SIGKILL)


def test_serve_is_not_reachable_on_other_addresses(serve_env, tmp_path):
    """Bound to 127.0.0.1 by default: the port is closed on this host's other addresses."""
    others = [a for a in _local_addresses() if not a.startswith("127.")]
    if not others:
        pytest.skip("this host has no non-loopback IPv4 address")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "serve", "--port", str(port)],
        cwd=tmp_path, env=serve_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for_page(proc, f"http://127.0.0.1:{port}/").status_code == 200
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://{others[0]}:{port}/", timeout=2.0)
    finally:
        stop(proc)


def _local_addresses() -> list[str]:
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [a for a in out.split() if "." in a]


# --------------------------------------------------------------------- refusals and messages


def test_missing_extra_says_how_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "textual_serve", None)
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    assert main(["serve"]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", MISSING_EXTRA + "\n")
    assert MISSING_EXTRA == (
        "tasktop serve needs the 'serve' extra: pip install 'tasktop[serve]'")


def test_missing_extra_in_a_fresh_process(serve_env, tmp_path):
    code = ("import sys; sys.modules['textual_serve'] = None; from tui.commands.main import main; "
            "raise SystemExit(main(['serve']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=serve_env,
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", MISSING_EXTRA + "\n")


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com"])
def test_non_loopback_host_is_refused_without_allow_remote(host, capsys):
    assert main(["serve", "--host", host]) == 2
    err = capsys.readouterr().err
    assert f"refusing non-loopback --host {host}" in err and "--allow-remote" in err


def test_allow_remote_warns():
    refusal, warning = host_problem("0.0.0.0", True)
    assert refusal is None and "WARNING" in warning and "API keys" in warning
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        assert host_problem(host, False) == (None, None)


def test_bad_refresh_is_refused(capsys):
    assert main(["serve", "--refresh", "0"]) == 2
    assert "--refresh" in capsys.readouterr().err


# ------------------------------------------------------------------------------ the command


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


def test_app_command_passes_options_through(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = parse("--profile", "p2", "--config", "c.toml", "--log", "~/t.log", "serve",
                 "--port", "9001", "--refresh", "2", "--", "--per-page", "50")
    assert app_command(args) == [
        sys.executable, "-m", "tui", "--config", str(tmp_path / "c.toml"), "--profile", "p2",
        "--log", os.path.expanduser("~/t.log"), "--refresh", "2.0", "--per-page", "50",
    ]
    assert args.port == 9001


def test_options_after_serve_and_defaults():
    args = parse("serve", "--demo", "--profile", "staging")
    assert app_command(args) == [sys.executable, "-m", "tui", "--profile", "staging", "--demo"]
    assert (args.host, args.port, args.allow_remote, args.title) == (
        "127.0.0.1", 8000, False, "tasktop")


def test_shell_command_quotes_every_argument():
    argv = ["/opt/py thon/bin/python", "-m", "tui", "--config", "/tmp/a'b; rm -rf x"]
    assert shlex.split(shell_command(argv)) == ["exec", *argv]


@pytest.mark.parametrize("port", ["0", "65536", "x"])
def test_bad_port_is_a_usage_error(port):
    with pytest.raises(SystemExit) as exc:
        parse("serve", "--port", port)
    assert exc.value.code == 2


def test_serve_module_registers_its_handler():
    assert parse("serve").handler is serve_cmd.run
