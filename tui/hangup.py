"""Leave when the terminal goes away, instead of running on orphaned.

Two ways a terminal disappears: SIGHUP (the pty was our controlling terminal, or someone sent it),
or the pty simply closes — then nothing is signalled, reads return EOF at once and Textual's input
thread spins on it at full CPU forever. Either way the app is asked to exit (clients closed, the
embedded simulator stopped) and, should that wedge on writes to a dead terminal, the process is
ended after a short grace period.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

#: Exit status after a hang-up: 128 + SIGHUP, as a shell reports a process killed by it.
HANGUP_EXIT = 128 + signal.SIGHUP
_GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL


def terminal_fds() -> list[int]:
    """stdin and stderr (Textual reads one, writes the other) when they are terminals."""
    fds = []
    for stream in (sys.__stdin__, sys.__stderr__):
        try:
            fd = stream.fileno() if stream is not None else -1
        except (OSError, ValueError):
            continue
        if fd >= 0 and os.isatty(fd) and fd not in fds:
            fds.append(fd)
    return fds


def hung_up(fds: list[int]) -> bool:
    """True if any of `fds` reports hang-up or error (poll reports these whatever is asked)."""
    if not fds:
        return False
    poller = select.poll()
    for fd in fds:
        poller.register(fd, 0)
    return any(events & _GONE for _, events in poller.poll(0))


def watch_terminal(
    app: Any,
    *,
    fds: list[int] | None = None,
    interval: float = 0.25,
    grace: float = 3.0,
    hard_exit: Callable[[int], None] = os._exit,
) -> Callable[[], None]:
    """Exit `app` (a Textual App) on SIGHUP or when a terminal fd hangs up; returns `unwatch`.

    Call from the main thread before `app.run()`; call `unwatch()` after it returns. A SIGHUP that
    is ignored on entry (nohup) stays ignored; the fds are still watched.
    """
    fds = terminal_fds() if fds is None else fds
    signalled = threading.Event()
    stopped = threading.Event()

    previous = signal.getsignal(signal.SIGHUP)
    if previous is signal.SIG_DFL:
        signal.signal(signal.SIGHUP, lambda signum, frame: signalled.set())

    def leave() -> None:
        # call_from_thread blocks until the loop runs it; a wedged loop must not wedge us.
        threading.Thread(target=_ask_exit, args=(app,), daemon=True).start()
        # A clean exit ends the process (and this daemon thread) well within the grace period;
        # anything still alive after it is stuck on the dead terminal.
        time.sleep(grace)
        hard_exit(HANGUP_EXIT)

    def watch() -> None:
        while not stopped.is_set():
            if signalled.wait(interval) or hung_up(fds):
                if not stopped.is_set():
                    leave()
                return

    thread = threading.Thread(target=watch, name="tasktop-hangup", daemon=True)
    thread.start()

    def unwatch() -> None:
        stopped.set()
        if previous is signal.SIG_DFL and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGHUP, signal.SIG_DFL)

    return unwatch


def _ask_exit(app: Any) -> None:
    try:
        app.call_from_thread(app.exit, None, HANGUP_EXIT)
    except Exception:  # noqa: BLE001 - not running (yet or any more): the grace timer decides
        pass
