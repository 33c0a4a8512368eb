"""Simulator behaviour over real HTTP: paging arithmetic, cursors, auth, time, determinism, add_task."""

from __future__ import annotations

import math
import ssl
import time

import httpx
import pytest

from tui.sim.clock import EPOCH
from tui.sim.server import DEMO_ENKRYPT_KEY, DEMO_NIMBLE_KEY, start_simulator

TLS = ssl.create_default_context()


def client(sim) -> httpx.Client:
    return httpx.Client(base_url=sim.url, timeout=10, verify=TLS)


@pytest.fixture
def http(sim):
    with client(sim) as c:
        yield c



def enkrypt_pages(http, ek, path, per_page, status=None):
    """Every page of an Enkrypt list, walked by page number."""
    pages, page = [], 1
    while True:
        params = {"page": page, "per_page": per_page} | ({"status": status} if status else {})
        body = http.get(path, params=params, headers=ek).json()
        pages.append(body)
        if not body["pagination"]["has_next"]:
            return pages
        page += 1


def nimble_walk(http, nk, limit, between=None):
    """Every Nimble page by cursor; `between(page_number)` runs after each page."""
    pages, cursor = [], None
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        body = http.get("/v1/tasks", params=params, headers=nk).json()
        pages.append(body)
        if between:
            between(len(pages))
        cursor = body["pagination"]["next_cursor"]
        if cursor is None:
            return pages


# ------------------------------------------------------------------------- page-number paging


@pytest.mark.parametrize("path, key", [("/redteam/list-tasks", "tasks"),
                                       ("/datasets/list-tasks", "datasets")])
@pytest.mark.parametrize("per_page", [1, 7, 10, 100])
def test_page_arithmetic_and_last_page(http, ek, path, key, per_page):
    everything = http.get(path, params={"per_page": 100}, headers=ek).json()
    total = everything["pagination"]["total_count"]
    pages = enkrypt_pages(http, ek, path, per_page)
    expected_pages = math.ceil(total / per_page)
    assert len(pages) == expected_pages
    rows = []
    for number, body in enumerate(pages, start=1):
        pag = body["pagination"]
        assert pag == {
            "page": number, "per_page": per_page, "total_count": total,
            "total_pages": expected_pages, "has_next": number < expected_pages,
            "has_previous": number > 1,
        }
        assert len(body[key]) == (per_page if number < expected_pages
                                  else total - per_page * (expected_pages - 1))
        rows += body[key]
    ids = [r["task_id"] for r in rows] if key == "tasks" else rows
    assert len(ids) == len(set(ids)) == total
    if per_page == 100:
        assert rows[:100] == everything[key]


@pytest.mark.parametrize("path, key", [("/redteam/list-tasks", "tasks"),
                                       ("/datasets/list-tasks", "datasets")])
def test_page_past_the_end_is_empty_with_true_totals(http, ek, path, key):
    body = http.get(path, params={"page": 1000, "per_page": 10}, headers=ek).json()
    total = body["pagination"]["total_count"]
    assert total > 0
    assert body[key] == []
    assert body["pagination"] == {
        "page": 1000, "per_page": 10, "total_count": total,
        "total_pages": math.ceil(total / 10), "has_next": False, "has_previous": True,
    }


def test_defaults_are_page_1_of_10(http, ek):
    body = http.get("/redteam/list-tasks", headers=ek).json()
    assert (body["pagination"]["page"], body["pagination"]["per_page"]) == (1, 10)
    assert len(body["tasks"]) == 10
    assert body["pagination"]["has_previous"] is False


@pytest.mark.parametrize("path", ["/redteam/list-tasks", "/datasets/list-tasks"])
def test_status_filters_partition_the_list(http, ek, sim, path):
    sim.advance(300)
    total = http.get(path, headers=ek).json()["pagination"]["total_count"]
    counts = {}
    for status in ("Queued", "Running", "Finished", "Failed"):
        pages = enkrypt_pages(http, ek, path, 100, status)
        counts[status] = pages[0]["pagination"]["total_count"]
        if path.startswith("/redteam"):
            assert {t["status"] for p in pages for t in p["tasks"]} <= {status}
    assert sum(counts.values()) == total
    assert counts["Finished"] > counts["Failed"] > 0


