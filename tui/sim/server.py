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

import ipaddress
import json
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .clock import SimClock
from .faults import (
    HTML_502,
    Fault,
    FaultBook,
    echo_key,
    huge,
    impossible_count,
    many_rows,
    splice_huge,
    status_body,
    wrong_type,
)
from .latency import Latency
from .routes import Answer, Api, vendor_of
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

def is_loopback(host: str) -> bool:
    """True for 'localhost' and loopback IP literals (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _encode(payload: Any) -> bytes:
    try:
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:  # lone surrogates from a hostile add_task: escape them instead
        return json.dumps(payload, separators=(",", ":")).encode()


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
        self._httpd = cls((host.strip("[]"), port), _Handler)
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


# ------------------------------------------------------------------------------ handler


class _Drop(Exception):
    """Close the connection without answering."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tasktop-sim/1"
    sys_version = ""
    disable_nagle_algorithm = True  # headers and body are two writes: avoid the 40 ms ACK stall
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    server: _HTTPServer

    @property
    def sim(self) -> SimServer:
        return self.server.sim

    def setup(self) -> None:
        super().setup()
        self.sim._track(self.connection, True)

    def finish(self) -> None:
        self.sim._track(self.connection, False)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.sim.log is not None:
            self.sim.log(f"{self.address_string()} {format % args}")

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def do_PATCH(self) -> None:  # noqa: N802
        self._dispatch("PATCH")

    # ------------------------------------------------------------------------- dispatch
    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        path = split.path.rstrip("/") or "/"
        query = parse_qs(split.query, keep_blank_values=True)
        body = self._read_body()
        try:
            if path == "/_sim" or path.startswith("/_sim/"):
                self._control(method, path, query, body)
            else:
                with self.sim._answering(path):
                    self._api(method, path, query)
        except _Drop:
            self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _read_body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > 1 << 20:  # nothing here needs a big body; don't read it, drop the connection
            self.close_connection = True
            return b""
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None,
              content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _send_answer(self, answer: Answer, extra: dict[str, str] | None = None) -> None:
        self._send(answer.status, _encode(answer.payload), {**answer.headers, **(extra or {})})

    # ------------------------------------------------------------------------------ API
    def _api(self, method: str, path: str, query: dict[str, list[str]]) -> None:
        sim = self.sim
        sim._count(path)
        vendor = vendor_of(path)
        if vendor is not None and not sim.api.authorized(vendor, self.headers):
            self._delay()
            self._send_answer(sim.api.unauthorized(vendor))
            return
        fault = sim.faults.take(path)
        is_latency = fault is not None and fault.kind == "latency"
        self._delay((fault.seconds or 0.0) if is_latency else 0.0)
        if fault is None:
            self._send_answer(sim.api.handle(method, path, query, self.headers))
            return
        extra = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        kind = fault.kind
        if kind == "drop":
            raise _Drop
        if kind in ("hang", "latency"):
            if kind == "hang":
                sim.wait(fault.seconds or 0.0)
                raise _Drop
            self._send_answer(sim.api.handle(method, path, query, self.headers), extra)
        elif kind == "status":
            status = int(fault.status or 500)
            self._send(status, _encode(status_body(status, vendor or "enkrypt")), extra)
        elif kind == "html":
            self._send(int(fault.status or 502), HTML_502, extra, "text/html")
        else:
            answer = sim.api.handle(method, path, query, self.headers)
            if kind == "truncated":
                body = _encode(answer.payload)
                body = body[: len(body) // 2]
            elif kind == "wrong_type":
                body = _encode(wrong_type(answer.payload))
            elif kind == "echo_key":
                key = sim.enkrypt_key if vendor == "enkrypt" else sim.nimble_key
                body = _encode(echo_key(answer.payload, key))
            elif kind == "many_rows":
                body = _encode(many_rows(answer.payload, fault.rows or 0))
            elif kind == "impossible_count":
                body = _encode(impossible_count(answer.payload))
            else:  # huge
                body = splice_huge(_encode(huge(answer.payload)))
            self._send(answer.status, body, {**answer.headers, **extra})

    def _delay(self, extra: float = 0.0) -> None:
        """Wait the standing latency (+ a latency fault's `extra`); drop if the server stops."""
        delay = self.sim.latency.draw(extra)
        if delay > 0 and self.sim.wait(delay):
            raise _Drop

    # -------------------------------------------------------------------------- control
    def _control(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> None:
        """The /_sim/ mirror of the Python API (no auth, loopback clients only)."""
        if not is_loopback(self.client_address[0]):
            self._send(403, _encode({"error": "control endpoints are loopback-only"}))
            return
        try:
            data = json.loads(body) if body.strip() else {}
            answer = self._control_answer(method, path, query, data)
        except (ValueError, TypeError, KeyError) as exc:
            answer = Answer(400, {"error": str(exc)})
        if answer is None:
            answer = Answer(404, {"error": "Not found"})
        self._send_answer(answer)

    def _control_answer(self, method: str, path: str, query: dict[str, list[str]],
                        data: Any) -> Answer | None:
        sim = self.sim
        route = (method, path.removeprefix("/_sim"))
        if route == ("POST", "/faults"):
            if not isinstance(data, dict):
                raise TypeError("expected a JSON object describing the fault")
            fault = Fault(**data)
            sim.set_fault(fault)
            return Answer(200, {"ok": True, "fault": fault.to_dict()})
        if route == ("GET", "/faults"):
            return Answer(200, {"faults": [f.to_dict() for f in sim.faults.active()]})
        if route == ("DELETE", "/faults"):
            sim.clear_faults()
            return Answer(200, {"ok": True})
        if route == ("POST", "/advance"):
            raw = query.get("seconds", [None])[0]
            seconds = float(raw if raw is not None else data.get("seconds", 0))
            return Answer(200, {"now": sim.advance(seconds).isoformat()})
        if route == ("GET", "/now"):
            return Answer(200, {"now": sim.now().isoformat(), "seconds": sim.clock.seconds()})
        if route == ("GET", "/counts"):
            return Answer(200, sim.counts())
        if route == ("GET", "/peaks"):
            return Answer(200, sim.peaks())
        if route == ("GET", "/delays"):
            return Answer(200, sim.delays())
        if route == ("POST", "/reset-counts"):
            sim.reset_counts()
            return Answer(200, {"ok": True})
        if route == ("POST", "/tasks"):
            if not isinstance(data, dict):
                raise TypeError("expected a JSON object")
            kind = data.get("kind") or query.get("kind", [""])[0]
            fields = data.get("fields", {})
            if not isinstance(fields, dict):
                raise TypeError("fields must be a JSON object")
            return Answer(200, {"id": sim.add_task(kind, **fields)})
        return None
