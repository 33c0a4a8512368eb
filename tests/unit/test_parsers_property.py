"""Property: whatever a server answers with 200, each of the six client calls returns its model or
raises ProtocolError — never a TypeError, KeyError, OverflowError or any other crash.

Bodies go through the real HTTP layer on httpx.MockTransport. Besides arbitrary JSON and bytes, the
strategies build bodies *almost* of the right shape (known field names, any value types), because
those are the ones that reach deep into the parsers.
"""

from __future__ import annotations

import asyncio
import json
import math

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tui.providers.base import Page, PageInfo, ProtocolError
from tui.providers.enkrypt import EnkryptClient
from tui.providers.models import DatasetTask, NimbleTask, RedteamTask
from tui.providers.nimble import NimbleClient
from tui.providers.retry import NO_RETRY

# ------------------------------------------------------------------------------- strategies

NUMBERS = (
    st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([0, -1, 1, 0.5, 1e308, -1e308, 2**63, 2**64, -(2**63) - 1])
)
LEAVES = st.none() | st.booleans() | NUMBERS | st.text(max_size=20)


def json_values(keys=st.text(max_size=8)):
    return st.recursive(
        LEAVES,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
        max_leaves=15,
    )


ANY_JSON = json_values()

PAGINATION_KEYS = ["page", "per_page", "total_count", "total_pages", "has_next", "has_previous",
                   "next_cursor", "total"]
TASK_KEYS = ["task_id", "status", "model_name", "test_name", "project_name", "id", "state",
             "status_url", "created_at", "input", "_query", "error", "status_code", "modified_at",
             "dataset_name", "started_at", "tools", "scenarios", "depth", "__tasktop_extra__"]


def objects(keys: list[str], values=ANY_JSON | LEAVES):
    """Dicts over mostly-known keys with values of any type."""
    return st.dictionaries(st.sampled_from(keys) | st.text(max_size=4), values, max_size=len(keys))


PAGINATION = objects(PAGINATION_KEYS, LEAVES) | ANY_JSON
TASK = objects(TASK_KEYS) | ANY_JSON
TOOLS = st.lists(objects(["name", "description"], LEAVES), max_size=3)


def shaped(list_key: str, item):
    return st.fixed_dictionaries(
        {}, optional={list_key: st.lists(item, max_size=4) | ANY_JSON, "pagination": PAGINATION}
    )


def bodies(shaped_strategy) -> st.SearchStrategy[bytes]:
    """JSON text of any value (NaN/Infinity tokens included), or arbitrary bytes."""
    as_json = (shaped_strategy | ANY_JSON).map(lambda v: json.dumps(v, allow_nan=True).encode())
    return as_json | st.binary(max_size=64)


REDTEAM_LIST = bodies(shaped("tasks", TASK))
DATASETS_LIST = bodies(shaped("datasets", st.text(max_size=10) | ANY_JSON))
NIMBLE_LIST = bodies(shaped("data", TASK))
DATASET_TASK = bodies(st.fixed_dictionaries({}, optional={
    "data": objects(TASK_KEYS) | st.fixed_dictionaries(
        {"dataset_name": st.text(max_size=5), "created_at": st.text(max_size=5),
         "status": st.text(max_size=5), "task_id": st.text(max_size=5)},
        optional={"tools": TOOLS | ANY_JSON, "depth": LEAVES}) | ANY_JSON}))
REDTEAM_TASK = bodies(st.fixed_dictionaries({}, optional={"data": TASK}))
NIMBLE_TASK = bodies(TASK | st.fixed_dictionaries({}, optional={"task": TASK, "data": TASK}))


# ---------------------------------------------------------------------------------- harness


class Harness:
    """One event loop and one client per vendor, answering every request with `self.body`."""

    def __init__(self) -> None:
        self.body = b""
        transport = httpx.MockTransport(self.respond)
        self.loop = asyncio.new_event_loop()
        self.enkrypt = EnkryptClient("https://api.test", "k-1234567890", transport=transport)
        self.nimble = NimbleClient("https://api.test", "k-1234567890", transport=transport)
        self.enkrypt.http.retry = self.nimble.http.retry = NO_RETRY

    def respond(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=self.body,
                              headers={"content-type": "application/json"})

    def call(self, body: bytes, make):
        self.body = body
        return self.loop.run_until_complete(make(self))

    def close(self) -> None:
        self.loop.run_until_complete(self.enkrypt.aclose())
        self.loop.run_until_complete(self.nimble.aclose())
        self.loop.close()


@pytest.fixture(scope="module")
def harness():
    h = Harness()
    yield h
    h.close()


def model_or_protocol_error(harness: Harness, body: bytes, make, check) -> None:
    try:
        result = harness.call(body, make)
    except ProtocolError as err:
        assert err.message and "\n" not in err.message
        return
    check(result)


def check_page(model):
    def check(page) -> None:
        assert isinstance(page, Page) and isinstance(page.paging, PageInfo)
        assert all(isinstance(row, model) for row in page.rows)
        for number in (page.paging.total, page.paging.total_count, page.paging.total_pages):
            assert number is None or (isinstance(number, int) and not isinstance(number, bool))
            assert number is None or number >= 0  # an impossible count is unknown, never shown
        for count in (page.paging.total, page.paging.total_count):
            assert count is None or count >= len(page.rows)

    return check


