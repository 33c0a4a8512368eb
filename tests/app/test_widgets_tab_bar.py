"""TabBar: labels and rule drawn in one widget, clicks name the tab, unchanged labels cost nothing."""

from __future__ import annotations

from textual.app import App, ComposeResult

from widgets import TabBar

TABS = [("datasets", "Datasets"), ("redteam", "Red team"), ("nimble", "Nimble")]


class BarApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.chosen: list[str] = []

    def compose(self) -> ComposeResult:
        yield TabBar(TABS, active="redteam")

    def on_tab_bar_activated(self, event: TabBar.Activated) -> None:
        self.chosen.append(event.tab_id)


def lines(bar: TabBar) -> list[str]:
    return [strip.text for strip in bar.render_lines(bar.region.reset_offset)]


async def test_labels_and_the_rule_under_the_active_tab() -> None:
    app = BarApp()
    async with app.run_test(size=(40, 4)) as pilot:
        bar = app.query_one(TabBar)
        labels, rule = lines(bar)
        assert labels == "  Datasets  Red team  Nimble".ljust(40)
        assert bar.spans() == [("datasets", 1, 11), ("redteam", 11, 21), ("nimble", 21, 29)]
        assert rule == "━" * 10 + "╸" + "━" * 10 + "╺" + "━" * 18
        bar.active = "nimble"
        await pilot.pause()
        assert lines(bar)[1] == "━" * 20 + "╸" + "━" * 8 + "╺" + "━" * 10


async def test_a_click_on_a_label_names_its_tab() -> None:
    app = BarApp()
    async with app.run_test(size=(40, 4)) as pilot:
        await pilot.click(TabBar, offset=(24, 0))
        await pilot.click(TabBar, offset=(2, 1))
        await pilot.click(TabBar, offset=(35, 0))  # past the last label: nothing
        assert app.chosen == ["nimble", "datasets"]


async def test_labels_are_literal_and_only_a_change_repaints() -> None:
    app = BarApp()
    async with app.run_test(size=(60, 4)) as pilot:
        bar = app.query_one(TabBar)
        assert bar.set_label("nimble", "[b]Nimble[/] (3)")
        await pilot.pause()
        assert "[b]Nimble[/] (3)" in lines(bar)[0]
        assert not bar.set_label("nimble", "[b]Nimble[/] (3)")
