"""Switching tabs fast and for long: nothing piles up (widgets, watchers, workers)."""

from __future__ import annotations

import gc

from support.app import loaded, make_app
from textual.widget import Widget
from textual.widgets import Footer

from widgets.footer import LeanFooter


def detached_widgets() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, Widget) and not o.is_attached)


async def test_rapid_tab_switches_release_the_replaced_footer_keys(sim):
    """Footer recomposes on every binding change; Textual's own Footer kept every old key alive."""
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "redteam")
        footer = app.query_one(Footer)
        assert isinstance(footer, LeanFooter)
        await pilot.press("3", "2")
        await pilot.pause(0.2)
        before = detached_widgets()
        for _ in range(10):
            await pilot.press("3", "1", "2")
        await pilot.pause(0.3)
        after = detached_widgets()
        watchers = getattr(footer, "__watchers", {}).get("compact", [])
        live_keys = len(footer.query("FooterKey"))
        assert after - before < 10, f"{after - before} removed widgets still alive"
        assert len(watchers) <= live_keys + 2
        assert app.workers is not None and len(app.workers) <= 3


def test_prune_watchers_keeps_live_ones():
    class Node:
        def __init__(self, closing):
            self._closing = closing
            self._closed = False

    footer = LeanFooter()
    live, gone = Node(False), Node(True)
    setattr(footer, "__watchers", {"compact": [(live, print), (gone, print)]})
    assert footer.prune_watchers() == 1
    assert getattr(footer, "__watchers")["compact"] == [(live, print)]