def test_empty_filtered_page(http, ek):
    # Seed 0 has no queued dataset at the epoch (asserted, so a data change shows up here).
    body = http.get("/datasets/list-tasks", params={"status": "Queued"}, headers=ek).json()
    assert body == {"datasets": [], "pagination": {
        "page": 1, "per_page": 10, "total_count": 0, "total_pages": 0,
        "has_next": False, "has_previous": False}}


def test_filtered_datasets_really_have_that_status(http, ek, sim):
    sim.advance(200)
    for status in ("Running", "Failed"):
        names = http.get("/datasets/list-tasks", params={"status": status, "per_page": 100},
                         headers=ek).json()["datasets"]
        assert names
        for name in names:
            data = http.get("/datasets/get-task",
                            headers={**ek, "X-Enkrypt-Dataset": name}).json()["data"]
            assert data["status"] == status


# ------------------------------------------------------------------------------ cursor paging


def test_cursor_walk_returns_every_task_once_while_new_tasks_arrive(http, nk, sim):
    before = http.get("/v1/tasks", params={"limit": 10_000}, headers=nk).json()
    ids_before = [t["id"] for t in before["data"]]
    assert before["pagination"] == {"has_next": False, "next_cursor": None,
                                    "total": len(ids_before)}

    def advance_once(page_number):
        if page_number == 2:
            sim.advance(600)  # ~30 new tasks at the top, states change

    pages = nimble_walk(http, nk, 37, advance_once)
    walked = [t["id"] for p in pages for t in p["data"]]
    assert walked == ids_before
    for page in pages[:-1]:
        assert page["pagination"]["has_next"] is True
        assert page["pagination"]["next_cursor"] == page["data"][-1]["id"]
    assert pages[-1]["pagination"]["has_next"] is False
    after = http.get("/v1/tasks", params={"limit": 1}, headers=nk).json()
    assert after["pagination"]["total"] > len(ids_before)
    assert after["data"][0]["id"] not in ids_before


def test_cursor_of_the_last_task_gives_an_empty_last_page(http, nk):
    every = http.get("/v1/tasks", params={"limit": 10_000}, headers=nk).json()["data"]
    body = http.get("/v1/tasks", params={"cursor": every[-1]["id"], "limit": 5},
                    headers=nk).json()
    assert body == {"data": [], "pagination": {"has_next": False, "next_cursor": None,
                                               "total": len(every)}}


def test_lists_are_newest_first(http, ek, nk, sim):
    sim.advance(100)
    data = http.get("/v1/tasks", params={"limit": 10_000}, headers=nk).json()["data"]
    created = [t["created_at"] for t in data]
    assert created == sorted(created, reverse=True)
    tasks = http.get("/redteam/list-tasks", params={"per_page": 100}, headers=ek).json()["tasks"]
    stamps = [http.get("/redteam/get-task", headers={**ek, "X-Enkrypt-Task-ID": t["task_id"]})
              .json()["data"]["created_at"] for t in tasks]
    assert stamps == sorted(stamps, reverse=True)
    names = http.get("/datasets/list-tasks", params={"per_page": 100}, headers=ek).json()
    stamps = [http.get("/datasets/get-task", headers={**ek, "X-Enkrypt-Dataset": n})
              .json()["data"]["created_at"] for n in names["datasets"]]
    assert stamps == sorted(stamps, reverse=True)


# ----------------------------------------------------------------------------------------- auth

ENKRYPT_PATHS = ["/redteam/list-tasks", "/datasets/list-tasks", "/redteam/get-task",
                 "/datasets/get-task"]
