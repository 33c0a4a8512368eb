"""Snapshot tests of the three tabs at 80×24, 120×40 and 200×50, and of the dataset detail.

Pages follow the terminal as without --per-page, so each snapshot also shows the first page
filling the table and the columns laid out for that width.

The simulator's clock is frozen (manual_clock) and so is the app's monotonic clock, so every run
paints the same cells; regenerate with `pytest tests/snapshots --snapshot-update`.
"""

from __future__ import annotations

import pytest
from support.app import loaded, make_app, wait_for

SIZES = [(120, 40), (80, 24), (200, 50)]


def _ready(tab_id: str, open_detail: bool = False):
    async def run_before(pilot) -> None:
        app = pilot.app
        await loaded(pilot, app, tab_id)
        # the hidden tabs' views are built after the first rows; let that settle first
        await wait_for(pilot, lambda: len(app.views()) == 3)
        await wait_for(pilot, lambda: all(view.is_mounted for view in app.views()))
        view = app.view(tab_id)
        await wait_for(pilot, lambda: not view.fetching and "loading" not in view.badge.text,
                       state=lambda: (view.fetching, view.badge.text, view.generation, view.ticks))
        if open_detail:
            view = app.view(tab_id)
            await pilot.press("enter")
            await wait_for(pilot, lambda: view.detail.title is not None)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("tab_id", ["datasets", "redteam", "nimble"])
def test_tab(snap_compare, sim, tab_id, size):
    app = make_app(sim, start_tab=tab_id, frozen=True, per_page=None)
    assert snap_compare(app, terminal_size=size, run_before=_ready(tab_id))


@pytest.mark.parametrize("size", SIZES[:2], ids=lambda s: f"{s[0]}x{s[1]}")
def test_dataset_detail(snap_compare, sim, size):
    app = make_app(sim, start_tab="datasets", frozen=True, per_page=None)
    assert snap_compare(app, terminal_size=size, run_before=_ready("datasets", open_detail=True))
