"""TaskTable's cheaper painting must look exactly like DataTable's own (issue E).

TaskTable renders its single-line cells without Rich's wrap/pad machinery, and repaints only the
rows a tick changed in place. These tests compare, segment by segment and style by style, what
those shortcuts produce with what DataTable's general path produces for the same table.
"""

from __future__ import annotations

import random

from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from widgets.task_table import Column, TaskTable

COLUMNS = [
    Column("status", "Status", 8),
    Column("name", "Name", None, 12),  # auto width: grows with its widest cell
    Column("id", "ID", 10),
]
SAMPLES: list[object] = [
    Text("Running", style="bold cyan"),
    Text("plain"),
    Text(""),
    Text("x\x1b[31m"),  # shown escaped
    Text("日本語テキスト"),  # wide characters: wider than the fixed ID column
    Text.assemble(("a", "red"), ("b", "on blue"), "c"),
    "str [b]markup[/b]",
    None,
    42,
    3.5,
    Text("a value much longer than any column here"),
    Text("r", justify="right"),
    Text("l", justify="left", style="red"),
    Text("c", justify="center"),
]


def rows(version: int = 0, n: int = 30) -> list[tuple[str, list[object]]]:
    pick = SAMPLES.__getitem__
    return [
        (f"k{i}", [pick((i + version) % 14), pick((i * 3 + 1) % 14), pick((i * 7 + 2) % 14)])
        for i in range(n)
    ]


class TableApp(App):
    def compose(self) -> ComposeResult:
        yield TaskTable(COLUMNS)


def styled_chars(lines) -> list[tuple[str, Style | None]]:
    return [(char, segment.style) for line in lines for segment in line for char in segment.text]


async def test_fast_cell_painting_matches_datatables_own_path() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 40)) as pilot:
        table = app.query_one(TaskTable)
        table.apply(rows())
        await pilot.pause()
        table.apply(rows()[:25] + [("new", [Text("q", style="green")])])  # marks in the mix
        await pilot.pause()
        compared = 0
        for row in range(table.row_count):
            for column in range(len(table.columns)):
                width = table.ordered_columns[column].get_render_width(table)
                for cursor in (False, True):
                    for hover in (False, True):
                        for base in (Style(), Style(bgcolor="red"), table.rich_style):
                            table._cell_render_cache.clear()
                            fast = table._render_cell(row, column, base, width, cursor, hover)
                            table._cell_render_cache.clear()
                            slow = DataTable._render_cell(
                                table, row, column, base, width, cursor, hover
                            )
                            assert styled_chars(fast) == styled_chars(slow), (row, column)
                            compared += 1
        assert compared == table.row_count * len(table.columns) * 12


def screen(app: App) -> list[list]:
    return [list(strip) for strip in app.screen._compositor.render_strips()]


async def test_repainting_changed_rows_in_place_matches_a_full_repaint() -> None:
    rng = random.Random(7)
    app = TableApp()
    async with app.run_test(size=(60, 30)) as pilot:
        table = app.query_one(TaskTable)
        table.apply(rows(n=60))
        await pilot.pause()
        in_place = 0
        for version in range(1, 30):
            page = rows(version if rng.random() < 0.5 else 0, n=60)
            if version % 5 == 0:
                page = [(key + "x", cells) for key, cells in page]  # a whole new page
            if version % 9 == 0:
                page = page[: rng.randrange(0, 60)]
            if version % 7 == 0:
                await pilot.press("down", "down")
            if version % 11 == 0:
                table.scroll_to(y=rng.randrange(0, 30), animate=False)
            table.apply(page)
            stats = table.last_stats
            in_place += stats.updated_cells and not (stats.added or stats.removed or stats.moved)
            await pilot.pause()
            shown = screen(app)
            # Forget every cached render and paint the whole table again from its data.
            table.repaint_all()
            table.refresh(layout=True)
            await pilot.pause()
            assert screen(app) == shown, f"apply #{version} ({stats}) left stale lines"
        assert in_place >= 5  # the in-place path was exercised, not only full repaints


def named(prefix: str, name_length: int, n: int = 10) -> list[tuple[str, list[object]]]:
    return [(f"{prefix}{i}", [Text("Running"), Text("n" * name_length), Text(f"{i:08d}")])
            for i in range(n)]


async def test_a_page_a_cell_narrower_repaints_the_table_without_a_layout() -> None:
    """Same number of rows, the widest name a cell shorter: the table's box and scrollbars stay
    as they are, so the screen is not laid out again (a page flip on a wide terminal); with
    more rows it is. Either way the screen is what a full repaint and layout draws."""
    app = TableApp()
    async with app.run_test(size=(80, 40)) as pilot:
        table = app.query_one(TaskTable)
        table.apply(named("a", 12))
        await pilot.pause()
        layouts: list[bool] = []
        refresh = table.refresh

        def counting(*regions, **kwargs):
            layouts.append(bool(kwargs.get("layout")))
            return refresh(*regions, **kwargs)

        table.refresh = counting
        width = table.virtual_size.width
        for page, expect_layout in ((named("b", 11), False), (named("c", 11, n=12), True)):
            layouts.clear()
            table.apply(page, mark=False)
            await pilot.pause()
            assert any(layouts) is expect_layout, page[0][0]
            shown = screen(app)
            table.repaint_all()
            table.refresh(layout=True)
            await pilot.pause()
            assert screen(app) == shown
        assert table.virtual_size.width == width - 1
