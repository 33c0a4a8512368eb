"""Command palette entries: the same actions as the keys, found by name (ctrl+p).

Read from the bindings themselves (the app's, one per tab included, and the tab view's), so a key
added anywhere, or a tab a package brings, is in the palette too. Each entry is titled by its
binding's tooltip, and its help shows the key as bound now (the config's [keymap] may move it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from tui.ui.app import TasktopApp

#: Actions the palette does not offer (quitting has its own key and ctrl+c hint).
LEFT_OUT = frozenset({"quit"})


def palette_actions() -> list[tuple[str, str, str]]:
    """(title, action, target) per binding: target "app" runs on the app, "view" on the tab."""
    from tui.ui.app import app_bindings
    from tui.ui.task_view import TaskView

    entries = [(b, "app") for b in app_bindings() if b.action.startswith("show_tab")]
    entries += [(b, "view") for b in Binding.make_bindings(TaskView.BINDINGS)]
    entries += [(b, "app") for b in app_bindings() if not b.action.startswith("show_tab")]
    return [
        (binding.tooltip or binding.description, binding.action, target)
        for binding, target in entries
        if binding.action not in LEFT_OUT
    ]


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
        for title, action, target in palette_actions():
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
