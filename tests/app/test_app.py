"""Pilot tests of the monitor against the real simulator over loopback (issue B)."""

from __future__ import annotations

import pytest
from support.app import column_text, loaded, make_app, row_keys, wait_for

from tui.sim.server import Fault

# ----------------------------------------------------------------------------------- tabs


async def test_tabs_switch_with_number_keys_and_show_counts(sim):
    app = make_app(sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "datasets")
        await pilot.press("2")
        await loaded(pilot, app, "redteam")
        assert app.active_tab == "redteam"
        await pilot.press("3")
        await loaded(pilot, app, "nimble")
        assert app.active_tab == "nimble"
        await pilot.press("1")
        assert app.active_tab == "datasets"
        tabs = app.query_one("TabBar")
        labels = [tabs.label(t) for t in ("datasets", "redteam", "nimble")]
        assert labels[0].startswith("Datasets (") and labels[0].endswith(")")
        assert labels[1].startswith("Red team (")
        assert labels[2].startswith("Nimble (")


async def test_a_click_on_a_tab_label_shows_that_tab(sim):
    app = make_app(sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "datasets")
        bar = app.query_one("TabBar")
        start = dict((t, s) for t, s, _ in bar.spans())["nimble"]
        await pilot.click("TabBar", offset=(start + 1, 0))
        await loaded(pilot, app, "nimble")
        assert app.active_tab == "nimble" and app.view("nimble").table.has_focus
        assert not app.view("datasets").display and app.view("nimble").display


# -------------------------------------------------------------------------------- refresh


async def test_each_tick_makes_one_list_call_on_the_visible_tab_only(sim):
    app = make_app(sim, start_tab="redteam", refresh=0.05)
    async with app.run_test() as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        sim.reset_counts()
        start = view.ticks
        await wait_for(pilot, lambda: view.ticks >= start + 4)
        ticks = view.ticks - start
        counts = sim.counts()
        # One list call per tick (a fetch may be in flight when we read), nothing for hidden tabs.
        assert set(counts) == {"/redteam/list-tasks"}
        assert ticks <= counts["/redteam/list-tasks"] <= ticks + 1
        assert app.view("datasets").ticks == 0 and app.view("nimble").ticks == 0


async def test_r_refreshes_now_with_exactly_one_request(sim):
    app = make_app(sim, start_tab="nimble")
    async with app.run_test() as pilot:
        await loaded(pilot, app, "nimble")
        sim.reset_counts()
        await pilot.press("r")
        await loaded(pilot, app, "nimble", ticks=2)
        assert sim.counts() == {"/v1/tasks": 1}


async def test_datasets_tick_fetches_details_only_for_live_tasks(sim):
    app = make_app(sim)
    async with app.run_test() as pilot:
        await loaded(pilot, app, "datasets")
        statuses = column_text(app, "datasets", 1)
        live = sum(1 for s in statuses if s not in ("Finished", "Failed"))
        sim.reset_counts()
        await pilot.press("r")
        await loaded(pilot, app, "datasets", ticks=2)
        counts = sim.counts()
        assert counts.get("/datasets/list-tasks") == 1
        assert counts.get("/datasets/get-task", 0) == live


async def test_space_pauses_and_resumes(sim):
    app = make_app(sim, start_tab="redteam", refresh=0.05)
    async with app.run_test() as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        await pilot.press("space")
        await wait_for(pilot, lambda: not view.fetching)
        assert view.paused and not view.timer_armed
        assert "paused" in view.badge.render_text().plain
        ticks = view.ticks
        sim.reset_counts()
        for _ in range(10):  # ten event-loop turns: no timer is armed, so nothing may be fetched
            await pilot.pause(0.02)
        assert view.ticks == ticks and sim.counts() == {}
        await pilot.press("space")
        await loaded(pilot, app, "redteam", ticks=ticks + 1)
        assert not view.paused


async def test_cursor_stays_on_the_same_task_when_rows_move(sim):
    app = make_app(sim, start_tab="redteam")
    async with app.run_test() as pilot:
        await loaded(pilot, app, "redteam")
        view = app.view("redteam")
        for _ in range(3):
            await pilot.press("down")
        chosen = view.table.selected_key
        assert chosen == row_keys(app, "redteam")[3]
        sim.add_task("redteam", test_name="new on top")
        sim.add_task("redteam", test_name="another on top")
        await pilot.press("r")
        await loaded(pilot, app, "redteam", ticks=2)
        assert row_keys(app, "redteam").index(chosen) == 5
        assert view.table.selected_key == chosen
        assert view.table.cursor_row == 5


