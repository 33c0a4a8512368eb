"""`tasktop list … --all`: every task exactly once, against the simulator over HTTP."""

from __future__ import annotations

import json
import re

import httpx
import pytest


def every(sim, source: str, status: str | None = None) -> tuple[list, int]:
    """All records of a list and the server's total, walked with plain httpx, small pages."""
    with httpx.Client(base_url=sim.url) as client:
        return _every(client, sim, source, status)


def _every(client: httpx.Client, sim, source: str, status: str | None) -> tuple[list, int]:
    if source == "nimble":
        headers = {"Authorization": f"Bearer {sim.nimble_key}"}
        rows, cursor = [], None
        while True:
            body = client.get("/v1/tasks", headers=headers,
                             params={"limit": 7, **({"cursor": cursor} if cursor else {})}).json()
            rows += body["data"]
            if not body["pagination"]["has_next"]:
                return rows, body["pagination"]["total"]
            cursor = body["pagination"]["next_cursor"]
    path = "/datasets/list-tasks" if source == "datasets" else "/redteam/list-tasks"
    rows, page = [], 1
    while True:
        params = {"page": page, "per_page": 9, **({"status": status} if status else {})}
        body = client.get(path, params=params, headers={"apikey": sim.enkrypt_key}).json()
        rows += body["datasets" if source == "datasets" else "tasks"]
        if page >= body["pagination"]["total_pages"]:
            return rows, body["pagination"]["total_count"]
        page += 1


def ids(source: str, rows: list) -> list[str]:
    """Row keys: the server lists bare dataset names, the CLI prints each with its task."""
    if source == "datasets":
        return [r if isinstance(r, str) else r["dataset_name"] for r in rows]
    return [r["id" if source == "nimble" else "task_id"] for r in rows]


@pytest.mark.parametrize("source", ["datasets", "redteam", "nimble"])
def test_list_all_json_returns_every_task_exactly_once(cli, sim, source):
    expected, total = every(sim, source)
    assert len(expected) > 50
    sim.reset_counts()
    code, out, err = cli("list", source, "--all", "--json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    got = ids(source, doc["rows"])
    assert got == ids(source, expected)
    assert len(set(got)) == len(got) == total
    pages = -(-total // 100)
    assert doc["paging"] == {"pages": pages, "total": total}
    endpoint = {"datasets": "/datasets/list-tasks", "redteam": "/redteam/list-tasks",
                "nimble": "/v1/tasks"}[source]
    assert sim.counts()[endpoint] == pages
    if source == "datasets":  # each name enriched once, with its task
        assert sim.counts()["/datasets/get-task"] == total
        assert all(r["task_id"].startswith("data-generation-") and r["status"]
                   for r in doc["rows"])
    else:  # every field as the server sent it; absent ones only as null
        for parsed, sent in zip(doc["rows"], expected, strict=True):
            assert {k: parsed[k] for k in sent} == sent
            assert all(parsed[k] is None for k in parsed.keys() - sent.keys())


@pytest.mark.parametrize("source", ["datasets", "redteam", "nimble"])
def test_list_all_table_has_every_task(cli, sim, source):
    expected, total = every(sim, source)
    size = "--limit" if source == "nimble" else "--per-page"
    code, out, err = cli("list", source, "--all", size, "25")
    assert (code, err) == (0, "")
    lines = out.rstrip("\n").split("\n")
    assert lines[-1] == f"all {-(-total // 25)} pages · {total} tasks"
    body = lines[1:-1]
    assert len(body) == total
    key_column = 1 if source == "datasets" else -1  # STATUS, DATASET, …; … TASK ID / ID
    for task_id, line in zip(ids(source, expected), body, strict=True):
        assert re.split(r"\s{2,}", line)[key_column] == task_id


def test_list_all_with_status_filter(cli, sim):
    expected, total = every(sim, "redteam", status="Finished")
    code, out, _ = cli("list", "redteam", "--all", "--status", "Finished", "--json")
    doc = json.loads(out)
    assert code == 0 and [r["task_id"] for r in doc["rows"]] == [r["task_id"] for r in expected]
    assert {r["status"] for r in doc["rows"]} == {"Finished"}
    assert doc["paging"]["total"] == total


@pytest.mark.parametrize(
    "argv",
    [("list", "redteam", "--all", "--page", "2"),
     ("list", "nimble", "--all", "--cursor", "abc"),
     ("list", "nimble", "--all", "--per-page", "5")],
)
def test_list_all_refuses_a_starting_point(cli, argv):
    code, out, err = cli(*argv)
    assert code == 2 and out == ""
    assert err.startswith("tasktop: usage: ")


def test_list_all_error_mid_walk_is_one_line(cli, sim):
    from tui.sim.server import Fault

    sim.set_fault(Fault(kind="status", path_prefix="/redteam", status=500))
    code, out, err = cli("list", "redteam", "--all")
    assert (code, out) == (1, "")
    assert err.startswith("tasktop: server: ") and err.count("\n") == 1
