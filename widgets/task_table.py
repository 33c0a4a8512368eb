"""A DataTable that takes whole pages of rows and applies only what changed.

A live monitor re-fetches the same page every few seconds. Clearing and refilling a
DataTable on each tick loses the cursor and scroll position and repaints everything, so
`TaskTable.apply` diffs by row key: vanished rows are removed, new rows added, and only
cells whose value changed are updated, all in one `batch_update`. The server's row order
is kept by rewriting DataTable's row-location map (as `DataTable.sort` itself does), and
the cursor follows its row key.

Columns are laid out by the table itself (`widgets.column_layout`): on every resize and every
apply that changed something, each gets a width from the room and its values, and cells that do
not fit are painted cut with "…" (identifiers: their tail), while the table keeps them whole.

Relies on DataTable internals of Textual 8.2.8 (`_row_locations`, `_data`, `rows`, its `Column`
and `_compute_row_renderables`, and the render caches' `LRUCache._cache`);
textual is pinned and the tests cover these paths.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from operator import is_
from typing import Any, ClassVar, Self

from rich.cells import cell_len
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.cache import LRUCache
from textual.color import Color
from textual.coordinate import Coordinate
from textual.css.styles import RenderStyles
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets._data_table import RowRenderables
from textual.widgets.data_table import CellKey, ColumnKey, DuplicateKey, RowKey
from textual.widgets.data_table import Column as DataColumn
from textual.widgets.data_table import Row as DataRow

from widgets.column_layout import Column, Want, fit, unique_tail
from widgets.text import ELLIPSIS, literal, sanitize_text

__all__ = ["ApplyStats", "Column", "TaskTable", "sort_key"]

MARK = "•"
_JOIN = Text("\n")


@dataclass(frozen=True, slots=True)
class ApplyStats:
    """What one `TaskTable.apply` changed; `updated_cells` excludes the mark column."""

    added: int = 0
    removed: int = 0
    updated_cells: int = 0
    moved: bool = False
    duplicates: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.updated_cells or self.moved)


# A cheap comparable fingerprint of a cell: plain text, base style, spans, justify.
_Signature = tuple[Any, ...]


def _signature(value: object) -> _Signature:
    if isinstance(value, Text):
        return (value.plain, value.style, tuple(value.spans), value.justify)
    if isinstance(value, str):
        return (value, "", (), None)
    if value is None or isinstance(value, (int, float)):
        return (literal(value).plain, "", (), None)
    return (None, value)  # other renderables: equality (usually identity)


def _natural(text: str) -> tuple[Any, ...]:
    """'task 10' after 'task 9'; numbers before words; case-insensitive."""
    parts = re.split(r"(\d+(?:\.\d+)?)", text.casefold())
    return tuple((0, float(p), "") if i % 2 else (1, 0.0, p) for i, p in enumerate(parts) if p)


def sort_key(value: object) -> tuple[Any, ...]:
    """How a cell sorts: its `sort_key` attribute when the caller set one (e.g. a timestamp
    behind "3m ago"), else its text in natural order. Empty cells sort last."""
    explicit = getattr(value, "sort_key", None)
    if explicit is not None:
        return (0, explicit)
    plain = value.plain if isinstance(value, Text) else literal(value).plain
    return (1, _natural(plain)) if plain else (2, ())


def _text_of(value: object) -> str:
    return value.plain if isinstance(value, Text) else literal(value).plain


def _cell(value: object, limit: int) -> RenderableType:
    """Safe single-line Text for a cell, cropped to `limit` characters with an ellipsis."""
    if isinstance(value, Text):
        text = sanitize_text(value, single_line=True)
        if len(text.plain) > limit:
            text = literal(text, limit)  # crops a copy
        elif text is value:
            if text.no_wrap and text.overflow == "ellipsis" and text.end == "":
                return text  # already made as a cell: kept as it is (cells are never mutated)
            text = text.copy()  # never mutate the caller's Text
    elif isinstance(value, str) or value is None or isinstance(value, (int, float)):
        text = literal(value, limit, single_line=True)
    else:
        return value  # type: ignore[return-value]
    text.no_wrap = True
    text.overflow = "ellipsis"
    text.end = ""
    return text


def _cut(text: Text, width: int) -> Text:
    """`text` cut to `width` cells ending in "…", as Rich's own ellipsis overflow cuts it."""
    text = text.copy()
    text.truncate(width, overflow="ellipsis")
    return text


