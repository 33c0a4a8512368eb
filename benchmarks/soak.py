"""Soak: the real `tasktop` in a pseudo-terminal against a simulator whose faults keep toggling.

    python -m benchmarks.soak --minutes 10            # refresh 0.5 s, report on stdout
    python -m benchmarks.soak --minutes 1 --json soak.json

The simulator runs as its own process (`tasktop sim`); faults are switched through its HTTP control
endpoints (/_sim/faults): healthy and faulty stretches of a few seconds alternate, each fault drawn
from every kind the simulator knows (429 with and without Retry-After, 5xx, HTML 502, truncated and
wrong-typed JSON, 20 MB bodies, hangs past the client timeout, dropped connections, latency, 401) on
one API or all. Meanwhile keys are typed at human-ish pace (tabs, paging, filter, refresh, detail).

Reported: requests served, faults toggled, error states the screen showed (and their reasons),
retries logged, crashes (the app exiting or a traceback on screen — must be 0), whether `q` still
quits at the end, CPU used, and RSS after the first rows, at the end, and at its highest.
Exit status 0 only when there were no crashes and the app quit cleanly.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import random
import re
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyte

ROOT = Path(__file__).resolve().parents[1]
SIZE = (120, 40)

#: (weight, fault fields) — every kind the simulator can inject.
FAULTS: list[tuple[int, dict]] = [
    (3, {"kind": "status", "status": 429, "retry_after": "2"}),
    (2, {"kind": "status", "status": 429}),
    (2, {"kind": "status", "status": 429, "retry_after": "12"}),
    (3, {"kind": "status", "status": 500}),
    (2, {"kind": "status", "status": 503}),
    (3, {"kind": "html"}),
    (2, {"kind": "truncated"}),
    (2, {"kind": "wrong_type"}),
    (1, {"kind": "huge"}),
    (1, {"kind": "hang", "seconds": 15}),
    (2, {"kind": "drop"}),
    (2, {"kind": "latency", "seconds": 1.5}),
    (1, {"kind": "status", "status": 401}),
]
PREFIXES = ["", "", "/redteam", "/datasets", "/v1/tasks"]  # "" = every API
#: Keys a user might press while watching; weights favour refresh, paging and tab switches.
KEYS = ["1"] * 3 + ["2"] * 3 + ["3"] * 3 + ["n"] * 4 + ["b"] * 2 + ["g", "G", "f", "f", "+", "-"] + [
    "r"] * 3 + ["\r", "\x1b"]

_ERROR_RX = re.compile(r"(stale \(updated [^)]*\)|failed): (.+)$")
_SPACES = re.compile(r"\s+")


@dataclass
class Report:
    minutes: float
    refresh: float
    seed: int
    requests: int = 0
    requests_by_path: dict[str, int] = field(default_factory=dict)
    faults_toggled: int = 0
    faults_by_kind: dict[str, int] = field(default_factory=dict)
    keys_sent: int = 0
    error_states_seen: int = 0
    error_reasons: dict[str, int] = field(default_factory=dict)
    retries_logged: int = 0
    crashes: int = 0
    crash_details: list[str] = field(default_factory=list)
    quit_cleanly: bool = False
    exit_code: int | None = None
    cpu_seconds: float = 0.0
    rss_start_mib: float = 0.0
    rss_end_mib: float = 0.0
    rss_max_mib: float = 0.0
    rss_samples_mib: list[float] = field(default_factory=list)


# ------------------------------------------------------------------------------ processes


def start_sim(seed: int) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "sim", "--port", "0", "--seed", str(seed), "--rate", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
    if not match:
        proc.kill()
        raise SystemExit(f"soak: simulator did not start: {line!r}")
    # keep draining its stdout so it never blocks on a full pipe
    os.set_blocking(proc.stdout.fileno(), False)
    return proc, match.group(1)


class App:
    """`python -m tui` on a new pty (its controlling terminal), screen emulated with pyte."""

    def __init__(self, url: str, refresh: float, workdir: Path) -> None:
        cols, rows = SIZE
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.log = workdir / "tasktop.log"
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {k: v for k, v in os.environ.items() if not k.startswith("TASKTOP_")}
        env.update(
            TERM="xterm-256color", XDG_CONFIG_HOME=str(workdir / "xdg"),
            XDG_STATE_HOME=str(workdir / "state"),
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
            TASKTOP_ENKRYPT_URL=url, TASKTOP_NIMBLE_URL=url,
            TASKTOP_ENKRYPT_API_KEY="sim-demo-key-enkrypt",
            TASKTOP_NIMBLE_API_KEY="sim-demo-key-nimble",
        )
        argv = [sys.executable, "-m", "tui", "--refresh", str(refresh), "--log", str(self.log)]

        def child_setup() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     cwd=ROOT, preexec_fn=child_setup, close_fds=True)
        os.close(slave)
        self.master = master
        self.tail = b""  # last bytes written, for crash reports

    def pump(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], max(timeout, 0))
        if not ready:
            return True
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:
            return False
        if not data:
            return False
        self.tail = (self.tail + data)[-4000:]
        self.stream.feed(data)
        return True

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def rss_mib(self) -> float:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def cpu_seconds(self) -> float:
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return 0.0


def control(url: str, method: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as answer:
        return json.loads(answer.read() or b"{}")


# ---------------------------------------------------------------------------------- the run


def soak(minutes: float, refresh: float, seed: int, progress: bool = True) -> Report:
    rng = random.Random(seed)
    report = Report(minutes=minutes, refresh=refresh, seed=seed)
    sim, url = start_sim(seed)
    workdir = Path(tempfile.mkdtemp(prefix="tasktop-soak-"))
    app = App(url, refresh, workdir)
    try:
        # first rows on screen
        deadline = time.monotonic() + 60
        while "page 1 of" not in app.text():
            if app.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"soak: the app never showed rows:\n{app.text()}")
            app.pump(0.2)
        report.rss_start_mib = app.rss_mib()

        start = time.monotonic()
        end = start + minutes * 60
        next_toggle = start + rng.uniform(2, 6)
        next_key = start + rng.uniform(0.3, 1.5)
        next_look = start
        next_rss = start
        next_progress = start + 60
        faulty = False
        shown: dict[int, str | None] = {}  # screen row -> error reason shown there

        while (now := time.monotonic()) < end:
            if not app.pump(min(0.05, max(0.0, end - now))) or app.proc.poll() is not None:
                report.crashes += 1
                report.crash_details.append(
                    f"app exited ({app.proc.poll()}) after {now - start:.0f}s: "
                    + app.tail.decode(errors="replace")[-800:])
                break
            if now >= next_toggle:
                if faulty:
                    control(url, "DELETE", "/_sim/faults")
                    next_toggle = now + rng.uniform(3, 10)
                else:
                    fault = dict(rng.choices([f for _, f in FAULTS], [w for w, _ in FAULTS])[0])
                    fault["path_prefix"] = rng.choice(PREFIXES)
                    control(url, "POST", "/_sim/faults", fault)
                    report.faults_toggled += 1
                    name = fault["kind"] + (f" {fault['status']}" if "status" in fault else "")
                    if fault.get("retry_after"):
                        name += f" retry-after {fault['retry_after']}"
                    report.faults_by_kind[name] = report.faults_by_kind.get(name, 0) + 1
                    next_toggle = now + rng.uniform(3, 12)
                faulty = not faulty
            if now >= next_key:
                app.send(rng.choice(KEYS))
                report.keys_sent += 1
                next_key = now + rng.uniform(0.3, 1.5)
            if now >= next_look:
                text = app.text()
                if "Traceback" in text:
                    report.crashes += 1
                    report.crash_details.append(f"traceback on screen:\n{text}")
                    break
                for row, line in enumerate(app.screen.display[:4]):
                    match = _ERROR_RX.search(line)
                    reason = None
                    if match:  # "server error 502 · retrying in 3s" -> "server error 502"
                        reason = _SPACES.sub(" ", match.group(2)).split(" · ")[0]
                        reason = reason.strip().removesuffix("…").strip()
                    if reason and shown.get(row) != reason:
                        report.error_states_seen += 1
                        key = re.sub(r"\d+", "N", reason)[:70]
                        report.error_reasons[key] = report.error_reasons.get(key, 0) + 1
                    shown[row] = reason
                next_look = now + 0.25
            if now >= next_rss:
                rss = app.rss_mib()
                report.rss_samples_mib.append(round(rss, 1))
                report.rss_max_mib = max(report.rss_max_mib, rss)
                next_rss = now + 30
            if progress and now >= next_progress:
                print(f"soak: {(now - start) / 60:.0f}/{minutes:g} min, rss {app.rss_mib():.1f} "
                      f"MiB, faults {report.faults_toggled}, errors seen "
                      f"{report.error_states_seen}, crashes {report.crashes}",
                      file=sys.stderr, flush=True)
                next_progress = now + 60

        # the end: healthy again, then q must still quit
        control(url, "DELETE", "/_sim/faults")
        report.rss_end_mib = app.rss_mib()
        report.rss_max_mib = max(report.rss_max_mib, report.rss_end_mib)
        report.cpu_seconds = round(app.cpu_seconds(), 1)
        counts = control(url, "GET", "/_sim/counts")
        report.requests_by_path = dict(sorted(counts.items()))
        report.requests = sum(counts.values())
        if app.proc.poll() is None:
            app.send("\x1b")  # close a detail pane or dialog if one is open
            settle = time.monotonic() + 0.5  # ESC then q at once would read as alt+q
            while time.monotonic() < settle:
                app.pump(0.05)
            app.send("q")
            deadline = time.monotonic() + 10
            while app.proc.poll() is None and time.monotonic() < deadline:
                app.pump(0.1)
            report.quit_cleanly = app.proc.poll() == 0
            if not report.quit_cleanly:
                report.crash_details.append(f"q did not quit (exit {app.proc.poll()}):\n{app.text()}")
        report.exit_code = app.proc.poll()
        if app.log.exists():
            report.retries_logged = sum(
                1 for line in app.log.read_text(errors="replace").splitlines()
                if "tasktop.retry" in line)
    finally:
        for proc in (app.proc, sim):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        os.close(app.master)
    for name in ("rss_start_mib", "rss_end_mib", "rss_max_mib"):
        setattr(report, name, round(getattr(report, name), 1))
    return report


def summary(report: Report) -> str:
    reasons = Counter(report.error_reasons).most_common(12)
    lines = [
        f"soak: {report.minutes:g} min at refresh {report.refresh:g}s (seed {report.seed})",
        f"  requests served     {report.requests}",
        f"  faults toggled      {report.faults_toggled}",
        f"  keys sent           {report.keys_sent}",
        f"  error states seen   {report.error_states_seen}",
        f"  retries logged      {report.retries_logged}",
        f"  crashes             {report.crashes}",
        f"  q quit cleanly      {report.quit_cleanly} (exit {report.exit_code})",
        f"  CPU                 {report.cpu_seconds:g}s "
        f"({100 * report.cpu_seconds / max(report.minutes * 60, 1):.0f}% of one core)",
        f"  RSS start/end/max   {report.rss_start_mib} / {report.rss_end_mib} / "
        f"{report.rss_max_mib} MiB",
        f"  RSS every 30 s      {' '.join(f'{x:g}' for x in report.rss_samples_mib)}",
        "  reasons shown (N = any number; cropped as the badge shows them):",
        *(f"    {n:5d}  {reason}" for reason, n in reasons),
    ]
    lines += [f"  CRASH: {d[:1000]}" for d in report.crash_details]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--refresh", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", metavar="FILE", help="also write the report as JSON")
    args = parser.parse_args(argv)
    report = soak(args.minutes, args.refresh, args.seed)
    print(summary(report))
    if args.json:
        Path(args.json).write_text(json.dumps(asdict(report), indent=2) + "\n")
    return 0 if report.crashes == 0 and report.quit_cleanly else 1


if __name__ == "__main__":
    raise SystemExit(main())
