"""The seed documents' own example responses parse with the clients (examples read from the specs).

If a spec example stops parsing, either the models drifted from the contract or the spec changed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
import yaml

from tui.providers.base import (
    BadRequest,
    PageRequest,
    PaymentRequired,
    RateLimited,
    ServerError,
)
from tui.providers.enkrypt import EnkryptClient
from tui.providers.nimble import NimbleClient

SPECS = Path(__file__).resolve().parents[1] / "shared" / "specs"
if not SPECS.is_dir():
    SPECS = Path("/work/shared/specs")
KEY = "spec-example-key-000000"


def spec(name: str) -> dict:
    return yaml.safe_load((SPECS / f"{name}.openapi.yaml").read_text(encoding="utf-8"))


def doc_json_blocks(name: str) -> list[dict]:
    """Every top-level JSON object written out in a .doc.txt page."""
    text = (SPECS / f"{name}.doc.txt").read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    found = []
    for match in re.finditer(r"^\{", text, flags=re.M):
        try:
            obj, _ = decoder.raw_decode(text, match.start())
        except json.JSONDecodeError:
            continue
        found.append(obj)
    return found


def subset(parsed: dict, sent: dict) -> dict:
    """The parsed record restricted to the fields the server sent (absent ones parse as None)."""
    return {k: parsed[k] for k in sent if k in parsed}


def serve(body, status: int = 200):
    return httpx.MockTransport(lambda request: httpx.Response(status, json=body))


async def test_datasets_list_example():
    example = spec("enkrypt-datasets-list-tasks")["components"]["schemas"][
        "DatasetsListTasksResponse"
    ]["example"]
    async with EnkryptClient("https://e.test", KEY, transport=serve(example)) as c:
        page = await c.list_datasets(PageRequest())
    assert page.rows == ["Election", "Healthcare"]
    p = page.paging
    assert (p.page, p.per_page, p.total_count, p.total_pages, p.has_next, p.has_previous) == (
        1, 10, 25, 3, True, False,
    )


async def test_datasets_list_doc_examples():
    blocks = [b for b in doc_json_blocks("enkrypt-datasets-list-tasks") if "datasets" in b]
    assert blocks
    for body in blocks:
        async with EnkryptClient("https://e.test", KEY, transport=serve(body)) as c:
            page = await c.list_datasets()
        assert page.rows == body["datasets"]


async def test_datasets_get_task_example():
    example = spec("enkrypt-datasets-get-task")["components"]["schemas"][
        "DatasetsGetTaskResponse"
    ]["example"]
    async with EnkryptClient("https://e.test", KEY, transport=serve(example)) as c:
        task = await c.get_dataset_task(dataset="Election2")
    data = example["data"]
    assert task.task_id == data["task_id"] and task.status == "Failed"
    assert task.max_prompts == 100 and task.tools == []
    assert task.to_json_dict() == data


async def test_datasets_get_task_property_examples():
    """A record built from every property's own `example` (tools included) parses."""
    props = spec("enkrypt-datasets-get-task")["components"]["schemas"]["DatasetsGetTaskResponse"][
        "properties"
    ]["data"]["properties"]
    data = {name: p["example"] for name, p in props.items()}
    async with EnkryptClient("https://e.test", KEY, transport=serve({"data": data})) as c:
        task = await c.get_dataset_task(task_id=data["task_id"])
    assert task.tools[0].name == "web_search"
    assert task.extra == {}  # every documented field is a known model field
    assert subset(task.to_json_dict(), data) == data


async def test_redteam_list_examples_from_spec_and_doc():
    schemas = spec("enkrypt-redteam-list-tasks")["components"]["schemas"]
    task = {k: v["example"] for k, v in schemas["RedteamTask"]["properties"].items()}
    pagination = {
        k: v["example"]
        for k, v in schemas["RedteamListTasksResponse"]["properties"]["pagination"][
            "properties"
        ].items()
    }
    bodies = [{"tasks": [task], "pagination": pagination}]
    bodies += [b for b in doc_json_blocks("enkrypt-redteam-list-tasks") if "tasks" in b]
    assert len(bodies) >= 3
    for body in bodies:
        async with EnkryptClient("https://e.test", KEY, transport=serve(body)) as c:
            page = await c.list_redteam()
        got = [subset(t.to_json_dict(), sent) for t, sent in zip(page.rows, body["tasks"])]
        assert got == body["tasks"]
        assert page.paging.total_pages == 3 and page.paging.total_count == 25


async def test_enkrypt_400_examples():
    for name in ("enkrypt-redteam-list-tasks", "enkrypt-datasets-list-tasks"):
        op = spec(name)["paths"]
        (path,) = op
        message = op[path]["get"]["responses"]["400"]["content"]["application/json"]["schema"][
            "properties"
        ]["error"]["example"]
        transport = serve({"error": message}, 400)
        async with EnkryptClient("https://e.test", KEY, transport=transport) as c:
            with pytest.raises(BadRequest) as info:
                await c.list_redteam()
        assert message.strip() in str(info.value)


async def test_nimble_list_example():
    example = spec("nimble-list-tasks")["paths"]["/v1/tasks"]["get"]["responses"]["200"][
        "content"
    ]["application/json"]["example"]
    async with NimbleClient("https://n.test", KEY, transport=serve(example)) as c:
        page = await c.list_tasks()
    (task,) = page.rows
    assert task.id == "123e4567-e89b-12d3-a456-426614174000" and task.api_type == "web"
    assert task.status_code == 200 and task.extra == {}
    assert task.to_json_dict() == example["data"][0]
    assert page.paging.next_cursor == "string" and page.paging.total == 1


@pytest.mark.parametrize(
    ("schema", "status", "cls", "text"),
    [
        ("Error400", 400, BadRequest, "Invalid request parameters"),
        ("Error402", 402, PaymentRequired, "payment required: trial expired"),
        ("Error429", 429, RateLimited, "Rate limit exceeded"),
        ("Error500", 500, ServerError, "can't download the query response"),
    ],
)
async def test_nimble_error_examples(schema, status, cls, text):
    example = spec("nimble-list-tasks")["components"]["schemas"][schema]["example"]
    async with NimbleClient("https://n.test", KEY, transport=serve(example, status)) as c:
        with pytest.raises(cls) as info:
            await c.list_tasks()
    assert text in str(info.value)


async def test_nimble_404_example():
    from tui.providers.base import NotFound

    responses = spec("nimble-list-tasks")["paths"]["/v1/tasks"]["get"]["responses"]
    example = responses["404"]["content"]["application/json"]["example"]
    async with NimbleClient("https://n.test", KEY, transport=serve(example, 404)) as c:
        with pytest.raises(NotFound, match="Task not found"):
            await c.get_task("123")
