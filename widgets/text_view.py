"""A read-only, word-wrapped view of one (possibly huge) rich Text.

Static wraps and renders its whole content on every update (about 1.5 s for 200 KB of
JSON); this line-API widget wraps once per width and renders only the lines on screen,
so a live-refreshed detail view stays cheap. It grows to its full height (height:auto)
and lets the surrounding container scroll.
"""

from __future__ import annotations

from rich._wrap import divide_line
from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

__all__ = ["TextView"]


class TextView(Widget):
    """Shows a Text wrapped to the widget width (long words folded)."""

    DEFAULT_CSS = """
    TextView {
        height: auto;
    }
    """

    def __init__(
        self,
        text: Text | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._text = Text()
        self._lines: list[Text] = []
        self._rows: list[Text] = []
        self._wrap_width = -1
        self._strips: LRUCache[int, Strip] = LRUCache(1024)
        self.update(text or Text())

    @property
    def text(self) -> Text:
        return self._text

    def update(self, text: Text) -> None:
        """Replace the content (the Text is shown literally; it is not copied)."""
        self._text = text
        if "\t" in text.plain:
            text = text.copy()
            text.expand_tabs()
        self._lines = list(text.split("\n", allow_blank=True)) if text.plain else []
        self._wrap_width = -1
        self._strips.clear()
        self.refresh(layout=True)

    def _wrapped(self, width: int) -> list[Text]:
        if width != self._wrap_width:
            width = max(width, 1)
            rows: list[Text] = []
            for line in self._lines:
                plain = line.plain
                if cell_len(plain) <= width:
                    rows.append(line)
                else:
                    rows.extend(line.divide(divide_line(plain, width, fold=True)))
            self._rows = rows
            self._wrap_width = width
            self._strips.clear()
        return self._rows

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._wrapped(width))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        rows = self._wrapped(width)
        style = self.rich_style
        if y >= len(rows):
            return Strip.blank(width, style)
        strip = self._strips.get(y)
        if strip is None:
            row = rows[y]
            segments = Segment.apply_style(row.render(self.app.console), style)
            strip = Strip(segments, cell_len(row.plain)).crop_extend(0, width, style)
            self._strips[y] = strip
        return strip
