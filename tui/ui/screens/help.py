"""`?`: every key the app answers to, from the bindings with the keymap applied: it cannot drift."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.ui.keymap import display_keys
from widgets.text import literal

EXTRA_KEYS: list[tuple[str, str]] = [
    ("enter", "Open the selected task's detail"),
    ("escape", "Close the detail pane / this help"),
    ("↑ ↓ PgUp PgDn", "Move the cursor"),
    ("ctrl+p", "Command palette"),
]


def key_table(groups: list[tuple[str, list[Binding]]]) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for title, bindings in groups:
        table.add_row(literal(title, style="underline"), "")
        for binding in bindings:
            key = binding.key_display or display_keys(binding.key)
            table.add_row(literal(key), literal(binding.tooltip or binding.description))
    table.add_row(literal("other", style="underline"), "")
    for key, what in EXTRA_KEYS:
        table.add_row(literal(key), literal(what))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, groups: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Static(literal("tasktop keys", style="bold"))
            yield Static(key_table(self.groups))
