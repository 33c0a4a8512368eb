"""The start tab's first page, fetched beside the app while it starts, by a helper.

Importing Textual and building the screen keep one core busy for ~0.3 s. The first page's round
trips (the list call, and on Datasets one get-task per name) came on top of that when the app sent
them, and sending them from a thread did not help much: the thread needs the same core (the GIL)
and importing httpx takes ~40 ms. So right after reading its arguments the CLI forks a helper
(tui.process.fork) that builds its own runtime from them, imports httpx and fetches the page with
the tab's own source on the other core, and sends it back over a pipe; the app paints it without
having imported httpx at all (see providers.http.HttpClient).

Where the CLI may not fork (threads already running, as with --demo's embedded simulator; no
`os.fork`; one CPU) a thread fetches instead, once the runtime is built. Either way the app takes
the page once (`EarlyPage.take`), and asks the server itself when the early fetch failed: its
error is then met, and shown, by the normal path.

The pipe carries pickles, and only from the helper this process forked: nothing else can write
to it. asyncio is imported where it is used, so importing this module costs the parent little.
"""

from __future__ import annotations

import logging
import os
import pickle
import struct
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field
from typing import Any

from tui.providers.base import Page, PageRequest

#: Seconds between GIL hand-overs while a thread fetches (Python's default: 0.005). At the
#: default the thread got so few turns beside Textual's import that its answer missed the first
#: frame; at 0.5 ms it was there in 9 to 11 of 11 launches.
SWITCH_INTERVAL = 0.0005
#: A helper gives up after this many times the client's timeout (the app then asks itself).
DEADLINE_TIMEOUTS = 2
_FRAME = struct.Struct(">I")
log = logging.getLogger("tasktop.prefetch")

#: How the helper reports: ("partial", Page) once names are known, then ("page", Page) or
#: ("failed", one line of text).
Send = Callable[[str, Any], None]


class EarlyFetchFailed(Exception):
    """The early fetch did not bring the page (the app asks the server itself)."""


@dataclass
class EarlyPage:
    """One tab's first page on its way from a helper: `partial` (names only, for a source that
    gives partial pages) may come first, `page` is the whole answer."""

    tab_id: str
    #: The request the page answers (a forked helper's is set by the parent once it knows it).
    request: PageRequest | None
    carrier: str  # "process" or "thread"
    #: The helper process's id (None for a thread).
    pid: int | None = None
    partial: Future[Page[Any]] = field(default_factory=Future)
    page: Future[Page[Any]] = field(default_factory=Future)
    _stop: Callable[[], None] = field(default=lambda: None, repr=False)
    _started: float = field(default_factory=time.perf_counter, repr=False)

    def deliver(self, kind: str, value: Any) -> None:
        """One report of the helper (see `Send`), from whichever thread receives it."""
        if kind == "partial":
            _settle(self.partial, value)
        elif kind == "page":
            log.info("first page of %s from the %s: %d rows after %.3f s", self.tab_id,
                     self._helper_name(), len(value.rows), time.perf_counter() - self._started)
            _settle(self.page, value)
        else:
            self.fail(str(value))

    def fail(self, why: str) -> None:
        if not self.page.done():
            log.info("first page of %s: the %s failed (%s); the app asks itself", self.tab_id,
                     self._helper_name(), why)
        for answer in (self.partial, self.page):
            _settle(answer, EarlyFetchFailed(why))

    def _helper_name(self) -> str:
        return f"helper process {self.pid}" if self.pid is not None else "helper thread"

    async def take(self, partial: Callable[[Page[Any]], None] | None = None) -> Page[Any] | None:
        """The page, or None when the early fetch failed. `partial`, if given, gets the names-only
        page first when it arrives before the whole one."""
        log.debug("first page of %s asked for %.3f s after the helper started (%s)", self.tab_id,
                  time.perf_counter() - self._started,
                  "it is there" if self.page.done() else "waiting")
        import asyncio

        page = asyncio.wrap_future(self.page)
        try:
            if partial is not None and not self.page.done():
                names = asyncio.wrap_future(self.partial)
                await asyncio.wait({page, names}, return_when=asyncio.FIRST_COMPLETED)
                if names.done() and not page.done() and names.exception() is None \
                        and names.result().request == self.request:
                    partial(names.result())
                names.cancel()
            answer = await page
        except EarlyFetchFailed:
            return None
        return answer if answer.request == self.request else None

    def close(self) -> None:
        """Stop the helper if it still runs (the page was not wanted, or the app is closing)."""
        self._stop()


