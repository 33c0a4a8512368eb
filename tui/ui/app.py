"""TasktopApp: one view per tab spec (tui.tabs), app-wide keys, and the wiring between tabs and
the runtime."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.widgets import ContentSwitcher

from tui.core.alerts import (
    DEFAULT_ALERT_STATES,
    AlertTracker,
)
from tui.core.keys import KeyInfo, resolve_key_async
from tui.core.page_fit import NARROW_BELOW
from tui.core.safe_text import escape_controls
from tui.history.recorder import Recorder
from tui.process import start_gc
from tui.process.runtime import Runtime, utc_now
from tui.tabs.registry import problems, spec, tabs
from tui.tabs.spec import TabSpec
from tui.ui.app_feeds import PageFeeds
from tui.ui.app_screens import AppScreens
from tui.ui.history_panel import HistoryPanels
from tui.ui.keymap import check_keymap, display_keys, rebound
from tui.ui.palette import TasktopCommands
from tui.ui.task_view import TaskView
from widgets.footer import LeanFooter
from widgets.tab_bar import TabBar

#: Seconds after start-up when its objects are frozen for the garbage collector (all tab views
#: are built by then).
FREEZE_AFTER = 3.0
#: Seconds after mount when the history file is opened if no page has landed by then.
HISTORY_AFTER = 1.0


def tab_bindings(specs: tuple[TabSpec, ...]) -> list[Binding]:
    """Keys 1-9 show the tabs in order (the keymap rebinds them by id: `tab.<id>`)."""
    return [
        Binding(str(number), f"show_tab({tab.id!r})", tab.title, show=False,
                tooltip=f"{tab.title} tab", id=f"tab.{tab.id}")
        for number, tab in enumerate(specs[:9], start=1)
    ]


def app_bindings() -> list[Binding]:
    """The app's keys: one per tab (the tabs are known at run time), then the fixed ones."""
    return Binding.make_bindings([*tab_bindings(tabs()), *TasktopApp.BINDINGS])


def rebindable_bindings() -> list[Binding]:
    """Every binding a `[keymap]` may rebind by its id: the tab's keys, then the app's."""
    return [*Binding.make_bindings(TaskView.BINDINGS), *app_bindings()]


def key_label(key: KeyInfo, profile: str) -> str:
    """The active profile, and where the tab's key came from, masked (session keys: not saved)."""
    label = f"{profile} · {key.masked()}"
    return f"{label} (not saved)" if key.source == "session" else label


