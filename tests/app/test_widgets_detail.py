"""DetailPane and pretty_json: literal content, bounded output, scroll kept across live refreshes."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text
from textual.app import App, ComposeResult

from widgets import DetailPane, pretty_json
from widgets.detail_pane import MAX_JSON
from widgets.text_view import TextView


def deep(levels: int) -> object:
    node: object = "leaf"
    for i in range(levels):
        node = {"k": node, "i": i}
    return node


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=25,
)


@given(_json)
def test_pretty_json_matches_json_dumps_indent_2(value) -> None:
    text, truncated = pretty_json(value)
    assert text == json.dumps(value, indent=2, ensure_ascii=False)
    assert not truncated


def test_pretty_json_caps_depth_and_size() -> None:
    text, truncated = pretty_json(deep(10_000))  # json.dumps(indent=2) would hit RecursionError
    assert truncated and "{…}" in text
    text, truncated = pretty_json(list(range(200_000)))
    assert truncated and len(text) == MAX_JSON
    text, truncated = pretty_json({"big": "x" * 1_000_000})
    assert truncated and len(text) == MAX_JSON
    assert pretty_json({"when": object})[0].startswith('{\n  "when": "<class')


class DetailApp(App):
    def compose(self) -> ComposeResult:
        yield DetailPane()


def screen_text(app: App) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


FIELDS = [
    ("status", Text("running", style="green")),
    ("name", "[@click=app.quit]q[/]"),
    ("note", "[bold]x[/] [/] \x1b[31mred"),
    ("count", 3),
    ("missing", None),
]


def long_texts(n: int = 60) -> list[tuple[str, str]]:
    return [("description", "\n".join(f"paragraph {i} " + "word " * 20 for i in range(n)))]


async def test_content_is_literal_and_clicks_are_harmless() -> None:
    app = DetailApp()
    async with app.run_test(size=(100, 40)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show(
            "Task [b]7[/b]",
            FIELDS,
            [("prompt", "[red]hi[/red] \u202eevil")],
            [("raw", {"html": "<b>[i]x[/i]</b>", "esc": "\x1b[2J", "c1": "\x9b31m"})],
        )
        await pilot.pause()
        text = screen_text(app)
        for expected in [
            "Task [b]7[/b]",
            "[@click=app.quit]q[/]",
            "[bold]x[/] [/] ␛[31mred",
            "[red]hi[/red] \\u202eevil",
            '"html": "<b>[i]x[/i]</b>"',
            '"esc": "\\u001b[2J"',
            '"c1": "\\x9b31m"',
        ]:
            assert expected in text, expected
        assert "\x1b" not in text and "\u202e" not in text and "\x9b" not in text
        for y in range(2, 8):
            await pilot.click(DetailPane, offset=(22, y))
        await pilot.pause()
        assert app.is_running and app.return_code is None


async def test_same_data_keeps_scroll_and_repaints_nothing() -> None:
    app = DetailApp()
    async with app.run_test(size=(80, 20)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show("Task 1", FIELDS, long_texts(), [("raw", deep(5))])
        await pilot.pause()
        pane.scroll_to(y=30, animate=False)
        await pilot.pause()
        assert pane.scroll_y == 30
        shows = pane.shows
        # The app rebuilds everything on each tick: equal values, new objects.
        pane.show("Task 1", list(FIELDS), long_texts(), [("raw", deep(5))])
        await pilot.pause()
        assert pane.shows == shows
        assert pane.scroll_y == 30
        # A live change repaints only its section and keeps the position.
        pane.show("Task 1", [("status", "done"), *FIELDS[1:]], long_texts(), [("raw", deep(5))])
        await pilot.pause()
        assert pane.shows == shows + 1
        assert pane.scroll_y == 30
        # Another task starts at the top.
        pane.show("Task 2", FIELDS, long_texts(), [("raw", deep(5))])
        await pilot.pause()
        assert pane.scroll_y == 0


async def test_very_deep_json_is_compared_without_recursion_errors() -> None:
    app = DetailApp()
    async with app.run_test(size=(80, 20)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show("Task", [], (), [("raw", deep(5000))])
        await pilot.pause()
        shows = pane.shows
        pane.show("Task", [], (), [("raw", deep(5000))])
        assert pane.shows == shows
        json_view = pane.query_one("#detail-json", TextView)
        assert "… truncated" in json_view.text.plain


async def test_huge_values_stay_bounded() -> None:
    app = DetailApp()
    async with app.run_test(size=(80, 20)) as pilot:
        pane = app.query_one(DetailPane)
        huge = {"items": [{"id": i, "name": "x" * 50} for i in range(20_000)]}
        pane.show(
            "x" * 10_000,
            [("value", "y" * 10_000), ("spaced", "word " * 2_000)],
            [("log", "z" * 10_000)],
            [("raw", huge)],
        )
        await pilot.pause()
        json_view = pane.query_one("#detail-json", TextView)
        assert len(json_view.text.plain) < MAX_JSON + 100
        assert json_view.text.plain.endswith("… truncated")
        assert app.query_one("#detail-title").size.height == 1
        pane.scroll_end(animate=False)
        await pilot.pause()
        assert "… truncated" in screen_text(app)


async def test_show_before_mount_is_applied_on_mount() -> None:
    class EarlyApp(App):
        def compose(self) -> ComposeResult:
            pane = DetailPane()
            pane.show("Early [b]task[/b]", [("status", "queued")])
            yield pane

    app = EarlyApp()
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Early [b]task[/b]" in text and "queued" in text


async def test_json_mutated_in_place_is_noticed_and_clear_empties() -> None:
    app = DetailApp()
    async with app.run_test(size=(60, 20)) as pilot:
        pane = app.query_one(DetailPane)
        raw = {"state": "running"}
        pane.show("Task", [], (), [("raw", raw)])
        raw["state"] = "done"
        pane.show("Task", [], (), [("raw", raw)])
        await pilot.pause()
        assert '"state": "done"' in screen_text(app)
        pane.clear()
        await pilot.pause()
        assert screen_text(app).strip() == ""
