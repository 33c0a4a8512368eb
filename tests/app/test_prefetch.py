"""The start tab's first page, fetched on a thread while the app starts (tui.process.prefetch).

Against the real simulator: the early answer is used exactly once and costs no second list call;
another request, or an early call that failed, goes to the server as usual; the app shows the
early page without asking for it again; the interpreter's switch interval is put back.
"""

from __future__ import annotations

import sys
from concurrent.futures import Future

import pytest
from support.app import loaded, make_runtime

from tui.core.keys import KeyInfo
from tui.process.prefetch import fetch_in_thread
from tui.process.runtime import Runtime
from tui.providers.base import AuthError, PageRequest
from tui.providers.enkrypt import EnkryptClient
from tui.providers.nimble import NimbleClient
from tui.tabs.registry import BUILTINS, spec

FIRST = PageRequest.first(25)


def list_calls(sim) -> int:
    return sum(n for path, n in sim.counts().items() if "list-tasks" in path or path == "/v1/tasks")


async def test_the_first_matching_call_takes_the_early_answer_once(sim) -> None:
    early = fetch_in_thread(lambda: EnkryptClient(sim.url, sim.enkrypt_key), "list_redteam", FIRST)
    page = early.result(timeout=10)
    assert len(page.rows) == 25 and list_calls(sim) == 1

    async with EnkryptClient(sim.url, sim.enkrypt_key) as client:
        client.preload("list_redteam", FIRST, early)
        assert await client.list_redteam(FIRST) is page
        assert list_calls(sim) == 1  # answered from the early fetch: no request
        again = await client.list_redteam(FIRST)
        assert list_calls(sim) == 2  # only once: the next tick asks the server
        assert [t.task_id for t in again.rows] == [t.task_id for t in page.rows]


async def test_another_call_or_request_goes_to_the_server(sim) -> None:
    early: Future = Future()
    early.set_result("never used")
    async with NimbleClient(sim.url, sim.nimble_key) as client:
        client.preload("list_tasks", FIRST, early)
        second_page = FIRST.with_(limit=10, per_page=10)
        page = await client.list_tasks(second_page)
        assert len(page.rows) == 10 and list_calls(sim) == 1
        assert (await client.list_tasks(FIRST)) == "never used"  # still waiting for its call


async def test_a_failed_early_call_is_asked_again_and_fails_normally(sim) -> None:
    early = fetch_in_thread(lambda: EnkryptClient(sim.url, "wrong-key"), "list_datasets", FIRST)
    with pytest.raises(AuthError):
        early.result(timeout=10)
    async with EnkryptClient(sim.url, "wrong-key") as client:
        client.preload("list_datasets", FIRST, early)
        with pytest.raises(AuthError):
            await client.list_datasets(FIRST)
    assert list_calls(sim) == 2  # the early one and the client's own


def test_the_switch_interval_is_restored(sim) -> None:
    before = sys.getswitchinterval()
    early = fetch_in_thread(lambda: EnkryptClient(sim.url, sim.enkrypt_key), "list_datasets", FIRST)
    early.result(timeout=10)
    assert sys.getswitchinterval() == before  # set back before the answer is handed over


def test_runtime_prefetch_needs_a_key(sim) -> None:
    keys = {p: KeyInfo(p, "none") for p in ("enkrypt", "nimble")}
    runtime = Runtime(sim.url, sim.url, keys, 3600.0, "test", per_page=25)
    runtime.prefetch("datasets")
    assert runtime._clients == {} and list_calls(sim) == 0


@pytest.mark.parametrize("tab_id", sorted(BUILTINS))
async def test_the_app_shows_the_early_page_without_asking_again(sim, tab_id) -> None:
    from tui.ui.app import TasktopApp

    runtime = make_runtime(sim, per_page=25)
    runtime.prefetch(tab_id)
    client = runtime.client(spec(tab_id).provider.name)
    early = client._preloaded[2]
    early.result(timeout=10)
    app = TasktopApp(runtime, start_tab=tab_id)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, tab_id)
        assert app.view(tab_id).table.row_count == 25
        assert client._preloaded is None  # taken
        assert list_calls(sim) == 1  # the early call only


def test_a_new_key_drops_the_answer_fetched_with_the_old_one(sim) -> None:
    runtime = make_runtime(sim, per_page=25)
    runtime.prefetch("redteam")
    runtime.client("enkrypt")._preloaded[2].result(timeout=10)
    runtime.set_key(KeyInfo("enkrypt", "session", "another-key"))
    assert runtime.client("enkrypt")._preloaded is None
