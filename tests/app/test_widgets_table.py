"""TaskTable.apply: keyed diffs touch only what changed, keep order, cursor and marks right."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from widgets import ApplyStats, Column, TaskTable

COLUMNS = [
    Column("id", "ID", width=6),
    Column("status", "Status", width=10),
    Column("name", "Name"),
    Column("updated", "Updated", width=8),
]


def row(key: str, status: str = "queued", name: str | None = None, updated: str = "1s"):
    return (key, [Text(key), Text(status), Text(name if name is not None else f"task {key}"), Text(updated)])


def page(n: int, prefix: str = "k") -> list:
    return [row(f"{prefix}{i}") for i in range(n)]


class TableApp(App):
    def __init__(self, columns: Sequence[Column] = COLUMNS) -> None:
        super().__init__()
        self.columns = columns
        self.opened: list[str] = []
        self.highlighted: list[str | None] = []

    def compose(self) -> ComposeResult:
        yield TaskTable(self.columns)

    def on_task_table_opened(self, message: TaskTable.Opened) -> None:
        self.opened.append(message.key)

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        self.highlighted.append(message.row_key.value)


class Counter:
    """Counts calls to some of the table's methods (still calling through)."""

    def __init__(self, table: TaskTable, *names: str) -> None:
        self.calls: dict[str, list[tuple]] = {name: [] for name in names}
        for name in names:
            original = getattr(table, name)

            def wrapper(*args, _original=original, _name=name, **kwargs):
                self.calls[_name].append(args)
                return _original(*args, **kwargs)

            setattr(table, name, wrapper)

    def count(self, name: str) -> int:
        return len(self.calls[name])