def check_is(model):
    return lambda result: isinstance(result, model) or pytest.fail(f"got {result!r}")


SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


# ------------------------------------------------------------------------------- properties


@SETTINGS
@given(body=REDTEAM_LIST)
@example(body=b'{"tasks": [{"task_id": "a"}], "pagination": {"total_count": 1e400}}')
@example(body=b'{"tasks": [], "pagination": {"per_page": 0, "total_count": 5}}')
def test_list_redteam(harness, body):
    model_or_protocol_error(harness, body, lambda h: h.enkrypt.list_redteam(),
                            check_page(RedteamTask))


@SETTINGS
@given(body=DATASETS_LIST)
@example(body=b'{"datasets": ["a", "a"], "pagination": {"per_page": -3, "total_count": 7}}')
def test_list_datasets(harness, body):
    model_or_protocol_error(harness, body, lambda h: h.enkrypt.list_datasets(), check_page(str))


@SETTINGS
@given(body=NIMBLE_LIST)
@example(body=b'{"data": [], "pagination": {"has_next": false, "next_cursor": null, '
              b'"total": 1e400}}')
@example(body=b'{"data": [], "pagination": {"has_next": false, "next_cursor": null, '
              b'"total": NaN}}')
@example(body=b'{"data": [], "pagination": {"has_next": false, "next_cursor": null, '
              b'"total": 1.5e300}}')
def test_list_nimble(harness, body):
    model_or_protocol_error(harness, body, lambda h: h.nimble.list_tasks(),
                            check_page(NimbleTask))


@SETTINGS
@given(body=DATASET_TASK)
def test_get_dataset_task(harness, body):
    model_or_protocol_error(harness, body, lambda h: h.enkrypt.get_dataset_task("d"),
                            check_is(DatasetTask))


@SETTINGS
@given(body=REDTEAM_TASK)
def test_get_redteam_task(harness, body):
    model_or_protocol_error(harness, body, lambda h: h.enkrypt.get_redteam_task("t"),
                            check_is(RedteamTask))


@SETTINGS
@given(body=NIMBLE_TASK)
@example(body=b'{"id": "x", "state": "ok", "status_code": 1e400}')
def test_get_nimble_task(harness, body):
    model_or_protocol_error(harness, body, lambda h: h.nimble.get_task("n"),
                            check_is(NimbleTask))


CALLS = {
    "list_redteam": lambda h: h.enkrypt.list_redteam(),
    "list_datasets": lambda h: h.enkrypt.list_datasets(),
    "list_tasks": lambda h: h.nimble.list_tasks(),
    "get_dataset_task": lambda h: h.enkrypt.get_dataset_task("d"),
    "get_redteam_task": lambda h: h.enkrypt.get_redteam_task("t"),
    "get_task": lambda h: h.nimble.get_task("n"),
}


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # nesting deeper than any recursion limit
        b'{"tasks": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b"",
        b"\xff\xfe{}",
        b"null",
        b'"' + b"x" * 1_000_000 + b'"',
    ],
    ids=["deep", "deep-inside", "empty", "bad-utf8", "null", "long-string"],
)
def test_pathological_bodies(harness, name, body):
    model_or_protocol_error(harness, body, CALLS[name], lambda result: None)


def test_a_protocol_error_names_the_field():
    """Sanity check that the property is not vacuous: wrong types are caught and located."""
    h = Harness()
    try:
        with pytest.raises(ProtocolError) as info:
            h.call(b'{"tasks": [{"task_id": "a", "status": 2}]}', CALLS["list_redteam"])
        assert "`$.tasks[0].status`" in info.value.message
        page = h.call(b'{"tasks": [{"task_id": "a"}], "pagination": {"total_count": 3}}',
                      CALLS["list_redteam"])
        assert [r.task_id for r in page.rows] == ["a"] and not math.isnan(page.paging.total_count)
    finally:
        h.close()


# ---------------------------------------------------------------------------- error answers


class StatusHarness(Harness):
    status = 500

    def respond(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(self.status, content=self.body,
                              headers={"content-type": "application/json", "retry-after": "1"})


@pytest.fixture(scope="module")
def status_harness():
    h = StatusHarness()
    yield h
    h.close()


@SETTINGS
@given(status=st.integers(min_value=300, max_value=599),
       body=bodies(objects(["error", "msg", "message", "detail", "status"], ANY_JSON)))
def test_error_answers_become_one_line_provider_errors(status_harness, status, body):
    assert_one_line_error(status_harness, status, body)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, b'{"error": ' * 900 + b'"x"' + b"}" * 900),
        (400, b'{"detail": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        (429, b"[" * 100_000),
        (502, b"<html>" * 100_000),
    ],
    ids=["nested-errors", "deep-detail", "deep-unclosed", "long-html"],
)
def test_pathological_error_answers(status_harness, status, body):
    assert_one_line_error(status_harness, status, body)


def assert_one_line_error(status_harness, status, body):
    from tui.providers.base import ProviderError

    status_harness.status = status
    with pytest.raises(ProviderError) as info:
        status_harness.call(body, CALLS["list_redteam"])
    assert info.value.message and "\n" not in info.value.message
    assert len(info.value.message) < 500
