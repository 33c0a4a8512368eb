"""Sort (s, S, header click) and search (/) on the current page, against the simulator."""

from __future__ import annotations

from support.app import column_text, loaded, make_app, row_keys, wait_for


async def test_s_sorts_by_columns_and_keeps_the_cursor_on_the_same_task(sim):
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        await pilot.press("down", "down", "down")
        chosen = view.table.selected_key
        await pilot.press("s")  # by Status
        statuses = column_text(app, "redteam", 1)
        assert statuses == sorted(statuses, key=str.casefold)
        assert view.table.selected_key == chosen
        await pilot.press("s")  # by Test, natural order: "Baseline 2" before "Baseline 10"
        tests = column_text(app, "redteam", 2)
        assert view.table.sort_column == "test"
        assert view.table.selected_key == chosen
        await pilot.press("S")
        assert column_text(app, "redteam", 2) == list(reversed(tests))
        assert "▼" in str(view.table.columns["test"].label)
        # the sort survives a refresh that brings a new task
        sim.add_task("redteam", test_name="AAA first")
        await pilot.press("r")
        await loaded(pilot, app, "redteam", ticks=2)
        assert column_text(app, "redteam", 2)[-1] == "AAA first"
        assert view.table.selected_key == chosen


async def test_header_click_sorts_and_clicking_again_reverses(sim):
    app = make_app(sim, start_tab="nimble", per_page=25)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("nimble")
        await loaded(pilot, app, "nimble")
        await pilot.click("#view-nimble TaskTable", offset=(16, 0))  # the API header
        await pilot.pause()
        assert view.table.sort_column == "api_type"
        kinds = column_text(app, "nimble", 2)
        assert kinds == sorted(kinds) and len(set(kinds)) > 1
        await pilot.click("#view-nimble TaskTable", offset=(16, 0))
        await pilot.pause()
        assert column_text(app, "nimble", 2) == sorted(kinds, reverse=True)


async def test_created_column_sorts_by_time_not_by_text(sim):
    app = make_app(sim, start_tab="nimble", per_page=50)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("nimble")
        await loaded(pilot, app, "nimble")
        server_order = row_keys(app, "nimble")  # newest first
        view.table.sort_by("created", reverse=True)
        await pilot.pause()
        assert row_keys(app, "nimble") == server_order


async def test_slash_searches_the_page_and_escape_clears(sim):
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        all_keys = row_keys(app, "redteam")
        await pilot.press("slash")
        await pilot.press(*"gemma")
        await wait_for(pilot, lambda: view.table.search == "gemma")
        models = column_text(app, "redteam", 3)
        assert models and all("gemma" in m.casefold() for m in models)
        assert len(models) < len(all_keys)
        label = str(view.query_one(".search-label").render())
        assert label == f"search: gemma ({len(models)} of {len(all_keys)})"
        await pilot.press("enter")  # keep the search, back to the table
        assert app.focused is view.table and view.table.search == "gemma"
        await pilot.press("escape")
        await pilot.pause()
        assert view.table.search == "" and row_keys(app, "redteam") == all_keys
        assert str(view.query_one(".search-label").render()) == ""
