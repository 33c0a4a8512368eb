"""DataTable with bulk row operations and a fast paint path: the one module that touches
DataTable's private members.

`TaskTable` applies a page's diff in one batch and paints single-line cells without Rich's
wrap/crop/pad machinery; both need DataTable's internals. Every private member relied on is
listed in `DATATABLE_PRIVATES` (what it is and why), and tests/app/test_table_privates.py fails
when Textual renames one, changes its kind or signature, changes the render caches' key layout,
or when a paint through the fast path stops equalling DataTable's own. Textual is pinned
(8.2.8); read that test first when upgrading it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from rich.cells import cell_len
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.cache import LRUCache
from textual.color import Color
from textual.css.styles import RenderStyles
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets._data_table import RowRenderables
from textual.widgets.data_table import CellKey, ColumnKey, DuplicateKey, RowKey
from textual.widgets.data_table import Column as DataColumn
from textual.widgets.data_table import Row as DataRow

#: Every private DataTable member this module relies on: name → (kind, what for). Kinds:
#: "attribute" (set in DataTable.__init__, of the type named), "property", "method" (with its
#: parameters, self excluded), "cached method" (the same, inside functools.lru_cache). The two modules' privates are named in `PRIVATE_IMPORTS`.
DATATABLE_PRIVATES: dict[str, tuple[str, str]] = {
    "_row_locations": ("attribute:TwoWayDict", "row key ↔ display index; rewritten to reorder"),
    "_column_locations": ("attribute:TwoWayDict", "column key ↔ index, for the cell cache key"),
    "_data": ("attribute:dict", "row key → {column key: cell}; written by bulk add/drop"),
    "_new_rows": ("attribute:set", "rows whose dimensions are still to be measured"),
    "_updated_cells": ("attribute:set", "cells pending a width update; dropped with their rows"),
    "_require_update_dimensions": ("attribute:bool", "asks the next idle to re-measure"),
    "_update_count": ("attribute:int", "part of every render-cache key; bumped to repaint"),
    "_cell_render_cache": ("attribute:LRUCache", "rendered cells; the fast path fills it"),
    "_row_render_cache": ("attribute:LRUCache", "rendered rows; key[0] is the row key"),
    "_line_cache": ("attribute:LRUCache", "rendered lines; key[0] is the line's y"),
    "_row_renderable_cache": ("attribute:LRUCache", "key (update count, row index)"),
    "_show_hover_cursor": ("attribute:bool", "part of the cell cache key"),
    "_pseudo_class_state": ("attribute:PseudoClasses", "part of the cell cache key"),
    "_labelled_row_exists": ("attribute:bool", "row labels need DataTable's measuring"),
    "_y_offsets": ("property", "(row key, line) of each line, to repaint changed rows"),
    "_total_row_height": ("property", "virtual height without measuring every row"),
    "_row_label_column_width": ("property", "virtual width without measuring every row"),
    "_compute_row_renderables": ("method:row_index", "overridden: cells fitted to columns"),
    "_render_cell": (
        "method:row_index,column_index,base_style,width,cursor,hover",
        "overridden: the fast paint path (falls back to it for anything unusual)",
    ),
    "_get_styles_to_render_cell": (
        "cached method:is_header_cell,is_row_label_cell,is_fixed_style_cell,hover,cursor,show_cursor,"
        "show_hover_cursor,has_css_foreground_priority,has_css_background_priority",
        "the cell's component and post styles, exactly as DataTable paints them",
    ),
    "_highlight_cursor": ("method:", "the first rows of an empty table get the cursor"),
    "_update_dimensions": ("method:new_rows", "overridden: skips measuring fixed-width cells"),
    "_size_updated": (
        "method:size,virtual_size,container_size,layout",
        "overridden by TaskTable: columns laid out in the layout pass, so its frame shows them",
    ),
    "_on_resize": ("method:_", "overridden by TaskTable: keeps rendered cells a resize leaves valid"),
}
#: Private names imported from Textual's modules, and LRUCache's private ring.
PRIVATE_IMPORTS = (
    ("textual._two_way_dict", "TwoWayDict"),
    ("textual.widgets._data_table", "RowRenderables"),  # NamedTuple (label, cells)
    ("textual.cache", "LRUCache._cache"),  # dict of [prev, next, key, value] links
)

_JOIN = Text("\n")


@dataclass
class LaidOutColumn(DataColumn):
    """DataTable's column, which can also be left out (zero cells wide) by the layout."""

    hidden: bool = False

    def get_render_width(self, data_table: DataTable[Any]) -> int:
        return 0 if self.hidden else super().get_render_width(data_table)


def clear_lru(cache: LRUCache[Any, Any]) -> None:
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


