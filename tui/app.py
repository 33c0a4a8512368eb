"""TasktopApp: three provider tabs, app-wide keys, and the wiring between tabs and the runtime."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, TabbedContent, TabPane

from tui.keys import KeyInfo, resolve_key_async
from tui.palette import TasktopCommands
from tui.runtime import TABS, Runtime
from tui.task_view import TaskView

TITLES = {"datasets": "Datasets", "redteam": "Red team", "nimble": "Nimble"}


def key_label(key: KeyInfo) -> str:
    """Where the tab's key came from, masked; a session-only key says it is not saved."""
    if key.source == "session":
        return f"{key.masked()} (not saved)"
    return key.masked()


class TasktopApp(App[None]):
    """The monitor. Everything it talks to comes in through `runtime`."""

    CSS_PATH = "app.tcss"
    TITLE = "tasktop"
    COMMANDS = App.COMMANDS | {TasktopCommands}
    #: Wide terminals show the detail pane beside the table instead of over it.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-normal"), (140, "-wide")]
    BINDINGS = [
        Binding("1", "show_tab('datasets')", "Datasets", show=False, tooltip="Datasets tab"),
        Binding("2", "show_tab('redteam')", "Red team", show=False, tooltip="Red team tab"),
        Binding("3", "show_tab('nimble')", "Nimble", show=False, tooltip="Nimble tab"),
        Binding("question_mark", "help", "Help", tooltip="Show all keys"),
        Binding("q", "quit", "Quit", tooltip="Quit tasktop"),
    ]

    def __init__(
        self,
        runtime: Runtime,
        *,
        start_tab: str = "datasets",
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.runtime = runtime
        self.start_tab = start_tab
        self.monotonic = monotonic

    def compose(self) -> ComposeResult:
        with TabbedContent(initial=self.start_tab):
            for tab_id, provider in TABS:
                with TabPane(TITLES[tab_id], id=tab_id):
                    yield TaskView(
                        tab_id,
                        self.runtime.source(tab_id),
                        refresh_seconds=self.runtime.refresh_seconds,
                        key_label=key_label(self.runtime.keys[provider]),
                        now=self.runtime.now,
                        monotonic=self.monotonic,
                        per_page=self.runtime.per_page,
                        id=f"view-{tab_id}",
                    )
        yield Footer(compact=True)

    def view(self, tab_id: str) -> TaskView:
        return self.query_one(f"#view-{tab_id}", TaskView)

    @property
    def active_view(self) -> TaskView:
        return self.view(self.query_one(TabbedContent).active)

    def on_mount(self) -> None:
        self.active_view.activate()
        self.active_view.table.focus()
        for provider, key in self.runtime.keys.items():
            if key.source == "none":
                self._look_up_key(provider)

    def views_for(self, provider: str) -> list[TaskView]:
        return [self.view(tab_id) for tab_id, p in TABS if p == provider]

    @work(group="keys")
    async def _look_up_key(self, provider: str) -> None:
        """Keyring lookup off the UI thread: the frame is already painted while it runs."""
        key = await resolve_key_async(provider, self.runtime.profile)
        if key.present:
            self.use_key(key)
        elif key.problem:
            for view in self.views_for(provider):
                view.notice(f"no key: {key.problem} — press k to enter one for this session")

    def use_key(self, key: KeyInfo) -> None:
        """Point every tab of the key's provider at a client that uses it, and load them."""
        self.runtime.set_key(key)
        for view in self.views_for(key.provider):
            view.set_source(self.runtime.source(view.tab_id), key_label(key))

    def open_key_dialog(self, provider: str, reason: str | None = None) -> None:
        from tui.screens.key_dialog import KeyDialog

        def done(key: KeyInfo | None) -> None:
            if key is not None and key.present:
                self.use_key(key)

        self.push_screen(KeyDialog(provider, self.runtime.profile, reason), done)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        active = event.pane.id
        for tab_id, _ in TABS:
            view = self.view(tab_id)
            if tab_id == active:
                if not view.active:  # TabbedContent also announces the first tab at start-up:
                    view.activate()  # activating twice would fetch the first page twice
                view.table.focus()
            elif view.active:
                view.deactivate()

    def on_task_view_counted(self, event: TaskView.Counted) -> None:
        title = TITLES[event.view.tab_id]
        label = f"{title} ({event.total})" if event.total is not None else title
        tab = self.query_one(TabbedContent).get_tab(event.view.tab_id)
        if tab.label.plain != label:  # every tick posts Counted; relabelling re-lays out the tabs
            tab.label = label

    def action_show_tab(self, tab_id: str) -> None:
        self.query_one(TabbedContent).active = tab_id

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        groups = [("tabs", list(TaskView.BINDINGS)), ("app", list(self.BINDINGS))]
        self.push_screen(HelpScreen(groups))

    async def on_unmount(self) -> None:
        await self.runtime.aclose()
