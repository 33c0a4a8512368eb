"""Switching tabs fast and for long: nothing piles up (widgets, watchers, workers)."""

from __future__ import annotations

import gc

from support.app import loaded, make_app, wait_for
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


def shown(footer: LeanFooter) -> set[str]:
    return {key.description for key in footer.query("FooterKey")}


async def test_binding_changes_in_one_burst_recompose_the_footer_once(sim):
    """Each change queued a recompose of its own: the first frame's focus and mount changes
    rebuilt every key three times. Queued once, the footer still shows the bindings in effect;
    a change that leaves the keys on show as they are (Textual says a focus change twice)
    rebuilds nothing."""
    app = make_app(sim, start_tab="redteam")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app, "redteam")
        footer = app.query_one(LeanFooter)
        recomposes = []
        recompose = footer.recompose

        async def counting() -> None:
            recomposes.append(1)
            await recompose()

        footer.recompose = counting
        for _ in range(3):
            app.screen.bindings_updated_signal.publish(app.screen)
        await pilot.pause()
        await pilot.pause()
        assert recomposes == []  # the same keys: nothing to rebuild
        app.update_keymap({"refresh": "f5"})  # a change of what is shown, then two more signals
        for _ in range(2):
            app.screen.bindings_updated_signal.publish(app.screen)
        await wait_for(pilot, lambda: "f5" in keys(footer))
        await pilot.pause()
        assert len(recomposes) == 1
        assert {"Refresh", "Quit"} <= shown(footer)
        app.update_keymap({"refresh": "f6"})  # a change after that recompose gets its own
        await wait_for(pilot, lambda: len(recomposes) >= 2)


def keys(footer: LeanFooter) -> set[str]:
    return {key.key_display for key in footer.query("FooterKey")}