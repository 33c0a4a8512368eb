"""Every fault kind the simulator injects, seen from a real HTTP client."""

from __future__ import annotations

import json
import ssl
import threading
import time

import httpx
import pytest

from tui.sim.faults import HUGE_BYTES, Fault

TLS = ssl.create_default_context()


def client(sim, **kw) -> httpx.Client:
    return httpx.Client(base_url=sim.url, verify=TLS, **({"timeout": 10} | kw))


@pytest.fixture
def http(sim):
    with client(sim) as c:
        yield c



def wait_for(condition, timeout=10.0):
    """Poll until condition() is true (a condition wait, not a timing assumption)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.005)


# ------------------------------------------------------------------------- matching & lifetime


def test_times_limits_the_fault_to_the_next_n_matching_requests(sim, http, ek):
    sim.set_fault(Fault(kind="status", path_prefix="/redteam", status=503, times=2))
    assert http.get("/datasets/list-tasks", headers=ek).status_code == 200  # not matching
    assert [http.get("/redteam/list-tasks", headers=ek).status_code for _ in range(3)] == [
        503, 503, 200]


def test_until_cleared_and_empty_prefix_matches_every_api_path(sim, http, ek, nk):
    sim.set_fault(Fault(kind="status", status=500))
    for _ in range(3):
        assert http.get("/redteam/list-tasks", headers=ek).status_code == 500
        assert http.get("/v1/tasks", headers=nk).status_code == 500
    assert http.get("/_sim/counts").status_code == 200  # control paths are never faulted
    sim.clear_faults()
    assert http.get("/v1/tasks", headers=nk).status_code == 200


def test_first_matching_fault_wins(sim, http, ek):
    sim.set_fault(Fault(kind="status", path_prefix="/redteam/get", status=404))
    sim.set_fault(Fault(kind="status", path_prefix="/redteam", status=429))
    assert http.get("/redteam/list-tasks", headers=ek).status_code == 429
    assert http.get("/redteam/get-task", headers=ek).status_code == 404


def test_bad_keys_get_401_and_do_not_use_up_a_fault(sim, http, ek):
    sim.set_fault(Fault(kind="status", status=429, times=1))
    assert http.get("/redteam/list-tasks").status_code == 401
    assert http.get("/redteam/list-tasks", headers=ek).status_code == 429
    assert http.get("/redteam/list-tasks", headers=ek).status_code == 200


def test_fault_validation():
    with pytest.raises(ValueError):
        Fault(kind="explode")
    with pytest.raises(ValueError):
        Fault(kind="status", times=0)
    assert Fault(kind="status").status == 500
    assert Fault(kind="html").status == 502
    assert Fault(kind="hang").seconds == 60.0
    assert Fault(kind="status", retry_after=3).retry_after == "3"
    assert Fault(kind="many_rows").rows == 100_000
    with pytest.raises(ValueError):
        Fault(kind="many_rows", rows=-1)


# ------------------------------------------------------------------------------------ status


@pytest.mark.parametrize("status, nimble_body, enkrypt_body", [
    (402, {"status": "failed", "msg": "trial expired"}, {"status": "failed", "msg": "trial expired"}),
    (429, {"status": "failed", "msg": "Rate limit exceeded"},
     {"status": "failed", "msg": "Rate limit exceeded"}),
    (404, {"status": "failed", "error": "Task not found"}, {"error": "Task not found"}),
    (403, {"status": "failed", "msg": "Forbidden"},
     {"message": "Forbidden: this key may not access this resource"}),
    (401, {"status": "failed", "msg": "Unauthorized"},
     {"message": "Unauthorized: invalid or missing apikey"}),
    (503, {"status": "failed", "msg": "Service Unavailable"}, {"error": "Service Unavailable"}),
])
def test_status_bodies_per_vendor(sim, http, ek, nk, status, nimble_body, enkrypt_body):
    sim.set_fault(Fault(kind="status", status=status))
    r = http.get("/v1/tasks", headers=nk)
    assert (r.status_code, r.json()) == (status, nimble_body)
    r = http.get("/datasets/list-tasks", headers=ek)
    assert (r.status_code, r.json()) == (status, enkrypt_body)
    assert "retry-after" not in r.headers


def test_500_body_follows_error500(sim, http, nk):
    sim.set_fault(Fault(kind="status", status=500))
    body = http.get("/v1/tasks", headers=nk).json()
    assert body["success"] == "false" and body["message"] and body["task_id"]


@pytest.mark.parametrize("retry_after", ["3", "Wed, 21 Oct 2026 07:28:00 GMT"])
def test_retry_after_header(sim, http, ek, retry_after):
    sim.set_fault(Fault(kind="status", path_prefix="/redteam", status=429,
                        retry_after=retry_after))
    r = http.get("/redteam/list-tasks", headers=ek)
    assert (r.status_code, r.headers["retry-after"]) == (429, retry_after)


# ------------------------------------------------------------------------------- body faults


def test_html_502(sim, http, ek):
    sim.set_fault(Fault(kind="html"))
    r = http.get("/redteam/list-tasks", headers=ek)
    assert r.status_code == 502
    assert r.headers["content-type"].startswith("text/html")
    assert r.text.startswith("<html>") and "502 Bad Gateway" in r.text


@pytest.mark.parametrize("path", ["/redteam/list-tasks", "/datasets/list-tasks", "/v1/tasks"])
def test_truncated_is_the_first_half_of_the_real_answer(sim, http, ek, nk, path):
    headers = nk if path.startswith("/v1") else ek
    whole = http.get(path, headers=headers).content
    sim.set_fault(Fault(kind="truncated", times=1))
    r = http.get(path, headers=headers)
    assert r.status_code == 200
    assert r.content == whole[: len(whole) // 2]
    with pytest.raises(json.JSONDecodeError):
        r.json()
    assert http.get(path, headers=headers).content == whole  # connection still usable


def test_wrong_type_per_endpoint(sim, http, ek, nk):
    rid = http.get("/redteam/list-tasks", headers=ek).json()["tasks"][0]["task_id"]
    nid = http.get("/v1/tasks", headers=nk).json()["data"][0]["id"]
    sim.set_fault(Fault(kind="wrong_type"))
    body = http.get("/datasets/list-tasks", headers=ek).json()
    assert body["pagination"]["total_count"] == "60"
    body = http.get("/redteam/list-tasks", headers=ek).json()
    assert isinstance(body["tasks"][0]["status"], int)
    assert isinstance(body["tasks"][1]["status"], str)
    body = http.get("/v1/tasks", headers=nk).json()
    assert body["pagination"]["total"] == "400"
    body = http.get("/redteam/get-task", headers={**ek, "X-Enkrypt-Task-ID": rid}).json()
    assert isinstance(body["data"]["status"], int)
    body = http.get("/datasets/get-task", headers={**ek, "X-Enkrypt-Dataset": "Election"}).json()
    assert isinstance(body["data"]["status"], int)
    body = http.get(f"/v1/tasks/{nid}", headers=nk).json()
    assert isinstance(body["task"]["state"], int)
    sim.clear_faults()
    # the fault works on a copy: the simulator's own data is untouched
    body = http.get("/redteam/list-tasks", headers=ek).json()
    assert isinstance(body["tasks"][0]["status"], str)


@pytest.mark.parametrize("path, pick", [
    ("/datasets/list-tasks", lambda b: b["datasets"][0]),
    ("/redteam/list-tasks", lambda b: b["tasks"][0]["test_name"]),
    ("/v1/tasks", lambda b: b["data"][0]["account_name"]),
])
def test_huge_is_a_20_mb_valid_json_answer(sim, http, ek, nk, path, pick):
    headers = nk if path.startswith("/v1") else ek
    sim.set_fault(Fault(kind="huge", path_prefix=path, times=1))
    r = http.get(path, headers=headers)
    assert r.status_code == 200
    assert int(r.headers["content-length"]) == len(r.content) >= HUGE_BYTES
    assert len(pick(r.json())) == HUGE_BYTES
    assert len(http.get(path, headers=headers).content) < 100_000


@pytest.mark.parametrize("path, picks", [
    ("/datasets/list-tasks", [lambda b: b["datasets"][0], lambda b: b["echo"]]),
    ("/redteam/list-tasks", [lambda b: b["tasks"][0]["task_id"], lambda b: b["tasks"][0]["echo"]]),
    ("/v1/tasks", [lambda b: b["data"][0]["id"], lambda b: b["pagination"]["next_cursor"]]),
])
def test_echo_key_puts_the_callers_key_in_a_200_answer(sim, http, ek, nk, path, picks):
    headers, key = (nk, sim.nimble_key) if path.startswith("/v1") else (ek, sim.enkrypt_key)
    sim.set_fault(Fault(kind="echo_key", path_prefix=path, times=1))
    r = http.get(path, headers=headers)
    assert r.status_code == 200
    assert [pick(r.json()) for pick in picks] == [key, key]
    assert key not in http.get(path, headers=headers).text


@pytest.mark.parametrize("path, member", [
    ("/datasets/list-tasks", "datasets"), ("/redteam/list-tasks", "tasks"), ("/v1/tasks", "data"),
])
def test_many_rows_pads_a_list_answer_within_the_clients_body_cap(sim, http, ek, nk, path, member):
    headers = nk if path.startswith("/v1") else ek
    normal = http.get(path, headers=headers).json()
    sim.set_fault(Fault(kind="many_rows", path_prefix=path, times=1))
    r = http.get(path, headers=headers)
    rows = r.json()[member]
    assert len(rows) == 100_000 and len(set(map(json.dumps, rows))) == 100_000
    assert rows[: len(normal[member])] == normal[member]
    assert len(r.content) < 8 * 1024 * 1024
    sim.set_fault(Fault(kind="many_rows", path_prefix=path, rows=150, times=1))
    assert len(http.get(path, headers=headers).json()[member]) == 150


def test_impossible_count_claims_minus_five_tasks(sim, http, ek, nk):
    sim.set_fault(Fault(kind="impossible_count"))
    assert http.get("/redteam/list-tasks", headers=ek).json()["pagination"]["total_count"] == -5
    assert http.get("/v1/tasks", headers=nk).json()["pagination"]["total"] == -5


# ------------------------------------------------------------------------- connection faults


def test_latency_delays_then_answers_normally(sim, http, ek):
    whole = http.get("/redteam/list-tasks", headers=ek).content
    sim.set_fault(Fault(kind="latency", seconds=0.3, times=1))
    r = http.get("/redteam/list-tasks", headers=ek)
    assert r.content == whole
    assert r.elapsed.total_seconds() >= 0.3  # a lower bound: sleeping guarantees it


def test_drop_closes_without_an_answer(sim, http, nk):
    sim.set_fault(Fault(kind="drop", times=1))
    with pytest.raises(httpx.RemoteProtocolError):
        http.get("/v1/tasks", headers=nk)
    assert http.get("/v1/tasks", headers=nk).status_code == 200


def test_hang_times_out_the_client_but_not_other_requests(sim, ek, nk):
    sim.set_fault(Fault(kind="hang", path_prefix="/v1", seconds=60))
    outcome = {}

    def hung_request():
        with client(sim, timeout=httpx.Timeout(10, read=0.5)) as c:
            try:
                c.get("/v1/tasks", headers=nk)
            except httpx.TransportError as exc:
                outcome["error"] = exc

    worker = threading.Thread(target=hung_request)
    worker.start()
    wait_for(lambda: sim.counts().get("/v1/tasks") == 1)
    # while that request hangs, the server keeps answering others
    with client(sim) as other:
        assert other.get("/redteam/list-tasks", headers=ek).status_code == 200
    worker.join(30)
    assert isinstance(outcome.get("error"), httpx.ReadTimeout)


def test_short_hang_ends_with_a_closed_connection(sim, http, nk):
    sim.set_fault(Fault(kind="hang", seconds=0.2, times=1))
    with pytest.raises(httpx.RemoteProtocolError):
        http.get("/v1/tasks", headers=nk)


def test_stop_releases_hung_requests(sim, nk):
    sim.set_fault(Fault(kind="hang", seconds=600))
    errors = []

    def hung_request():
        with client(sim, timeout=120) as c:
            try:
                c.get("/v1/tasks", headers=nk)
            except httpx.TransportError as exc:
                errors.append(exc)

    worker = threading.Thread(target=hung_request)
    worker.start()
    wait_for(lambda: sim.counts().get("/v1/tasks") == 1)
    sim.stop()
    worker.join(30)
    assert not worker.is_alive() and len(errors) == 1


# ---------------------------------------------------------------------------- control mirror


def test_faults_over_http_control_endpoints(sim, http, ek):
    r = http.post("/_sim/faults", json={"kind": "status", "path_prefix": "/redteam",
                                        "status": 429, "retry_after": "7", "times": 1})
    assert r.status_code == 200 and r.json()["fault"]["status"] == 429
    assert http.get("/_sim/faults").json()["faults"][0]["kind"] == "status"
    r = http.get("/redteam/list-tasks", headers=ek)
    assert (r.status_code, r.headers["retry-after"]) == (429, "7")
    assert http.get("/_sim/faults").json() == {"faults": []}
    http.post("/_sim/faults", json={"kind": "html"})
    assert http.delete("/_sim/faults").json() == {"ok": True}
    assert http.get("/redteam/list-tasks", headers=ek).status_code == 200
    assert http.post("/_sim/faults", json={"kind": "nope"}).status_code == 400
    assert http.post("/_sim/faults", json={"kind": "status", "colour": 1}).status_code == 400
    assert http.post("/_sim/faults", content=b"{not json").status_code == 400
