"""Pages no real queue sends: 100 000 rows for a page of 10, or a negative task count.

A huge page (the simulator's `many_rows` fault, over real HTTP): the screen shows the page asked
for, the app keeps answering keys, and memory stays bounded. An impossible count is unknown."""

from __future__ import annotations

import asyncio
import gc
import json
import tracemalloc

import pytest
from support.app import loaded, make_app, wait_for
from textual import events

from tui.providers.models import MAX_SURPLUS_ROWS
from tui.sim.server import Fault

LIST_PATHS = {"datasets": "/datasets/list-tasks", "redteam": "/redteam/list-tasks",
              "nimble": "/v1/tasks"}
NOTICE = "the server sent 100,000 rows; showing the first 10"


async def turns_until(condition) -> int:
    """Event-loop turns that pass before `condition()` holds (a count, not a time)."""
    turns = 0
    while not condition():
        assert turns < 10_000, "condition never met"
        await asyncio.sleep(0)
        turns += 1
    return turns


@pytest.mark.timeout(300)
async def test_a_100000_row_page_shows_10_rows_answers_keys_and_stays_small(
    sim, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    sim.set_fault(Fault("many_rows", path_prefix=LIST_PATHS["redteam"]))
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        app = make_app(sim, start_tab="redteam")
        # Generous: tracemalloc slows the simulator's 100 000 rows as much as the app, and a
        # loaded CI machine more (the 10 s request timeout would turn that into retries).
        app.runtime.timeout = 120.0
        async with app.run_test(size=(120, 40)) as pilot:
            view = app.view("redteam")
            await wait_for(pilot, lambda: view.ticks >= 1, timeout=240,
                           state=lambda: (view.ticks, view.error))
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - start
            assert view.page.sent == 100_000
            assert len(view.page.rows) == view.table.row_count == 10
            assert len(view.page.surplus) == MAX_SURPLUS_ROWS
            assert view.notice_text == NOTICE
            assert str(view.query_one(".notice").render()) == NOTICE
            # A 100 000-row answer decodes to ~45 MiB of objects; what stays is the 10 shown rows
            # and the capped surplus (~3 MiB), plus the app itself.
            assert grown < 32 * 1024 * 1024, f"{grown / 2**20:.1f} MiB retained"

            app._driver.send_message(events.Key("question_mark", "?"))
            turns = await turns_until(lambda: type(app.screen).__name__ == "HelpScreen")
            assert turns <= 100
            await pilot.press("escape")

            # "Export this page" writes every row the answer brought that was kept.
            await pilot.press("e")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "ExportDialog")
            await pilot.click("#page-json")
            written = lambda: any(tmp_path.glob("tasktop-redteam-*.json"))  # noqa: E731
            await wait_for(pilot, written, timeout=60)
            await wait_for(pilot, lambda: type(app.screen).__name__ != "ExportDialog")
    finally:
        tracemalloc.stop()
    (path,) = tmp_path.glob("tasktop-redteam-*.json")
    exported = json.loads(path.read_text())
    assert len(exported) == 10 + MAX_SURPLUS_ROWS
    assert exported[10] == {"task_id": "pad-000010", "status": "Queued"}


@pytest.mark.parametrize("tab", ["datasets", "nimble"])
async def test_other_tabs_cap_a_huge_page_too(sim, tab):
    sim.set_fault(Fault("many_rows", path_prefix=LIST_PATHS[tab]))
    app = make_app(sim, start_tab=tab)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view(tab)
        await wait_for(pilot, lambda: view.ticks >= 1, timeout=60)
        assert len(view.page.rows) == view.table.row_count == 10
        assert view.notice_text == NOTICE
    # Datasets enrichment only sees the shown rows: one get-task per shown name, no more.
    assert sim.counts().get("/datasets/get-task", 0) <= (10 if tab == "datasets" else 0)


@pytest.mark.parametrize("tab", list(LIST_PATHS))
def test_cli_list_caps_a_huge_page_and_says_so_on_stderr(cli, sim, tab):
    sim.set_fault(Fault("many_rows", path_prefix=LIST_PATHS[tab]))
    code, out, err = cli("list", tab, "--json")
    assert code == 0
    assert err == f"tasktop: {NOTICE}\n"
    assert len(json.loads(out)["rows"]) == 10
    code, out, err = cli("list", tab)
    assert code == 0 and err == f"tasktop: {NOTICE}\n"
    assert len(out.splitlines()) == 1 + 10 + 1  # header, 10 rows, paging line


def test_cli_shows_an_impossible_count_as_unknown(cli, sim):
    sim.set_fault(Fault("impossible_count"))
    code, out, _ = cli("list", "redteam")
    assert code == 0 and out.splitlines()[-1] == "page 1 of 30"
    code, out, _ = cli("list", "nimble")
    assert code == 0 and out.splitlines()[-1].startswith("next cursor: ")
    assert "tasks" not in out.splitlines()[-1] and "None" not in out


async def test_the_pager_shows_an_impossible_count_as_unknown(sim):
    sim.set_fault(Fault("impossible_count"))
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "redteam")
        pager = str(app.view("redteam").pager.render())
        assert pager.startswith("page 1 of 30") and "-5" not in pager and "tasks" not in pager


async def test_a_nimble_filter_walk_over_huge_pages_stays_a_screen_of_matches(sim):
    """A filtered Nimble view walks list pages; each oversized answer is cut before the walk sees
    it, so the walk keeps at most a screen of matches and spends no more than its budget."""
    from tui.providers.base import PageRequest
    from tui.providers.nimble import NimbleClient
    from tui.providers.sources import NimbleSource

    sim.set_fault(Fault("many_rows", path_prefix=LIST_PATHS["nimble"]))
    sim.reset_counts()
    async with NimbleClient(sim.url, sim.nimble_key) as client:
        source = NimbleSource(client)
        page = await source.fetch(PageRequest(limit=10, status="success"))
    assert 0 < len(page.rows) <= 10
    assert all(row.status == "success" for row in page.rows)
    assert page.walk is not None and page.walk.calls <= source.walk_budget
    assert sim.counts().get(LIST_PATHS["nimble"]) == page.walk.calls