NIMBLE_PATHS = ["/v1/tasks", "/v1/tasks/123e4567-e89b-12d3-a456-426614174000"]


@pytest.mark.parametrize("path", ENKRYPT_PATHS)
@pytest.mark.parametrize("headers", [
    {}, {"apikey": "wrong-key-wrong-key"}, {"apikey": ""},
    {"Authorization": f"Bearer {DEMO_ENKRYPT_KEY}"}, {"apikey": DEMO_NIMBLE_KEY},
], ids=["none", "wrong", "empty", "bearer-style", "other-vendor-key"])
def test_enkrypt_paths_need_the_apikey_header(http, path, headers):
    r = http.get(path, headers=headers)
    assert r.status_code == 401
    assert r.json() == {"message": "Unauthorized: invalid or missing apikey"}


@pytest.mark.parametrize("path", NIMBLE_PATHS)
@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer wrong-key-wrong-key"}, {"Authorization": DEMO_NIMBLE_KEY},
    {"Authorization": f"Basic {DEMO_NIMBLE_KEY}"}, {"apikey": DEMO_NIMBLE_KEY},
    {"Authorization": f"Bearer {DEMO_ENKRYPT_KEY}"},
], ids=["none", "wrong", "no-scheme", "basic", "apikey-style", "other-vendor-key"])
def test_nimble_paths_need_a_bearer_token(http, path, headers):
    r = http.get(path, headers=headers)
    assert r.status_code == 401
    assert r.json() == {"status": "failed", "msg": "Unauthorized"}
    assert r.headers["www-authenticate"].startswith("Bearer")


def test_right_keys_open_their_own_vendor_only(http, ek, nk):
    assert http.get("/redteam/list-tasks", headers=ek).status_code == 200
    assert http.get("/v1/tasks", headers=nk).status_code == 200
    assert http.get("/v1/tasks", headers={"Authorization": "bearer " + DEMO_NIMBLE_KEY}
                    ).status_code == 200  # the scheme is case-insensitive


def test_demo_keys_are_readable_distinct_and_not_too_short(sim):
    assert (sim.enkrypt_key, sim.nimble_key) == (DEMO_ENKRYPT_KEY, DEMO_NIMBLE_KEY)
    assert len(DEMO_ENKRYPT_KEY) >= 16 and len(DEMO_NIMBLE_KEY) >= 16
    assert DEMO_ENKRYPT_KEY[-4:] != DEMO_NIMBLE_KEY[-4:]  # masked labels tell them apart


def test_custom_keys_replace_the_demo_keys():
    with start_simulator(manual_clock=True, enkrypt_key="e" * 24, nimble_key="n" * 24) as sim:
        with client(sim) as http:
            assert http.get("/redteam/list-tasks", headers={"apikey": DEMO_ENKRYPT_KEY}
                            ).status_code == 401
            assert http.get("/redteam/list-tasks", headers={"apikey": "e" * 24}).status_code == 200
            assert http.get("/v1/tasks", headers={"Authorization": "Bearer " + "n" * 24}
                            ).status_code == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com"])
def test_non_loopback_host_is_refused(host):
    with pytest.raises(ValueError, match="non-loopback"):
        start_simulator(host=host)


def test_ipv6_loopback_works():
    try:
        sim = start_simulator(host="::1", manual_clock=True)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with sim, client(sim) as http:
        assert sim.url.startswith("http://[::1]:")
        assert http.get("/v1/tasks", headers={"Authorization": f"Bearer {sim.nimble_key}"}
                        ).status_code == 200


# ---------------------------------------------------------------------------- detail endpoints


