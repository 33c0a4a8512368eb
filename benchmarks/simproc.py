"""The simulator as its own process (`python -m tui sim`), so it never shares a CPU clock with the
app being measured, plus the bits of its /_sim/ control API the benchmarks use."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

from tui.sim.server import DEMO_ENKRYPT_KEY, DEMO_NIMBLE_KEY


class SimProcess:
    """`SimProcess(rate=20)`: a simulator on a free loopback port; `.env()` points tasktop at it."""

    def __init__(self, rate: float, seed: int = 0, tasks: int | None = None) -> None:
        size = [] if tasks is None else ["--tasks", str(tasks)]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tui", "sim", "--port", "0", "--rate", repr(rate),
             "--seed", str(seed), *size],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        match = re.search(r"on (http://\S+)", line)
        if not match:
            self.stop()
            raise RuntimeError(f"simulator did not start: {line!r}")
        self.url = match.group(1)
        self.config_home = tempfile.TemporaryDirectory(prefix="tasktop-bench-")

    def env(self) -> dict[str, str]:
        """Environment for a tasktop child: this simulator, demo keys, an empty config dir and
        state dir."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("TASKTOP_")}
        env.update(
            TASKTOP_ENKRYPT_URL=self.url,
            TASKTOP_NIMBLE_URL=self.url,
            TASKTOP_ENKRYPT_API_KEY=DEMO_ENKRYPT_KEY,
            TASKTOP_NIMBLE_API_KEY=DEMO_NIMBLE_KEY,
            XDG_CONFIG_HOME=self.config_home.name,
            XDG_STATE_HOME=self.config_home.name,  # a fresh history file per simulator
            TERM="xterm-256color",
        )
        return env

    def _call(self, method: str, path: str) -> object:
        body = b"" if method == "POST" else None
        request = urllib.request.Request(self.url + path, method=method, data=body)
        with urllib.request.urlopen(request, timeout=10) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def counts(self) -> dict[str, int]:
        data = self._call("GET", "/_sim/counts")
        return dict(data) if isinstance(data, dict) else {}

    def reset_counts(self) -> None:
        self._call("POST", "/_sim/reset-counts")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if hasattr(self, "config_home"):
            self.config_home.cleanup()

    def __enter__(self) -> SimProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
