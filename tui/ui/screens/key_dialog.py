"""The `k` dialog: type an API key; save it to the OS keyring, or use it for this session only.

The key is typed into a password input and never displayed. Storing runs off the UI thread with a
timeout (tui.core.keys), so a locked or hung keyring cannot freeze the screen; when the keyring is not
usable the dialog says why and offers the session-only path, clearly labelled as not saved.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tui.core.keys import (
    KeyInfo,
    KeyringUnavailable,
    remember_session_key,
    store_key_async,
)
from tui.tabs.registry import providers
from widgets.text import literal


class KeyDialog(ModalScreen[KeyInfo | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, provider: str, profile: str, reason: str | None = None) -> None:
        super().__init__()
        self.provider = provider
        self.profile = profile
        self.reason = reason

    def compose(self) -> ComposeResult:
        about = providers()[self.provider]
        with Vertical(classes="dialog key-dialog"):
            yield Label(literal(f"API key for {about.title}", style="bold"))
            if self.reason:
                yield Static(literal(self.reason, single_line=True), classes="error")
            yield Label(literal(f"profile {self.profile} · {about.key_env} overrides it"))
            yield Input(password=True, placeholder="paste the key", id="key-input")
            with Horizontal(classes="buttons"):
                yield Button("Save to keyring", id="save", variant="primary")
                yield Button("This session only", id="session")
                yield Button("Cancel", id="cancel")
            yield Static("", id="key-status")

    @property
    def value(self) -> str:
        return self.query_one("#key-input", Input).value.strip()

    def _status(self, message: str, error: bool = False) -> None:
        status = self.query_one("#key-status", Static)
        status.update(literal(message, single_line=True))
        status.set_class(error, "error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self._save()
        elif event.button.id == "session":
            self._use_for_session()
        else:
            self.dismiss(None)

    def _valid(self) -> bool:
        if not self.value:
            self._status("enter a key first", error=True)
            return False
        if any(ch.isspace() for ch in self.value):
            self._status("a key has no spaces or line breaks", error=True)
            return False
        return True

    def _save(self) -> None:
        if self._valid():
            self._status("saving to the keyring…")
            self.query_one("#save", Button).disabled = True
            self._store(self.value)

    @work(exclusive=True, group="store-key")
    async def _store(self, value: str) -> None:
        try:
            info = await store_key_async(self.provider, value, self.profile)
        except KeyringUnavailable as error:
            self.query_one("#save", Button).disabled = False
            self._status(f"not saved: {error} — or use it for this session only.", error=True)
            self.query_one("#session", Button).focus()
            return
        self.dismiss(info)

    def _use_for_session(self) -> None:
        if self._valid():
            self.dismiss(remember_session_key(self.provider, self.profile, self.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
