"""TabBar: a row of tab labels over a rule that marks the active one, in a single widget.

Textual's TabbedContent builds about a dozen widgets for three tabs (tabs, scroll container, bar,
one widget per label, an animated underline, one pane per tab). Styling and laying them out was
a tenth of tasktop's start-up, and the underline's slide made screenshots depend on timing. This
bar draws the same two lines itself; the app pairs it with a ContentSwitcher. Labels are literal
Text (a count from a server can never be read as markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

__all__ = ["TabBar"]

RULE = "━"
#: Cells before the first label (as Textual's tabs are inset).
INSET = 1
#: Rule ends next to the active tab's stretch, as Textual's own tabs draw them.
RULE_LEFT_END, RULE_RIGHT_END = "╸", "╺"


class TabBar(Widget):
    """`TabBar([(tab_id, label), ...], active=tab_id)`; posts `TabBar.Activated` on a click."""

    DEFAULT_CSS = """
    TabBar { height: 2; width: 1fr; }
    TabBar > .tab-bar--active { color: $foreground; }
    TabBar > .tab-bar--inactive { color: $foreground 50%; }
    TabBar > .tab-bar--rule { color: $foreground 10%; }
    TabBar > .tab-bar--rule-active { color: $block-cursor-background; }
    TabBar:ansi > .tab-bar--inactive { text-style: dim; }
    TabBar:ansi > .tab-bar--active { text-style: bold; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "tab-bar--active",
        "tab-bar--inactive",
        "tab-bar--rule",
        "tab-bar--rule-active",
    }

    active: reactive[str] = reactive("")

    class Activated(Message):
        """A tab label was clicked (the app decides what showing it means)."""

        def __init__(self, tab_id: str) -> None:
            super().__init__()
            self.tab_id = tab_id

    def __init__(
        self,
        tabs: Sequence[tuple[str, str]],
        *,
        active: str,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._labels: dict[str, str] = dict(tabs)
        self.set_reactive(TabBar.active, active)

    @property
    def tab_ids(self) -> list[str]:
        return list(self._labels)

    def label(self, tab_id: str) -> str:
        return self._labels[tab_id]

    def set_label(self, tab_id: str, label: str) -> bool:
        """Show a new label for a tab; False (and no repaint) when it is the same."""
        if self._labels.get(tab_id) == label:
            return False
        self._labels[tab_id] = label
        self.refresh()
        return True

    def spans(self) -> list[tuple[str, int, int]]:
        """(tab_id, start, end) of each label on the first line, a space of padding included."""
        out, x = [], INSET
        for tab_id, label in self._labels.items():
            width = cell_len(label) + 2
            out.append((tab_id, x, x + width))
            x += width
        return out

    def render(self) -> Text:
        active = self.get_component_rich_style("tab-bar--active")
        inactive = self.get_component_rich_style("tab-bar--inactive")
        rule = self.get_component_rich_style("tab-bar--rule")
        lit = self.get_component_rich_style("tab-bar--rule-active")
        labels = Text(" " * INSET, no_wrap=True, overflow="crop", end="")
        for tab_id, label in self._labels.items():
            labels.append(f" {label} ", active if tab_id == self.active else inactive)
        width = max(self.size.width, labels.cell_len)
        return Text("\n", end="").join([labels, self._rule(width, rule, lit)])

    def _rule(self, width: int, rule: Style, lit: Style) -> Text:
        start, end = next(((s, e) for t, s, e in self.spans() if t == self.active), (0, 0))
        line = Text(no_wrap=True, overflow="crop", end="")
        if start > 0:
            line.append(RULE * (start - 1) + RULE_LEFT_END, rule)
        line.append(RULE * (end - start), lit)
        if end < width:
            line.append(RULE_RIGHT_END + RULE * (width - end - 1), rule)
        return line

    def on_click(self, event: events.Click) -> None:
        for tab_id, start, end in self.spans():
            if start <= event.x < end:
                event.stop()
                self.post_message(self.Activated(tab_id))
                return