async def test_changed_rows_are_marked_for_one_tick(sim):
    app = make_app(sim, start_tab="redteam")
    async with app.run_test() as pilot:
        await loaded(pilot, app, "redteam")
        table = app.view("redteam").table
        assert table.marked_keys == frozenset()  # first load is not a change
        new = sim.add_task("redteam", test_name="fresh")
        await pilot.press("r")
        await loaded(pilot, app, "redteam", ticks=2)
        assert new in table.marked_keys
        await pilot.press("r")
        await loaded(pilot, app, "redteam", ticks=3)
        assert table.marked_keys == frozenset()


# -------------------------------------------------------------------------------- filters


async def test_enkrypt_filter_cycles_server_side_and_resets_to_page_one(sim):
    app = make_app(sim, start_tab="redteam")
    async with app.run_test() as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        await pilot.press("n")
        await loaded(pilot, app, "redteam", ticks=2)
        ticks = 2
        for expected in ("Queued", "Running", "Finished", "Failed"):
            await pilot.press("f")
            ticks += 1
            await loaded(pilot, app, "redteam", ticks=ticks)
            assert view.request.status == expected and view.request.page == 1
            assert f"filter: {expected}" in view.query_one("StatusFilter").text
            statuses = set(column_text(app, "redteam", 1))
            assert statuses <= {expected}
        await pilot.press("f")
        await loaded(pilot, app, "redteam", ticks=ticks + 1)
        assert view.request.status is None
        assert "filter: All" in view.query_one("StatusFilter").text


async def test_empty_filtered_page_says_so(sim):
    app = make_app(sim, start_tab="redteam")
    async with app.run_test() as pilot:
        await loaded(pilot, app, "redteam")
        view = app.view("redteam")
        await pilot.press("f")  # Queued
        await loaded(pilot, app, "redteam", ticks=2)
        # jump far past the queued tasks' last page
        view.go_to_page(999)
        await loaded(pilot, app, "redteam", ticks=3)
        assert view.table.row_count == 0
        assert "no tasks" in str(view.query_one(".notice").render())


# --------------------------------------------------------------------------------- paging


async def test_page_number_keys(sim):
    app = make_app(sim, start_tab="redteam")
    async with app.run_test() as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        last = view.page.paging.total_pages
        first_page_keys = row_keys(app, "redteam")
        await pilot.press("b")  # nothing before page 1: harmless no-op
        await pilot.press("g")
        await pilot.pause()
        assert view.request.page == 1 and view.ticks == 1
        await pilot.press("n")
        await loaded(pilot, app, "redteam", ticks=2)
        assert view.request.page == 2 and view.page.paging.page == 2
        assert "page 2 of" in view.pager.text
        assert not set(first_page_keys) & set(row_keys(app, "redteam"))
        await pilot.press("G")
        await loaded(pilot, app, "redteam", ticks=3)
        assert view.page.paging.page == last
        await pilot.press("n")  # nothing after the last page
        await pilot.pause()
        assert view.request.page == last
        await pilot.press("b")
        await loaded(pilot, app, "redteam", ticks=4)
        assert view.page.paging.page == last - 1
        await pilot.press("g")
        await loaded(pilot, app, "redteam", ticks=5)
        assert row_keys(app, "redteam") == first_page_keys


async def test_colon_jumps_to_a_page_number(sim):
    app = make_app(sim, start_tab="redteam")
    async with app.run_test() as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        await pilot.press("colon")
        await pilot.pause()
        await pilot.press("7", "enter")
        await loaded(pilot, app, "redteam", ticks=2)
        assert view.page.paging.page == 7
        await pilot.press("colon")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert view.request.page == 7


async def test_page_size_keys(sim):
    app = make_app(sim, start_tab="redteam")
    async with app.run_test() as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        assert view.table.row_count == 10
        await pilot.press("plus")
        await loaded(pilot, app, "redteam", ticks=2)
        assert view.table.row_count == 25 and view.page.paging.per_page == 25
        await pilot.press("plus", "plus")
        await wait_for(pilot, lambda: view.page.paging.per_page == 100)
        assert view.table.row_count == 100
        await pilot.press("plus")  # already the largest size: no-op
        await pilot.pause()
        assert view.request.per_page == 100
        await pilot.press("minus")
        await wait_for(pilot, lambda: view.page.paging.per_page == 50)
        assert view.table.row_count == 50


