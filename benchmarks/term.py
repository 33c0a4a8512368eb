"""A child process in a real pseudo-terminal, its output fed to a `pyte` screen we can read.

The benchmark watches the screen the way a user does: "are the rows there yet?" is a regex over
the emulated screen's text, checked after every chunk the child writes.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Callable, Sequence

import pyte

__all__ = ["Term"]


class Term:
    """`Term(argv, env=..., size=(cols, rows))`: spawn, `wait_for(...)`, `send(...)`, `close()`."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        size: tuple[int, int] = (120, 40),
        cwd: str | None = None,
        emulate: bool = True,
    ) -> None:
        cols, rows = size
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.emulate = emulate
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        full_env = dict(os.environ if env is None else env)
        full_env.setdefault("TERM", "xterm-256color")
        full_env["COLUMNS"], full_env["LINES"] = str(cols), str(rows)
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            list(argv), stdin=slave, stdout=slave, stderr=slave, env=full_env, cwd=cwd,
            start_new_session=True, close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.bytes_read = 0
        self.last_read_at = self.started
        self.closed = False

    @property
    def pid(self) -> int:
        return self.proc.pid

    # ---------------------------------------------------------------------------- reading

    def pump(self, timeout: float) -> bool:
        """Read what the child wrote within `timeout` s and feed it to the screen; False on EOF.

        A frame larger than the pty buffer arrives in several chunks while the child blocks on
        its write, so every chunk already available (or following within 2 ms) is read first
        and only then emulated: pyte's time is never added to the child's frame.
        """
        if self.closed:
            return False
        ready, _, _ = select.select([self.master], [], [], max(timeout, 0.0))
        if not ready:
            return True
        chunks: list[bytes] = []
        while True:
            try:
                data = os.read(self.master, 1 << 16)
            except OSError:
                data = b""
            if not data:
                self.closed = True
                break
            chunks.append(data)
            self.last_read_at = time.perf_counter()
            if not select.select([self.master], [], [], 0.002)[0]:
                break
        raw = b"".join(chunks)
        self.bytes_read += len(raw)
        if self.emulate and raw:
            self.stream.feed(raw)
        return not self.closed

    def drain_for(self, seconds: float) -> None:
        """Keep reading (so the child never blocks on a full pty) for `seconds`."""
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            if not self.pump(min(left, 0.2)):
                time.sleep(min(left, 0.05))

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(
        self, check: Callable[[Term], bool], timeout: float = 20.0
    ) -> float:
        """Pump until `check(self)` holds; returns when the bytes that made it hold were read."""
        deadline = time.perf_counter() + timeout
        if check(self):
            return time.perf_counter()
        while not check(self):
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"screen condition not met within {timeout}s:\n{self.text()}")
            if not self.pump(min(left, 0.5)) and self.proc.poll() is not None:
                raise RuntimeError(f"child exited ({self.proc.returncode}):\n{self.text()}")
        return self.last_read_at

    def wait_regex(self, pattern: str | re.Pattern[str], timeout: float = 20.0) -> float:
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        return self.wait_for(lambda t: rx.search(t.text()) is not None, timeout)

    # ---------------------------------------------------------------------------- writing

    def send(self, data: str | bytes) -> float:
        raw = data.encode() if isinstance(data, str) else data
        os.write(self.master, raw)
        return time.perf_counter()

    def close(self, timeout: float = 5.0) -> None:
        """Ask politely (SIGTERM to the child's session), then kill; always reaps."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            end = time.perf_counter() + timeout
            while self.proc.poll() is None and time.perf_counter() < end:
                self.pump(0.05)
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        try:
            os.close(self.master)
        except OSError:
            pass
        self.closed = True
