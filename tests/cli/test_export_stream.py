"""Walking every page streams: `list --all --json` and export-all write page by page and hold
one page at a time, whatever the size of the queue. Real simulator, real CLI process."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
import tracemalloc
from datetime import UTC, datetime

import pytest

from tui.commands.main import main
from tui.commands.task_output import to_json
from tui.core.export import export_rows, record_to_dict
from tui.core.export_walk import export_all, fetch_all
from tui.providers.base import PageRequest
from tui.providers.nimble import NimbleClient
from tui.sim.server import start_simulator

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def big_sim():
    """5,000 tasks per tab, clock frozen: totals are exact."""
    server = start_simulator(manual_clock=True, tasks=5000)
    try:
        yield server
    finally:
        server.stop()


def _cli_env(sim, tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKTOP_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "xdg"),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
               TASKTOP_NIMBLE_URL=sim.url, TASKTOP_NIMBLE_API_KEY=sim.nimble_key,
               TASKTOP_ENKRYPT_URL=sim.url, TASKTOP_ENKRYPT_API_KEY=sim.enkrypt_key)
    return env


def test_list_all_json_is_written_before_the_last_page_is_asked_for(big_sim, tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "list", "nimble", "--all", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_cli_env(big_sim, tmp_path),
    )
    try:
        # Nobody reads the pipe until the first bytes are here, so a CLI that held every row
        # until the end would have asked for all 50 pages by now; a streaming one is stuck on
        # writing its first page or two into the full pipe.
        first = os.read(proc.stdout.fileno(), 16)
        assert first.startswith(b'{\n  "rows": [')
        assert big_sim.counts()["/v1/tasks"] < 50
        rest, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert (proc.returncode, err) == (0, b"")
    out = (first + rest).decode()
    doc = json.loads(out)
    ids = [row["id"] for row in doc["rows"]]
    assert len(ids) == len(set(ids)) == 5000
    assert doc["paging"] == {"pages": 50, "total": 5000}
    assert big_sim.counts()["/v1/tasks"] == 50
    assert out == to_json(doc) + "\n"  # the same text as the whole document printed at once


@pytest.mark.parametrize("source", ["redteam", "datasets"])
def test_list_all_json_streams_page_number_lists_too(source, tmp_path):
    sim = start_simulator(manual_clock=True, tasks=250)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tui", "list", source, "--all", "--json"],
            capture_output=True, text=True, env=_cli_env(sim, tmp_path), timeout=120,
        )
    finally:
        sim.stop()
    assert (proc.returncode, proc.stderr) == (0, "")
    doc = json.loads(proc.stdout)
    assert len(doc["rows"]) == 250 and doc["paging"] == {"pages": 3, "total": 250}
    assert proc.stdout == to_json(doc) + "\n"


def test_list_all_json_of_an_empty_queue_is_one_document(tmp_path):
    sim = start_simulator(manual_clock=True, tasks=0)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tui", "list", "redteam", "--all", "--json"],
            capture_output=True, text=True, env=_cli_env(sim, tmp_path), timeout=120,
        )
    finally:
        sim.stop()
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == {"rows": [], "paging": {"pages": 1, "total": 0}}
    assert proc.stdout == to_json(json.loads(proc.stdout)) + "\n"


def test_list_all_json_stopped_by_an_error_is_not_a_valid_document(big_sim, tmp_path):
    from tui.sim.server import Fault

    # The first request uses up a no-op fault; from the second page on the server fails.
    big_sim.set_fault(Fault("latency", path_prefix="/v1/tasks", seconds=0.0, times=1))
    big_sim.set_fault(Fault("status", path_prefix="/v1/tasks", status=500))
    proc = subprocess.run(
        [sys.executable, "-m", "tui", "list", "nimble", "--all", "--json"],
        capture_output=True, text=True, env=_cli_env(big_sim, tmp_path), timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("tasktop: server: ") and proc.stderr.count("\n") == 1
    assert proc.stdout.startswith('{\n  "rows": [')  # the first page was already written
    with pytest.raises(json.JSONDecodeError):  # but cannot be mistaken for every task
        json.loads(proc.stdout)


# ------------------------------------------------------------------------------- memory


class _CountingSink(io.TextIOBase):
    """stdout that keeps only a count, so the output itself holds no memory."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)

    def isatty(self) -> bool:
        return False


