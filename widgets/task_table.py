"""A DataTable that takes whole pages of rows and applies only what changed.

A live monitor re-fetches the same page every few seconds. Clearing and refilling a
DataTable on each tick loses the cursor and scroll position and repaints everything, so
`TaskTable.apply` diffs by row key (`widgets.table_diff.diff_rows`, a pure function): vanished
rows are removed, new rows added, and only cells whose value changed are updated, all in one
`batch_update`. The server's row order is kept by rewriting DataTable's row-location map (as
`DataTable.sort` itself does), and the cursor follows its row key.

Columns are laid out by the table itself (`widgets.column_layout`): on every resize and every
apply that changed something, each gets a width from the room and its values, and cells that do
not fit are painted cut with "…" (identifiers: their tail), while the table keeps them whole.

Every DataTable internal it relies on is reached through its base class,
`widgets.fast_data_table.FastDataTable`, which lists them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, ClassVar, Self

from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from widgets.column_layout import Column
from widgets.fast_data_table import FastDataTable, LaidOutColumn
from widgets.table_cells import safe_cell, sort_key, view_rows
from widgets.table_diff import ApplyStats, CellChange, Signature, diff_rows, signature
from widgets.table_layout import FittedColumns
from widgets.text import literal

__all__ = ["ApplyStats", "Column", "TaskTable", "sort_key"]

MARK = "•"


class TaskTable(FittedColumns, FastDataTable):
    """Keyed, diff-applied table of tasks with a one-tick change mark.

    Use `set_columns` then `apply` only; do not call add_row/remove_row/sort/clear
    directly. Enter (or a click on the highlighted row) posts `TaskTable.Opened(key)`
    (DataTable.RowSelected is posted too and may be ignored). DataTable.RowHighlighted
    is posted on cursor moves; after `apply` it is posted once, only if the highlighted
    key changed.
    """

    MARK_COLUMN: ClassVar[str] = "_mark"

    COMPONENT_CLASSES: ClassVar[set[str]] = DataTable.COMPONENT_CLASSES | {
        "task-table--mark"
    }

    DEFAULT_CSS = """
    TaskTable > .task-table--mark {
        color: $accent;
        text-style: bold;
    }
    """

    class Opened(Message):
        """Enter was pressed (or the highlighted row clicked) on the row with `key`."""

        def __init__(self, task_table: TaskTable, key: str) -> None:
            self.task_table = task_table
            self.key = key
            super().__init__()

        @property
        def control(self) -> TaskTable:
            return self.task_table

    def __init__(
        self,
        columns: Sequence[Column] = (),
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(
            cursor_type="row",
            zebra_stripes=False,
            name=name,
            id=id,
            classes=classes,
            disabled=disabled,
        )
        self._columns: tuple[Column, ...] = ()
        self._limits: list[int] = []
        #: Each data column's laid-out content width (None: left out); see `_relayout`.
        self._widths: list[int | None] = []
        #: How many times the columns were laid out anew (a width changed).
        self.layouts = 0
        self._signatures: dict[str, list[Signature]] = {}
        #: The cell objects each row was last given (unchanged objects skip the comparison).
        self._last_cells: dict[str, tuple[object, ...]] = {}
        self._row_keys: dict[str, RowKey] = {}
        self._order: list[str] = []
        self._marked: set[str] = set()
        self._loaded = False
        self.last_stats = ApplyStats()
        self.cells_updated_total = 0
        self._initial_columns: tuple[Column, ...] | None = tuple(columns) if columns else None
        #: The rows last given to `apply`, before search and sort (re-viewed without a fetch).
        self._source: list[tuple[str, Sequence[RenderableType]]] = []
        self.sort_column: str | None = None
        self.sort_reverse = False
        self.search = ""

    def on_mount(self) -> None:
        self._ensure_columns()

    def _ensure_columns(self) -> None:
        if self._initial_columns is not None:
            self.set_columns(self._initial_columns)

    # -- public API -----------------------------------------------------------

    @property
    def columns_spec(self) -> tuple[Column, ...]:
        """The data columns last given to `set_columns`."""
        return self._columns

    @property
    def column_widths(self) -> dict[str, int | None]:
        """Each data column's laid-out content width (None: left out for lack of room)."""
        return {c.key: w for c, w in zip(self._columns, self._widths, strict=False)}

    def shown(self, key: str, column: str) -> RenderableType:
        """The cell as it is painted at the current layout (cut or shortened to fit)."""
        index = [c.key for c in self._columns].index(column)
        return self._fit_cell(self.get_cell(key, column), index)

    @property
    def row_keys(self) -> list[str]:
        """Row keys in display order."""
        return list(self._order)

    @property
    def marked_keys(self) -> frozenset[str]:
        """Keys currently showing the change mark."""
        return frozenset(self._marked)

    @property
    def selected_key(self) -> str | None:
        """Key of the row under the cursor, or None when the table is empty."""
        if not self._order:
            return None
        row = self.cursor_row
        return self._order[row] if 0 <= row < len(self._order) else None

    def select_key(self, key: str) -> bool:
        """Move the cursor to the row with `key`; False if there is no such row."""
        try:
            index = self._order.index(key)
        except ValueError:
            return False
        self.move_cursor(row=index)
        return True

    @property
    def source_count(self) -> int:
        """Rows last given to `apply` (before the search narrowed them)."""
        return len(self._source)

    def sort_by(self, column: str | None, reverse: bool | None = None) -> None:
        """Sort by a column key (None: the server's order); the same column again flips it.

        The sort survives refreshes, and the cursor stays on the same task.
        """
        if column is not None and column not in {c.key for c in self._columns}:
            raise ValueError(f"no column {column!r}")
        if reverse is None:
            reverse = (not self.sort_reverse) if column == self.sort_column else False
        self.sort_column, self.sort_reverse = column, reverse
        self._label_headers()
        self.apply(self._source, mark=False)

    def cycle_sort(self) -> None:
        """Sort by the next column (ascending); after the last column, back to server order."""
        keys = [c.key for c in self._columns]
        if self.sort_column is None:
            self.sort_by(keys[0] if keys else None, False)
        else:
            index = keys.index(self.sort_column) + 1
            self.sort_by(keys[index] if index < len(keys) else None, False)

    def set_search(self, text: str) -> None:
        """Show only rows whose cells contain `text` (case-insensitive); '' shows all."""
        self.search = text
        self.apply(self._source, mark=False)

    def _view(
        self, rows: list[tuple[str, Sequence[RenderableType]]]
    ) -> list[tuple[str, Sequence[RenderableType]]]:
        keys = [c.key for c in self._columns]
        index = keys.index(self.sort_column) if self.sort_column is not None else None
        return view_rows(rows, self.search, index, self.sort_reverse)

    def _label_headers(self) -> None:
        for column in self._columns:
            label = literal(column.label, single_line=True)
            if column.key == self.sort_column:
                label.append(" ▼" if self.sort_reverse else " ▲")
            self.columns[column.key].label = label
        self._headers_changed()
        self._relayout()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = event.column_key.value
        if key is not None and key != self.MARK_COLUMN:
            self.sort_by(key)

    def set_columns(self, columns: Sequence[Column]) -> None:
        """Replace all columns (and rows). The next `apply` is a first load: no marks."""
        keys = [column.key for column in columns]
        if len(set(keys)) != len(keys) or self.MARK_COLUMN in keys:
            raise ValueError(f"column keys must be unique and not {self.MARK_COLUMN!r}")
        self._initial_columns = None
        self.clear(columns=True)
        self._columns = tuple(columns)
        if self.sort_column not in keys:
            self.sort_column, self.sort_reverse = None, False
        self._limits = [
            column.width if column.width is not None else column.max_width
            for column in self._columns
        ]
        self.add_column(Text(""), width=1, key=self.MARK_COLUMN)
        for column in self._columns:
            key = self.add_column(literal(column.label, single_line=True), width=0, key=column.key)
            added = self.columns[key]
            self.columns[key] = LaidOutColumn(key, added.label, column.width or 0)
        self._widths = []
        self._relayout()

    def clear(self, columns: bool = False) -> Self:
        """DataTable.clear, keeping the diff state in step (the next apply is a first load).

        `apply` never calls this; it resets the cursor and scroll position.
        """
        super().clear(columns=columns)
        self._signatures.clear()
        self._last_cells = {}
        self._row_keys.clear()
        self._order = []
        self._marked.clear()
        self._loaded = False
        if columns:
            self._columns = ()
            self._limits = []
            self._widths = []
        return self

    def sort(self, *columns: Any, key: Any = None, reverse: bool = False) -> Self:
        """DataTable.sort, keeping the diff state in step; the next apply restores server order."""
        super().sort(*columns, key=key, reverse=reverse)
        self._order = self._keys_in_order()
        return self

    def apply(
        self,
        rows: Sequence[tuple[str, Sequence[RenderableType]]],
        *,
        mark: bool | Collection[str] = True,
    ) -> ApplyStats:
        """Show exactly `rows` (key, cells in column order), in this order.

        Only what differs from the current display is touched. Added rows and rows with
        a changed cell get the mark until the next apply, or, when `mark` is a collection of
        keys, exactly those rows (a caller that knows which records changed: cells that only
        read differently, like "3m ago", are no news); the first apply after `set_columns`, or
        one with `mark=False` (e.g. after a page change), marks nothing.
        Later duplicates of a key are skipped (counted in `duplicates`). Cells are compared
        by value, except that a row given the very same cell objects as last time is taken as
        unchanged at once (so do not mutate a Text after passing it).
        """
        self._ensure_columns()
        self._source = list(rows)
        diff = diff_rows(
            self._view(self._source),
            width=len(self._columns),
            shown=self._order,
            signatures=self._signatures,
            last_cells=self._last_cells,
            marked=self._marked,
            mark=mark,
            first_load=not self._loaded,
        )
        incoming, order, added, removed = diff.incoming, diff.order, diff.added, diff.removed
        changes, to_mark, to_unmark, moved = diff.changes, diff.to_mark, diff.to_unmark, diff.moved
        self._last_cells = {key: tuple(cells) for key, cells in incoming.items()}
        self._loaded = True
        stats = diff.stats
        self.last_stats = stats
        self.cells_updated_total += stats.updated_cells
        newly_marked = to_mark - self._marked
        if not (stats.changed or to_unmark or newly_marked):
            return stats

        before_key = self.selected_key
        before_row = self.cursor_row
        with self.app.batch_update(), self.prevent(DataTable.RowHighlighted):
            if removed:
                self._drop_rows(removed, diff.kept)
            # Rows staying where they are: repaint just them (update_cell repaints the table).
            touched: set[RowKey] | None = None if (removed or added or moved) else set()
            for key, cell_changes in changes.items():
                self._update_row(key, cell_changes, touched)
            mark_text = Text(MARK, style=self._mark_style())
            for key in to_unmark:
                self.update_cell(self._row_keys[key], self.MARK_COLUMN, Text(""), touched=touched)
            for key in newly_marked - set(added):
                self.update_cell(self._row_keys[key], self.MARK_COLUMN, mark_text, touched=touched)
            if touched:
                self._repaint_rows(touched)
            if added:
                self._add_rows(
                    [(key, incoming[key], mark_text if key in to_mark else Text("")) for key in added]
                )
            self._order = order
            if moved:
                self._set_row_order(order)
            self._marked = to_mark
            if before_key in incoming:
                target = order.index(before_key)
            else:
                target = before_row
            self.cursor_coordinate = Coordinate(target, self.cursor_column)
            self.hover_coordinate = self.hover_coordinate
            if stats.changed:
                self._relayout()
        after_key = self.selected_key
        if after_key is not None and after_key != before_key:
            self.post_message(
                DataTable.RowHighlighted(self, self.cursor_row, self._row_keys[after_key])
            )
        return stats

    # -- internals ------------------------------------------------------------

    def _mark_style(self) -> Style:
        # The default covers an apply before the first mount (no component styles yet).
        return self.get_component_rich_style("task-table--mark", default=Style(bold=True))

    def _add_rows(self, rows: list[tuple[str, Sequence[object], Text]]) -> None:
        """Add rows (key, cells, mark) in one batch, each cell made safe and cropped."""
        prepared = []
        for key, cells, mark in rows:
            values: list[RenderableType] = [mark]
            signatures: list[Signature] = []
            for index, limit in enumerate(self._limits):
                value = cells[index] if index < len(cells) else None
                signatures.append(signature(value))
                values.append(safe_cell(value, limit))
            prepared.append((key, values))
            self._signatures[key] = signatures
        for (key, _), row_key in zip(prepared, self._insert_rows(prepared), strict=True):
            self._row_keys[key] = row_key

    def _update_row(
        self, key: str, cell_changes: list[CellChange], touched: set[RowKey] | None = None
    ) -> None:
        row_key = self._row_keys[key]
        signatures = self._signatures[key]
        for index, value, new in cell_changes:
            cell = safe_cell(value, self._limits[index])
            self.update_cell(row_key, self._columns[index].key, cell, touched=touched)
            signatures[index] = new

    def _drop_rows(self, keys: list[str], remaining: list[str]) -> None:
        """Remove many rows at once (DataTable.remove_row is O(rows) per call)."""
        self._delete_rows([self._row_keys.pop(key) for key in keys])
        for key in keys:
            del self._signatures[key]
            self._marked.discard(key)
        self._set_row_order(remaining)
        self._dimensions_changed()
        # No refresh(layout=True): a changed height re-lays out through `virtual_size` (a layout
        # reactive), and the same number of rows (a page flip, a tick) needs no layout at all.

    def _set_row_order(self, keys: list[str]) -> None:
        row_keys = self._row_keys
        self._reorder([row_keys[key] for key in keys])

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table is self and event.row_key.value is not None:
            self.post_message(self.Opened(self, event.row_key.value))