def rendered(table: TaskTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


def check_consistent(table: TaskTable) -> None:
    """The DataTable internals agree with the widget's own idea of the order."""
    keys = table.row_keys
    assert [r.key.value for r in table.ordered_rows] == keys
    assert table.row_count == len(keys) == len(set(keys))
    for index, key in enumerate(keys):
        assert table.get_row_index(key) == index
    assert {k.value for k in table.rows} == set(keys)


async def test_first_apply_adds_rows_and_marks_nothing() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(TaskTable)
        stats = table.apply(page(5))
        assert stats == ApplyStats(added=5)
        assert table.row_keys == [f"k{i}" for i in range(5)]
        assert table.marked_keys == frozenset()
        await pilot.pause()
        assert "•" not in "".join(rendered(table))
        assert table.selected_key == "k0"
        assert app.highlighted == ["k0"]
        check_consistent(table)


async def test_unchanged_apply_touches_nothing() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(TaskTable)
        table.apply(page(20))
        await pilot.pause()
        counter = Counter(table, "refresh", "update_cell", "add_row", "remove_row", "clear")
        stats = table.apply(page(20))  # equal values, fresh Text objects
        assert stats == ApplyStats()
        assert not stats.changed
        assert all(counter.count(name) == 0 for name in counter.calls), counter.calls
        assert table.cells_updated_total == 0


async def test_ten_of_hundred_rows_change_updates_exactly_those_cells() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(TaskTable)
        rows = page(100)
        table.apply(rows)
        await pilot.pause()
        changed_rows = list(range(5, 100, 10))
        new_rows = list(rows)
        expected_cells = 0
        for i in changed_rows:
            key = f"k{i}"
            if i % 20 == 5:  # two cells in half of them
                new_rows[i] = row(key, status="running", updated="2s")
                expected_cells += 2
            else:
                new_rows[i] = row(key, status="running")
                expected_cells += 1
        counter = Counter(table, "update_cell", "add_row", "remove_row", "clear")
        stats = table.apply(new_rows)
        assert stats == ApplyStats(updated_cells=expected_cells)
        data_updates = [c for c in counter.calls["update_cell"] if c[1] != TaskTable.MARK_COLUMN]
        mark_updates = [c for c in counter.calls["update_cell"] if c[1] == TaskTable.MARK_COLUMN]
        assert len(data_updates) == expected_cells == 15
        assert len(mark_updates) == 10
        assert counter.count("add_row") == counter.count("remove_row") == counter.count("clear") == 0
        assert table.cells_updated_total == expected_cells
        assert table.marked_keys == {f"k{i}" for i in changed_rows}
        assert table.get_cell("k15", "status").plain == "running"
        check_consistent(table)


async def test_style_only_change_is_an_update() -> None:
    app = TableApp()
    async with app.run_test():
        table = app.query_one(TaskTable)
        table.apply([row("a")])
        styled = ("a", [Text("a"), Text("queued", style="red"), Text("task a"), Text("1s")])
        assert table.apply([styled]).updated_cells == 1
        spans = ("a", [Text("a"), Text.assemble(("que", "bold"), "ued"), Text("task a"), Text("1s")])
        assert table.apply([spans]).updated_cells == 1
        assert table.apply([spans]).updated_cells == 0


async def test_removed_and_added_rows_keep_server_order() -> None:
    app = TableApp()
    async with app.run_test():
        table = app.query_one(TaskTable)
        table.apply(page(6))
        counter = Counter(table, "clear")
        new = [row("n1"), row("k0"), row("k2"), row("n2"), row("k5")]
        stats = table.apply(new)
        assert stats.added == 2 and stats.removed == 3 and stats.moved
        assert table.row_keys == ["n1", "k0", "k2", "n2", "k5"]
        assert counter.count("clear") == 0
        check_consistent(table)
        # Appending at the end in order needs no reorder.
        stats = table.apply(new + [row("n3")])
        assert stats.added == 1 and not stats.moved
        check_consistent(table)


async def test_cursor_stays_on_its_key_when_rows_are_inserted_above() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(TaskTable)
        rows = page(10)
        table.apply(rows)
        table.select_key("k4")
        await pilot.pause()
        app.highlighted.clear()
        stats = table.apply([row("new0"), row("new1"), row("new2"), *rows])
        assert stats.moved and stats.added == 3
        assert table.selected_key == "k4"
        assert table.cursor_row == 7
        await pilot.pause()
        assert app.highlighted == []  # same key: nothing to announce
        assert table.get_cell_at(table.cursor_coordinate).plain == ""  # mark column
        assert table.get_row_at(table.cursor_row)[1].plain == "k4"


async def test_cursor_stays_on_its_key_when_rows_move() -> None:
    app = TableApp()
    async with app.run_test():
        table = app.query_one(TaskTable)
        rows = page(10)
        table.apply(rows)
        table.select_key("k2")
        assert table.apply(list(reversed(rows))).moved
        assert table.selected_key == "k2"
        assert table.cursor_row == 7
        check_consistent(table)


async def test_cursor_keeps_its_index_when_its_row_vanishes() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(TaskTable)
        rows = page(10)
        table.apply(rows)
        table.select_key("k5")
        await pilot.pause()
        app.highlighted.clear()
        table.apply([r for r in rows if r[0] != "k5"])
        assert table.cursor_row == 5 and table.selected_key == "k6"
        await pilot.pause()
        assert app.highlighted == ["k6"]  # one announcement, for the final row only
        table.select_key("k9")
        table.apply(rows[:3])
        assert table.cursor_row == 2 and table.selected_key == "k2"
        table.apply([])
        assert table.selected_key is None and table.row_count == 0
        table.apply(rows[:2])
        assert table.selected_key == "k0"


async def test_mark_shows_for_one_apply_only() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(TaskTable)
        table.apply(page(4))
        table.apply([row("new"), row("k0"), row("k1", status="done"), row("k2"), row("k3")])
        assert table.marked_keys == {"new", "k1"}
        await pilot.pause()
        lines = rendered(table)
        marked = [line.split()[1] for line in lines[1:6] if line.lstrip().startswith("•")]
        assert marked == ["new", "k1"]
        counter = Counter(table, "update_cell")
        stats = table.apply([row("new"), row("k0"), row("k1", status="done"), row("k2"), row("k3")])
        assert stats.updated_cells == 0 and table.marked_keys == frozenset()
        assert counter.count("update_cell") == 2  # the two marks cleared
        await pilot.pause()
        assert "•" not in "".join(rendered(table))


async def test_mark_given_as_keys_marks_exactly_those_rows() -> None:
    """The caller knows which records changed: a cell that only reads differently is no news."""
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(TaskTable)
        table.apply(page(4))
        later = [row("new"), row("k0", updated="2s"), row("k1", status="done", updated="2s")]
        stats = table.apply([*later, row("k2"), row("k3")], mark={"new", "k1", "gone"})
        assert stats.updated_cells == 3  # the cells are still brought up to date
        assert table.marked_keys == {"new", "k1"}
        await pilot.pause()
        marked = [line.split()[1] for line in rendered(table)[1:6] if line.lstrip().startswith("•")]
        assert marked == ["new", "k1"]
        table.apply([*later, row("k2"), row("k3")], mark=set())
        assert table.marked_keys == frozenset()


async def test_mark_false_and_set_columns_reset_marks() -> None:
    app = TableApp()
    async with app.run_test():
        table = app.query_one(TaskTable)
        table.apply(page(3))
        table.apply(page(3, prefix="p"), mark=False)
        assert table.marked_keys == frozenset()
        table.set_columns(COLUMNS[:2])
        rows = [(f"x{i}", [Text(f"x{i}"), Text("s")]) for i in range(3)]
        assert table.apply(rows).added == 3
        assert table.marked_keys == frozenset()
        assert table.apply(rows + [("x9", [Text("x9"), Text("s")])]).added == 1
        assert table.marked_keys == {"x9"}


async def test_duplicate_keys_are_skipped_and_bad_rows_rejected() -> None:
    app = TableApp()
    async with app.run_test():
        table = app.query_one(TaskTable)
        stats = table.apply([row("a"), row("b"), row("a", status="other")])
        assert stats.added == 2 and stats.duplicates == 1
        assert table.get_cell("a", "status").plain == "queued"
        with pytest.raises(ValueError):
            table.apply([("c", [Text("1")] * 5)])
        with pytest.raises(ValueError):
            table.set_columns([Column("x", "X"), Column("x", "Y")])
        with pytest.raises(ValueError):
            table.set_columns([Column(TaskTable.MARK_COLUMN, "X")])


async def test_short_rows_and_plain_values_are_literal() -> None:
    app = TableApp()
    async with app.run_test():
        table = app.query_one(TaskTable)
        table.apply([("a", [3, None, "[b]x[/b]"])])
        assert table.get_cell("a", "id").plain == "3"
        assert table.get_cell("a", "status").plain == ""
        assert table.get_cell("a", "name").plain == "[b]x[/b]"
        assert table.get_cell("a", "updated").plain == ""
        assert table.apply([("a", [3, None, "[b]x[/b]"])]).updated_cells == 0
        assert table.apply([("a", [4, None, "[b]x[/b]"])]).updated_cells == 1


async def test_long_values_are_cropped_with_ellipsis_without_wrapping() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(TaskTable)
        huge = "x" * 10_000
        table.apply([("a", [Text(huge), Text("multi\nline"), Text(huge), Text("ok")])])
        await pilot.pause()
        assert table.get_cell("a", "id").plain == "xxxxx…"
        assert table.get_cell("a", "status").plain == "multi␤line"
        assert len(table.get_cell("a", "name").plain) == COLUMNS[2].max_width
        assert table.virtual_size.width < 200
        assert table.virtual_size.height == 2  # header + one single-line row
        line = rendered(table)[1]
        assert "xxxxx…" in line and "multi␤line" in line


async def test_growing_auto_column_widens() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(TaskTable)
        table.apply([row("a", name="short")])
        await pilot.pause()
        before = table.columns["name"].content_width
        table.apply([row("a", name="a much longer name than before")])
        await pilot.pause()
        assert table.columns["name"].content_width > before
        assert "a much longer name than before" in rendered(table)[1]


HOSTILE = ["[bold]x[/]", "[@click=app.quit]q[/]", "[/]", "\x1b[31mred"]


async def test_hostile_strings_render_literally_and_clicks_are_harmless() -> None:
    columns = [Column(f"c{i}", f"C{i}", width=24) for i in range(len(HOSTILE))]
    app = TableApp(columns)
    async with app.run_test(size=(120, 10)) as pilot:
        table = app.query_one(TaskTable)
        table.apply([("evil", [Text(s) for s in HOSTILE]), ("other", ["[/]", "[b]", "[i]", "x"])])
        await pilot.pause()
        line = rendered(table)[1]
        for expected in ["[bold]x[/]", "[@click=app.quit]q[/]", "[/]", "␛[31mred"]:
            assert expected in line
        assert "\x1b" not in "".join(rendered(table))
        for x in (16, 42, 68, 94):  # the middle of each hostile cell
            await pilot.hover(TaskTable, offset=(x, 1))
            await pilot.click(TaskTable, offset=(x, 1))
            await pilot.click(TaskTable, offset=(x, 1))  # on the highlighted row: Opened
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert app.opened and set(app.opened) == {"evil"}


async def test_enter_posts_opened_with_the_key() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(TaskTable)
        table.apply(page(5))
        table.focus()
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.opened == ["k2"]
        assert table.selected_key == "k2"


async def test_select_key() -> None:
    app = TableApp()
    async with app.run_test():
        table = app.query_one(TaskTable)
        table.apply(page(5))
        assert table.select_key("k3") and table.selected_key == "k3"
        assert not table.select_key("missing") and table.selected_key == "k3"


async def test_random_applies_stay_consistent() -> None:
    """Fuzz: after every apply the table shows exactly the latest page, in order."""
    rng = random.Random(1234)
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(TaskTable)
        universe = [f"t{i}" for i in range(40)]
        for step in range(150):
            keys = rng.sample(universe, rng.randint(0, 25))
            rows = [row(k, status=rng.choice(["queued", "running", "done"])) for k in keys]
            before = table.selected_key
            table.apply(rows)
            assert table.row_keys == keys
            check_consistent(table)
            for key, cells in rows:
                shown = [cell.plain for cell in table.get_row(key)[1:]]
                assert shown == [cell.plain for cell in cells]
            if before in keys:
                assert table.selected_key == before
            if rng.random() < 0.3 and keys:
                table.select_key(rng.choice(keys))
            if step % 25 == 0:
                await pilot.pause()


async def test_replacing_a_large_page_without_clear() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(TaskTable)
        table.apply(page(2000))
        counter = Counter(table, "clear", "remove_row")
        stats = table.apply(page(2000, prefix="q"), mark=False)
        assert stats.removed == 2000 and stats.added == 2000
        assert counter.count("clear") == counter.count("remove_row") == 0
        check_consistent(table)
        await pilot.pause()
        assert rendered(table)[1].split()[0] == "q0"


async def test_apply_before_mount() -> None:
    class EarlyApp(App):
        def compose(self) -> ComposeResult:
            table = TaskTable(COLUMNS)
            yield table
            table.apply(page(2))
            table.apply(page(3))

    app = EarlyApp()
    async with app.run_test() as pilot:
        table = app.query_one(TaskTable)
        await pilot.pause()
        assert table.row_keys == ["k0", "k1", "k2"] and table.marked_keys == {"k2"}
        assert rendered(table)[3].split()[:2] == ["•", "k2"]


async def test_rows_given_before_the_first_layout_show_in_its_frame() -> None:
    """At start-up the first page is applied before the table has a size: the frame painted by
    the layout pass that gives it one already shows the rows in laid-out columns."""

    class FirstPaint(TaskTable):
        first_frame: list[str] | None = None

        def render_lines(self, crop):
            lines = super().render_lines(crop)
            if self.first_frame is None:
                self.first_frame = [strip.text for strip in lines]
            return lines

    class EarlyRowsApp(App):
        def compose(self) -> ComposeResult:
            yield FirstPaint(COLUMNS)

        def on_mount(self) -> None:
            self.query_one(FirstPaint).apply(page(3))

    app = EarlyRowsApp()
    async with app.run_test(size=(60, 8)) as pilot:
        await pilot.pause()
        table = app.query_one(FirstPaint)
        assert table.first_frame is not None
        assert [line.split()[:3] for line in table.first_frame[1:4]] == [
            ["k0", "queued", "task"], ["k1", "queued", "task"], ["k2", "queued", "task"]
        ]
        assert table.first_frame == rendered(table)  # later frames painted nothing else


async def test_a_resize_that_changes_no_column_width_renders_no_cell_again() -> None:
    app = TableApp([Column("id", "ID", width=6), Column("name", "Name", min_width=3)])
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(TaskTable)
        table.apply([(key, cells[:1] + cells[2:3]) for key, cells in page(5)])
        await pilot.pause()
        widths, before = table.column_widths, rendered(table)
        counter = Counter(table, "_render_cell")
        await pilot.resize_terminal(70, 10)
        await pilot.pause()
        assert table.size.width == 70 and table.column_widths == widths
        assert [line.rstrip() for line in rendered(table)] == [line.rstrip() for line in before]
        assert counter.count("_render_cell") == 0  # every cell came from the render cache
        await pilot.resize_terminal(16, 10)  # too narrow: names are cut, so cells are made anew
        await pilot.pause()
        assert table.column_widths != widths and counter.count("_render_cell") > 0


async def test_direct_sort_and_clear_keep_the_diff_state_in_step() -> None:
    app = TableApp()
    async with app.run_test():
        table = app.query_one(TaskTable)
        rows = page(5)
        table.apply(rows)
        table.sort("id", key=lambda cell: cell.plain, reverse=True)
        assert table.row_keys == ["k4", "k3", "k2", "k1", "k0"]
        check_consistent(table)
        stats = table.apply(rows)
        assert stats.moved and stats.updated_cells == 0
        assert table.row_keys == [f"k{i}" for i in range(5)]
        check_consistent(table)
        table.clear()
        assert table.row_keys == [] and table.selected_key is None
        assert table.apply(rows).added == 5
        assert table.marked_keys == frozenset()  # a first load again
        check_consistent(table)


def test_clearing_a_render_cache_frees_its_entries_without_the_collector():
    """LRUCache.clear() leaves its entries in a reference cycle (a ring of links) that only the
    cycle collector frees, late; TaskTable empties the links so they go at once."""
    import gc
    import weakref

    from textual.cache import LRUCache

    from widgets.fast_data_table import clear_lru

    class Entry:
        pass

    def filled() -> tuple[LRUCache, list[weakref.ref]]:
        cache: LRUCache = LRUCache(100)
        entries = [Entry() for _ in range(10)]
        for index, entry in enumerate(entries):
            cache[index] = entry
        return cache, [weakref.ref(entry) for entry in entries]

    gc.disable()
    try:
        cache, refs = filled()
        cache.clear()
        assert any(ref() is not None for ref in refs)  # what LRUCache.clear alone leaves behind
        gc.collect()
        cache, refs = filled()
        clear_lru(cache)
        assert all(ref() is None for ref in refs) and len(cache) == 0
    finally:
        gc.enable()
