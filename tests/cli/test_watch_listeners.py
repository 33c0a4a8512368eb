"""The watch loop in-process, on a real source of the simulator: what its listeners (the alert
hooks' way in) are handed, and that a poll's output reaches the stream before the next poll."""

from __future__ import annotations

import asyncio
import io

from support.app import make_runtime

from tui.commands.watch_cmd import Watch
from tui.core.watching import WatchState


class Lines(io.StringIO):
    """An output stream that calls `on_line(n)` after its n-th line is written."""

    def __init__(self, on_line) -> None:
        super().__init__()
        self.count = 0
        self.on_line = on_line

    def write(self, text: str) -> int:
        written = super().write(text)
        self.count += text.count("\n")
        self.on_line(self.count)
        return written


async def test_listeners_get_each_change_after_the_first_poll_only(sim):
    first = sim.add_task("redteam", status="Failed")  # already ended: printed, not a change
    second = sim.add_task("redteam", status="Queued")
    moves = {2: ("Running",), 3: ("Failed",)}  # after the n-th line, move `second` on

    def move(count: int) -> None:
        for status in moves.pop(count, ()):
            sim.update_task("redteam", second, status=status)

    runtime = make_runtime(sim)
    heard = []
    try:
        watch = Watch("redteam", runtime.source("redteam"), WatchState((first, second)), interval=0.01,
                      out=Lines(move), err=io.StringIO())
        watch.listeners.append(lambda change: heard.append((change.task_id, change.previous,
                                                           change.status)))
        code = await asyncio.wait_for(watch.run(), 60)
    finally:
        await runtime.aclose()
    assert code == 6
    assert heard == [(second, "Queued", "Running"), (second, "Running", "Failed")]
    lines = watch.out.getvalue().splitlines()
    assert [line.split("  ", 2)[2] for line in lines] == [
        f"{first}  is Failed", f"{second}  is Queued",
        f"{second}  Queued → Running", f"{second}  Running → Failed"]
    assert watch.err.getvalue() == "tasktop: watch: done · 2 tasks watched · 2 Failed · exit 6\n"
