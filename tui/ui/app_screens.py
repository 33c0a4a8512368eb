"""The app's screens and one-shot actions that open something: the key dialog (asked for by a
tab's `TaskView.KeyWanted`), help, and copying the selected id (mixed into TasktopApp)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

from tui.core.keys import KeyInfo
from tui.ui.keymap import rebound
from tui.ui.task_view import TaskView

if TYPE_CHECKING:
    from tui.ui.app import TasktopApp


class AppScreens:
    """Mixin for TasktopApp."""

    #: The text `c` copied last (what the terminal was sent), None before the first copy.
    copied: str | None = None

    def on_task_view_key_wanted(self: TasktopApp, event: TaskView.KeyWanted) -> None:
        event.stop()
        self.open_key_dialog(event.provider, event.reason)

    def open_key_dialog(self: TasktopApp, provider: str, reason: str | None = None) -> None:
        from tui.ui.screens.key_dialog import KeyDialog

        def done(key: KeyInfo | None) -> None:
            if key is not None and key.present:
                self.use_key(key)

        self.push_screen(KeyDialog(provider, self.runtime.profile, reason), done)

    def action_help(self: TasktopApp) -> None:
        from tui.ui.screens.help import HelpScreen

        groups = [
            ("tabs", rebound(Binding.make_bindings(TaskView.BINDINGS), self._keymap)),
            ("app", rebound(Binding.make_bindings(self.BINDINGS), self._keymap)),
        ]
        self.push_screen(HelpScreen(groups))

    def action_copy_id(self: TasktopApp) -> None:
        from tui.core.clipboard import (
            ClipboardTooLarge,
            clipboard_text,
            copy_summary,
            in_tmux,
            osc52_sequences,
        )

        key = self.active_view.table.selected_key
        if key is None:
            return
        text, escaped = clipboard_text(key)
        try:
            sequences = osc52_sequences(text, in_tmux=in_tmux())
        except ClipboardTooLarge:
            self.notify("too long to copy", severity="warning")
            return
        self.copied = text
        for sequence in sequences:
            self.send_to_terminal(sequence)
        note = " (control characters shown as symbols)" if escaped else ""
        self.notify(f"copied {copy_summary(text)}{note}", timeout=4, markup=False)
