"""The simulator's request handler: one HTTP request to the vendor API or the control endpoints,
with the server's faults and latency applied on the way out."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from tui.base.loopback import is_loopback

from .faults import (
    HTML_502,
    Fault,
    echo_key,
    huge,
    impossible_count,
    many_rows,
    splice_huge,
    status_body,
    wrong_type,
)
from .routes import Answer, vendor_of

if TYPE_CHECKING:
    from .server import SimServer, _HTTPServer


def encode(payload: Any) -> bytes:
    try:
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:  # lone surrogates from a hostile add_task: escape them instead
        return json.dumps(payload, separators=(",", ":")).encode()



class Drop(Exception):
    """Close the connection without answering."""


class Handler(BaseHTTPRequestHandler):
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
        except Drop:
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
        self._send(answer.status, encode(answer.payload), {**answer.headers, **(extra or {})})

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
            raise Drop
        if kind in ("hang", "latency"):
            if kind == "hang":
                sim.wait(fault.seconds or 0.0)
                raise Drop
            self._send_answer(sim.api.handle(method, path, query, self.headers), extra)
        elif kind == "status":
            status = int(fault.status or 500)
            self._send(status, encode(status_body(status, vendor or "enkrypt")), extra)
        elif kind == "html":
            self._send(int(fault.status or 502), HTML_502, extra, "text/html")
        else:
            answer = sim.api.handle(method, path, query, self.headers)
            if kind == "truncated":
                body = encode(answer.payload)
                body = body[: len(body) // 2]
            elif kind == "wrong_type":
                body = encode(wrong_type(answer.payload))
            elif kind == "echo_key":
                key = sim.enkrypt_key if vendor == "enkrypt" else sim.nimble_key
                body = encode(echo_key(answer.payload, key))
            elif kind == "many_rows":
                body = encode(many_rows(answer.payload, fault.rows or 0))
            elif kind == "impossible_count":
                body = encode(impossible_count(answer.payload))
            else:  # huge
                body = splice_huge(encode(huge(answer.payload)))
            self._send(answer.status, body, {**answer.headers, **extra})

    def _delay(self, extra: float = 0.0) -> None:
        """Wait the standing latency (+ a latency fault's `extra`); drop if the server stops."""
        delay = self.sim.latency.draw(extra)
        if delay > 0 and self.sim.wait(delay):
            raise Drop

    # -------------------------------------------------------------------------- control
    def _control(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> None:
        """The /_sim/ mirror of the Python API (no auth, loopback clients only)."""
        if not is_loopback(self.client_address[0]):
            self._send(403, encode({"error": "control endpoints are loopback-only"}))
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
