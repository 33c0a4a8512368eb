"""Every simulator answer matches the vendor OpenAPI documents in tests/contract (over real HTTP).

Schemas are taken from the spec files themselves (response schema of each path and status, with
the spec's own $ref resolution), so a drift between the simulator and the contract fails here.
"""

from __future__ import annotations

import ssl
from collections import Counter
from functools import cache
from urllib.parse import urlsplit

import httpx
import pytest
from openapi_schema_validator import (
    OAS30Validator,
    OAS31Validator,
    oas30_format_checker,
    oas31_format_checker,
)
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012
from support.contract import example, openapi

from tui.sim.faults import Fault

DATASETS_LIST = ("enkrypt-datasets-list-tasks", "/datasets/list-tasks")
DATASETS_GET = ("enkrypt-datasets-get-task", "/datasets/get-task")
REDTEAM_LIST = ("enkrypt-redteam-list-tasks", "/redteam/list-tasks")
NIMBLE_LIST = ("nimble-list-tasks", "/v1/tasks")


@cache
def _registry(name: str) -> tuple[Registry, str, bool]:
    doc = openapi(name)
    oas31 = str(doc["openapi"]).startswith("3.1")
    uri = f"urn:tasktop-spec:{name}"
    resource = Resource.from_contents(doc, default_specification=DRAFT202012 if oas31 else DRAFT4)
    return Registry().with_resource(uri, resource), uri, oas31


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


@cache
def validator(name: str, pointer: str):
    registry, uri, oas31 = _registry(name)
    cls, checker = (OAS31Validator, oas31_format_checker) if oas31 else (
        OAS30Validator, oas30_format_checker)
    return cls({"$ref": f"{uri}#/{pointer}"}, registry=registry, format_checker=checker)


def response_validator(spec: tuple[str, str], status: int):
    name, path = spec
    pointer = _pointer("paths", path, "get", "responses", str(status), "content",
                       "application/json", "schema")
    return validator(name, pointer)


