"""Figure 8, scale: walking every page of a 100,000-task queue against a 1,000-task one.

Each walk is a process of its own against the simulator in another (`tasktop sim --tasks N`,
its world made before the clock starts), so its peak RSS is the walk's alone: `tasktop list
nimble --all --json > /dev/null`, and export-all to CSV and to JSON through the function the
export dialog calls (`python -m benchmarks.export_child`). Peak RSS is the child's VmHWM as it
ends (`benchmarks.peak_child`); requests are the simulator's count of list calls.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Any

from tui.sim.server import DEMO_NIMBLE_KEY

from .simproc import SimProcess

SIZES = (1000, 100_000)
#: Practically frozen: no task arrives during a walk, so every size walks exactly N tasks.
FROZEN_RATE = 0.0001

#: Module and arguments of each walk, as `python -m` runs them.
WALKS: dict[str, list[str]] = {
    "list --all --json": ["tui", "list", "nimble", "--all", "--json"],
    "export-all CSV": ["benchmarks.export_child", "csv"],
    "export-all JSON": ["benchmarks.export_child", "json"],
}


def _warm(sim: SimProcess) -> None:
    """Ask for one Nimble task, so the simulator makes its world before any walk is timed."""
    request = urllib.request.Request(f"{sim.url}/v1/tasks?limit=1",
                                     headers={"Authorization": f"Bearer {DEMO_NIMBLE_KEY}"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        answer.read()


def _walk(sim: SimProcess, argv: list[str], workdir: str) -> dict[str, Any]:
    sim.reset_counts()
    peak_file = os.path.join(workdir, "peak-kib")
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.peak_child", peak_file, *argv], env=sim.env(),
        cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {err}")
    with open(peak_file) as fh:
        peak_kib = int(fh.read())
    return {"seconds": round(seconds, 3), "requests": sim.counts().get("/v1/tasks", 0),
            "peak_rss_mib": round(peak_kib / 1024, 1)}


def measure(log: Any = print) -> dict[str, dict[str, dict[str, Any]]]:
    """{walk: {str(size): {"seconds", "requests", "peak_rss_mib"}}}."""
    out: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in WALKS}
    for size in SIZES:
        with SimProcess(rate=FROZEN_RATE, tasks=size) as sim, \
                tempfile.TemporaryDirectory(prefix="tasktop-scale-") as workdir:
            _warm(sim)
            for name, argv in WALKS.items():
                log(f"scale: {name}, {size:,} tasks")
                out[name][str(size)] = _walk(sim, argv, workdir)
    return out
