"""A compact strip of labelled sparklines: one heading line, then one row per series.

Generic: the caller names the series once and hands in numbers and the words around them (the
interval, the scale); every string goes through `literal`. Textual's `Sparkline` draws each series
in one terminal row, scaled from the series' minimum to its maximum, so each row says that range.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Sparkline, Static

from widgets.text import literal

__all__ = ["TrendStrip"]


class TrendStrip(Vertical):
    DEFAULT_CSS = """
    TrendStrip { height: auto; }
    TrendStrip .trend-row { height: 1; }
    TrendStrip .trend-label { width: 10; }
    TrendStrip .trend-scale { width: auto; margin-left: 1; color: $text-muted; }
    TrendStrip Sparkline { width: 24; }
    """

    def __init__(self, names: Sequence[str], *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.names = tuple(names)
        self.shows = 0
        """How many times `show` changed what the strip draws (tests count it)."""
        self._last: object = None
        self._scale_widths: dict[str, int] = {}  # name -> cells its scale words take now
        self._early: tuple[str, Mapping[str, tuple[Sequence[float], str]], str] | None = None

    def on_mount(self) -> None:
        if self._early is not None:
            early, self._early = self._early, None
            self.call_later(self.show, *early)  # `is_mounted` holds once this handler returns

    def compose(self) -> ComposeResult:
        yield Static("", classes="trend-heading")
        with Horizontal(classes="trend-rows"):
            for name in self.names:
                with Horizontal(classes="trend-row"):
                    yield Static(literal(name, single_line=True), classes="trend-label")
                    yield Sparkline([], classes=f"trend-line trend-{name}")
                    yield Static("", classes="trend-scale")

    def show(self, heading: str, series: Mapping[str, tuple[Sequence[float], str]],
             footer: str = "") -> None:
        """`series`: name → (values, words for the scale); names not given draw flat."""
        if not self.is_mounted:  # a read that beat the strip's own mount: drawn by on_mount
            self._early = (heading, series, footer)
            return
        state = (heading, footer, tuple((n, tuple(v), s) for n, (v, s) in series.items()))
        if state == self._last:
            return
        self._last = state
        self.shows += 1
        text = literal(heading, single_line=True)
        if footer:
            text.append("  ")
            text.append_text(literal(footer, single_line=True, style="dim"))
        # One line that never wraps: its size cannot change, so no layout pass (a pass over the
        # whole screen, table included, is most of what a redraw of the strip costs).
        self.query_one(".trend-heading", Static).update(text, layout=False)
        for name, row in zip(self.names, self.query(".trend-row"), strict=False):
            values, scale = series.get(name, ((), ""))
            row.query_one(Sparkline).data = list(values)
            width = literal(scale, single_line=True).cell_len
            label = row.query_one(".trend-scale", Static)
            label.update(literal(scale, single_line=True),
                         layout=width != self._scale_widths.get(name))  # its width is auto
            self._scale_widths[name] = width
