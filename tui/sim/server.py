"""A real HTTP server on loopback that speaks the Enkrypt and Nimble task APIs, with faults on demand.

    sim = start_simulator(seed=0, port=0, rate=1.0, manual_clock=False)
    sim.url, sim.enkrypt_key, sim.nimble_key
    sim.set_fault(Fault("status", path_prefix="/redteam", status=429, retry_after="3", times=1))
    sim.advance(60); sim.counts(); sim.add_task("nimble", state="error"); sim.stop()
    start_simulator(latency=0.15, jitter=0.03)   # every answer 150-180 ms late; sim.delays()
    start_simulator(tasks=100_000)               # 100,000 tasks per tab before new ones arrive

stdlib ThreadingHTTPServer in a daemon thread, HTTP/1.1 keep-alive (so httpx reuses connections),
one thread per connection (so a `hang` fault never blocks other requests). Everything answered
is computed from the World at the current simulated second (see world.py).
"""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import ThreadingHTTPServer
from typing import Any

from tui.base.loopback import is_loopback

from .clock import SimClock
from .faults import (
    Fault,
    FaultBook,
)
from .handler import Handler
from .latency import Latency
from .routes import Api
from .world import KINDS, World

__all__ = [
    "DEMO_ENKRYPT_KEY",
    "DEMO_NIMBLE_KEY",
    "Fault",
    "SimServer",
    "is_loopback",
    "start_simulator",
]

#: Demo keys the simulator accepts by default. Not secrets: they only open this local simulator.
DEMO_ENKRYPT_KEY = "sim-demo-key-enkrypt"
DEMO_NIMBLE_KEY = "sim-demo-key-nimble"

