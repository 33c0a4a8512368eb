"""A one-line label naming the active status filter, e.g. "filter: error (this page)"."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from widgets.text import literal

__all__ = ["StatusFilter"]


class StatusFilter(Static):
    """Shows which status filter is active; the app owns the filter itself.

    The "(note)" says how the filter applies, e.g. "this page" when the server cannot
    filter and the app filters the rows it received.
    """

    DEFAULT_CSS = """
    StatusFilter {
        width: auto;
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(
        self,
        value: str = "All",
        note: str | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(self.render_text(value, note), name=name, id=id, classes=classes)
        self.value = value
        self.note = note

    @staticmethod
    def render_text(value: str, note: str | None = None) -> Text:
        text = Text("filter: ", end="")
        text.append_text(literal(value or "All", 60, single_line=True))
        if note:
            text.append(" (")
            text.append_text(literal(note, 60, single_line=True))
            text.append(")")
        return text

    def show(self, value: str, note: str | None = None) -> None:
        """Show filter `value` ("All" for none) with an optional note."""
        if (value, note) == (self.value, self.note):
            return
        self.value, self.note = value, note
        self.update(self.render_text(value, note))

    @property
    def text(self) -> str:
        """The plain text shown."""
        return self.render_text(self.value, self.note).plain
