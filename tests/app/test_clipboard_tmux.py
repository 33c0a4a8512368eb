"""The OSC 52 sequences in a real tmux: either tmux setting gets the text to the clipboard.

`set-clipboard on` is seen in tmux's own paste buffer. `allow-passthrough on` is seen by nesting:
an inner tmux runs inside a pane of an outer tmux (set-clipboard on), so what the inner one passes
through lands in the outer one's buffer. A control run with passthrough off shows the wrapped
sequence really needs it. Each tmux server has its own socket and an explicit config file.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None and os.environ.get("CI") != "true",
                                reason="tmux is not installed")

TEXT = "red-team-3f9c2a71-copy-me"
LIMIT = 30.0  # seconds; the loops end as soon as the buffer shows up


class Tmux:
    def __init__(self, root: Path, name: str, conf: str) -> None:
        self.socket = root / f"{name}.sock"
        self.conf = root / f"{name}.conf"
        self.conf.write_text(conf)

    @property
    def argv(self) -> list[str]:
        return ["tmux", "-S", str(self.socket), "-f", str(self.conf)]

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.argv, *args], capture_output=True, text=True, timeout=20,
                              check=check, env=_env())

    def buffers(self) -> list[str]:
        done = self.run("list-buffers", "-F", "#{buffer_name}", check=False)
        names = done.stdout.split() if done.returncode == 0 else []
        return [self.run("show-buffer", "-b", n).stdout for n in names]

    def has_client(self) -> bool:
        done = self.run("list-clients", "-F", "#{client_name}", check=False)
        return done.returncode == 0 and bool(done.stdout.strip())

    def release(self, session: str) -> None:
        """Let the pane's writer go (it waits for a line on its stdin)."""
        self.run("send-keys", "-t", session, "Enter")

    def kill(self) -> None:
        self.run("kill-server", check=False)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
    env["TERM"] = "xterm-256color"
    return env


def writer(expr: str) -> str:
    """A shell command: python waits for a line on stdin (`Tmux.release`), writes the sequences
    of `expr`, then waits (keeps the pane open)."""
    code = ("import sys; from tui.core.clipboard import osc52_sequences as seqs, osc52, "
            "tmux_passthrough, clipboard_text; sys.stdin.readline(); "
            f"sys.stdout.write({expr}); sys.stdout.flush(); sys.stdin.read()")
    return shlex.join([sys.executable, "-c", code])


def wait_until(condition, failure: str) -> None:
    deadline = time.monotonic() + LIMIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{failure} within {LIMIT}s")
        time.sleep(0.05)


def wait_for_buffers(tmux: Tmux, predicate) -> list[str]:
    deadline = time.monotonic() + LIMIT
    while time.monotonic() < deadline:
        buffers = tmux.buffers()
        if predicate(buffers):
            return buffers
        time.sleep(0.05)
    pytest.fail(f"tmux buffers never matched: {tmux.buffers()!r}")


@pytest.fixture
def root() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="ttclip", dir="/tmp"))  # short: socket paths are limited
    servers: list[Tmux] = []
    yield path, servers  # type: ignore[misc]
    for server in servers:
        server.kill()
    shutil.rmtree(path, ignore_errors=True)


def nested(root, outer_conf: str, inner_conf: str, expr: str) -> tuple[Tmux, Tmux]:
    path, servers = root
    outer = Tmux(path, "outer", outer_conf)
    inner = Tmux(path, "inner", inner_conf)
    servers += [inner, outer]
    inner_cmd = shlex.join(["env", "-u", "TMUX", *inner.argv, "new-session", "-s", "i",
                            writer(expr)])
    outer.run("new-session", "-d", "-s", "o", "-x", "100", "-y", "30", inner_cmd)
    # The inner tmux forwards what its pane writes only to clients already attached: a sequence
    # written before the inner client is up never reaches the outer tmux.
    wait_until(inner.has_client, "the inner tmux client never attached")
    inner.release("i")
    return outer, inner


def test_set_clipboard_on_takes_the_plain_sequence(root):
    path, servers = root
    tmux = Tmux(path, "single", "set -g set-clipboard on\n")
    servers.append(tmux)
    tmux.run("new-session", "-d", "-s", "s", "-x", "100", "-y", "30",
             writer(f"''.join(seqs({TEXT!r}, in_tmux=True))"))
    tmux.release("s")
    assert wait_for_buffers(tmux, lambda b: TEXT in b) == [TEXT]


def test_allow_passthrough_on_takes_the_wrapped_sequence(root):
    outer, inner = nested(
        root,
        "set -g set-clipboard on\n",
        "set -g allow-passthrough on\nset -g set-clipboard off\n",
        f"''.join(seqs({TEXT!r}, in_tmux=True))",
    )
    assert wait_for_buffers(outer, lambda b: TEXT in b) == [TEXT]
    assert inner.buffers() == []  # the inner tmux ignored the plain one (set-clipboard off)


def test_control_without_passthrough_the_wrapped_sequence_goes_nowhere(root):
    # wrapped "first", then plain "second" which the inner tmux forwards (set-clipboard on):
    # once "second" arrives outside, "first" (sent before it) would have arrived too
    outer, _ = nested(
        root,
        "set -g set-clipboard on\n",
        "set -g allow-passthrough off\nset -g set-clipboard on\n"
        "set -as terminal-features ',*:clipboard'\n",
        "tmux_passthrough(osc52('first')) + osc52('second')",
    )
    assert wait_for_buffers(outer, lambda b: "second" in b) == ["second"]


def test_a_hostile_id_reaches_the_paste_buffer_only_as_printable_text(root):
    """What `c` sends for an id holding an OSC 52 of its own, CR/LF and SGR: the buffer gets the
    visible form, so pasting it runs nothing."""
    path, servers = root
    tmux = Tmux(path, "hostile", "set -g set-clipboard on\n")
    servers.append(tmux)
    hostile = "id-\x1b]52;c;ZXZpbA==\x07\r\nrm -rf ~\n\x1b[31m"
    tmux.run("new-session", "-d", "-s", "h", "-x", "100", "-y", "30",
             writer(f"''.join(seqs(clipboard_text({hostile!r})[0], in_tmux=True))"))
    tmux.release("h")
    (buffer,) = wait_for_buffers(tmux, lambda b: any(x.startswith("id-") for x in b))
    assert buffer == "id-␛]52;c;ZXZpbA==␇␍␤rm -rf ~␤␛[31m"