def _settle(answer: Future[Any], value: Any) -> None:
    try:
        if isinstance(value, BaseException):
            answer.set_exception(value)
        else:
            answer.set_result(value)
    except InvalidStateError:  # settled already, or cancelled by a taker that moved on
        pass


def _why(error: BaseException) -> str:
    """An early fetch's failure in one line, for the log."""
    return f"{type(error).__name__}: {error}".splitlines()[0]


async def fetch_first_page(
    source_for: Callable[[Any], Any], new_client: Callable[[], Any], request: PageRequest,
    send: Send, deadline: float,
) -> None:
    """What the helper does, in a process or a thread: the tab's own source fetches the page."""
    import asyncio

    try:
        async with asyncio.timeout(deadline), new_client() as client:
            source = source_for(client)
            if source.gives_partial(request):
                page = await source.fetch(request, partial=lambda names: send("partial", names))
            else:
                page = await source.fetch(request)
    except Exception as error:  # noqa: BLE001 - reported whole; the app asks again and shows it
        send("failed", _why(error))
    else:
        send("page", page)


#: What a helper runs: a coroutine function that reports through `send`.
Job = Callable[[Send], Awaitable[None]]


def in_thread(tab_id: str, request: PageRequest, job: Job) -> EarlyPage:
    """Run `job` on a daemon thread with its own event loop, its reports going to an EarlyPage."""
    early = EarlyPage(tab_id, request, "thread")

    def deliver(kind: str, value: Any) -> None:
        if kind != "partial":  # the last report: the app gets its turns back first
            sys.setswitchinterval(default_interval)
        early.deliver(kind, value)

    def run() -> None:
        import asyncio

        try:
            asyncio.run(job(deliver))
        except BaseException as error:  # noqa: BLE001 - the app asks again
            sys.setswitchinterval(default_interval)
            early.fail(_why(error))

    default_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(default_interval, SWITCH_INTERVAL))
    threading.Thread(target=run, name="tasktop-first-page", daemon=True).start()
    return early


def in_process(tab_id: str, pid: int, read_end: int) -> EarlyPage:
    """The EarlyPage of a helper forked by tui.process.fork to run `run_helper`: its reports
    come over the pipe. The page's request is only known to the parent later: it sets
    `EarlyPage.request` itself."""
    helper = _Helper(pid)
    early = EarlyPage(tab_id, None, "process", pid, _stop=helper.terminate)
    threading.Thread(target=_receive, args=(read_end, helper, early), name="tasktop-first-page",
                     daemon=True).start()
    return early


class _Helper:
    """The forked helper's pid, reaped exactly once and never signalled after (a reaped pid may
    already be another process's)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._lock = threading.Lock()
        self._reaped = False

    def reap(self) -> None:
        with self._lock:
            if not self._reaped:
                os.waitpid(self.pid, 0)
                self._reaped = True

    def terminate(self) -> None:
        import signal

        with self._lock:
            if not self._reaped:
                os.kill(self.pid, signal.SIGTERM)


def run_helper(write_end: int, job: Job) -> None:
    """The forked helper: run `job`, its reports pickled into the pipe, then exit."""
    import asyncio

    status = 1
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # the terminal belongs to the app
            os.dup2(devnull, fd)
        with os.fdopen(write_end, "wb", buffering=0) as pipe:

            def send(kind: str, value: Any) -> None:
                data = pickle.dumps((kind, value), protocol=pickle.HIGHEST_PROTOCOL)
                pipe.write(_FRAME.pack(len(data)) + data)

            asyncio.run(job(send))
        status = 0
    finally:  # no atexit, no buffers of the parent flushed twice, whatever happened
        os._exit(status)


def _receive(read_end: int, helper: _Helper, early: EarlyPage) -> None:
    """The parent's side of the pipe: reports until the helper closes it, then reap it."""
    try:
        with os.fdopen(read_end, "rb") as pipe:
            while header := pipe.read(_FRAME.size):
                if len(header) < _FRAME.size:
                    break
                early.deliver(*pickle.loads(pipe.read(_FRAME.unpack(header)[0])))
    except Exception as error:  # noqa: BLE001 - a torn frame: the app asks again
        early.fail(_why(error))
    finally:
        helper.reap()
        early.fail("the helper ended without the page")  # a no-op once the page is there
