"""Leave when the terminal, or whatever stands in for it, goes away, instead of running on orphaned.

Ways the other end disappears: SIGHUP (the pty was our controlling terminal, or someone sent it);
the pty simply closes — then nothing is signalled, reads return EOF at once and Textual's input
thread spins on it at full CPU forever; the pipes of a browser session (`tasktop serve` runs the
app with pipes and Textual's web driver) lose their other end when the server dies, even by
SIGKILL; or the parent process dies and this one is re-parented. Each way the app is asked to exit
(clients closed, the embedded simulator stopped) and, should that wedge on writes to a dead
terminal or pipe, the process is ended after a short grace period.
"""

from __future__ import annotations

import os
import select
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

#: Exit status after a hang-up: 128 + SIGHUP, as a shell reports a process killed by it.
HANGUP_EXIT = 128 + signal.SIGHUP
_GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL


def terminal_fds() -> list[int]:
    """stdin, stdout and stderr when they are terminals or pipes: ends whose peer can go away.

    Textual reads stdin and writes stderr (terminal) or stdout (web driver); regular files and
    /dev/null never hang up, so they are left out.
    """
    fds = []
    for stream in (sys.__stdin__, sys.__stdout__, sys.__stderr__):
        try:
            fd = stream.fileno() if stream is not None else -1
        except (OSError, ValueError):
            continue
        if fd >= 0 and fd not in fds and _has_peer(fd):
            fds.append(fd)
    return fds


def _has_peer(fd: int) -> bool:
    try:
        return os.isatty(fd) or stat.S_ISFIFO(os.fstat(fd).st_mode)
    except OSError:
        return False


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
    parent: int | None = None,
) -> Callable[[], bool]:
    """Exit `app` (a Textual App) with HANGUP_EXIT on SIGHUP, when a watched fd hangs up, or when
    the parent process (`parent`, default the current one) is gone; returns `unwatch`.

    Call from the main thread before `app.run()`; call `unwatch()` after it returns (or raises:
    the goodbye written to a pipe whose reader is gone fails). `unwatch()` tells whether the app
    was hung up on, so the caller can exit with HANGUP_EXIT. A SIGHUP that is ignored on entry
    (nohup) stays ignored; the fds and the parent are still watched.
    """
    fds = terminal_fds() if fds is None else fds
    parent = os.getppid() if parent is None else parent
    signalled = threading.Event()
    stopped = threading.Event()
    fired = threading.Event()

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

    def gone() -> bool:
        return hung_up(fds) or os.getppid() != parent

    def watch() -> None:
        while not stopped.is_set():
            if signalled.wait(interval) or gone():
                if not stopped.is_set():
                    fired.set()
                    leave()
                return

    thread = threading.Thread(target=watch, name="tasktop-hangup", daemon=True)
    thread.start()

    def unwatch() -> bool:
        stopped.set()
        if previous is signal.SIG_DFL and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGHUP, signal.SIG_DFL)
        return fired.is_set() or signalled.is_set() or gone()

    return unwatch


def _ask_exit(app: Any) -> None:
    try:
        app.call_from_thread(app.exit, None, HANGUP_EXIT)
    except Exception:  # noqa: BLE001 - not running (yet or any more): the grace timer decides
        pass
