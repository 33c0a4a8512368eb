"""Command palette entries: the same actions as the keys, found by name (ctrl+p)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from tui.ui.app import TasktopApp

#: (title, action name, target): target "app" runs on the app, "view" on the active tab. The help
#: text shows the action's key as bound now (the config's [keymap] may have moved it).
ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("Show Datasets tab", "show_tab('datasets')", "app"),
    ("Show Red team tab", "show_tab('redteam')", "app"),
    ("Show Nimble tab", "show_tab('nimble')", "app"),
    ("Refresh now", "refresh_now", "view"),
    ("Pause / resume refresh", "toggle_pause", "view"),
    ("Cycle status filter", "cycle_filter", "view"),
    ("Next page", "next_page", "view"),
    ("Previous page", "previous_page", "view"),
    ("First page", "first_page", "view"),
    ("Last page", "last_page", "view"),
    ("Go to page…", "jump_page", "view"),
    ("Larger page size", "page_size(1)", "view"),
    ("Smaller page size", "page_size(-1)", "view"),
    ("Close detail / clear search", "close_detail", "view"),
    ("Sort by the next column", "cycle_sort", "view"),
    ("Reverse the sort order", "reverse_sort", "view"),
    ("Search this page", "search", "view"),
    ("Enter or replace the API key", "set_key", "view"),
    ("Copy the selected task id", "copy_id", "app"),
    ("Export this page or all pages", "export", "app"),
    ("Help: all keys", "help", "app"),
)


class TasktopCommands(Provider):
    @property
    def tasktop(self) -> TasktopApp:
        """The app this palette belongs to (it is only ever installed on TasktopApp)."""
        return cast("TasktopApp", self.app)

    async def _run(self, action: str, target: str) -> None:
        app = self.tasktop
        node = app.active_view if target == "view" else app
        await app.run_action(action, node)

    def commands(self) -> list[tuple[str, str, Callable[[], Awaitable[None]] | Callable[[], None]]]:
        """(title, help text, what to run) of every entry, keys as bound now."""
        app = self.tasktop
        commands: list = []
        for title, action, target in ACTIONS:
            keys = app.keys_for(action)
            run = partial(self._run, action, target)
            commands.append((title, f"key {keys}" if keys else "", run))
        runtime = app.runtime
        for name in runtime.profiles:
            if name != runtime.profile:
                commands.append(
                    (f"Switch profile: {name}", "reload URLs and keys", partial(app.switch_profile, name))
                )
        return commands

    async def discover(self) -> Hits:
        for title, help_text, run in self.commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self.commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)