def assert_valid(v, instance) -> None:
    errors = sorted(v.iter_errors(instance), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def check(spec: tuple[str, str], response: httpx.Response) -> dict:
    """Validate a response body against the spec's schema for its path and status; return it."""
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert_valid(response_validator(spec, response.status_code), body)
    return body


def assert_uri(value: str) -> None:
    """The validator has no 'uri' format checker installed; check the essentials by hand."""
    parts = urlsplit(value)
    assert parts.scheme in ("http", "https") and parts.netloc, value


#: One TLS context for all clients (never used on plain http, but costly to build per client).
TLS = ssl.create_default_context()


@pytest.fixture
def http(sim):
    with httpx.Client(base_url=sim.url, timeout=10, verify=TLS) as client:
        yield client



# ------------------------------------------------------------------------------- Enkrypt lists

LIST_PARAMS = [
    {},
    {"page": 1, "per_page": 100},
    {"page": 3, "per_page": 7},
    {"page": 999, "per_page": 10},
    {"status": "Queued"},
    {"status": "Running", "per_page": 100},
    {"status": "Finished", "page": 2},
    {"status": "Failed", "per_page": 1},
]


@pytest.mark.parametrize("params", LIST_PARAMS)
@pytest.mark.parametrize("spec", [DATASETS_LIST, REDTEAM_LIST], ids=["datasets", "redteam"])
def test_enkrypt_list_200_matches_spec(http, ek, sim, spec, params):
    for _ in range(2):  # at the epoch and after the population has moved on
        body = check(spec, http.get(spec[1], params=params, headers=ek))
        assert set(body) == {"datasets" if spec is DATASETS_LIST else "tasks", "pagination"}
        assert set(body["pagination"]) == {
            "page", "per_page", "total_count", "total_pages", "has_next", "has_previous"}
        sim.advance(600)


@pytest.mark.parametrize("params", [
    {"page": 0}, {"page": -1}, {"page": "x"}, {"page": ""}, {"page": "1.5"},
    {"per_page": 0}, {"per_page": 101}, {"per_page": "ten"},
])
@pytest.mark.parametrize("spec", [DATASETS_LIST, REDTEAM_LIST], ids=["datasets", "redteam"])
def test_enkrypt_list_400_matches_spec_and_doc(http, ek, spec, params):
    r = http.get(spec[1], params=params, headers=ek)
    assert r.status_code == 400
    assert check(spec, r) == example(spec[0], 400)


@pytest.mark.parametrize("spec", [DATASETS_LIST, REDTEAM_LIST], ids=["datasets", "redteam"])
@pytest.mark.parametrize("status", ["queued", "Done", "", "Finished "])
def test_enkrypt_bad_status_400_names_valid_values(http, ek, spec, status):
    r = http.get(spec[1], params={"status": status}, headers=ek)
    assert r.status_code == 400
    message = check(spec, r)["error"]
    for word in ("Queued", "Running", "Finished", "Failed"):
        assert word in message


def test_redteam_items_have_every_documented_field(http, ek):
    body = check(REDTEAM_LIST, http.get("/redteam/list-tasks", params={"per_page": 100},
                                         headers=ek))
    for task in body["tasks"]:
        assert set(task) == {"status", "model_name", "task_id", "test_name", "project_name"}
        assert task["task_id"].startswith("red-team-")


# ------------------------------------------------------------------------------ Enkrypt details


def _all_datasets(http, ek) -> list[str]:
    names: list[str] = []
    page = 1
    while True:
        body = http.get("/datasets/list-tasks", params={"page": page, "per_page": 100},
                        headers=ek).json()
        names += body["datasets"]
        if not body["pagination"]["has_next"]:
            return names
        page += 1


def test_every_dataset_detail_matches_spec_in_every_status(http, ek, sim):
    seen: Counter[str] = Counter()
    for _ in range(3):
        for name in _all_datasets(http, ek):
            data = check(DATASETS_GET, http.get("/datasets/get-task",
                                                headers={**ek, "X-Enkrypt-Dataset": name}))["data"]
            assert data["dataset_name"] == name
            assert data["task_id"].startswith("data-generation-")
            assert ("started_at" in data) == (data["status"] != "Queued")
            by_id = http.get("/datasets/get-task",
                             headers={**ek, "X-Enkrypt-Task-ID": data["task_id"]})
            assert check(DATASETS_GET, by_id)["data"] == data
            seen[data["status"]] += 1
        sim.advance(95)  # new datasets arrive: some Queued, some Running
    assert set(seen) == {"Queued", "Running", "Finished", "Failed"}, seen


def test_redteam_detail_is_a_list_item_plus_extra_fields(http, ek, sim):
    item_schema = validator("enkrypt-redteam-list-tasks", "components/schemas/RedteamTask")
    seen = set()
    sim.advance(300)
    body = http.get("/redteam/list-tasks", params={"per_page": 100}, headers=ek).json()
    for task in body["tasks"]:
        r = http.get("/redteam/get-task", headers={**ek, "X-Enkrypt-Task-ID": task["task_id"]})
        assert r.status_code == 200
        data = r.json()["data"]
        assert_valid(item_schema, data)
        assert {k: data[k] for k in task} == task
        assert {"created_at", "started_at", "progress"} <= set(data) - set(task)
        assert (data["started_at"] is None) == (data["status"] == "Queued")
        assert 0 <= data["progress"] <= 100
        seen.add(data["status"])
    assert seen == {"Queued", "Running", "Finished", "Failed"}


# -------------------------------------------------------------------------------------- Nimble


def _nimble_item_validator():
    return validator("nimble-list-tasks",
                     "components/schemas/TaskListResponse/properties/data/items")


def test_nimble_full_walk_matches_spec_with_every_state(http, nk, sim):
    sim.advance(120)
    states: Counter[str] = Counter()
    cursor = None
    while True:
        params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
        body = check(NIMBLE_LIST, http.get("/v1/tasks", params=params, headers=nk))
        for task in body["data"]:
            states[task["state"]] += 1
            assert_uri(task["status_url"])
            assert_uri(task["download_url"])
            assert ("error" in task) == ("error_type" in task) == (task["state"] == "error")
            assert ("status_code" in task) == (task["state"] != "pending")
            assert ("output_url" in task) == (task["state"] == "success")
            assert task["api_type"] in ("web", "serp", "ecommerce", "social", "media", "agent",
                                        "extract")
        cursor = body["pagination"]["next_cursor"]
        if cursor is None:
            break
    assert set(states) == {"pending", "success", "error"}, states


def test_nimble_default_limit_is_100(http, nk):
    body = check(NIMBLE_LIST, http.get("/v1/tasks", headers=nk))
    assert len(body["data"]) == 100
    assert body["pagination"]["has_next"] is True


def test_nimble_get_task_is_the_list_item(http, nk, sim):
    item = _nimble_item_validator()
    body = http.get("/v1/tasks", params={"limit": 25}, headers=nk).json()
    for task in body["data"]:
        r = http.get(f"/v1/tasks/{task['id']}", headers=nk)
        assert r.status_code == 200
        assert set(r.json()) == {"task"}
        assert_valid(item, r.json()["task"])
        assert r.json()["task"] == task


@pytest.mark.parametrize("params, keyword", [
    ({"limit": 0}, "minimum"),
    ({"limit": -5}, "minimum"),
    ({"limit": "many"}, "type"),
    ({"limit": ""}, "type"),
    ({"cursor": "not-a-uuid"}, "format"),
    ({"cursor": "123e4567-e89b-12d3-a456-426614174000"}, None),  # well-formed but unknown
])
def test_nimble_400_matches_error400(http, nk, params, keyword):
    r = http.get("/v1/tasks", params=params, headers=nk)
    assert r.status_code == 400
    body = check(NIMBLE_LIST, r)
    assert body["status"] == "failed"
    assert body["error"] == "PARAMETERS_FAILED_JSON_SCHEMA_VALIDATION_ERROR"
    if keyword:
        assert body["details"]["schema_validation_errors"][0]["keyword"] == keyword


@pytest.mark.parametrize("task_id", ["123e4567-e89b-12d3-a456-426614174000", "nope"])
def test_nimble_unknown_task_404_matches_spec(http, nk, task_id):
    r = http.get(f"/v1/tasks/{task_id}", headers=nk)
    assert r.status_code == 404
    assert check(NIMBLE_LIST, r) == example(NIMBLE_LIST[0], 404)


@pytest.mark.parametrize("status", [402, 429, 500])
def test_nimble_fault_bodies_match_spec(http, nk, sim, status):
    sim.set_fault(Fault(kind="status", path_prefix="/v1/tasks", status=status))
    r = http.get("/v1/tasks", headers=nk)
    assert r.status_code == status
    assert check(NIMBLE_LIST, r) == example(NIMBLE_LIST[0], status)


def test_added_tasks_with_default_fields_match_spec(http, ek, nk, sim):
    sim.add_task("redteam")
    sim.add_task("nimble")
    name = sim.add_task("datasets")
    check(REDTEAM_LIST, http.get("/redteam/list-tasks", headers=ek))
    check(NIMBLE_LIST, http.get("/v1/tasks", headers=nk))
    check(DATASETS_GET, http.get("/datasets/get-task", headers={**ek, "X-Enkrypt-Dataset": name}))
