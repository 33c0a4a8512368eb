"""The start tab's first page, fetched beside the app while it starts (tui.process.prefetch).

Against the real simulator: the app paints the early page without asking for it again (one list
call, and on Datasets one get-task per name, in all); another request, or an early fetch that
failed, goes to the server as usual; a new key drops the page fetched with the old one. Inside
pytest other threads run, so these get the thread helper; the forked helper is tried in a fresh
interpreter, where it must also leave httpx unimported in the parent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.app import loaded, make_runtime, wait_for

from tui.core.keys import KeyInfo
from tui.process import prefetch
from tui.providers.base import PageRequest
from tui.tabs.registry import BUILTINS
from tui.ui.app import TasktopApp

ROOT = Path(__file__).resolve().parents[2]
FIRST = PageRequest.first(25)
LIST = {"datasets": "/datasets/list-tasks", "redteam": "/redteam/list-tasks", "nimble": "/v1/tasks"}


def early_page(runtime, tab_id: str):
    """The tab's early page once the helper has answered (the app has not taken it yet)."""
    early = runtime.early_pages[tab_id]
    try:
        early.page.result(timeout=20)
    except prefetch.EarlyFetchFailed:
        pass
    return early


@pytest.mark.parametrize("tab_id", sorted(BUILTINS))
async def test_the_app_shows_the_early_page_without_asking_again(sim, tab_id) -> None:
    runtime = make_runtime(sim, per_page=25)
    runtime.prefetch(tab_id)
    early = early_page(runtime, tab_id)
    assert early.carrier == "thread"  # pytest runs threads: no fork here
    fetched = dict(sim.counts())
    assert fetched[LIST[tab_id]] == 1
    app = TasktopApp(runtime, start_tab=tab_id)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, tab_id)
        assert app.view(tab_id).table.row_count == 25
        assert app.view(tab_id).early is None and runtime.early_pages == {}  # taken
        assert sim.counts() == fetched  # nothing asked again, get-tasks included


async def test_settled_datasets_of_the_early_page_are_not_asked_again(sim) -> None:
    runtime = make_runtime(sim, per_page=25)
    runtime.prefetch("datasets")
    early = early_page(runtime, "datasets")
    live = sum(1 for row in early.page.result().rows if row.status in ("Queued", "Running"))
    app = TasktopApp(runtime, start_tab="datasets")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "datasets")
        before = sim.counts()["/datasets/get-task"]
        await pilot.press("r")
        await loaded(pilot, app, "datasets", ticks=2)
        assert sim.counts()["/datasets/get-task"] - before == live < 25


async def test_a_failed_early_fetch_is_asked_again_and_shown(sim) -> None:
    keys = {"enkrypt": KeyInfo("enkrypt", "env", "wrong-key-123"), "nimble": KeyInfo("nimble", "none")}
    runtime = make_runtime(sim, per_page=25, keys=keys)
    runtime.prefetch("redteam")
    with pytest.raises(prefetch.EarlyFetchFailed, match="AuthError"):
        runtime.early_pages["redteam"].page.result(timeout=20)
    app = TasktopApp(runtime, start_tab="redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await wait_for(pilot, lambda: view.error is not None)
        assert "API key refused" in str(view.error)
        assert sim.counts()[LIST["redteam"]] == 2  # the early call and the app's own


async def test_an_early_page_of_another_size_is_not_used(sim) -> None:
    runtime = make_runtime(sim, per_page=25)
    runtime.prefetch("nimble")
    early_page(runtime, "nimble")
    runtime.per_page = 10  # the view asks for 10 rows: the early 25 do not answer that
    app = TasktopApp(runtime, start_tab="nimble")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "nimble")
        assert app.view("nimble").table.row_count == 10
        assert sim.counts()[LIST["nimble"]] == 2


def test_the_thread_helper_puts_the_switch_interval_back(sim) -> None:
    before = sys.getswitchinterval()
    runtime = make_runtime(sim, per_page=25)
    runtime.prefetch("datasets")
    early_page(runtime, "datasets")
    assert sys.getswitchinterval() == before  # set back before the answer is handed over


def test_prefetch_needs_a_key(sim) -> None:
    keys = {p: KeyInfo(p, "none") for p in ("enkrypt", "nimble")}
    runtime = make_runtime(sim, per_page=25, keys=keys)
    runtime.prefetch("datasets")
    assert runtime.early_pages == {} and sim.counts() == {}


def test_a_new_key_drops_the_page_fetched_with_the_old_one(sim) -> None:
    runtime = make_runtime(sim, per_page=25)
    runtime.prefetch("redteam")
    early_page(runtime, "redteam")
    runtime.set_key(KeyInfo("nimble", "session", "another-key"))
    assert "redteam" in runtime.early_pages  # another provider's key: kept
    runtime.set_key(KeyInfo("enkrypt", "session", "another-key"))
    assert runtime.early_pages == {}