def test_get_task_header_rules(http, ek):
    first = http.get("/datasets/list-tasks", headers=ek).json()["datasets"][0]
    data = http.get("/datasets/get-task", headers={**ek, "X-Enkrypt-Dataset": first}
                    ).json()["data"]
    both = {**ek, "X-Enkrypt-Dataset": first, "X-Enkrypt-Task-ID": data["task_id"]}
    assert http.get("/datasets/get-task", headers=both).json()["data"] == data
    mismatch = {**both, "X-Enkrypt-Dataset": "SomethingElse"}
    assert http.get("/datasets/get-task", headers=mismatch).status_code == 404
    r = http.get("/datasets/get-task", headers=ek)
    assert r.status_code == 400 and "X-Enkrypt-Dataset" in r.json()["error"]
    r = http.get("/datasets/get-task", headers={**ek, "X-Enkrypt-Dataset": "NoSuchDataset"})
    assert (r.status_code, r.json()) == (404, {"error": "Task not found"})
    r = http.get("/redteam/get-task", headers=ek)
    assert r.status_code == 400 and "X-Enkrypt-Task-ID" in r.json()["error"]
    r = http.get("/redteam/get-task", headers={**ek, "X-Enkrypt-Task-ID": "red-team-nope"})
    assert (r.status_code, r.json()) == (404, {"error": "Task not found"})


def test_unknown_paths_and_methods(http, ek, nk):
    assert http.get("/nope").status_code == 404
    assert http.get("/redteam/nope", headers=ek).status_code == 404
    r = http.get("/v1/nope", headers=nk)
    assert (r.status_code, r.json()["status"]) == (404, "failed")
    r = http.post("/redteam/list-tasks", headers=ek)
    assert (r.status_code, r.headers["allow"]) == (405, "GET")


def test_query_and_trailing_slash_tolerance(http, ek):
    a = http.get("/redteam/list-tasks", params={"per_page": 3}, headers=ek).json()
    b = http.get("/redteam/list-tasks/", params={"per_page": 3, "page": "1"}, headers=ek).json()
    assert a == b


# ------------------------------------------------------------------------------ time & seeds


def _fingerprint(sim) -> list[bytes]:
    ek = {"apikey": sim.enkrypt_key}
    nk = {"Authorization": f"Bearer {sim.nimble_key}"}
    with client(sim) as http:
        first_dataset = http.get("/datasets/list-tasks", headers=ek).json()["datasets"][0]
        first_task = http.get("/redteam/list-tasks", headers=ek).json()["tasks"][0]["task_id"]
        return [
            http.get("/redteam/list-tasks", params={"per_page": 100}, headers=ek).content,
            http.get("/datasets/list-tasks", params={"per_page": 100}, headers=ek).content,
            http.get("/v1/tasks", params={"limit": 1000}, headers=nk).content,
            http.get("/datasets/get-task", headers={**ek, "X-Enkrypt-Dataset": first_dataset}
                     ).content,
            http.get("/redteam/get-task", headers={**ek, "X-Enkrypt-Task-ID": first_task}
                     ).content,
        ]


def test_same_seed_same_bytes_other_seed_other_bytes():
    with (start_simulator(seed=7, manual_clock=True) as a,
          start_simulator(seed=7, manual_clock=True) as b,
          start_simulator(seed=8, manual_clock=True) as c):
        fa, fb, fc = _fingerprint(a), _fingerprint(b), _fingerprint(c)
        assert fa == fb
        assert all(x != y for x, y in zip(fa, fc, strict=True))
        for sim in (a, b):
            sim.advance(1234.5)
        assert _fingerprint(a) == _fingerprint(b) != fa


def test_manual_clock_starts_at_the_epoch_and_stands_still(sim, http, ek):
    assert sim.now().isoformat() == "2026-11-20T12:00:00+00:00"
    first = http.get("/redteam/list-tasks", params={"per_page": 100}, headers=ek).content
    assert http.get("/redteam/list-tasks", params={"per_page": 100}, headers=ek).content == first
    assert sim.advance(90).isoformat() == "2026-11-20T12:01:30+00:00"
    with pytest.raises(ValueError):
        sim.advance(-1)