def _tail(text: Text, width: int) -> Text:
    """"…" and as much of the end of `text` as fits in `width` cells (an identifier's tail)."""
    plain = text.plain
    start, used = len(plain), 0
    while start > 0 and used + cell_len(plain[start - 1]) <= width - 1:
        start -= 1
        used += cell_len(plain[start])
    tail = text[start:]
    tail.pad_left(1, ELLIPSIS)
    tail.no_wrap, tail.overflow, tail.end = True, "ellipsis", ""
    return tail


@dataclass
class _LaidOutColumn(DataColumn):
    """DataTable's column, which can also be left out (zero cells wide) by the layout."""

    hidden: bool = False

    def get_render_width(self, data_table: DataTable[Any]) -> int:
        return 0 if self.hidden else super().get_render_width(data_table)


def _clear_lru(cache: LRUCache[Any, Any]) -> None:
    """LRUCache.clear() that leaves nothing for the cycle collector.

    LRUCache links its entries in a ring of [prev, next, key, value] lists; clear() drops the dict
    and the head, so the whole ring, with every rendered cell and Strip it holds, becomes one
    reference cycle. Only the collector frees that, and such rings live long enough to reach the
    oldest generation, whose collection is rare (after `gc.freeze()` rarer still): a live table,
    cleared every tick that changes it, piled up megabytes of them. Emptying each link breaks the
    ring, so reference counting frees the entries at once.
    """
    for link in cache._cache.values():
        link.clear()
    cache.clear()


class _PaintStyles:
    """A component's RenderStyles whose rich_style is computed once, for one paint."""

    __slots__ = ("_styles", "rich_style")

    def __init__(self, styles: RenderStyles) -> None:
        self._styles = styles
        self.rich_style = styles.rich_style

    def __getattr__(self, name: str) -> Any:
        return getattr(self._styles, name)


