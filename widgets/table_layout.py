"""How TaskTable lays its columns out for the room it has (mixed into TaskTable).

Each column wants a width from its widest value; `widgets.column_layout.fit` shares the room out
(identifiers shrink to their tails first, then text is cut, then low-priority columns go), and
`_fit_cell` paints each cell at its column's width.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.widgets.data_table import ColumnKey

from widgets.column_layout import Want, fit, unique_tail
from widgets.table_cells import cut, tail

if TYPE_CHECKING:
    from widgets.task_table import TaskTable


class FittedColumns:
    """Mixin for TaskTable: `_relayout` on resize and on changed values, `_fit_cell` to paint."""

    def _size_updated(
        self: TaskTable, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        """Lay the columns out for a new size inside the layout pass that gives it, so the frame
        this pass paints shows them: a Resize handler runs only after that frame, and at start-up
        the first frame then had the page's rows in columns 0 cells wide (nothing on screen)."""
        before = self._size
        changed = super()._size_updated(size, virtual_size, container_size, layout)  # type: ignore[misc]
        if self._size != before:
            self._relayout()
        return changed

    def _on_resize(self: TaskTable, event: events.Resize) -> None:
        """Keep the rendered cells: DataTable forgets them all on every Resize, but here a new size
        that changes a column's width is laid out anew (`_relayout` then forgets them) and the line
        cache is keyed by the width. At start-up that re-render of every visible row came right
        after the first frame, while the page's get-task calls waited for the event loop."""
        event.prevent_default()

    def _room(self: TaskTable) -> int:
        """Cells the data columns may take: the width, less the mark column and the vertical
        scrollbar when the rows overflow the height."""
        width = self.size.width
        header = self.header_height if self.show_header else 0
        if self.row_count + header > self.size.height:
            width -= self.styles.scrollbar_size_vertical
        return width - self.columns[ColumnKey(self.MARK_COLUMN)].get_render_width(self)

    def _relayout(self: TaskTable) -> bool:
        """Lay the columns out for the current room and values (see `widgets.column_layout`);
        True if a width changed. Costs one pass over the page's cells; repaints only on a change."""
        if not self._columns or self.size.width <= 0:
            return False
        rows = self._row_cells()
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
        self._cells_changed()  # every render cache is keyed by the update count: cut anew
        return True

    def _fit_cell(self: TaskTable, value: object, index: int) -> object:
        """A data cell (column `index`) as painted at the current width: whole when it fits, else
        an identifier's tail ("…8118fe") or the text cut with "…"."""
        width = self._widths[index] if 0 <= index < len(self._widths) else None
        if width is None or not isinstance(value, Text) or cell_len(value.plain) <= width:
            return value
        if width < 1:
            return Text("", end="")
        return tail(value, width) if self._columns[index].id_like else cut(value, width)

