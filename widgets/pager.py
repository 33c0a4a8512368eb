"""Page indicator for both paging styles: page numbers with totals, or opaque cursors."""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Static

from widgets.text import literal

__all__ = ["Pager", "cursor_text", "number_text", "walk_text"]


def _tasks(count: int) -> str:
    return f"{count} task" if count == 1 else f"{count} tasks"


def number_text(page: int, total_pages: int | None, total_items: int | None) -> str:
    """"page 2 of 24 · 237 tasks"; unknown totals are left out; zero -> "no tasks"."""
    if total_items == 0 or (total_pages == 0 and not total_items):
        return "no tasks"
    parts = [f"page {page}" if total_pages is None else f"page {page} of {total_pages}"]
    if total_items is not None:
        parts.append(_tasks(total_items))
    return " · ".join(parts)


def cursor_text(page_index: int, total_items: int | None, has_next: bool) -> str:
    """"page 3 · 150 tasks · more" for the 0-based `page_index` 2 of a cursor-paged list."""
    if total_items == 0 and page_index == 0 and not has_next:
        return "no tasks"
    parts = [f"page {page_index + 1}"]
    if total_items is not None:
        parts.append(_tasks(total_items))
    if has_next:
        parts.append("more")
    return " · ".join(parts)


def walk_text(
    searched: int | None, total_items: int | None, has_next: bool, *, searching: bool = False
) -> str:
    """"searched 2,000 of 9,400 tasks · more" for a list filtered by walking its pages (how far
    down the list this screen reaches says more than its page number, and fits 80 columns);
    "searching… 1,200 of 9,400 tasks" while it walks; `searched` None: nothing counted yet."""
    if searched is None:
        return "searching…"
    if not searching and not has_next:
        return f"searched all {_count(searched)}"
    if total_items is not None:
        count = f"{min(searched, total_items):,} of {_count(total_items)}"
    else:
        count = _count(searched)
    return f"searching… {count}" if searching else f"searched {count} · more"


def _count(tasks: int) -> str:
    return f"{tasks:,} task" if tasks == 1 else f"{tasks:,} tasks"


class Pager(Static):
    """Shows where the user is in a paged list; repaints only when the text changes."""

    DEFAULT_CSS = """
    Pager {
        width: auto;
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__("", name=name, id=id, classes=classes)
        self.text = ""
        self._painted = ""

    def _show(self, text: str, paint: bool) -> None:
        self.text = text
        if paint:
            self.flush()

    def flush(self) -> None:
        """Paint `text` if it is not what the screen shows (see `paint=False`)."""
        if self.text != self._painted:
            resize = cell_len(self.text) != cell_len(self._painted)  # same width: no re-layout
            self._painted = self.text
            self.update(literal(self.text), layout=resize)

    def show_number(
        self, page: int, total_pages: int | None, total_items: int | None, *, paint: bool = True
    ) -> None:
        """Page-number paging: 1-based `page`; totals may be None when unknown.

        `paint=False` only records the text (`text`); the next `flush()` or painting call shows
        it, so a caller about to repaint anyway spends one frame, not two.
        """
        self._show(number_text(page, total_pages, total_items), paint)

    def show_cursor(
        self, page_index: int, total_items: int | None, has_next: bool, *, paint: bool = True
    ) -> None:
        """Cursor paging: `page_index` is 0-based (shown 1-based); `has_next` adds "· more"."""
        self._show(cursor_text(page_index, total_items, has_next), paint)

    def show_walk(
        self,
        searched: int | None,
        total_items: int | None,
        has_next: bool,
        *,
        searching: bool = False,
        paint: bool = True,
    ) -> None:
        """A list filtered by walking its pages: how much of it has been searched (`walk_text`)."""
        self._show(walk_text(searched, total_items, has_next, searching=searching), paint)

    def show_text(self, text: str, *, paint: bool = True) -> None:
        """Anything else, e.g. "loading…"."""
        self._show(text, paint)
