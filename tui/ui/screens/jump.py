"""The `:` dialog: type a page number, Enter jumps, Escape cancels."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from widgets.text import literal


class JumpScreen(ModalScreen[int | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: int, last: int) -> None:
        super().__init__()
        self.current = current
        self.last = last

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(literal(f"Go to page (1–{self.last}):"))
            yield Input(placeholder=f"now on page {self.current}", type="integer", id="page-input")
            yield Label("", id="jump-error", classes="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            page = int(event.value)
        except ValueError:
            page = 0
        if 1 <= page <= self.last:
            self.dismiss(page)
        else:
            error = self.query_one("#jump-error", Label)
            error.update(literal(f"enter a number from 1 to {self.last}"))

    def action_cancel(self) -> None:
        self.dismiss(None)