class FastDataTable(DataTable):
    """DataTable plus bulk row operations (`_insert_rows`, `_delete_rows`, `_reorder`, quiet
    `update_cell` + `_repaint_rows`) and a fast paint path for single-line Text cells.

    Subclasses fit a cell to its column in `_fit_cell` (here: unchanged).
    """

    #: Styles of the paint in progress (see `render_lines`).
    _frame_style: Style | None = None
    _frame_background: tuple[Color, Color] | None = None
    _frame_components: dict[tuple[str, ...], _PaintStyles] | None = None
    #: The `_update_count` the render caches hold entries for (see `render_lines`).
    _cache_generation = -1

    def _fit_cell(self, value: object, index: int) -> object:
        """Data cell `index` (0: the first data column) as painted: here, unchanged."""
        return value

    # -- bulk row operations ---------------------------------------------------

    def _insert_rows(self, rows: Sequence[tuple[str, Sequence[RenderableType]]]) -> list[RowKey]:
        """DataTable.add_row for many rows at once (`rows`: key, a value for every column).

        add_row recomputes `ordered_columns` and re-sets the cursor reactive for every row (a
        third of a 100-row page flip); this does the same bookkeeping once per batch.
        """
        ordered = self.ordered_columns
        was_empty = self.row_count == 0
        added = []
        for key, values in rows:
            row_key = RowKey(key)
            if row_key in self._row_locations:
                raise DuplicateKey(f"The row key {row_key!r} already exists.")
            self._row_locations[row_key] = len(self._row_locations)
            self._data[row_key] = {
                column.key: cell for column, cell in zip_longest(ordered, values)
            }
            self.rows[row_key] = DataRow(row_key, 1, None, False)
            self._new_rows.add(row_key)
            added.append(row_key)
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        if was_empty and self.row_count and self.columns and self.show_cursor:
            if self.cursor_type != "none":
                self._highlight_cursor()
        self._update_count += 1
        self.check_idle()
        return added

    def _delete_rows(self, row_keys: Iterable[RowKey]) -> None:
        """Remove many rows' data at once (DataTable.remove_row is O(rows) per call); the caller
        then gives the remaining order to `_reorder` and calls `_dimensions_changed`."""
        for row_key in row_keys:
            for column_key in self._data[row_key]:
                self._updated_cells.discard(CellKey(row_key, column_key))
            self._new_rows.discard(row_key)
            del self.rows[row_key]
            del self._data[row_key]

    def _reorder(self, row_keys: Sequence[RowKey]) -> None:
        """Show the rows in this order (as DataTable.sort does, by rewriting the location map)."""
        self._row_locations = TwoWayDict({row_key: i for i, row_key in enumerate(row_keys)})
        self._update_count += 1
        self.refresh()

    def _dimensions_changed(self) -> None:
        self._require_update_dimensions = True
        self.check_idle()

    def _cells_changed(self) -> None:
        """Every cell paints anew (the render caches are keyed by `_update_count`)."""
        self._update_count += 1
        self._require_update_dimensions = True
        self.check_idle()
        self.refresh()

    def repaint_all(self) -> None:
        """Forget every rendered cell, row and line, and paint the table again from its data."""
        self._cells_changed()

    def _headers_changed(self) -> None:
        self._require_update_dimensions = True
        self.refresh()

    def _row_cells(self) -> Iterable[Mapping[ColumnKey, RenderableType]]:
        """Each row's cells by column key (display order not guaranteed)."""
        return self._data.values()

    def _keys_in_order(self) -> list[str]:
        locations = self._row_locations
        return [locations.get_key(index).value for index in range(self.row_count)]

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
        size = Size(width + self._row_label_column_width, self._total_row_height + header_height)
        if self._same_box(size):
            self.set_reactive(FastDataTable.virtual_size, size)
            self.refresh()
        else:
            self.virtual_size = size  # a layout reactive: the screen is laid out again

    def _same_box(self, size: Size) -> bool:
        """True when the table's box and scrollbars stay as they are at this virtual size: as
        tall as before, and as before narrower than the table. A page flip whose columns came
        out a cell narrower or wider then repaints the table alone, not the whole screen."""
        old = self.virtual_size
        room = self.scrollable_content_region.width
        width = self.styles.width  # None: as wide as its container, like 1fr
        return (
            size != old
            and size.height == old.height
            and (width is None or not width.is_auto)
            and max(size.width, old.width) <= room
            and self.scroll_x == 0
        )

    # -- painting ----------------------------------------------------------------

    def _compute_row_renderables(self, row_index: int) -> RowRenderables:
        """DataTable's row renderables, each data cell fitted to its column (`_fit_cell`)."""
        renderables = super()._compute_row_renderables(row_index)
        if row_index < 0:
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
                clear_lru(cache)
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

    def cell_cache_key(
        self, row_key: RowKey, column_key: ColumnKey, base_style: Style, cursor: bool, hover: bool
    ) -> tuple[object, ...]:
        """The key DataTable._render_cell files a rendered cell under (the fast path shares it)."""
        return (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        """DataTable._render_cell with a fast path for single-line Text cells.

        Every data cell of a TaskTable is a single-line Text that fits its column, so the general
        path (Styled(Padding(Text)) through Rich's wrap, crop and pad machinery, about 70 % of a
        page's paint time) reduces to: pad, the Text's own segments, pad. The segments and styles
        are the same; the cache and its key are DataTable's own.
        """
        if width <= 0:
            return [[]]  # a column left out by the layout
        if row_index < 0 or column_index < 0 or self.fixed_rows or self.fixed_columns:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        cache_key = self.cell_cache_key(row_key, column_key, base_style, cursor, hover)
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
            False, False, False, hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css",
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