class TasktopApp(PageFeeds, HistoryPanels, AppScreens, App[None]):
    """The monitor. Everything it talks to comes in through `runtime`."""

    CSS_PATH = "app.tcss"
    TITLE = "tasktop"
    COMMANDS = App.COMMANDS | {TasktopCommands}
    #: Wide terminals show the detail pane beside the table instead of over it.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-normal"), (140, "-wide")]
    #: The fixed keys; each instance adds one per tab (`tab_bindings`).
    BINDINGS = [
        Binding("c", "copy_id", "Copy", show=False, tooltip="Copy the selected task id (OSC 52)",
                id="copy_id"),
        Binding("e", "export", "Export", show=False, tooltip="Export this page or all pages",
                id="export"),
        Binding("w", "changes", "Changes", show=False,
                tooltip="Tasks that changed while tasktop was closed", id="changes"),
        Binding("t", "trends", "Trends", show=False,
                tooltip="Trend strip: last hour, last day, hidden", id="trends"),
        Binding("question_mark", "help", "Help", tooltip="Show all keys", id="help"),
        Binding("q", "quit", "Quit", tooltip="Quit tasktop", id="quit"),
    ]

    def __init__(
        self,
        runtime: Runtime,
        *,
        start_tab: str = "datasets",
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        for binding in Binding.make_bindings(tab_bindings(tabs())):
            self._bindings.key_to_bindings.setdefault(binding.key, []).append(binding)
        self.runtime = runtime
        self.start_tab = start_tab
        self.monotonic = monotonic
        self.alerts = AlertTracker(
            "terminal" if runtime.alert_on == "terminal" else DEFAULT_ALERT_STATES
        )
        self._alert_views: dict[str, object] = {}  # tab → the request its baseline belongs to
        self._hook_feed = None  # a tui.hooks.feed.HookFeed when the config has [[hooks]]
        #: Views mounted after start-up, and their mount (awaited before first showing them).
        self._view_mounts: dict[str, AwaitMount] = {}
        self._key_problems: dict[str, str] = {}  # provider → why its keyring lookup failed
        self._history_started = False  # the first `_open_history` has been asked for
        self._init_history_panels()
        self.recorder = Recorder()  # landed pages → the history file (opened in a worker)
        where = str(runtime.config_path) if runtime.config_path else "config file"
        self.set_keymap(check_keymap(runtime.keymap, rebindable_bindings(), where))

    def get_default_screen(self) -> Screen:
        """The screen, already carrying the breakpoint class for the starting width: otherwise the
        first resize event adds it and every widget is restyled once more before the first rows."""
        screen = super().get_default_screen()
        width = self.size.width
        for edge, name in sorted(self.HORIZONTAL_BREAKPOINTS, reverse=True):
            if width >= edge:
                screen.add_class(name, update=False)
                break
        return screen

    def compose(self) -> ComposeResult:
        # Only the first tab's view is built before the first frame; the hidden ones are mounted
        # once its first rows are up (`mount_hidden_views`), so start-up pays for one tab. The
        # history's widgets, hidden until it has opened, come with it (`_start_history`).
        yield TabBar([(t.id, t.title) for t in tabs()], active=self.start_tab, id="tabs")
        with ContentSwitcher(initial=f"view-{self.start_tab}", id="views"):
            yield self._new_view(self.start_tab)
        yield LeanFooter(compact=True)  # Textual's Footer leaks its keys on every tab switch

    def _new_view(self, tab_id: str) -> TaskView:
        tab = spec(tab_id)
        return TaskView(
            tab,
            self.runtime.source(tab_id),
            refresh_seconds=self.runtime.refresh_seconds,
            key_label=self.key_label(self.runtime.key(tab.provider.name)),
            now=self.runtime.now,
            monotonic=self.monotonic,
            per_page=self.runtime.first_page_size((self.size.width, self.size.height)),
            fit_rows=self.runtime.per_page is None,
            early=self.runtime.take_early(tab_id),
            id=f"view-{tab_id}",
        )

    def mount_hidden_views(self) -> None:
        """Build and mount every tab view not mounted yet (idempotent)."""
        for index, tab_id in enumerate(t.id for t in tabs()):
            if tab_id in self._view_mounts or self.query(f"#view-{tab_id}"):
                continue
            switcher = next(iter(self.query("#views").results(ContentSwitcher)), None)
            if switcher is None or not switcher.is_attached:  # exiting: nothing to build into
                return
            view = self._new_view(tab_id)
            view.display = False  # the switcher shows it when its tab is chosen
            self._view_mounts[tab_id] = switcher.mount(view)
            self.call_later(self._finish_mount, tab_id, index)

    async def _finish_mount(self, tab_id: str, index: int) -> None:
        """What a late-built view missed while it did not exist yet."""
        await self._view_mounts[tab_id]
        views = list(self.query(f"#view-{tab_id}").results(TaskView))
        if not views:
            return  # closing
        view = views[0]
        problem = self._key_problems.get(view.provider)
        if problem and view.source is None:
            view.notice(problem)
        if self.runtime.watch_all:
            view.watch_in_background(self.runtime.watch_seconds, 1.0 + index)

    def key_label(self, key: KeyInfo) -> str:
        return key_label(key, self.runtime.profile)

    def view(self, tab_id: str) -> TaskView:
        """The tab's view; asking for a hidden one not built yet builds the hidden views now."""
        if tab_id not in self._view_mounts and not self.query(f"#view-{tab_id}"):
            self.mount_hidden_views()
        return self.query_one(f"#view-{tab_id}", TaskView)

    def views(self) -> list[TaskView]:
        """The tab views mounted so far, in tab order."""
        return [v for t in tabs() for v in self.query(f"#view-{t.id}").results(TaskView)]

    @property
    def active_tab(self) -> str:
        """The tab on screen (its id: datasets, redteam, nimble, or a tab package's)."""
        return self.query_one(TabBar).active

    @property
    def active_view(self) -> TaskView:
        return self.view(self.active_tab)

    def on_mount(self) -> None:
        self.active_view.activate()
        self.active_view.table.focus()
        if self.runtime.watch_all:
            index = [t.id for t in tabs()].index(self.start_tab)
            self.active_view.watch_in_background(self.runtime.watch_seconds, 1.0 + index)
            self.mount_hidden_views()
        else:
            # Normally the start tab's first rows trigger this (see on_task_view_counted).
            self.set_timer(1.0, self.mount_hidden_views)
        if not self.is_headless:  # tests run many apps in one process: leave their GC alone
            self.set_timer(FREEZE_AFTER, start_gc.settle)
        for provider, key in self.runtime.keys.items():
            if key.source == "none":
                self._look_up_key(provider)
        # Opened once the first page has landed (see on_task_view_counted): its worker thread
        # and the strip it fills would otherwise take turns with the first frame and the
        # Datasets enrichment. Pages that land before it opens wait in the recorder.
        self.set_timer(HISTORY_AFTER, self._start_history)
        if self.runtime.hooks is not None:
            self._connect_hooks(self.runtime.hooks)
        for problem in problems():  # a tab package that failed to load is left out, said once
            self.notify(problem, title="tabs", severity="warning", timeout=15)

    def _start_history(self) -> None:
        """Open the history file, and mount its widgets, the first time this is called."""
        if not self._history_started:
            self._history_started = True
            self._mount_history_widgets()
            self._open_history()

    def _mount_history_widgets(self) -> None:
        """The away line and the trend strip, above the footer (idempotent)."""
        footer = next(iter(self.query(LeanFooter)), None)
        if footer is not None and not self.query("#trends"):
            self.mount(*self._history_widgets(), before=footer)

    def views_for(self, provider: str) -> list[TaskView]:
        """Mounted views of this provider's tabs (views mounted later read the runtime then)."""
        return [view for view in self.views() if view.provider == provider]

    @work(group="keys")
    async def _look_up_key(self, provider: str) -> None:
        """Keyring lookup off the UI thread: the frame is already painted while it runs."""
        key = await resolve_key_async(provider, self.runtime.profile)
        if key.present:
            self.use_key(key)
        elif key.problem:
            message = f"no key: {key.problem} — press k to enter one for this session"
            self._key_problems[provider] = message  # for tab views built later
            for view in self.views_for(provider):
                view.notice(message)

    def use_key(self, key: KeyInfo) -> None:
        """Point every tab of the key's provider at a client that uses it, and load them."""
        self.runtime.set_key(key)
        self._key_problems.pop(key.provider, None)
        for view in self.views_for(key.provider):
            view.set_source(self.runtime.source(view.tab_id), self.key_label(key))

    async def on_tab_bar_activated(self, event: TabBar.Activated) -> None:
        await self.action_show_tab(event.tab_id)

    async def action_show_tab(self, tab_id: str) -> None:
        """Show the tab and focus its table before the next key is read.

        Keys typed in one burst wait in the app's queue behind this one: a view still mounting is
        awaited here (the queue waits with it), and the focus moves at once rather than on a later
        callback, so the next key reaches the new tab, never a widget of the hidden one.
        """
        bar = self.query_one(TabBar)
        if bar.active == tab_id:
            return
        bar.active = tab_id
        if tab_id not in self._view_mounts and not self.query(f"#view-{tab_id}"):
            self.mount_hidden_views()  # a tab chosen before its view was built: build it now
        for view in self.views():
            if view.tab_id != tab_id and view.active:
                view.deactivate()
        mounting = self._view_mounts.get(tab_id)
        if mounting is not None:
            await mounting
        self._show_view(tab_id)

    def _show_view(self, tab_id: str) -> None:
        if self.active_tab != tab_id or not self.query(f"#view-{tab_id}"):
            return  # another tab was chosen meanwhile, or the app is closing
        self.query_one("#views", ContentSwitcher).current = f"view-{tab_id}"
        view = self.view(tab_id)
        if not view.active:
            view.activate()
        view.take_focus()
        self._history_tab_shown()

    def on_task_view_counted(self, event: TaskView.Counted) -> None:
        title = event.view.spec.title
        label = f"{title} ({event.total})" if event.total is not None else title
        bar = next(iter(self.query(TabBar)), None)
        if bar is None:
            return  # a page that landed while the app is closing: its screen is gone
        bar.set_label(event.view.tab_id, label)  # repaints only on a change
        if event.view.page is not None:
            changes = self.recorder.page(event.view.tab_id, event.view.page.rows, self.runtime.now())
            self._history_page(event.view, changed=bool(changes))
        if len(self._view_mounts) < len(tabs()) - 1:
            self.call_after_refresh(self.mount_hidden_views)  # first rows are up: now the rest
            self.call_after_refresh(self.runtime.warm_http)  # its thread would slow that frame
            self.call_after_refresh(start_gc.resume)
        if not self._history_started:
            self.call_after_refresh(self._start_history)
        self._watch_for_alerts(event.view)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast, from any screen or widget of the app: message and title are shown
        literally (never markup: Screen.notify and Widget.notify ask for it by default), one line
        each, unsafe characters as symbols, so no caller can forget to escape server text it
        quotes. `markup` is accepted and ignored."""
        super().notify(
            escape_controls(str(message), single_line=True),
            title=escape_controls(str(title), single_line=True),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def action_help_quit(self) -> None:
        """ctrl+c: Textual's hint, without the markup a literal toast would show."""
        self.notify("Press q to quit the app", title="Do you want to quit?")

    def send_to_terminal(self, data: str) -> None:
        """Write escape sequences straight to the terminal (clipboard, notifications)."""
        if self._driver is not None:
            self._driver.write(data)

    # --------------------------------------------------------------------------- export

    def action_export(self) -> None:
        from dataclasses import replace

        from tui.providers.sources import Row
        from tui.ui.screens.export_dialog import ExportDialog

        view = self.active_view
        if view.page is None or view.source is None:
            self.notify("nothing to export yet", severity="warning")
            return

        def done(result: str | None) -> None:
            if result:
                self.notify(result, title="export", timeout=10, markup=False)

        page = view.page
        if page.surplus:  # an oversized answer: "this page" is every row it brought, not 10
            page = replace(page, rows=[*page.rows, *(Row("", "", raw) for raw in page.surplus)])
        dialog = ExportDialog(view.spec.title, view.tab_id, page, view.source.fetch, utc_now)
        self.push_screen(dialog, done)

    # ------------------------------------------------------------------------------ profiles

    def switch_profile(self, name: str) -> None:
        """Reload URLs and keys for another profile; every tab starts over."""
        from tui.core.config import ConfigError

        try:
            self.runtime.switch_profile(name)
        except ConfigError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.alerts.reset()
        self._alert_views.clear()
        if self._hook_feed is not None:
            self._hook_feed.reset()
        self._history_forget()
        self._history_started = True
        self._mount_history_widgets()
        self._open_history(self.recorder.detach())
        for view in self.views():
            view.refresh_seconds = self.runtime.refresh_seconds
            view.set_source(
                self.runtime.source(view.tab_id), self.key_label(self.runtime.key(view.provider))
            )
        for provider, key in self.runtime.keys.items():
            if key.source == "none":
                self._look_up_key(provider)
        self.notify(f"profile: {name}", timeout=4, markup=False)

    def keys_for(self, action: str) -> str | None:
        """The keys that run `action` (e.g. "refresh_now") as help shows them, keymap applied."""
        for binding in rebound(rebindable_bindings(), self._keymap):
            if binding.action == action:
                return display_keys(binding.key)
        return None

    async def on_unmount(self) -> None:
        # Cancel fetches first: a request still running on a client closed under it would fail
        # with a non-provider error and turn an orderly exit into a crash (exit status 1).
        self.workers.cancel_all()
        if self.runtime.hooks is not None:
            self.runtime.hooks.close(timeout=0)  # a running command is killed, queued ones dropped
        await asyncio.to_thread(self.recorder.detach().close)
        await self.runtime.aclose()