async def test_nimble_cursor_paging_walks_forward_and_back(sim):
    app = make_app(sim, start_tab="nimble")
    async with app.run_test() as pilot:
        view = app.view("nimble")
        await loaded(pilot, app, "nimble")
        pages = [row_keys(app, "nimble")]
        for tick in (2, 3):
            await pilot.press("n")
            await loaded(pilot, app, "nimble", ticks=tick)
            pages.append(row_keys(app, "nimble"))
        assert "page 3" in view.pager.text
        assert len({k for page in pages for k in page}) == 30  # no task seen twice
        await pilot.press("b")
        await loaded(pilot, app, "nimble", ticks=4)
        assert row_keys(app, "nimble") == pages[1]
        await pilot.press("g")
        await loaded(pilot, app, "nimble", ticks=5)
        assert row_keys(app, "nimble") == pages[0]
        assert "page 1" in view.pager.text
        await pilot.press("G", "colon")  # meaningless for cursors: harmless
        await pilot.pause()
        assert view.page_index == 0 and len(app.screen_stack) == 1


async def test_superseded_page_is_never_painted(sim):
    app = make_app(sim, start_tab="redteam")
    async with app.run_test() as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        sim.set_fault(Fault("latency", path_prefix="/redteam/list-tasks", seconds=0.6, times=1))
        painted: list[int] = []
        view.page_observers.append(lambda page: painted.append(page.request.page))
        await pilot.press("n")  # page 2: slow
        await pilot.press("n")  # page 3: fast, asked for after page 2
        await wait_for(pilot, lambda: view.page.paging.page == 3)
        # wait until the slow request has certainly been answered by the server
        await wait_for(pilot, lambda: sim.counts().get("/redteam/list-tasks", 0) >= 3)
        for _ in range(5):
            await pilot.pause(0.15)
        assert painted == [3]
        assert view.page.paging.page == 3 and "page 3 of" in view.pager.text


# --------------------------------------------------------------------------------- detail


async def test_dataset_detail_opens_and_closes(sim):
    app = make_app(sim)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("datasets")
        await loaded(pilot, app, "datasets")
        key = view.table.selected_key
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.detail.title == key)
        fields = view.detail.field_labels
        for label in ("status", "task id", "created", "started", "scenarios", "tools", "info PDF"):
            assert label in fields
        assert view.has_class("-detail-open")
        await pilot.press("escape")
        await pilot.pause()
        assert not view.has_class("-detail-open") and view.detail_key is None


async def test_redteam_detail_uses_get_task(sim):
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        sim.reset_counts()
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.detail.title is not None)
        assert sim.counts().get("/redteam/get-task") == 1
        assert "task id" in view.detail.field_labels


@pytest.mark.parametrize("tab", ["datasets", "redteam", "nimble"])
async def test_every_detail_pane_shows_labels_not_wire_names(sim, tab):
    """`task_id` reads "task id" on every tab; a field the server added gets a label too."""
    sim.add_task(tab, queue_position=3, status_url_v2="https://x.invalid/s")
    app = make_app(sim, start_tab=tab)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view(tab)
        await loaded(pilot, app, tab)
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.detail.title is not None and view.detail.field_labels)
        labels = view.detail.field_labels
        assert [label for label in labels if "_" in label] == []
        assert {"task id", "queue position", "status URL v2"} <= set(labels)
        assert len(labels) == len(set(labels))


async def test_redteam_detail_404_is_calm(sim):
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("redteam")
        await loaded(pilot, app, "redteam")
        sim.set_fault(Fault("status", path_prefix="/redteam/get-task", status=404))
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.detail.title is not None)
        assert "note" in view.detail.field_labels
        assert app.is_running


async def test_nimble_detail_shows_input_and_query_json(sim):
    app = make_app(sim, start_tab="nimble")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("nimble")
        await loaded(pilot, app, "nimble")
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.detail.title == view.table.selected_key)
        headings = view.detail.json_headings
        assert headings[:2] == ["input", "_query"]


async def test_open_detail_refreshes_with_the_tab(sim):
    app = make_app(sim, start_tab="nimble")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.view("nimble")
        await loaded(pilot, app, "nimble")
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.detail.title is not None)
        sim.reset_counts()
        await pilot.press("r")
        await wait_for(pilot, lambda: sim.counts().get("/v1/tasks/" + view.detail_key, 0) >= 1)


# ------------------------------------------------------------------------------ literally


HOSTILE = ("[bold]x[/]", "[@click=app.quit]q[/]", "\x1b[31mred\x1b[0m")


async def test_server_strings_are_displayed_literally(sim):
    ids = [
        sim.add_task("redteam", test_name=HOSTILE[0], model_name=HOSTILE[1], project_name=HOSTILE[2])
    ]
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "redteam")
        row = app.view("redteam").table.get_row(ids[0])
        assert row[2].plain == "[bold]x[/]"
        assert row[3].plain == "[@click=app.quit]q[/]"
        assert "\x1b" not in row[4].plain and "[31mred" in row[4].plain
        await pilot.click("#view-redteam TaskTable", offset=(30, 1))  # click on the hostile cells
        await pilot.click("#view-redteam TaskTable", offset=(50, 1))
        await pilot.pause()
        assert app.is_running
