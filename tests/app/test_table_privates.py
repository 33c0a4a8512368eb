"""The DataTable internals TaskTable relies on, pinned (widgets/fast_data_table.py lists them).

Textual is pinned; when it is upgraded, these tests say which private member moved, changed its
kind or signature, or which render-cache key changed its layout, before any screen goes wrong;
and the last test checks that a whole screen painted through the fast path equals the same
screen painted by DataTable's own code.
"""

from __future__ import annotations

import importlib
import inspect

import pytest
from rich.style import Style
from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.app import App, ComposeResult
from textual.cache import LRUCache
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from widgets.fast_data_table import DATATABLE_PRIVATES, PRIVATE_IMPORTS, FastDataTable
from widgets.task_table import Column, TaskTable

KINDS = {"TwoWayDict": TwoWayDict, "dict": dict, "set": set, "bool": bool, "int": int,
         "LRUCache": LRUCache}
COLUMNS = [Column("status", "Status", 8), Column("name", "Name", None, 30),
           Column("id", "ID", None, id_like=True)]


def rows(n: int = 30) -> list[tuple[str, list[object]]]:
    states = [Text("Running", style="bold cyan"), Text("Failed", style="red"), Text("Queued")]
    return [(f"task-{i:04d}-{'x' * (i % 7)}",
             [states[i % 3], Text(f"name {i} " + "long " * (i % 5)), Text(f"id-{i:08d}")])
            for i in range(n)]


class TableApp(App):
    def __init__(self, table: DataTable) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        yield self.table


def class_member(name: str) -> object:
    for klass in DataTable.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    raise AssertionError(f"DataTable has no {name}")


def test_every_private_member_is_listed_with_a_kind_and_a_reason():
    assert len(DATATABLE_PRIVATES) >= 19
    for name, (kind, why) in DATATABLE_PRIVATES.items():
        assert name.startswith("_") and why
        assert kind.split(":")[0] in {"attribute", "property", "method", "cached method"}, name


@pytest.mark.parametrize(
    "name", [n for n, (kind, _) in DATATABLE_PRIVATES.items() if not kind.startswith("attr")]
)
def test_private_methods_and_properties_keep_their_kind_and_signature(name):
    kind = DATATABLE_PRIVATES[name][0]
    member = class_member(name)
    if kind == "property":
        assert isinstance(member, property), f"DataTable.{name} is no longer a property"
        return
    if kind.startswith("cached method"):  # functools.lru_cache around a function
        assert hasattr(member, "cache_info"), f"DataTable.{name} is no longer cached"
        member = member.__wrapped__
    assert inspect.isfunction(member), f"DataTable.{name} is no longer a method"
    expected = [p for p in kind.split(":", 1)[1].split(",") if p]
    parameters = list(inspect.signature(member).parameters)[1:]
    assert parameters == expected, f"DataTable.{name}{tuple(parameters)} changed"


def test_private_imports_still_exist():
    for module, name in PRIVATE_IMPORTS:
        owner: object = importlib.import_module(module)
        for part in name.split("."):
            owner = getattr(owner, part, None)
            if part == "_cache":  # an instance attribute: checked in the next test
                break
        assert owner is not None, f"{module}.{name} is gone"
    cache: LRUCache = LRUCache(4)
    cache["a"] = 1
    (link,) = cache._cache.values()
    assert isinstance(cache._cache, dict) and isinstance(link, list) and link[2:] == ["a", 1]


async def test_private_attributes_and_render_cache_keys_keep_their_layout():
    table = DataTable()
    app = TableApp(table)
    async with app.run_test(size=(80, 20)) as pilot:
        table.add_columns("a", "b")
        table.add_rows([("1", "x"), ("2", "y")])
        await pilot.pause()
        for name, (kind, _) in DATATABLE_PRIVATES.items():
            if not kind.startswith("attribute"):
                continue
            assert name in vars(table), f"DataTable() no longer sets {name}"
            type_name = kind.split(":")[1]
            expected = KINDS.get(type_name)
            if expected is not None:
                assert isinstance(vars(table)[name], expected), f"{name} is no {type_name}"
            else:
                assert type(vars(table)[name]).__name__ == type_name, name
        # The fast path files cells under DataTable's own key: the same key DataTable uses.
        table._cell_render_cache.clear()
        DataTable._render_cell(table, 0, 1, Style(), 5, False, False)
        row_key, column_key = RowKey("0"), None
        (key,) = table._cell_render_cache.keys()
        column_key = key[1]
        assert key == FastDataTable.cell_cache_key(table, key[0], column_key, Style(), False, False)
        assert isinstance(key[0], RowKey) and row_key is not None
        # Row and line caches: `_repaint_rows` finds a row's entries by key[0].
        assert table._row_render_cache.keys() and all(
            isinstance(k[0], RowKey) for k in table._row_render_cache.keys()
        )
        assert all(isinstance(k[0], int) for k in table._line_cache.keys())
        assert table._row_renderable_cache.keys() and all(
            len(k) == 2 and isinstance(k[0], int) and isinstance(k[1], int)
            for k in table._row_renderable_cache.keys()
        )  # (update count, row index)


class DataTablePaint(TaskTable):
    """TaskTable painted and measured entirely by DataTable's own code."""

    def _render_cell(self, *args, **kwargs):
        return DataTable._render_cell(self, *args, **kwargs)

    def _update_dimensions(self, new_rows):
        return DataTable._update_dimensions(self, new_rows)

    render_lines = DataTable.render_lines


@pytest.mark.parametrize("size", [(60, 20), (120, 40)])
async def test_a_screen_painted_through_the_fast_path_equals_datatables_own(size):
    shots = []
    for table in (TaskTable(COLUMNS), DataTablePaint(COLUMNS)):
        app = TableApp(table)
        async with app.run_test(size=size) as pilot:
            table.apply(rows())
            await pilot.pause()
            table.apply(rows()[3:] + rows(2))  # moved, removed and marked rows
            await pilot.press("down", "down")
            await pilot.pause()
            shots.append(app.export_screenshot(simplify=False))
    assert "id-0000" in shots[0]
    assert shots[0] == shots[1]