def test_tasks_evolve_with_simulated_time(sim, http, ek, nk):
    def redteam():
        tasks = enkrypt_pages(http, ek, "/redteam/list-tasks", 100)
        return {t["task_id"]: t["status"] for p in tasks for t in p["tasks"]}

    def detail(task_id):
        return http.get("/redteam/get-task", headers={**ek, "X-Enkrypt-Task-ID": task_id}
                        ).json()["data"]

    sim.advance(50)  # 2 new red-team tasks (see test_new_tasks_appear_over_time)
    start = redteam()
    running = [t for t, s in start.items() if s == "Running"]
    queued = [t for t, s in start.items() if s == "Queued"]
    assert running and queued
    started = {t: detail(t)["started_at"] for t in running}
    sim.advance(4 * 3600)
    later = redteam()
    assert len(later) == len(start) + 4 * 3600 // 20
    assert all(later[t] in ("Finished", "Failed") for t in running)
    assert all(later[t] != "Queued" for t in queued)
    for t in running:
        d = detail(t)
        assert d["started_at"] == started[t] and d["progress"] in range(101)
        assert d["completed_at"] is not None
    for t in queued:
        assert detail(t)["started_at"] is not None

    nimble_before = http.get("/v1/tasks", params={"limit": 100}, headers=nk).json()["data"]
    pending = [t for t in nimble_before if t["state"] == "pending"]
    assert pending
    sim.advance(3600)
    for t in pending:
        now = http.get(f"/v1/tasks/{t['id']}", headers=nk).json()["task"]
        assert now["state"] in ("success", "error")
        assert now["modified_at"] > t["modified_at"] and "status_code" in now
        assert now["created_at"] == t["created_at"]


def test_new_tasks_appear_over_time(sim, http, ek, nk):
    def totals():
        return (
            http.get("/redteam/list-tasks", headers=ek).json()["pagination"]["total_count"],
            http.get("/datasets/list-tasks", headers=ek).json()["pagination"]["total_count"],
            http.get("/v1/tasks", params={"limit": 1}, headers=nk).json()["pagination"]["total"],
        )

    assert totals() == (300, 60, 400)
    # Task k arrives at k*interval + [0, interval/2): at 650 s exactly 32 (every 20 s) and 10
    # (every 60 s) have arrived.
    sim.advance(650)
    assert totals() == (332, 70, 432)
    top = http.get("/redteam/list-tasks", params={"per_page": 1}, headers=ek).json()["tasks"][0]
    assert top["status"] == "Queued"  # the newest task has just arrived