class _SimProcess:
    """`tasktop sim --tasks N` in its own process, so tracing this one sees only the walk."""

    def __init__(self, tasks: int) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TASKTOP_")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tui", "sim", "--port", "0", "--rate", "0.0001",
             "--tasks", str(tasks)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
        )
        first = self.proc.stdout.readline()
        assert " on http://" in first, first
        self.url = first.split(" on ", 1)[1].split(" ", 1)[0]
        self.nimble_key = "sim-demo-key-nimble"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.communicate(timeout=20)


def _walk_peak(monkeypatch, tasks: int, run) -> int:
    """tracemalloc peak (bytes) of `run(sim)` over a world of `tasks` tasks per tab."""
    sim = _SimProcess(tasks)
    try:
        monkeypatch.setenv("TASKTOP_NIMBLE_URL", sim.url)
        monkeypatch.setenv("TASKTOP_NIMBLE_API_KEY", sim.nimble_key)
        run(sim)  # warm: imports and first-use caches are not what is measured
        tracemalloc.start()
        try:
            run(sim)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    finally:
        sim.stop()


def test_list_all_json_memory_stays_flat_from_1k_to_10k_tasks(monkeypatch, clean_env, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    sinks: list[_CountingSink] = []

    def run(sim) -> None:
        sink = _CountingSink()
        sinks.append(sink)
        monkeypatch.setattr(sys, "stdout", sink)
        try:
            assert main(["list", "nimble", "--all", "--json"]) == 0
        finally:
            monkeypatch.setattr(sys, "stdout", sys.__stdout__)

    small = _walk_peak(monkeypatch, 1000, run)
    large = _walk_peak(monkeypatch, 10_000, run)
    assert sinks[-1].chars > 9 * sinks[1].chars  # ten times the rows were written
    # 9,000 more rows held would be > 10 MiB (each decoded task ≈ 1-2 KiB); one page is ~0.2.
    assert large - small < 1 << 20, (small, large)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_all_memory_stays_flat_from_1k_to_10k_tasks(monkeypatch, tmp_path, fmt):
    written: list[int] = []

    def run(sim) -> None:
        async def go() -> None:
            async with NimbleClient(sim.url, sim.nimble_key, 30) as client:
                path, walk = await export_all(
                    client.list_tasks, PageRequest(limit=100), "nimble", fmt, now=NOW,
                    directory=tmp_path, key=lambda t: t.id,
                )
            written.append(walk.rows)
            path.unlink()

        asyncio.run(go())

    small = _walk_peak(monkeypatch, 1000, run)
    large = _walk_peak(monkeypatch, 10_000, run)
    assert written == [1000, 1000, 10_000, 10_000]
    assert large - small < 1 << 20, (small, large)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_all_writes_what_exporting_every_row_at_once_writes(big_sim, tmp_path, fmt):
    async def go():
        async with NimbleClient(big_sim.url, big_sim.nimble_key, 30) as client:
            request = PageRequest(limit=100)
            streamed, walk = await export_all(client.list_tasks, request, "nimble", fmt,
                                              now=NOW, directory=tmp_path, key=lambda t: t.id)
            whole = await fetch_all(client.list_tasks, request, key=lambda t: t.id)
        return streamed, walk, whole

    streamed, walk, whole = asyncio.run(go())
    assert (walk.pages, walk.rows, walk.total) == (50, 5000, 5000)
    at_once = export_rows([record_to_dict(r) for r in whole.rows], tmp_path / f"all.{fmt}", fmt)
    assert streamed.read_bytes() == at_once.read_bytes()
    assert streamed.name == f"tasktop-nimble-20260102-030405.{fmt}"


def test_export_all_removes_its_file_when_the_walk_fails(big_sim, tmp_path):
    from tui.providers.base import ProviderError

    async def go():
        async with NimbleClient(big_sim.url, "wrong-key", 30) as client:
            await export_all(client.list_tasks, PageRequest(limit=100), "nimble", "csv",
                             now=NOW, directory=tmp_path)

    with pytest.raises(ProviderError):
        asyncio.run(go())
    assert list(tmp_path.iterdir()) == []
