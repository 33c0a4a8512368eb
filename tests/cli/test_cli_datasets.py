"""`tasktop list datasets` runs through the Datasets tab's source, as the TUI does: every listed
name comes with its task (status, created, started, task id), fetched within the source's AIMD
window. Real `tasktop` processes against the simulator on 127.0.0.1; the bound is read from the
simulator's own count of requests in flight, not from timing."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import httpx

from tui.providers.window import CAP
from tui.sim.server import Fault


def tasktop(*argv: str) -> subprocess.CompletedProcess[str]:
    """A real `tasktop` process under the test's environment (see the `env` fixture)."""
    return subprocess.run([sys.executable, "-m", "tui", *argv], capture_output=True, text=True,
                          timeout=120)


def server_tasks(sim, per_page: int) -> list[dict]:
    """The first page's datasets and each one's task, fetched without tasktop's code."""
    auth = {"apikey": sim.enkrypt_key}
    with httpx.Client(base_url=sim.url, headers=auth) as client:
        names = client.get("/datasets/list-tasks", params={"per_page": per_page}).json()
        return [client.get("/datasets/get-task", headers={"X-Enkrypt-Dataset": name}).json()
                ["data"] for name in names["datasets"]]


def cells(line: str) -> list[str]:
    return re.split(r"\s{2,}", line)


def test_list_datasets_json_rows_carry_status_created_and_task_id(env, sim):
    expected = server_tasks(sim, 10)
    proc = tasktop("list", "datasets", "--json")
    assert (proc.returncode, proc.stderr) == (0, "")
    rows = json.loads(proc.stdout)["rows"]
    assert len(rows) == len(expected) == 10
    for row, task in zip(rows, expected, strict=True):
        assert {k: row[k] for k in task} == task  # every field the get-task answer sent
        assert row["status"] and row["created_at"] and row["task_id"].startswith("data-")


def test_list_datasets_table_shows_status_times_and_task_id(env, sim):
    expected = server_tasks(sim, 10)
    proc = tasktop("list", "datasets")
    assert (proc.returncode, proc.stderr) == (0, "")
    lines = proc.stdout.rstrip("\n").split("\n")
    assert cells(lines[0]) == ["STATUS", "DATASET", "CREATED", "STARTED", "TASK ID"]
    assert [cells(line) for line in lines[1:-1]] == [
        [t["status"], t["dataset_name"], t["created_at"], t["started_at"] or "-", t["task_id"]]
        for t in expected
    ]
    assert {t["status"] for t in expected} >= {"Finished", "Running"}  # a page that shows it


def test_enrichment_is_one_get_task_per_name_and_stays_within_the_window(env, sim):
    total = httpx.get(f"{sim.url}/datasets/list-tasks", headers={"apikey": sim.enkrypt_key}
                      ).json()["pagination"]["total_count"]
    assert total > CAP + 10  # more names than the window can ever hold
    # Slow get-task answers overlap, so an unbounded fan-out would have them all in flight.
    sim.set_fault(Fault("latency", path_prefix="/datasets/get-task", seconds=0.5))
    sim.reset_counts()
    proc = tasktop("list", "datasets", "--per-page", str(total), "--json")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert len(json.loads(proc.stdout)["rows"]) == total
    assert sim.counts() == {"/datasets/list-tasks": 1, "/datasets/get-task": total}
    peak = sim.peaks()["/datasets/get-task"]
    assert 1 < peak <= CAP, peak


def test_a_dataset_without_a_task_is_listed_by_name(cli, sim):
    sim.set_fault(Fault("status", path_prefix="/datasets/get-task", status=404, times=1))
    code, out, err = cli("list", "datasets", "--per-page", "1", "--json")
    assert (code, err) == (0, "")
    name = server_tasks(sim, 1)[0]["dataset_name"]
    assert json.loads(out)["rows"] == [{"dataset_name": name}]
    sim.set_fault(Fault("status", path_prefix="/datasets/get-task", status=404, times=1))
    code, out, _ = cli("list", "datasets", "--per-page", "1")
    assert code == 0 and cells(out.split("\n")[1]) == ["-", name, "-", "-", "-"]


def test_hostile_dataset_name_is_harmless_in_table_and_json(cli, sim):
    evil = "\x1b]0;pwned\x07\u202eevil"
    sim.add_task("datasets", dataset_name=evil)  # unsendable in a header: listed by name only
    code, out, _ = cli("list", "datasets", "--per-page", "1")
    assert code == 0
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", out)
    assert cells(out.split("\n")[1])[:2] == ["-", "\\x1b]0;pwned\\x07\\u202eevil"]
    code, out, _ = cli("list", "datasets", "--per-page", "1", "--json")
    assert code == 0 and not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", out)
    assert json.loads(out)["rows"] == [{"dataset_name": evil}]