FORKED = """
import asyncio, json, sys
from tui.commands.app_cmd import build_runtime, fork_first_page
from tui.commands.main import parse_args

args = parse_args(["--per-page", "25", "--no-history"])
forked = fork_first_page(args, (120, 40))
runtime = build_runtime(args)
runtime.prefetch("datasets", forked)
early = runtime.early_pages.get("datasets")
partial = []

async def main():
    page = await early.take(lambda names: partial.append(len(names.rows)))
    await runtime.aclose()
    return page

page = asyncio.run(main()) if early else None
print(json.dumps({
    "carrier": forked.carrier, "pid": forked.pid, "rows": len(page.rows) if page else None,
    "tasks": sum(1 for row in page.rows if row.status) if page else None,
    "partial": partial, "httpx": "httpx" in sys.modules, "kept": early is not None,
}))
"""


def run_forked(sim, tmp_path, key: str | None) -> dict:
    """The CLI's start-up in a fresh interpreter: fork the helper, build the runtime, take."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKTOP_")}
    env.update(TASKTOP_ENKRYPT_URL=sim.url, TASKTOP_NIMBLE_URL=sim.url,
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    if key is not None:
        env["TASKTOP_ENKRYPT_API_KEY"] = key
    result = subprocess.run([sys.executable, "-c", FORKED], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_a_forked_helper_brings_the_page_and_the_parent_needs_no_httpx(sim, tmp_path) -> None:
    got = run_forked(sim, tmp_path, sim.enkrypt_key)
    assert got["carrier"] == "process" and got["pid"] not in (None, os.getpid())
    assert got["rows"] == 25 and got["tasks"] == 25
    assert got["httpx"] is False  # the page came over the pipe: nothing to import for it
    assert sim.counts() == {"/datasets/list-tasks": 1, "/datasets/get-task": 25}


def test_a_forked_helper_that_fails_gives_no_page(sim, tmp_path) -> None:
    got = run_forked(sim, tmp_path, "wrong-key-123")
    assert got["carrier"] == "process" and got["rows"] is None and got["partial"] == []
    assert sim.counts() == {"/datasets/list-tasks": 1}


def test_without_a_key_the_forked_helper_is_dropped_and_asks_nothing(sim, tmp_path) -> None:
    got = run_forked(sim, tmp_path, None)
    assert got["carrier"] == "process" and got["kept"] is False
    assert sim.counts() == {}


def test_the_cli_paints_the_forked_helpers_page_and_asks_for_it_nowhere_else(sim, tmp_path):
    """`tasktop` in a real terminal: the first page's list call and get-tasks are sent once, by
    the helper (its pid is not the app's), and the app paints them."""
    from benchmarks.apps import TAB_IDS
    from benchmarks.term import Term

    log = tmp_path / "tasktop.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKTOP_")}
    env.update(TASKTOP_ENKRYPT_URL=sim.url, TASKTOP_NIMBLE_URL=sim.url,
               TASKTOP_ENKRYPT_API_KEY=sim.enkrypt_key, TASKTOP_NIMBLE_API_KEY=sim.nimble_key,
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    argv = [sys.executable, "-m", "tui", "--refresh", "3600", "--per-page", "25", "--no-history",
            "--log", str(log)]
    term = Term(argv, env=env, size=(160, 40), cwd=str(ROOT))
    try:
        term.wait_for(lambda t: len(TAB_IDS["datasets"].findall(t.text())) >= 20, timeout=30)
        app_pid = term.pid
    finally:
        term.close()
    lines = log.read_text().splitlines()
    first_list = [line for line in lines if "request GET" in line and "list-tasks?page=1&" in line]
    assert len(first_list) == 1, first_list
    assert sim.counts()["/datasets/get-task"] >= 25
    helper = [line for line in lines if "first page of datasets from the helper process" in line]
    assert len(helper) == 1 and f"process {app_pid}:" not in helper[0], helper


NO_HTTPX_YET = """
import sys, threading
from tui.core.keys import KeyInfo
from tui.process.runtime import Runtime
from tui.ui.app import TasktopApp

keys = {p: KeyInfo(p, "env", "key-12345678") for p in ("enkrypt", "nimble")}
runtime = Runtime("https://api.example.com", "http://127.0.0.1:9", keys, per_page=25)
app = TasktopApp(runtime)
sources = [runtime.source(tab) for tab in ("datasets", "redteam", "nimble")]
before = "httpx" in sys.modules
runtime.warm_http()
next(t for t in threading.enumerate() if t.name == "tasktop-warm-http").join(30)
from tui.providers import http
print(before, "httpx" in sys.modules, http._tls_context.cache_info().currsize)
"""


def test_clients_import_httpx_only_when_warmed_after_the_first_page() -> None:
    """The app, its clients and sources are built without httpx; `warm_http` imports it (and
    builds the https context) on a thread, for the first request the app will make itself."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKTOP_")}
    result = subprocess.run([sys.executable, "-c", NO_HTTPX_YET], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["False", "True", "2"]
