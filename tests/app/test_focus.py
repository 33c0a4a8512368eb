"""Focus a user can trust: after any tab switch, page change, dialog or detail close, the keys
reach the visible tab's table, even when they were typed in one burst."""

from __future__ import annotations

import pytest
from support.app import loaded, make_app, wait_for
from textual import events

from tui.ui.task_view import TaskView

#: What a terminal sends for these keys (the driver delivers a burst as consecutive events).
CHARACTERS = {"enter": "\r", "escape": "\x1b", "down": None, "space": " "}


def burst(app, *keys: str) -> None:
    """Queue key events back to back, as a terminal read of several keys delivers them: no key
    waits for the previous one to be handled (unlike `pilot.press`)."""
    for key in keys:
        app.post_message(events.Key(key, CHARACTERS.get(key, key)))


def hidden_focus(app) -> bool:
    """True if the focused widget sits in a tab view that is not on screen."""
    focused = app.screen.focused
    views = [node for node in (focused.ancestors if focused else []) if isinstance(node, TaskView)]
    return any(view.tab_id != app.active_tab for view in views)


@pytest.mark.parametrize("size", [(120, 40), (80, 24), (200, 50)])
async def test_a_burst_after_visiting_every_tab_opens_the_dataset_detail(sim, size):
    app = make_app(sim)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot, app, "datasets")
        for key, tab in (("2", "redteam"), ("3", "nimble")):
            await pilot.press(key)
            await loaded(pilot, app, tab)
        datasets = app.view("datasets")
        burst(app, "1", "enter")
        await wait_for(pilot, lambda: datasets.detail_key is not None)
        await pilot.pause()
        assert datasets.detail_key == datasets.table.selected_key
        assert app.view("nimble").detail_key is None and app.view("redteam").detail_key is None
        assert not hidden_focus(app)
        burst(app, "escape", "down", "enter")
        await wait_for(pilot, lambda: datasets.detail_key == datasets.table.row_keys[1])
        assert app.focused in (datasets.table, datasets.detail)


async def test_a_burst_into_a_tab_still_being_built_reaches_that_tab(sim):
    """`3` before the Nimble view exists: the next key waits for it instead of going astray."""
    app = make_app(sim)
    async with app.run_test(size=(120, 40)) as pilot:
        assert not app.query("#view-nimble")
        burst(app, "3", "space")
        await wait_for(pilot, lambda: app.query("#view-nimble") and app.view("nimble").paused)
        assert not app.view("datasets").paused
        assert app.focused is app.view("nimble").table


async def test_a_detail_opened_in_a_tab_being_left_never_takes_the_focus(sim):
    app = make_app(sim, start_tab="nimble")
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, app, "nimble")
        await pilot.press("1")
        await loaded(pilot, app, "datasets")
        await pilot.press("3")
        burst(app, "enter", "1")  # the pane would take the focus after the next refresh
        await wait_for(pilot, lambda: app.active_tab == "datasets")
        await app.workers.wait_for_complete()  # the Nimble detail has loaded into its pane
        await pilot.pause()
        assert app.view("nimble").detail_key is not None
        assert app.focused is app.view("datasets").table


async def _open_and_cancel(pilot, opener: str) -> None:
    app = pilot.app
    screens = len(app.screen_stack)
    await pilot.press(opener)
    await wait_for(pilot, lambda: len(app.screen_stack) > screens)
    await pilot.press("escape")
    await wait_for(pilot, lambda: len(app.screen_stack) == screens)


FOCUS_CHANGES = {
    "tab switch": ("2", "1"),
    "page change": ("n",),
    "detail close": ("enter", "escape"),
    "search cleared": ("slash", "g", "escape"),
}
DIALOGS = {"jump": "colon", "export": "e", "key": "k", "help": "question_mark", "palette": "ctrl+p"}


CASES = [(change, (120, 40)) for change in (*FOCUS_CHANGES, *DIALOGS)]
CASES += [(change, (80, 24)) for change in ("detail close", "tab switch", "jump")]


@pytest.mark.parametrize(("change", "size"), CASES)
async def test_arrows_move_the_cursor_after_each_kind_of_focus_change(sim, change, size):
    app = make_app(sim)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot, app, "datasets")
        view = app.view("datasets")
        if change in DIALOGS:
            await _open_and_cancel(pilot, DIALOGS[change])
        else:
            ticks = view.ticks
            await pilot.press(*FOCUS_CHANGES[change])
            if change == "page change":
                await wait_for(pilot, lambda: view.ticks > ticks)
        await pilot.pause()
        assert app.focused is view.table
        row = view.table.cursor_row
        await pilot.press("down", "down")
        assert view.table.cursor_row == row + 2
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.detail_key == view.table.selected_key)
