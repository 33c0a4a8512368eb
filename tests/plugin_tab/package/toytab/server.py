"""The toy job queue: a stdlib HTTP server on 127.0.0.1 that lists jobs by page, one job by id."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

KEY = "toy-key-0123456789"
STATES = ("queued", "running", "done")


def jobs(count: int = 30) -> list[dict[str, str]]:
    return [
        {"id": f"job-{n:04d}", "state": STATES[n % 3], "title": f"toy job number {n}",
         "created_at": f"2026-01-01T00:{n % 60:02d}:00Z", "log": f"step 1\nstep 2 of job {n}"}
        for n in range(count)
    ]


class ToyServer:
    """`url` serves GET /jobs?page=&per_page=&state= and GET /jobs/<id>, for X-Toy-Key: KEY."""

    def __init__(self, count: int = 30) -> None:
        self.jobs = jobs(count)
        self.requests: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                owner.requests.append(self.path)
                if self.headers.get("X-Toy-Key") != KEY:
                    return self.answer(401, {"error": "bad key"})
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/jobs":
                    page, per_page = int(query.get("page", 1)), int(query.get("per_page", 10))
                    rows = [j for j in owner.jobs if query.get("state") in (None, j["state"])]
                    chosen = rows[(page - 1) * per_page: page * per_page]
                    return self.answer(200, {"jobs": chosen, "total": len(rows)})
                for job in owner.jobs:
                    if url.path == f"/jobs/{job['id']}":
                        return self.answer(200, job)
                return self.answer(404, {"error": "no such job"})

            def answer(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


if __name__ == "__main__":  # a toy queue for a hand check: prints its URL, serves until killed
    server = ToyServer()
    print(server.url, flush=True)
    threading.Event().wait()
