"""Command palette entries: the same actions as the keys, found by name (ctrl+p)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

#: (title, help, action name, target): target "app" runs on the app, "view" on the active tab.
ACTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("Show Datasets tab", "key 1", "show_tab('datasets')", "app"),
    ("Show Red team tab", "key 2", "show_tab('redteam')", "app"),
    ("Show Nimble tab", "key 3", "show_tab('nimble')", "app"),
    ("Refresh now", "key r", "refresh_now", "view"),
    ("Pause / resume refresh", "key space", "toggle_pause", "view"),
    ("Cycle status filter", "key f", "cycle_filter", "view"),
    ("Next page", "key n", "next_page", "view"),
    ("Previous page", "key b", "previous_page", "view"),
    ("First page", "key g", "first_page", "view"),
    ("Last page", "key G", "last_page", "view"),
    ("Go to page…", "key :", "jump_page", "view"),
    ("Larger page size", "key +", "page_size(1)", "view"),
    ("Smaller page size", "key -", "page_size(-1)", "view"),
    ("Close detail / clear search", "key escape", "close_detail", "view"),
    ("Sort by the next column", "key s", "cycle_sort", "view"),
    ("Reverse the sort order", "key S", "reverse_sort", "view"),
    ("Search this page", "key /", "search", "view"),
    ("Enter or replace the API key", "key k", "set_key", "view"),
    ("Copy the selected task id", "key c", "copy_id", "app"),
    ("Export this page or all pages", "key e", "export", "app"),
    ("Help: all keys", "key ?", "help", "app"),
)


class TasktopCommands(Provider):
    async def _run(self, action: str, target: str) -> None:
        app = self.app
        node = app.active_view if target == "view" else app  # type: ignore[attr-defined]
        await app.run_action(action, node)

    def _commands(self) -> list[tuple[str, str, Callable[[], Awaitable[None]] | Callable[[], None]]]:
        app = self.app
        commands: list = [
            (title, help_text, partial(self._run, action, target))
            for title, help_text, action, target in ACTIONS
        ]
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
