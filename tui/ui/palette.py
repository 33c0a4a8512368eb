"""Command palette entries: the same actions as the keys, found by name (ctrl+p)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

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
    async def _run(self, action: str, target: str) -> None:
        app = self.app
        node = app.active_view if target == "view" else app  # type: ignore[attr-defined]
        await app.run_action(action, node)

    def _commands(self) -> list[tuple[str, str, Callable[[], Awaitable[None]] | Callable[[], None]]]:
        app = self.app
        commands: list = []
        for title, action, target in ACTIONS:
            keys = app.keys_for(action)  # type: ignore[attr-defined]
            run = partial(self._run, action, target)
            commands.append((title, f"key {keys}" if keys else "", run))
        runtime = app.runtime  # type: ignore[attr-defined]
        for name in runtime.profiles:
            if name != runtime.profile:
                commands.append(
                    (f"Switch profile: {name}", "reload URLs and keys", partial(app.switch_profile, name))  # type: ignore[attr-defined]
                )
        return commands

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)