def test_real_time_clock_moves_at_rate():
    with start_simulator(rate=2000) as sim, client(sim) as http:
        ek = {"apikey": sim.enkrypt_key}
        first = http.get("/redteam/list-tasks", headers=ek).json()["pagination"]["total_count"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            total = http.get("/redteam/list-tasks", headers=ek).json()["pagination"]["total_count"]
            if total > first:
                break
            time.sleep(0.01)
        assert total > first
        assert sim.now() > EPOCH


# --------------------------------------------------------------------------------- add_task


def test_add_task_inserts_a_frozen_newest_task_verbatim(sim, http, ek, nk):
    hostile = "[bold red]boom[/] \x1b[31m\u202e" + "x" * 300
    rid = sim.add_task("redteam", test_name=hostile, status="Running")
    nid = sim.add_task("nimble", state="error", error=hostile, status_code="500")
    name = sim.add_task("datasets", dataset_name=hostile, status="Failed")
    assert rid.startswith("red-team-") and len(nid) == 36 and name == hostile

    top = http.get("/redteam/list-tasks", params={"per_page": 1}, headers=ek).json()["tasks"][0]
    assert (top["task_id"], top["test_name"], top["status"]) == (rid, hostile, "Running")
    top = http.get("/v1/tasks", params={"limit": 1}, headers=nk).json()["data"][0]
    assert (top["id"], top["error"], top["status_code"]) == (nid, hostile, "500")
    assert http.get("/datasets/list-tasks", params={"status": "Failed"}, headers=ek
                    ).json()["datasets"][0] == hostile
    data = http.get("/datasets/get-task", headers={**ek, "X-Enkrypt-Dataset": "Failed-ds"})
    assert data.status_code == 404
    plain = sim.add_task("datasets", dataset_name="Failed-ds", status="Failed")
    data = http.get("/datasets/get-task", headers={**ek, "X-Enkrypt-Dataset": plain}).json()
    assert (data["data"]["dataset_name"], data["data"]["status"]) == ("Failed-ds", "Failed")

    sim.advance(7200)  # added tasks never change; they sink below newer ones
    assert http.get(f"/v1/tasks/{nid}", headers=nk).json()["task"]["state"] == "error"
    d = http.get("/redteam/get-task", headers={**ek, "X-Enkrypt-Task-ID": rid}).json()["data"]
    assert d["status"] == "Running" and d["test_name"] == hostile
    top = http.get("/redteam/list-tasks", params={"per_page": 1}, headers=ek).json()["tasks"][0]
    assert top["task_id"] != rid


def test_add_task_defaults_and_explicit_ids(sim, http, ek, nk):
    rid = sim.add_task("redteam")
    d = http.get("/redteam/get-task", headers={**ek, "X-Enkrypt-Task-ID": rid}).json()["data"]
    assert d["status"] == "Queued" and d["created_at"] == "2026-11-20T12:00:00.000000+00:00"
    nid = sim.add_task("nimble", id="00000000-0000-4000-8000-000000000001")
    assert nid == "00000000-0000-4000-8000-000000000001"
    task = http.get(f"/v1/tasks/{nid}", headers=nk).json()["task"]
    assert task["state"] == "pending" and task["created_at"] == "2026-11-20T12:00:00Z"
    second = sim.add_task("nimble")
    ids = [t["id"] for t in http.get("/v1/tasks", params={"limit": 3}, headers=nk
                                     ).json()["data"]]
    assert ids[:2] == [second, nid]  # the later addition is the newer one
    # the cursor of an added task works like any other
    after = http.get("/v1/tasks", params={"cursor": nid, "limit": 1}, headers=nk).json()
    assert after["data"][0]["id"] == ids[2]
    with pytest.raises(ValueError):
        sim.add_task("jobs")


def test_add_task_can_send_wrong_types_verbatim(sim, http, ek):
    sim.add_task("redteam", status=3, model_name=None, extra_field={"nested": [1, 2]})
    top = http.get("/redteam/list-tasks", params={"per_page": 1}, headers=ek).json()["tasks"][0]
    assert top["status"] == 3 and top["model_name"] is None
    assert top["extra_field"] == {"nested": [1, 2]}


def test_update_task_changes_one_task_for_this_simulator_only(sim, http, nk, ek):
    tasks = http.get("/v1/tasks", params={"limit": 5}, headers=nk).json()["data"]
    target = tasks[3]
    sim.update_task("nimble", target["id"], state="error", error="disk full")
    after = http.get("/v1/tasks", params={"limit": 5}, headers=nk).json()["data"]
    assert after[3] == {**target, "state": "error", "error": "disk full"}
    assert after[:3] + after[4:] == tasks[:3] + tasks[4:]
    name = http.get("/datasets/list-tasks", params={"per_page": 1}, headers=ek).json()
    name = name["datasets"][0]
    sim.update_task("datasets", name, status="Failed")
    headers = {**ek, "X-Enkrypt-Dataset": name}
    assert http.get("/datasets/get-task", headers=headers).json()["data"]["status"] == "Failed"
    with start_simulator(seed=sim.seed, manual_clock=True) as other, client(other) as fresh:
        untouched = fresh.get("/v1/tasks", params={"limit": 5}, headers=nk).json()["data"]
        assert untouched[3] == target  # the seed's shared history was not changed
    with pytest.raises(KeyError):
        sim.update_task("redteam", "red-team-nonexistent", status="Failed")


def test_lone_surrogates_are_escaped_not_fatal(sim, http, ek):
    sim.add_task("redteam", test_name="bad \ud800 half")
    r = http.get("/redteam/list-tasks", params={"per_page": 1}, headers=ek)
    assert r.status_code == 200
    assert "\\ud800" in r.text


# ----------------------------------------------------------------------------- counts & HTTP


def test_counts_and_reset(sim, http, ek, nk):
    assert sim.counts() == {}
    http.get("/redteam/list-tasks", params={"page": 2}, headers=ek)
    http.get("/redteam/list-tasks", headers=ek)
    http.get("/redteam/list-tasks")  # 401s are requests too
    http.get("/v1/tasks", headers=nk)
    http.get("/v1/tasks/abc", headers=nk)
    http.get("/_sim/counts")  # control paths are not counted
    assert sim.counts() == {"/redteam/list-tasks": 3, "/v1/tasks": 1, "/v1/tasks/abc": 1}
    assert http.get("/_sim/counts").json() == sim.counts()
    sim.reset_counts()
    assert sim.counts() == {}
    http.get("/datasets/list-tasks", headers=ek)
    assert http.post("/_sim/reset-counts").json() == {"ok": True}
    assert sim.counts() == {}


def test_peaks_count_requests_answered_at_once(sim, http, nk):
    import threading

    from tui.sim.server import Fault

    http.get("/v1/tasks", headers=nk)
    http.get("/v1/tasks", headers=nk)
    assert sim.peaks() == {"/v1/tasks": 1}  # one after the other
    sim.set_fault(Fault("hang", path_prefix="/v1/tasks", seconds=60, times=1))

    def hung() -> None:
        with client(sim) as other:
            try:
                other.get("/v1/tasks", headers=nk)
            except httpx.HTTPError:
                pass  # dropped when the simulator stops

    threading.Thread(target=hung, daemon=True).start()
    deadline = time.monotonic() + 20  # a condition waited on; the limit only ends a failure
    while sim.counts()["/v1/tasks"] != 3:
        assert time.monotonic() < deadline, "the hung request never arrived"
        time.sleep(0.01)
    http.get("/v1/tasks", headers=nk)  # answered while the other one hangs
    assert sim.peaks() == {"/v1/tasks": 2}
    assert http.get("/_sim/peaks").json() == sim.peaks()
    sim.reset_counts()
    assert sim.peaks() == {}


def test_keep_alive_reuses_one_connection(http, ek):
    ports = set()
    for _ in range(5):
        r = http.get("/redteam/list-tasks", headers=ek)
        ports.add(r.extensions["network_stream"].get_extra_info("client_addr")[1])
        assert r.headers.get("connection", "").lower() != "close"
    assert len(ports) == 1


def test_stop_closes_kept_alive_connections(http, ek, sim):
    assert http.get("/redteam/list-tasks", headers=ek).status_code == 200
    sim.stop()
    with pytest.raises(httpx.TransportError):
        http.get("/redteam/list-tasks", headers=ek)
    sim.stop()  # idempotent


def test_control_mirror_advance_and_tasks(sim, http, ek):
    r = http.post("/_sim/advance", params={"seconds": 60})
    assert r.json() == {"now": "2026-11-20T12:01:00+00:00"}
    assert http.get("/_sim/now").json()["now"] == sim.now().isoformat()
    r = http.post("/_sim/tasks", json={"kind": "redteam", "fields": {"test_name": "via http"}})
    rid = r.json()["id"]
    top = http.get("/redteam/list-tasks", params={"per_page": 1}, headers=ek).json()["tasks"][0]
    assert (top["task_id"], top["test_name"]) == (rid, "via http")
    assert http.post("/_sim/tasks", json={"kind": "nope"}).status_code == 400
    assert http.post("/_sim/advance", params={"seconds": "x"}).status_code == 400
    assert http.get("/_sim/nope").status_code == 404
