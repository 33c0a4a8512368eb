"""`tasktop watch` as a real subprocess whose output lines a test waits for, one by one."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

#: How long a test waits for one expected line before failing: generous, since a loaded CI
#: machine is slow and a line that never comes fails the same way, only later.
LINE_WAIT = 60.0


def watch_env(sim, tmp_path: Path) -> dict[str, str]:
    """The environment of a CLI pointed at `sim` with both keys; no user config, no keyring."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKTOP_")}
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "xdg"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        TASKTOP_ENKRYPT_URL=sim.url, TASKTOP_NIMBLE_URL=sim.url,
        TASKTOP_ENKRYPT_API_KEY=sim.enkrypt_key, TASKTOP_NIMBLE_API_KEY=sim.nimble_key,
    )
    return env


def _default_sigint() -> None:
    """A suite run as a background job hands down an ignored SIGINT; the watch must get it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class WatchProcess:
    """`python -m tui watch ARGS…`; every stdout and stderr line is kept as it arrives."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tui", "watch", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
            preexec_fn=_default_sigint,
        )
        self.out: queue.Queue[str | None] = queue.Queue()
        self.err: queue.Queue[str | None] = queue.Queue()
        self.out_lines: list[str] = []
        self.err_lines: list[str] = []
        for stream, lines in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=self._pump, args=(stream, lines), daemon=True).start()

    @staticmethod
    def _pump(stream, lines: queue.Queue) -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    def _next(self, lines: queue.Queue, kept: list[str], what: str) -> str:
        try:
            line = lines.get(timeout=LINE_WAIT)
        except queue.Empty:
            raise AssertionError(f"no {what} line; so far {kept!r}; stderr {self.err_lines!r}")
        if line is None:
            lines.put(None)
            raise AssertionError(f"watch ended (exit {self.proc.wait()}) before a {what} line; "
                                 f"stdout {self.out_lines!r}; stderr {self.err_lines!r}")
        kept.append(line)
        return line

    def line(self) -> str:
        """The next stdout line (waits for it)."""
        return self._next(self.out, self.out_lines, "stdout")

    def lines(self, count: int) -> list[str]:
        return [self.line() for _ in range(count)]

    def err_line(self) -> str:
        """The next stderr line (waits for it)."""
        return self._next(self.err, self.err_lines, "stderr")

    def finish(self) -> int:
        """Wait for the exit; the rest of both streams is kept. Returns the exit code."""
        code = self.proc.wait(timeout=LINE_WAIT)
        for lines, kept in ((self.out, self.out_lines), (self.err, self.err_lines)):
            while (line := lines.get(timeout=LINE_WAIT)) is not None:
                kept.append(line)
            lines.put(None)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