class TaskTable(DataTable):
    """Keyed, diff-applied table of tasks with a one-tick change mark.

    Use `set_columns` then `apply` only; do not call add_row/remove_row/sort/clear
    directly. Enter (or a click on the highlighted row) posts `TaskTable.Opened(key)`
    (DataTable.RowSelected is posted too and may be ignored). DataTable.RowHighlighted
    is posted on cursor moves; after `apply` it is posted once, only if the highlighted
    key changed.
    """

    MARK_COLUMN: ClassVar[str] = "_mark"
    #: Styles of the paint in progress (see `render_lines`).
    _frame_style: Style | None = None
    _frame_background: tuple[Color, Color] | None = None
    _frame_components: dict[tuple[str, ...], _PaintStyles] | None = None
    #: The `_update_count` the render caches hold entries for (see `render_lines`).
    _cache_generation = -1

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
        self._signatures: dict[str, list[_Signature]] = {}
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

    def on_resize(self) -> None:
        self._relayout()

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
        needle = self.search.casefold()
        if needle:
            rows = [
                row for row in rows if any(needle in _text_of(c).casefold() for c in row[1])
            ]
        if self.sort_column is not None:
            index = [c.key for c in self._columns].index(self.sort_column)

            def key(row: tuple[str, Sequence[RenderableType]]) -> tuple[Any, ...]:
                cells = row[1]
                return sort_key(cells[index] if index < len(cells) else None)

            rows = sorted(rows, key=key, reverse=self.sort_reverse)
        return rows

    def _label_headers(self) -> None:
        for column in self._columns:
            label = literal(column.label, single_line=True)
            if column.key == self.sort_column:
                label.append(" ▼" if self.sort_reverse else " ▲")
            self.columns[column.key].label = label
        self._require_update_dimensions = True
        self.refresh()
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
            self.columns[key] = _LaidOutColumn(key, added.label, column.width or 0)
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
        locations = self._row_locations
        self._order = [locations.get_key(index).value for index in range(self.row_count)]
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
        rows = self._view(self._source)
        width = len(self._columns)
        order: list[str] = []
        incoming: dict[str, Sequence[Any]] = {}
        duplicates = 0
        for key, cells in rows:
            if key in incoming:
                duplicates += 1
                continue
            if len(cells) > width:
                raise ValueError(f"row {key!r} has {len(cells)} cells for {width} columns")
            incoming[key] = cells
            order.append(key)

        old = self._signatures
        removed = [key for key in self._order if key not in incoming]
        added = [key for key in order if key not in old]
        changes: dict[str, list[tuple[int, object, _Signature]]] = {}
        last_cells = self._last_cells
        for key in order:
            before = old.get(key)
            if before is None:
                continue
            cells = incoming[key]
            same = last_cells.get(key)
            if same is not None and len(same) == len(cells) and all(map(is_, same, cells)):
                continue  # the very cell objects shown last time (a caller's cache): unchanged
            for index in range(width):
                value = cells[index] if index < len(cells) else None
                signature = _signature(value)
                if signature != before[index]:
                    changes.setdefault(key, []).append((index, value, signature))

        self._last_cells = {key: tuple(cells) for key, cells in incoming.items()}
        if not self._loaded or mark is False:
            to_mark: set[str] = set()
        elif mark is True:
            to_mark = set(added) | set(changes)
        else:
            to_mark = set(mark) & incoming.keys()
        to_unmark = self._marked - to_mark - set(removed)
        kept = [key for key in self._order if key in incoming]
        moved = kept + [key for key in order if key not in old] != order
        self._loaded = True

        updated = sum(len(cell_changes) for cell_changes in changes.values())
        stats = ApplyStats(len(added), len(removed), updated, moved, duplicates)
        self.last_stats = stats
        self.cells_updated_total += updated
        newly_marked = to_mark - self._marked
        if not (stats.changed or to_unmark or newly_marked):
            return stats

        before_key = self.selected_key
        before_row = self.cursor_row
        with self.app.batch_update(), self.prevent(DataTable.RowHighlighted):
            if removed:
                self._drop_rows(removed, kept)
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

    def _room(self) -> int:
        """Cells the data columns may take: the width, less the mark column and the vertical
        scrollbar when the rows overflow the height."""
        width = self.size.width
        header = self.header_height if self.show_header else 0
        if self.row_count + header > self.size.height:
            width -= self.styles.scrollbar_size_vertical
        return width - self.columns[ColumnKey(self.MARK_COLUMN)].get_render_width(self)

    def _relayout(self) -> bool:
        """Lay the columns out for the current room and values (see `widgets.column_layout`);
        True if a width changed. Costs one pass over the page's cells; repaints only on a change."""
        if not self._columns or self.size.width <= 0:
            return False
        rows = self._data.values()
        wants = []
        for column in self._columns:
            key = ColumnKey(column.key)
            if column.width is not None:
                wants.append(Want(column.width, column.width, 2, column.priority))
                continue
            plains = [v.plain if isinstance(v, Text) else "" for v in (r.get(key) for r in rows)]
            natural = max([cell_len(self.columns[key].label.plain), *map(cell_len, plains)])
            if column.id_like:
                wants.append(Want(natural, min(natural, unique_tail(plains) + 1), 0, column.priority))
            elif column.min_width is not None:
                wants.append(Want(natural, min(natural, column.min_width), 1, column.priority))
            else:
                wants.append(Want(natural, natural, 2, column.priority))
        widths = fit(wants, self._room(), padding=2 * self.cell_padding)
        if widths == self._widths:
            return False
        for column, width in zip(self._columns, widths, strict=True):
            laid_out = self.columns[ColumnKey(column.key)]
            laid_out.hidden = width is None  # type: ignore[attr-defined]
            laid_out.width = laid_out.content_width = width or 0
            laid_out.auto_width = False
        self._widths = widths
        self.layouts += 1
        self._update_count += 1  # every render cache is keyed by it: cells are cut anew
        self._require_update_dimensions = True
        self.check_idle()
        self.refresh()
        return True

    def _fit_cell(self, value: object, index: int) -> object:
        """A data cell (column `index`) as painted at the current width: whole when it fits, else
        an identifier's tail ("…8118fe") or the text cut with "…"."""
        width = self._widths[index] if 0 <= index < len(self._widths) else None
        if width is None or not isinstance(value, Text) or cell_len(value.plain) <= width:
            return value
        if width < 1:
            return Text("", end="")
        return _tail(value, width) if self._columns[index].id_like else _cut(value, width)

    def _compute_row_renderables(self, row_index: int) -> RowRenderables:
        """DataTable's row renderables, each cell fitted to its column (`_fit_cell`)."""
        renderables = super()._compute_row_renderables(row_index)
        if row_index < 0 or not self._widths:
            return renderables
        cells = [self._fit_cell(c, i - 1) if i else c for i, c in enumerate(renderables.cells)]
        return RowRenderables(renderables.label, cells)

    # DOMNode.rich_style, background_colors and a component's rich_style each walk every
    # ancestor's CSS, and DataTable asks for them for every line it renders. They cannot change
    # within one paint, so during `render_lines` they are computed once.

    @property
    def rich_style(self) -> Style:
        frame = self._frame_style
        return frame if frame is not None else super().rich_style

    @property
    def background_colors(self) -> tuple[Color, Color]:
        frame = self._frame_background
        return frame if frame is not None else super().background_colors

    def get_component_styles(self, *names: str) -> RenderStyles:
        memo = self._frame_components
        if memo is None:
            return super().get_component_styles(*names)
        styles = memo.get(names)
        if styles is None:
            styles = memo[names] = _PaintStyles(super().get_component_styles(*names))
        return styles  # type: ignore[return-value]

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._update_count != self._cache_generation:
            # Every key of these caches includes `_update_count`: entries from an older count
            # can never be used again. DataTable keeps them until its LRU limits (10,000 cells)
            # push them out, which grew a live table's memory by ~10 MiB over ten minutes.
            self._cache_generation = self._update_count
            for cache in (
                self._cell_render_cache,
                self._row_render_cache,
                self._line_cache,
                self._row_renderable_cache,
            ):
                _clear_lru(cache)
        self._end_frame()
        self._frame_style = super().rich_style
        self._frame_background = super().background_colors
        self._frame_components = {}
        try:
            return super().render_lines(crop)
        finally:
            self._end_frame()

    def _end_frame(self) -> None:
        self._frame_style = self._frame_background = self._frame_components = None

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        """DataTable._render_cell with a fast path for this table's own cells.

        Every data cell here is a single-line Text that fits its column (see `_cell`), so the
        general path (Styled(Padding(Text)) through Rich's wrap, crop and pad machinery, about
        70 % of a page's paint time) reduces to: pad, the Text's own segments, pad. The
        segments and styles are the same; the cache and its key are DataTable's own.
        """
        if width <= 0:
            return [[]]  # a column left out by the layout
        if row_index < 0 or column_index < 0 or self.fixed_rows or self.fixed_columns:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        cache_key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cache = self._cell_render_cache
        if cache_key in cache:
            return cache[cache_key]
        cell = self._fit_cell(self._data[row_key].get(column_key), column_index - 1)
        padding = self.cell_padding
        room = width - 2 * padding
        row = self.rows.get(row_key)
        if (
            not isinstance(cell, Text)
            or cell.justify not in (None, "default")  # Rich pads justified text itself
            or row is None
            or row.height != 1
            or room < 0
            or "\n" in cell.plain
            or cell_len(cell.plain) > room
        ):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        base_style += Style.from_meta({"row": row_index, "column": column_index})
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            False,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        blank = Style.null()
        segments = [Segment(" " * padding, blank)] if padding else []
        # Rich's wrap path joins lines, which turns the Text's base style into a span; do the same.
        text = _JOIN.join([cell]) if cell.style else cell
        segments.extend(segment for segment in text.render(self.app.console) if segment.text)
        segments.append(Segment(" " * (room - cell_len(cell.plain) + padding), blank))
        line = list(Segment.apply_style(segments, base_style + component_style, post_style))
        lines = [line]
        cache[cache_key] = lines
        return lines

    def _mark_style(self) -> Style:
        # The default covers an apply before the first mount (no component styles yet).
        return self.get_component_rich_style("task-table--mark", default=Style(bold=True))

    def _add_rows(self, rows: list[tuple[str, Sequence[object], Text]]) -> None:
        """DataTable.add_row for many rows at once.

        add_row recomputes `ordered_columns` and re-sets the cursor reactive for every row (a
        third of a 100-row page flip); this does the same bookkeeping once per batch.
        """
        ordered = self.ordered_columns
        was_empty = self.row_count == 0
        for key, cells, mark in rows:
            values: list[RenderableType] = [mark]
            signatures: list[_Signature] = []
            for index, limit in enumerate(self._limits):
                value = cells[index] if index < len(cells) else None
                signatures.append(_signature(value))
                values.append(_cell(value, limit))
            row_key = RowKey(key)
            if row_key in self._row_locations:
                raise DuplicateKey(f"The row key {row_key!r} already exists.")
            self._row_locations[row_key] = len(self._row_locations)
            self._data[row_key] = {
                column.key: cell for column, cell in zip_longest(ordered, values)
            }
            self.rows[row_key] = DataRow(row_key, 1, None, False)
            self._new_rows.add(row_key)
            self._row_keys[key] = row_key
            self._signatures[key] = signatures
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        if was_empty and self.row_count and self.columns and self.show_cursor:
            if self.cursor_type != "none":
                self._highlight_cursor()
        self._update_count += 1
        self.check_idle()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """DataTable._update_dimensions, minus measuring every new cell when nothing depends on
        it: with fixed-width columns and one-line, unlabelled rows only the virtual size moves."""
        if self._labelled_row_exists or any(c.auto_width for c in self.columns.values()):
            super()._update_dimensions(new_rows)
            return
        rows = self.rows
        for row_key in new_rows:
            row = rows.get(row_key)
            if row is not None and (row.auto_height or row.label is not None):
                super()._update_dimensions(new_rows)
                return
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header_height = self.header_height if self.show_header else 0
        self.virtual_size = Size(
            width + self._row_label_column_width, self._total_row_height + header_height
        )

    def _update_row(
        self,
        key: str,
        cell_changes: list[tuple[int, object, _Signature]],
        touched: set[RowKey] | None = None,
    ) -> None:
        row_key = self._row_keys[key]
        signatures = self._signatures[key]
        for index, value, signature in cell_changes:
            cell = _cell(value, self._limits[index])
            self.update_cell(row_key, self._columns[index].key, cell, touched=touched)
            signatures[index] = signature

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: object,
        *,
        update_width: bool = False,
        touched: set[RowKey] | None = None,
    ) -> None:
        """DataTable.update_cell; with a `touched` set (internal), store the value quietly and
        add the row to the set, for `_repaint_rows` to repaint just those rows."""
        if touched is None or update_width:
            super().update_cell(row_key, column_key, value, update_width=update_width)
            return
        row_key = row_key if isinstance(row_key, RowKey) else RowKey(row_key)
        column_key = column_key if isinstance(column_key, ColumnKey) else ColumnKey(column_key)
        if row_key not in self._row_locations or column_key not in self._column_locations:
            super().update_cell(row_key, column_key, value)  # raises CellDoesNotExist
            return
        self._data[row_key][column_key] = value
        touched.add(row_key)

    def _repaint_rows(self, row_keys: set[RowKey]) -> None:
        """Forget the rendered cells and lines of these rows only, and repaint their regions.

        DataTable.update_cell bumps `_update_count`, which is part of every render-cache key, so
        one changed cell re-renders every visible row. Rows that kept their place need less.
        """
        for cache in (self._cell_render_cache, self._row_render_cache):
            for cache_key in [k for k in cache.keys() if k[0] in row_keys]:
                cache.discard(cache_key)
        header = self.header_height if self.show_header else 0
        lines = {header + y for y, (row_key, _) in enumerate(self._y_offsets) if row_key in row_keys}
        for cache_key in [k for k in self._line_cache.keys() if k[0] in lines]:
            self._line_cache.discard(cache_key)
        for row_key in row_keys:
            index = self._row_locations.get(row_key)
            if index is not None:
                self._row_renderable_cache.discard((self._update_count, index))
                self.refresh_row(index)

    def _drop_rows(self, keys: list[str], remaining: list[str]) -> None:
        """Remove many rows at once (DataTable.remove_row is O(rows) per call)."""
        for key in keys:
            row_key = self._row_keys.pop(key)
            for column_key in self._data[row_key]:
                self._updated_cells.discard(CellKey(row_key, column_key))
            self._new_rows.discard(row_key)
            del self.rows[row_key]
            del self._data[row_key]
            del self._signatures[key]
            self._marked.discard(key)
        self._set_row_order(remaining)
        self._require_update_dimensions = True
        self.check_idle()
        # No refresh(layout=True): a changed height re-lays out through `virtual_size` (a layout
        # reactive), and the same number of rows (a page flip, a tick) needs no layout at all.

    def _set_row_order(self, keys: list[str]) -> None:
        row_keys = self._row_keys
        self._row_locations = TwoWayDict({row_keys[key]: i for i, key in enumerate(keys)})
        self._update_count += 1
        self.refresh()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table is self and event.row_key.value is not None:
            self.post_message(self.Opened(self, event.row_key.value))