class _HTTPServer(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 128
    sim: SimServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away (reset, closed mid-request, stop()) is normal here, not a bug.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


class SimServer:
    """A running simulator. Use `start_simulator()` to make one; `stop()` or `with` to end it."""

    def __init__(
        self,
        *,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        rate: float = 1.0,
        manual_clock: bool = False,
        enkrypt_key: str = DEMO_ENKRYPT_KEY,
        nimble_key: str = DEMO_NIMBLE_KEY,
        log: Callable[[str], None] | None = None,
        latency: float = 0.0,
        jitter: float = 0.0,
        tasks: int | None = None,
    ) -> None:
        self.seed = seed
        self.enkrypt_key = enkrypt_key
        self.nimble_key = nimble_key
        self.clock = SimClock(rate=rate, manual=manual_clock)
        self.world = World(seed, tasks=tasks)
        self.faults = FaultBook()
        self.latency = Latency(latency, jitter, seed=seed)
        self.api = Api(self.world, self.clock.seconds, enkrypt_key=enkrypt_key,
                       nimble_key=nimble_key)
        self.log = log
        self._counts: dict[str, int] = {}
        self._in_flight: dict[str, int] = {}
        self._peaks: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        cls = _HTTPServer6 if ":" in host else _HTTPServer
        self._httpd = cls((host.strip("[]"), port), Handler)
        self._httpd.sim = self
        self.host = host
        self.port = self._httpd.server_address[1]
        shown = f"[{host.strip('[]')}]" if ":" in host else host
        self.url = f"http://{shown}:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.5},
            name=f"tasktop-sim:{self.port}", daemon=True,
        )

    # ------------------------------------------------------------------------- lifecycle
    def start(self) -> SimServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, release hung requests and close every open connection."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        if self._thread.is_alive():
            # shutdown() waits for the accept loop's next poll; a connection wakes it at once.
            stopper = threading.Thread(target=self._httpd.shutdown, daemon=True)
            stopper.start()
            while stopper.is_alive():
                try:
                    socket.create_connection(self._httpd.server_address[:2], timeout=0.2).close()
                except OSError:
                    pass
                stopper.join(0.01)
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._httpd.server_close()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def __enter__(self) -> SimServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True if the server is stopping (so waits end with it)."""
        return self._stopping.wait(seconds)

    # ------------------------------------------------------------------------------ API
    def set_fault(self, fault: Fault) -> None:
        """Add a fault; the first matching fault (in the order added) applies to a request."""
        self.faults.add(fault)

    def clear_faults(self) -> None:
        self.faults.clear()

    def delays(self) -> dict[str, Any]:
        """The standing latency and jitter, how many answers were delayed and the latest delays
        (`Latency.report`): what tests count instead of timing."""
        return self.latency.report()

    def advance(self, seconds: float) -> datetime:
        """Move the simulated clock forward; returns the new simulated time."""
        self.clock.advance(seconds)
        return self.now()

    def now(self) -> datetime:
        """Current simulated time (UTC)."""
        return self.clock.now()

    def counts(self) -> dict[str, int]:
        """API requests seen per path (query excluded; /_sim/ control paths not counted)."""
        with self._lock:
            return dict(self._counts)

    def reset_counts(self) -> None:
        with self._lock:
            self._counts.clear()
            self._peaks.clear()

    def peaks(self) -> dict[str, int]:
        """Most API requests being answered at once, per path (since the last reset_counts):
        what a test of a client's concurrency bound counts, instead of timing."""
        with self._lock:
            return dict(self._peaks)

    @contextmanager
    def _answering(self, path: str) -> Iterator[None]:
        with self._lock:
            now = self._in_flight[path] = self._in_flight.get(path, 0) + 1
            self._peaks[path] = max(self._peaks.get(path, 0), now)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight[path] -= 1

    def add_task(self, kind: str, **fields: Any) -> str:
        """Insert a newest task of `kind` ('redteam', 'nimble', 'datasets'); returns its id.

        Fields given replace (or add to) the generated ones as sent on the wire, so hostile
        strings and wrong types go out verbatim. The task never changes afterwards. The id is the
        task_id (redteam), the id (nimble) or the dataset_name (datasets: the list's row key).
        """
        if kind not in KINDS:
            raise ValueError(f"unknown task kind {kind!r}; expected one of {', '.join(KINDS)}")
        spec = self.world.add(kind, self.clock.seconds(), fields)
        if kind == "datasets":
            return str(fields.get("dataset_name", spec.fields["dataset_name"]))
        return spec.key

    def update_task(self, kind: str, key: str, **fields: Any) -> None:
        """Change a task's fields as sent on the wire from now on (e.g. `state="error"`); `key`
        as `add_task` returns it. Its other fields still evolve with the clock."""
        self.world.update(kind, key, fields)

    def _count(self, path: str) -> None:
        with self._lock:
            self._counts[path] = self._counts.get(path, 0) + 1

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            (self._connections.add if add else self._connections.discard)(conn)


def start_simulator(
    seed: int = 0,
    port: int = 0,
    rate: float = 1.0,
    manual_clock: bool = False,
    *,
    host: str = "127.0.0.1",
    enkrypt_key: str | None = None,
    nimble_key: str | None = None,
    allow_remote: bool = False,
    log: Callable[[str], None] | None = None,
    latency: float = 0.0,
    jitter: float = 0.0,
    tasks: int | None = None,
) -> SimServer:
    """Start a simulator in a daemon thread and return it (already accepting connections).

    `latency` (+ a uniform `jitter`, seconds) delays every API answer; `tasks` sets how many tasks
    each tab holds before the epoch (None: the default world of a few hundred).
    """
    if not allow_remote and not is_loopback(host):
        raise ValueError(f"refusing to serve on non-loopback host {host!r} (allow_remote=False)")
    return SimServer(
        seed=seed, host=host, port=port, rate=rate, manual_clock=manual_clock,
        enkrypt_key=enkrypt_key or DEMO_ENKRYPT_KEY, nimble_key=nimble_key or DEMO_NIMBLE_KEY,
        log=log, latency=latency, jitter=jitter, tasks=tasks,
    ).start()
