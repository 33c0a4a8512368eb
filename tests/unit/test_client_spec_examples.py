"""The vendors' own example responses parse with the clients (fixtures in tests/contract/examples).

If a vendor example stops parsing, either the models drifted from the contract or the vendor changed
its API (then refresh the contract copy, see the README).
"""

from __future__ import annotations

import httpx
import pytest
from support.contract import example, examples, openapi

from tui.providers.base import (
    BadRequest,
    NotFound,
    PageRequest,
    PaymentRequired,
    RateLimited,
    ServerError,
)
from tui.providers.enkrypt import EnkryptClient
from tui.providers.nimble import NimbleClient

KEY = "spec-example-key-000000"
PAGING_FIELDS = ("page", "per_page", "total_count", "total_pages", "has_next", "has_previous")


def subset(parsed: dict, sent: dict) -> dict:
    """The parsed record restricted to the fields the server sent (absent ones parse as None)."""
    return {k: parsed[k] for k in sent if k in parsed}


def serve(body, status: int = 200):
    return httpx.MockTransport(lambda request: httpx.Response(status, json=body))


def paging_tuple(paging) -> tuple:
    return tuple(getattr(paging, name) for name in PAGING_FIELDS)


async def test_datasets_list_examples():
    for body in examples("enkrypt-datasets-list-tasks", 200):
        async with EnkryptClient("https://e.test", KEY, transport=serve(body)) as c:
            page = await c.list_datasets(PageRequest())
        assert page.rows == body["datasets"] == ["Election", "Healthcare"]
        assert paging_tuple(page.paging) == tuple(body["pagination"][n] for n in PAGING_FIELDS)


async def test_datasets_get_task_example():
    body = example("enkrypt-datasets-get-task", 200)
    async with EnkryptClient("https://e.test", KEY, transport=serve(body)) as c:
        task = await c.get_dataset_task(dataset="Election2")
    data = body["data"]
    assert task.task_id == data["task_id"] and task.status == "Failed"
    assert task.max_prompts == 100 and task.tools == []
    assert task.to_json_dict() == data


async def test_datasets_get_task_property_examples():
    """A record built from every property's own `example` (tools included) parses."""
    props = openapi("enkrypt-datasets-get-task")["components"]["schemas"][
        "DatasetsGetTaskResponse"]["properties"]["data"]["properties"]
    data = {name: p["example"] for name, p in props.items()}
    async with EnkryptClient("https://e.test", KEY, transport=serve({"data": data})) as c:
        task = await c.get_dataset_task(task_id=data["task_id"])
    assert task.tools[0].name == "web_search"
    assert task.extra == {}  # every documented field is a known model field
    assert subset(task.to_json_dict(), data) == data


async def test_redteam_list_examples():
    """Both examples of the page: the response panel (no project_name) and the prose one."""
    bodies = examples("enkrypt-redteam-list-tasks", 200)
    assert len(bodies) == 2
    for body in bodies:
        async with EnkryptClient("https://e.test", KEY, transport=serve(body)) as c:
            page = await c.list_redteam()
        got = [subset(t.to_json_dict(), sent) for t, sent in zip(page.rows, body["tasks"])]
        assert got == body["tasks"]
        assert paging_tuple(page.paging) == tuple(body["pagination"][n] for n in PAGING_FIELDS)


@pytest.mark.parametrize("document, method", [
    ("enkrypt-redteam-list-tasks", "list_redteam"),
    ("enkrypt-datasets-list-tasks", "list_datasets"),
])
async def test_enkrypt_400_examples(document, method):
    body = example(document, 400)
    async with EnkryptClient("https://e.test", KEY, transport=serve(body, 400)) as c:
        with pytest.raises(BadRequest) as info:
            await getattr(c, method)()
    assert body["error"] in str(info.value)


async def test_nimble_list_example():
    body = example("nimble-list-tasks", 200)
    async with NimbleClient("https://n.test", KEY, transport=serve(body)) as c:
        page = await c.list_tasks()
    (task,) = page.rows
    assert task.id == "123e4567-e89b-12d3-a456-426614174000" and task.api_type == "web"
    assert task.status_code == 200 and task.extra == {}
    assert task.to_json_dict() == body["data"][0]
    assert page.paging.next_cursor == "string" and page.paging.total == 1


@pytest.mark.parametrize(
    ("status", "cls", "text"),
    [
        (400, BadRequest, "Invalid request parameters"),
        (402, PaymentRequired, "payment required: trial expired"),
        (429, RateLimited, "Rate limit exceeded"),
        (500, ServerError, "can't download the query response"),
    ],
)
async def test_nimble_error_examples(status, cls, text):
    body = example("nimble-list-tasks", status)
    async with NimbleClient("https://n.test", KEY, transport=serve(body, status)) as c:
        with pytest.raises(cls) as info:
            await c.list_tasks()
    assert text in str(info.value)


async def test_nimble_404_example():
    body = example("nimble-list-tasks", 404)
    async with NimbleClient("https://n.test", KEY, transport=serve(body, 404)) as c:
        with pytest.raises(NotFound, match="Task not found"):
            await c.get_task("123")
