"""The real `tasktop --demo` in a pseudo-terminal: it must end when its terminal goes away.

Three ways a terminal goes: the pty closes while it is the controlling terminal (the kernel sends
SIGHUP), the pty closes while it is not (no signal at all, reads hit EOF), and a plain SIGHUP.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pyte
import pytest
from support.app import make_runtime

from tui.process.hangup import HANGUP_EXIT, hung_up, watch_terminal
from tui.ui.app import TasktopApp

ROOT = Path(__file__).resolve().parents[2]
#: Upper bound for "exits within a few seconds" (it takes well under one second when healthy).
EXIT_WITHIN = 10.0


class PtyApp:
    """`python -m tui --demo` on the slave side of a new pty; the screen is emulated with pyte."""

    def __init__(self, tmp_path: Path, *, controlling: bool, size=(100, 30)) -> None:
        cols, rows = size
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {k: v for k, v in os.environ.items() if not k.startswith("TASKTOP_")}
        env.update(TERM="xterm-256color", XDG_CONFIG_HOME=str(tmp_path / "xdg"),
                   PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")

        def child_setup() -> None:
            os.setsid()
            if controlling:  # like a terminal emulator or sshd does
                fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tui", "--demo", "--refresh", "0.5"],
            stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT,
            preexec_fn=child_setup, close_fds=True,
        )
        os.close(slave)
        self.master: int | None = master
        self.raw = b""

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def pump(self, timeout: float) -> bool:
        """Read what the child wrote; False once the pty reports EOF."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:
            return False
        if not data:
            return False
        self.raw += data
        self.stream.feed(data)
        return True

    def wait_for_rows(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not ("page 1 of" in self.text() and "Finished" in self.text()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no rows on screen (exit {self.proc.poll()}):\n{self.text()}")
            self.pump(0.2)

    def close_master(self) -> None:
        assert self.master is not None
        os.close(self.master)
        self.master = None

    def wait_exit(self, timeout: float = EXIT_WITHIN) -> int | None:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            if self.master is not None:
                if not self.pump(0.05):
                    time.sleep(0.05)
            else:
                time.sleep(0.05)
        return self.proc.poll()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.master is not None:
            os.close(self.master)
            self.master = None


@pytest.fixture
def spawn(tmp_path):
    apps: list[PtyApp] = []

    def start(**kw) -> PtyApp:
        app = PtyApp(tmp_path, **kw)
        apps.append(app)
        return app

    yield start
    for app in apps:
        app.kill()


@pytest.mark.timeout(60)
def test_closing_the_controlling_pty_ends_the_process(spawn):
    app = spawn(controlling=True)
    app.wait_for_rows()
    app.close_master()  # the kernel hangs up the session: SIGHUP
    assert app.wait_exit() == HANGUP_EXIT


@pytest.mark.timeout(60)
def test_closing_a_pty_that_sends_no_signal_ends_the_process(spawn):
    """Not the controlling terminal: no SIGHUP comes, stdin just reads EOF (Textual would spin)."""
    app = spawn(controlling=False)
    app.wait_for_rows()
    app.close_master()
    assert app.wait_exit() == HANGUP_EXIT


@pytest.mark.timeout(60)
def test_sighup_exits_cleanly_and_gives_the_terminal_back(spawn):
    app = spawn(controlling=False)
    app.wait_for_rows()
    before = len(app.raw)
    app.proc.send_signal(signal.SIGHUP)
    assert app.wait_exit() == HANGUP_EXIT
    while app.pump(0.2):
        pass
    # An orderly exit (not a kill): Textual left the alternate screen on its way out.
    assert b"\x1b[?1049l" in app.raw[before:]


def test_hung_up_sees_a_closed_pty():
    master, slave = pty.openpty()
    try:
        assert not hung_up([slave])
        os.close(master)
        assert hung_up([slave])
    finally:
        os.close(slave)
    assert not hung_up([])


def test_hung_up_sees_a_pipe_lose_its_other_end():
    """`tasktop serve` sessions run on pipes: the server's death closes their other ends."""
    for survivor in (0, 1):  # the read end (the app's stdin), the write end (its stdout)
        ends = os.pipe()
        try:
            assert not hung_up([ends[survivor]])
            os.close(ends[1 - survivor])
            assert hung_up([ends[survivor]])
        finally:
            os.close(ends[survivor])


class ExitRecorder:
    """Stands in for the Textual app: records the exit the watchdog asks for."""

    def __init__(self) -> None:
        self.codes: list[int] = []
        self.asked = threading.Event()

    def call_from_thread(self, callback, *args):
        return callback(*args)

    def exit(self, result=None, return_code=0) -> None:
        self.codes.append(return_code)
        self.asked.set()


def test_losing_the_parent_counts_as_a_hang_up():
    """Re-parented (the parent died, whatever the driver): exit, then end the process."""
    app, ended = ExitRecorder(), threading.Event()
    unwatch = watch_terminal(app, fds=[], parent=-1, interval=0.01, grace=0,  # -1: not ours
                             hard_exit=lambda code: ended.set())
    try:
        assert app.asked.wait(EXIT_WITHIN) and ended.wait(EXIT_WITHIN)
        assert app.codes == [HANGUP_EXIT]
    finally:
        assert unwatch() is True


def test_a_live_parent_and_terminal_are_not_a_hang_up(monkeypatch):
    looks = threading.Semaphore(0)

    def counted(fds: list[int]) -> bool:
        looks.release()
        return hung_up(fds)

    monkeypatch.setattr("tui.process.hangup.hung_up", counted)
    app = ExitRecorder()
    unwatch = watch_terminal(app, fds=[], interval=0.01, hard_exit=lambda code: None)
    for _ in range(20):  # twenty looks at the terminal and the parent: nothing is gone
        assert looks.acquire(timeout=EXIT_WITHIN)
    assert unwatch() is False and app.codes == []


# ------------------------------------------- the exit racing the hidden tabs' late build


class HeldBack(TasktopApp):
    """Builds its hidden tabs only when the test says so, instead of after the first rows."""

    CSS_PATH = str(ROOT / "tui" / "ui" / "app.tcss")  # relative paths resolve beside this file
    build_allowed = False

    def mount_hidden_views(self) -> None:
        if self.build_allowed:
            super().mount_hidden_views()


async def test_an_exit_before_the_hidden_tabs_are_built_does_not_build_them(sim):
    """A late trigger (first rows, the start-up timer) lands after the hang-up's exit began."""
    app = HeldBack(make_runtime(sim))
    async with app.run_test():
        app.exit(None, HANGUP_EXIT)
        app.build_allowed = True
        app.mount_hidden_views()  # raised MountError: the switcher is detached while exiting
    assert app.return_code == HANGUP_EXIT


@pytest.mark.parametrize("turns", range(6))
async def test_an_exit_while_the_hidden_tabs_mount_is_clean(sim, turns):
    """The hang-up lands `turns` loop turns into the hidden tabs' mount: exit status 129, no
    error from a half-pruned view (the loaded full suite exited 1 this way)."""
    app = HeldBack(make_runtime(sim))
    async with app.run_test():
        app.build_allowed = True
        app.mount_hidden_views()
        for _ in range(turns):
            await asyncio.sleep(0)
        app.exit(None, HANGUP_EXIT)
    assert app.return_code == HANGUP_EXIT
