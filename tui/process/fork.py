"""Fork the first-page helper (tui.process.prefetch) before the CLI imports anything else.

Only os and sys here: the helper's work starts when the fork returns, so every module the CLI
imported before it would delay the page (prefetch itself, with logging, pickle and threading,
costs ~25 ms). Both sides import what they need after the fork, each on its own core.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable


def can_fork() -> bool:
    """Fork only a process with no other thread (a child of a threaded parent may inherit a lock
    held forever), and only when a second CPU can run the helper beside the app."""
    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return False
    threading = sys.modules.get("threading")  # not imported yet: no thread of Python's runs
    return threading is None or threading.active_count() == 1


def fork(child: Callable[[int], object]) -> tuple[int, int]:
    """Fork; the child runs `child(write_end)` and must never return into the caller (it ends
    with os._exit). The parent gets (the child's pid, the read end of its pipe)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            child(write_end)
        finally:
            os._exit(1)
    os.close(write_end)
    return pid, read_end
