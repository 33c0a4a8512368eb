"""Helpers for driving TasktopApp against the simulator in Pilot tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tui.core.keys import KeyInfo
from tui.process.runtime import Runtime
from tui.ui.app import TasktopApp

#: A frozen monotonic clock: badges read "updated just now" forever, so snapshots are stable.
FROZEN_MONOTONIC = 1000.0


def make_runtime(sim, *, refresh: float = 3600.0, per_page: int = 10, keys=None) -> Runtime:
    """A runtime pointed at `sim` whose timer never fires unless a test asks for short refresh."""
    keys = keys or {
        "enkrypt": KeyInfo("enkrypt", "demo", sim.enkrypt_key),
        "nimble": KeyInfo("nimble", "demo", sim.nimble_key),
    }
    return Runtime(sim.url, sim.url, keys, refresh, "test", per_page=per_page, now=sim.now)


def make_app(sim, *, start_tab: str = "datasets", frozen: bool = False, **kwargs) -> TasktopApp:
    runtime = make_runtime(sim, **kwargs)
    if frozen:
        return TasktopApp(runtime, start_tab=start_tab, monotonic=lambda: FROZEN_MONOTONIC)
    return TasktopApp(runtime, start_tab=start_tab)


async def wait_for(
    pilot, condition: Callable[[], bool], timeout: float = 20.0,
    state: Callable[[], object] | None = None,
) -> None:
    """Let the app run until `condition()` holds; on timeout fail saying what `state()` was.

    The timeout is generous: a loaded CI machine is slow, and a condition that never holds fails
    the same way, only later."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            seen = f"; state: {state()!r}" if state is not None else ""
            raise AssertionError(f"condition not met within {timeout}s{seen}")
        await pilot.pause(0.01)


async def built(pilot, app: TasktopApp, tab_id: str):
    """The tab's view once its children exist: hidden tabs are built after the first tab's first
    rows, and a view can be in the DOM a while before its status line is."""
    view = app.view(tab_id)
    await wait_for(pilot, lambda: view.is_mounted)
    return view


async def loaded(pilot, app: TasktopApp, tab_id: str, ticks: int = 1) -> None:
    """Wait until the tab has completed `ticks` successful fetches and painted them."""
    view = app.view(tab_id)
    await wait_for(pilot, lambda: view.ticks >= ticks)
    await pilot.pause()


def column_text(app: TasktopApp, tab_id: str, column: int) -> list[str]:
    """Plain text of one column, top to bottom, as the table holds it."""
    table = app.view(tab_id).table
    return [table.get_row_at(i)[column].plain for i in range(table.row_count)]


def row_keys(app: TasktopApp, tab_id: str) -> list[str]:
    table = app.view(tab_id).table
    return [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]


def record_terminal(app) -> list[str]:
    """Everything the app writes to its terminal driver from now on."""
    writes: list[str] = []
    original = app._driver.write

    def write(data: str) -> None:
        writes.append(data)
        original(data)

    app._driver.write = write
    return writes
